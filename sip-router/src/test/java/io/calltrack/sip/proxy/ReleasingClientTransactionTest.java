package io.calltrack.sip.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gov.nist.javax.sip.stack.SIPStackTimerTask;
import io.calltrack.core.testing.Await;
import io.calltrack.localredis.EmbeddedRedis;
import io.calltrack.sip.RequestListener;
import io.calltrack.sip.SipStacks;
import io.calltrack.sip.testing.RawSip;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.sip.ClientTransaction;
import javax.sip.ListeningPoint;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.SipFactory;
import javax.sip.SipProvider;
import javax.sip.TransactionState;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * On a real stack: a relayed BYE's client transaction ends without its request being parsed again; an
 * answered INVITE's leaves the stack without waiting for its periodic timer.
 */
@Timeout(30)
class ReleasingClientTransactionTest {
  @Test
  void aCompletedByeEndsWithoutParsingItsRequestAgainAndStillGivesItWhenAsked() throws Exception {
    ProxyStack stack = ReleasingServerTransactionTest.stack("releasing-client-test");
    int port = EmbeddedRedis.freePort();
    CompletableFuture<Response> answered = new CompletableFuture<>();
    try (RawSip peer = new RawSip("127.0.0.1")) {
      SipProvider provider = started(stack, port, answered);
      String callLeg = "From: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:b@127.0.0.1>;tag=2\r\n"
          + "Call-ID: releasing-client@test\r\nCSeq: 2 BYE\r\n";
      Request bye = SipFactory.getInstance().createMessageFactory().createRequest(
          "BYE sip:b@127.0.0.1:" + peer.port() + " SIP/2.0\r\n"
              + "Via: SIP/2.0/UDP 127.0.0.1:" + port + ";branch=z9hG4bK-releasing-client\r\n"
              + "Max-Forwards: 70\r\n" + callLeg + "Content-Length: 0\r\n\r\n");
      ClientTransaction ct = provider.getNewClientTransaction(bye);
      ReleasingClientTransaction tx = assertInstanceOf(ReleasingClientTransaction.class, ct);
      ct.sendRequest();
      String sent = peer.receive(Duration.ofSeconds(10));
      assertTrue(sent.startsWith("BYE "), sent);
      String via = sent.lines().filter(l -> l.startsWith("Via:")).findFirst().orElseThrow();
      peer.send("SIP/2.0 200 OK\r\n" + via + "\r\n" + callLeg + "Content-Length: 0\r\n\r\n", port);
      assertEquals(200, answered.get(10, TimeUnit.SECONDS).getStatusCode());
      Await.until(Duration.ofSeconds(10), tx::requestKeptAsBytesOnly); // the stock release, after the listener
      assertEquals(TransactionState.COMPLETED, tx.getState(), "completed over UDP: Timer K holds it");

      int before = ReleasingServerTransactionTest.PARSES.get();
      tx.cleanUpOnTerminated(); // what the stack runs when Timer K ends the transaction
      assertEquals(before, ReleasingServerTransactionTest.PARSES.get(), "no message parsed by the clean-up");
      assertNull(stack.findTransaction("z9hg4bk-releasing-client", false), "the stack no longer has the transaction");
      assertEquals(Request.BYE, tx.getRequest().getMethod(), "its request can still be had");
    } finally {
      SipStacks.stop(stack);
    }
  }

  /**
   * The stack's timer with its periodic tasks never run: what leaves the stack then, leaves without
   * them. Keeps which of them were set and which cancelled.
   */
  public static final class PeriodicTasksStopped extends StackTimer {
    static final java.util.List<SIPStackTimerTask> SET = new java.util.concurrent.CopyOnWriteArrayList<>();
    static final java.util.List<SIPStackTimerTask> CANCELLED = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public boolean scheduleWithFixedDelay(SIPStackTimerTask task, long delay, long period) {
      SET.add(task);
      return true;
    }

    @Override
    public boolean cancel(SIPStackTimerTask task) {
      if (SET.contains(task)) {
        CANCELLED.add(task);
        return true;
      }
      return super.cancel(task);
    }
  }

  @Test
  void anAnsweredInvitesTransactionLeavesTheStackWithoutWaitingForItsPeriodicTimer() throws Exception {
    Properties timer = new Properties();
    timer.setProperty("gov.nist.javax.sip.TIMER_CLASS_NAME", PeriodicTasksStopped.class.getName());
    ProxyStack stack = ReleasingServerTransactionTest.stack("releasing-invite-client-test", timer);
    int port = EmbeddedRedis.freePort();
    CompletableFuture<Response> answered = new CompletableFuture<>();
    try (RawSip line = new RawSip("127.0.0.1")) {
      SipProvider provider = started(stack, port, answered);
      String text = ReleasingServerTransactionTest.invite("z9hG4bK-releasing-invite-client", "127.0.0.1:" + port,
          "releasing-invite-client@test");
      Request invite = SipFactory.getInstance().createMessageFactory().createRequest( // to the line's port
          text.replace("@127.0.0.1 SIP/2.0", "@127.0.0.1:" + line.port() + " SIP/2.0"));
      ClientTransaction ct = provider.getNewClientTransaction(invite);
      ReleasingClientTransaction tx = assertInstanceOf(ReleasingClientTransaction.class, ct);
      ct.sendRequest();
      String sent = line.receive(Duration.ofSeconds(10));
      assertTrue(sent.startsWith("INVITE "), sent);
      assertEquals(1, PeriodicTasksStopped.SET.size(), "the stack set the transaction's periodic timer, never run here");
      StringBuilder ok = new StringBuilder("SIP/2.0 200 OK\r\n");
      sent.lines().filter(l -> l.matches("(?i)(Via|From|Call-ID|CSeq):.*")).forEach(l -> ok.append(l).append("\r\n"));
      line.send(ok.append("To: <sip:+15559990000@127.0.0.1>;tag=line\r\nContact: <sip:line@127.0.0.1:")
          .append(line.port()).append(">\r\nContent-Length: 0\r\n\r\n").toString(), port);
      assertEquals(200, answered.get(10, TimeUnit.SECONDS).getStatusCode());
      assertEquals(TransactionState.TERMINATED, tx.getState(), "a 2xx ends an INVITE client transaction");

      // the stock stack finds a terminated client transaction only at its periodic timer's next tick
      Await.until(Duration.ofSeconds(10), () -> stack.findTransaction("z9hg4bk-releasing-invite-client", false) == null);
      assertEquals(PeriodicTasksStopped.SET, PeriodicTasksStopped.CANCELLED, "its periodic timer is cancelled");
    } finally {
      SipStacks.stop(stack);
    }
  }

  /** Starts {@code stack} listening on UDP {@code port}; the first response it gets completes {@code answered}. */
  private static SipProvider started(ProxyStack stack, int port, CompletableFuture<Response> answered) throws Exception {
    SipProvider provider = stack.createSipProvider(stack.createListeningPoint("127.0.0.1", port, ListeningPoint.UDP));
    provider.addSipListener(new RequestListener() {
      @Override
      public void processRequest(RequestEvent evt) {}

      @Override
      public void processResponse(ResponseEvent evt) {
        answered.complete(evt.getResponse());
      }
    });
    stack.start();
    return provider;
  }
}
