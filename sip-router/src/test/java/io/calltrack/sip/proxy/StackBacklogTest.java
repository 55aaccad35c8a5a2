package io.calltrack.sip.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.testing.Await;
import io.calltrack.localredis.EmbeddedRedis;
import io.calltrack.sip.RequestListener;
import io.calltrack.sip.SipStacks;
import io.calltrack.sip.testing.RawSip;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.sip.ListeningPoint;
import javax.sip.RequestEvent;
import javax.sip.SipProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** How far the stack's thread is behind its socket, on a real stack and socket. */
@Timeout(60)
class StackBacklogTest {

  @Test
  void countsHowLongTheThreadHasGoneWithoutFindingItsSocketEmpty() throws Exception {
    Properties p = new Properties();
    p.setProperty("javax.sip.STACK_NAME", "backlog-test");
    p.setProperty("gov.nist.javax.sip.THREAD_POOL_SIZE", "1");
    p.setProperty("gov.nist.javax.sip.REENTRANT_LISTENER", "true");
    p.setProperty("gov.nist.javax.sip.MESSAGE_PROCESSOR_FACTORY",
        gov.nist.javax.sip.stack.CompactUdpMessageProcessorFactory.class.getName());
    ProxyStack stack = new ProxyStack(p);
    CountDownLatch handling = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    List<String> handled = new CopyOnWriteArrayList<>();
    int port = EmbeddedRedis.freePort();
    try (RawSip peer = new RawSip("127.0.0.1")) {
      ListeningPoint udp = stack.createListeningPoint("127.0.0.1", port, ListeningPoint.UDP);
      SipProvider provider = stack.createSipProvider(udp);
      provider.addSipListener(new Blocking(handling, release, handled));
      stack.start();
      // a clock 10 s ahead of the stack's: a thread that has not found its socket empty since it read
      // a datagram shows at least 10 s
      StackBacklog backlog = StackBacklog.of(stack, () -> System.nanoTime() + 10_000_000_000L);
      assertEquals(1, backlog.sockets());
      Await.until(Duration.ofSeconds(20), () -> backlog.getAsLong() == 0); // the thread waits in a read

      peer.send(options("z9hG4bK-first", peer, port), port);
      assertTrue(handling.await(20, TimeUnit.SECONDS), "the stack's thread took the first datagram");
      assertTrue(backlog.getAsLong() >= 10_000_000_000L, "held on the first datagram: behind its socket");
      for (int i = 2; i <= 4; i++) { // these wait in the socket while the thread is held: read at once after
        peer.send(options("z9hG4bK-" + i, peer, port), port);
      }

      release.countDown();
      Await.until(Duration.ofSeconds(20), () -> handled.size() == 4);
      Await.until(Duration.ofSeconds(20), () -> backlog.getAsLong() == 0); // found the socket empty, waits
      assertEquals(List.of("z9hG4bK-first", "z9hG4bK-2", "z9hG4bK-3", "z9hG4bK-4"), handled, "in arrival order");
    } finally {
      release.countDown();
      SipStacks.stop(stack);
    }
  }

  private static String options(String branch, RawSip peer, int port) {
    return "OPTIONS sip:127.0.0.1:" + port + " SIP/2.0\r\n"
        + "Via: SIP/2.0/UDP 127.0.0.1:" + peer.port() + ";branch=" + branch + "\r\n"
        + "Max-Forwards: 70\r\nFrom: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:b@127.0.0.1>\r\n"
        + "Call-ID: " + branch + "@test\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
  }

  /** Holds the stack's thread on the first request until released; notes each request's branch. */
  private record Blocking(CountDownLatch handling, CountDownLatch release, List<String> handled)
      implements RequestListener {
    @Override
    public void processRequest(RequestEvent evt) {
      handled.add(((javax.sip.header.ViaHeader) evt.getRequest().getHeader("Via")).getBranch());
      if (handling.getCount() > 0) {
        handling.countDown();
        try {
          release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }
}
