package io.calltrack.sip.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.testing.Await;
import io.calltrack.localredis.EmbeddedRedis;
import io.calltrack.sip.testing.RawSip;
import io.calltrack.sip.RequestListener;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.sip.ListeningPoint;
import javax.sip.RequestEvent;
import javax.sip.SipProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The wait of datagrams the stack has read but not yet handled, on a real stack and socket. */
@Timeout(60)
class StackBacklogTest {

  @Test
  void countsHowLongTheOldestUnhandledDatagramHasWaited() throws Exception {
    Properties p = new Properties();
    p.setProperty("javax.sip.STACK_NAME", "backlog-test");
    p.setProperty("gov.nist.javax.sip.THREAD_POOL_SIZE", "1");
    p.setProperty("gov.nist.javax.sip.REENTRANT_LISTENER", "true");
    ProxyStack stack = new ProxyStack(p);
    CountDownLatch handling = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    int port = EmbeddedRedis.freePort();
    try (RawSip peer = new RawSip("127.0.0.1")) {
      ListeningPoint udp = stack.createListeningPoint("127.0.0.1", port, ListeningPoint.UDP);
      SipProvider provider = stack.createSipProvider(udp);
      provider.addSipListener(new Blocking(handling, release));
      stack.start();
      // a clock 10 s ahead of the stack's: any datagram waiting shows at least 10 s
      StackBacklog backlog = StackBacklog.of(stack, () -> System.currentTimeMillis() + 10_000);
      assertEquals(1, backlog.queues());
      assertEquals(0, backlog.getAsLong(), "nothing waiting");

      peer.send(options(peer, "z9hG4bK-first", port), port);
      assertTrue(handling.await(20, TimeUnit.SECONDS), "the stack's thread took the first datagram");
      peer.send(options(peer, "z9hG4bK-second", port), port);
      Await.until(Duration.ofSeconds(20), () -> backlog.getAsLong() >= 10_000_000_000L);

      release.countDown();
      Await.until(Duration.ofSeconds(20), () -> backlog.getAsLong() == 0);
    } finally {
      release.countDown();
      stack.stop();
    }
  }

  private static String options(RawSip peer, String branch, int port) {
    return "OPTIONS sip:127.0.0.1:" + port + " SIP/2.0\r\n"
        + "Via: SIP/2.0/UDP 127.0.0.1:" + peer.port() + ";branch=" + branch + "\r\n"
        + "Max-Forwards: 70\r\nFrom: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:b@127.0.0.1>\r\n"
        + "Call-ID: " + branch + "@test\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
  }

  /** Holds the stack's handling thread on the first request until released. */
  private record Blocking(CountDownLatch handling, CountDownLatch release) implements RequestListener {
    @Override
    public void processRequest(RequestEvent evt) {
      handling.countDown();
      try {
        release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
