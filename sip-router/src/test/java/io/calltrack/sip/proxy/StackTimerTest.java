package io.calltrack.sip.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gov.nist.javax.sip.stack.SIPStackTimerTask;
import io.calltrack.core.testing.Await;
import io.calltrack.localredis.EmbeddedRedis;
import io.calltrack.sip.SipStacks;
import io.calltrack.sip.testing.RawSip;
import io.calltrack.sip.RequestListener;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * On a real stack: a completed non-INVITE server transaction stays 50 ms (Timer J capped), not 32 s; a
 * completed non-INVITE client transaction 50 ms (Timer K capped), not 5 s; an answered INVITE's
 * terminated transaction 50 ms, not 8 s; every other timer as the stack asks. On its own: the wheel
 * keeps the stack's timer contract (periodic tasks, cancel, a failing task, stop).
 */
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
  void aCompletedByeServerTransactionOverUdpIsKeptFiftyMillisecondsNotThirtyTwoSeconds() throws Exception {
    String timerJ = "gov.nist.javax.sip.stack.SIPServerTransactionImpl$1";
    answered("BYE", "Call-ID: timer-j@test\r\nCSeq: 2 BYE\r\n", timerJ);
    assertEquals(List.of(32_000L), ASKED.get(timerJ), "the stack asks 64*T1");
    assertEquals(List.of(StackTimer.WAIT_MILLIS), GIVEN.get(timerJ));
    onlyChanged(timerJ);
  }

  @Test
  void anAnsweredInvitesTerminatedTransactionLingersFiftyMillisecondsNotEightSeconds() throws Exception {
    answered("INVITE", "Call-ID: linger@test\r\nCSeq: 1 INVITE\r\nContact: <sip:a@127.0.0.1>\r\n", StackTimer.LINGER);
    assertEquals(List.of(8_000L), ASKED.get(StackTimer.LINGER), "the stack asks its linger, 8 s");
    assertEquals(List.of(StackTimer.WAIT_MILLIS), GIVEN.get(StackTimer.LINGER));
    onlyChanged(StackTimer.LINGER);
  }

  @Test
  void aCompletedByeClientTransactionOverUdpIsKeptFiftyMillisecondsNotFiveSeconds() throws Exception {
    ProxyStack stack = recordingStack("client");
    int port = EmbeddedRedis.freePort();
    try (RawSip peer = new RawSip("127.0.0.1")) {
      SipProvider provider = stack.createSipProvider(stack.createListeningPoint("127.0.0.1", port, ListeningPoint.UDP));
      stack.start();
      SipFactory sip = SipFactory.getInstance();
      var addresses = sip.createAddressFactory();
      var headers = sip.createHeaderFactory();
      javax.sip.address.SipURI target = addresses.createSipURI("line", "127.0.0.1");
      target.setPort(peer.port());
      javax.sip.message.Request bye = sip.createMessageFactory().createRequest(target, "BYE",
          headers.createCallIdHeader("timer-k@test"), headers.createCSeqHeader(2L, "BYE"),
          headers.createFromHeader(addresses.createAddress("<sip:a@127.0.0.1>"), "1"),
          headers.createToHeader(addresses.createAddress("<sip:line@127.0.0.1>"), "2"),
          new java.util.ArrayList<>(List.of(headers.createViaHeader("127.0.0.1", port, "udp", null))),
          headers.createMaxForwardsHeader(70));
      provider.getNewClientTransaction(bye).sendRequest();
      String got = peer.receive(Duration.ofSeconds(10));
      assertTrue(got != null && got.startsWith("BYE "), String.valueOf(got));
      StringBuilder ok = new StringBuilder("SIP/2.0 200 OK\r\n");
      got.lines().filter(l -> l.matches("(?i)(Via|From|To|Call-ID|CSeq):.*")).forEach(l -> ok.append(l).append("\r\n"));
      peer.send(ok.append("Content-Length: 0\r\n\r\n").toString(), port);
      Await.until(Duration.ofSeconds(10), () -> ASKED.containsKey(StackTimer.TIMER_K));
      assertEquals(List.of(5_000L), ASKED.get(StackTimer.TIMER_K), "the stack asks T4");
      assertEquals(List.of(StackTimer.WAIT_MILLIS), GIVEN.get(StackTimer.TIMER_K));
      onlyChanged(StackTimer.TIMER_K);
    } finally {
      SipStacks.stop(stack);
    }
  }

  /** A timer on its own, for the contract tests (its wheel's thread starts with its first task). */
  private final StackTimer timer = new StackTimer();

  @BeforeEach
  void startTimer() {
    timer.start(null, new Properties());
  }

  @AfterEach
  void stopTimer() {
    timer.stop();
  }

  @Test
  void aPeriodicTaskRunsUntilCancelledThenIsCleanedUpAndRunsNoMore() {
    Counting periodic = new Counting(false);
    timer.scheduleWithFixedDelay(periodic, 1, 10);
    Await.until(Duration.ofSeconds(10), () -> periodic.runs.get() >= 3);
    assertTrue(timer.cancel(periodic), "a task still scheduled is cancelled");
    int atCancel = periodic.runs.get();
    assertEquals(1, periodic.cleanedUp.get(), "the stack's clean-up runs at cancel");
    assertFalse(timer.cancel(periodic), "cancelling twice cancels nothing more");
    // a later task on the same wheel: by the time it runs the periodic one would have run ~20 times more
    Counting later = new Counting(false);
    timer.schedule(later, 200);
    Await.until(Duration.ofSeconds(10), () -> later.runs.get() == 1);
    assertTrue(periodic.runs.get() <= atCancel + 1, "at most the run under way at cancel: " + periodic.runs);
  }

  @Test
  void aTaskThatThrowsStopsNeitherItselfNorTheOthers() {
    Counting failing = new Counting(true);
    timer.scheduleWithFixedDelay(failing, 1, 10);
    Counting other = new Counting(false);
    timer.schedule(other, 5);
    Await.until(Duration.ofSeconds(10), () -> failing.runs.get() >= 3 && other.runs.get() == 1);
  }

  @Test
  void aStoppedTimerTakesNoNewTask() {
    assertTrue(timer.isStarted());
    timer.stop();
    assertFalse(timer.isStarted());
    assertThrows(IllegalStateException.class, () -> timer.schedule(new Counting(false), 1));
  }

  /** A stack task that counts its runs and clean-ups, and throws on each run if told to. */
  private static final class Counting extends SIPStackTimerTask {
    final java.util.concurrent.atomic.AtomicInteger runs = new java.util.concurrent.atomic.AtomicInteger();
    final java.util.concurrent.atomic.AtomicInteger cleanedUp = new java.util.concurrent.atomic.AtomicInteger();
    private final boolean fails;

    Counting(boolean fails) {
      this.fails = fails;
    }

    @Override
    public void runTask() {
      runs.incrementAndGet();
      if (fails) {
        throw new IllegalStateException("a task of the stack failed");
      }
    }

    @Override
    public void cleanUpBeforeCancel() {
      cleanedUp.incrementAndGet();
    }

    @Override
    public Object getThreadHash() {
      return null;
    }
  }

  /** A stack as the router sets it up, on the recording timer, with nothing recorded yet. */
  private static ProxyStack recordingStack(String name) throws Exception {
    ASKED.clear();
    GIVEN.clear();
    Properties p = new Properties();
    p.setProperty("javax.sip.STACK_NAME", "stack-timer-test-" + name);
    p.setProperty("gov.nist.javax.sip.TIMER_CLASS_NAME", Recording.class.getName());
    // as the router: BYEs outside any dialog it knows are handled and relayed
    p.setProperty("javax.sip.AUTOMATIC_DIALOG_SUPPORT", "off");
    return new ProxyStack(p);
  }

  /** Sends one request to a stack that answers it 200, and waits until the stack scheduled {@code task}. */
  private static void answered(String method, String headers, String task) throws Exception {
    ProxyStack stack = recordingStack(method);
    int port = EmbeddedRedis.freePort();
    try (RawSip peer = new RawSip("127.0.0.1")) {
      ListeningPoint udp = stack.createListeningPoint("127.0.0.1", port, ListeningPoint.UDP);
      SipProvider provider = stack.createSipProvider(udp);
      MessageFactory messages = SipFactory.getInstance().createMessageFactory();
      provider.addSipListener(new Answering(provider, messages));
      stack.start();
      peer.send(method + " sip:127.0.0.1:" + port + " SIP/2.0\r\n"
          + "Via: SIP/2.0/UDP 127.0.0.1:" + peer.port() + ";branch=z9hG4bK-" + method + "\r\n"
          + "Max-Forwards: 70\r\nFrom: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:b@127.0.0.1>;tag=2\r\n"
          + headers + "Content-Length: 0\r\n\r\n", port);
      String answer = peer.receive(Duration.ofSeconds(10));
      while (answer.startsWith("SIP/2.0 1")) { // an INVITE may get a 100 Trying first
        answer = peer.receive(Duration.ofSeconds(10));
      }
      assertTrue(answer.startsWith("SIP/2.0 200"), answer);
      Await.until(Duration.ofSeconds(10), () -> ASKED.containsKey(task));
    } finally {
      SipStacks.stop(stack);
    }
  }

  /** Every task but {@code changed} got the delay the stack asked for. */
  private static void onlyChanged(String changed) {
    ASKED.forEach((task, delays) -> {
      if (!task.equals(changed)) {
        assertEquals(delays, GIVEN.get(task), "only " + changed + " changes: " + task);
      }
    });
  }

  /** Answers every request 200 in its own server transaction. */
  private record Answering(SipProvider provider, MessageFactory messages) implements RequestListener {
    @Override
    public void processRequest(RequestEvent evt) {
      try {
        Response ok = messages.createResponse(Response.OK, evt.getRequest());
        javax.sip.header.Header contact = evt.getRequest().getHeader(javax.sip.header.ContactHeader.NAME);
        if (contact != null) {
          ok.setHeader(contact); // a 2xx to an INVITE must carry one
        }
        provider.getNewServerTransaction(evt.getRequest()).sendResponse(ok);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
