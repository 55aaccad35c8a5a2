package io.calltrack.sip.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gov.nist.javax.sip.stack.SIPStackTimerTask;
import io.calltrack.core.testing.Await;
import io.calltrack.localredis.EmbeddedRedis;
import io.calltrack.sip.testing.RawSip;
import io.calltrack.sip.testing.RequestListener;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import javax.sip.ListeningPoint;
import javax.sip.RequestEvent;
import javax.sip.SipFactory;
import javax.sip.SipProvider;
import javax.sip.message.MessageFactory;
import javax.sip.message.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** On a real stack: a completed non-INVITE server transaction lingers 5 s (Timer J capped), not 32 s. */
@Timeout(60)
class StackTimerTest {
  /** Delays the stack's timer was given, by task class (the stack instantiates this by name). */
  static final Map<String, List<Long>> ASKED = new ConcurrentHashMap<>();
  static final Map<String, List<Long>> GIVEN = new ConcurrentHashMap<>();

  public static final class Recording extends StackTimer {
    @Override
    public boolean schedule(SIPStackTimerTask task, long delay) {
      ASKED.computeIfAbsent(task.getClass().getName(), k -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(delay);
      GIVEN.computeIfAbsent(task.getClass().getName(), k -> new java.util.concurrent.CopyOnWriteArrayList<>())
          .add(delayOf(task, delay));
      return super.schedule(task, delay);
    }
  }

  @Test
  void aCompletedByeTransactionOverUdpIsKeptFiveSecondsNotThirtyTwo() throws Exception {
    Properties p = new Properties();
    p.setProperty("javax.sip.STACK_NAME", "timer-j-test");
    p.setProperty("gov.nist.javax.sip.TIMER_CLASS_NAME", Recording.class.getName());
    p.setProperty("javax.sip.AUTOMATIC_DIALOG_SUPPORT", "off"); // as the router: a BYE of no known dialog is handled
    ProxyStack stack = new ProxyStack(p);
    int port = EmbeddedRedis.freePort();
    try (RawSip peer = new RawSip("127.0.0.1")) {
      ListeningPoint udp = stack.createListeningPoint("127.0.0.1", port, ListeningPoint.UDP);
      SipProvider provider = stack.createSipProvider(udp);
      MessageFactory messages = SipFactory.getInstance().createMessageFactory();
      provider.addSipListener(new Answering(provider, messages));
      stack.start();
      peer.send("BYE sip:127.0.0.1:" + port + " SIP/2.0\r\n"
          + "Via: SIP/2.0/UDP 127.0.0.1:" + peer.port() + ";branch=z9hG4bK-timer-j\r\n"
          + "Max-Forwards: 70\r\nFrom: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:b@127.0.0.1>;tag=2\r\n"
          + "Call-ID: timer-j@test\r\nCSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n", port);
      String answer = peer.receive(Duration.ofSeconds(10));
      assertTrue(answer.startsWith("SIP/2.0 200"), answer);
      String timerJ = "gov.nist.javax.sip.stack.SIPServerTransactionImpl$1";
      Await.until(Duration.ofSeconds(10), () -> ASKED.containsKey(timerJ));
      assertEquals(List.of(32_000L), ASKED.get(timerJ), "the stack asks 64*T1");
      assertEquals(List.of(StackTimer.TIMER_J_MILLIS), GIVEN.get(timerJ));
      ASKED.forEach((task, delays) -> {
        if (!task.equals(timerJ)) {
          assertEquals(delays, GIVEN.get(task), "only Timer J changes: " + task);
        }
      });
    } finally {
      stack.stop();
    }
  }

  /** Answers every request 200 in its own server transaction. */
  private record Answering(SipProvider provider, MessageFactory messages) implements RequestListener {
    @Override
    public void processRequest(RequestEvent evt) {
      try {
        provider.getNewServerTransaction(evt.getRequest())
            .sendResponse(messages.createResponse(Response.OK, evt.getRequest()));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
