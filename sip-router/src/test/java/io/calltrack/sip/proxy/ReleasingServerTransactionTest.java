package io.calltrack.sip.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.parser.MessageParser;
import gov.nist.javax.sip.parser.MessageParserFactory;
import gov.nist.javax.sip.parser.ParseExceptionListener;
import gov.nist.javax.sip.parser.StringMsgParser;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import io.calltrack.localredis.EmbeddedRedis;
import io.calltrack.sip.RequestListener;
import io.calltrack.sip.SipStacks;
import io.calltrack.sip.testing.RawSip;
import java.text.ParseException;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sip.ListeningPoint;
import javax.sip.RequestEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipFactory;
import javax.sip.SipProvider;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * On a real stack: an answered INVITE's server transaction keeps its request as bytes only and still
 * absorbs the INVITE's retransmissions; a completed BYE's ends without its request being parsed again.
 */
@Timeout(30)
class ReleasingServerTransactionTest {
  static final AtomicInteger PARSES = new AtomicInteger();

  /** The stack's parser, counting the messages it parses (the stack instantiates this by name). */
  public static final class Counting implements MessageParserFactory {
    @Override
    public MessageParser createMessageParser(SIPTransactionStack stack) {
      return new StringMsgParser() {
        @Override
        public SIPMessage parseSIPMessage(byte[] bytes, boolean readBody, boolean strict,
            ParseExceptionListener listener) throws ParseException {
          PARSES.incrementAndGet();
          return super.parseSIPMessage(bytes, readBody, strict, listener);
        }
      };
    }
  }

  /** A stack as the router sets it up: no dialogs, requests kept as bytes once over, one message thread. */
  static ProxyStack stack(String name) throws Exception {
    return stack(name, new Properties());
  }

  /** A stack as the router sets it up, with {@code more} properties on top. */
  static ProxyStack stack(String name, Properties more) throws Exception {
    Properties p = new Properties();
    p.putAll(more);
    p.setProperty("javax.sip.STACK_NAME", name);
    p.setProperty("javax.sip.AUTOMATIC_DIALOG_SUPPORT", "off");
    p.setProperty("gov.nist.javax.sip.AGGRESSIVE_CLEANUP", "true"); // as the router: requests kept as bytes
    p.setProperty("gov.nist.javax.sip.THREAD_POOL_SIZE", "1"); // as the router: requests reach the listener in order
    p.setProperty("gov.nist.javax.sip.MESSAGE_PARSER_FACTORY", Counting.class.getName());
    return new ProxyStack(p);
  }

  static String invite(String branch, String sentBy, String callId) {
    return "INVITE sip:+15559990000@127.0.0.1 SIP/2.0\r\n"
        + "Via: SIP/2.0/UDP " + sentBy + ";branch=" + branch + ";rport\r\n"
        + "Max-Forwards: 70\r\nFrom: <sip:+15557770001@127.0.0.1>;tag=caller\r\nTo: <sip:+15559990000@127.0.0.1>\r\n"
        + "Call-ID: " + callId + "\r\nCSeq: 1 INVITE\r\nContact: <sip:+15557770001@" + sentBy + ">\r\n"
        + "Content-Type: application/sdp\r\nContent-Length: 4\r\n\r\nv=0\n";
  }

  @Test
  void anAnsweredInviteKeepsItsRequestAsBytesAndStillAbsorbsItsRetransmissions() throws Exception {
    ProxyStack stack = stack("releasing-invite-test");
    int port = EmbeddedRedis.freePort();
    LinkedBlockingQueue<String> heard = new LinkedBlockingQueue<>();
    CompletableFuture<ServerTransaction> answered = new CompletableFuture<>();
    try (RawSip peer = new RawSip("127.0.0.1")) {
      SipProvider provider = stack.createSipProvider(stack.createListeningPoint("127.0.0.1", port, ListeningPoint.UDP));
      MessageFactory messages = SipFactory.getInstance().createMessageFactory();
      provider.addSipListener((RequestListener) (RequestEvent evt) -> {
        Request req = evt.getRequest();
        heard.add(req.getMethod() + " " + ((SIPMessage) req).getTopmostVia().getSentBy());
        if (answered.isDone() || !Request.INVITE.equals(req.getMethod())) {
          return; // only the first INVITE is answered: what matters later is what reaches the listener
        }
        try {
          ServerTransaction st = provider.getNewServerTransaction(req);
          Response ok = messages.createResponse(Response.OK, req);
          ((gov.nist.javax.sip.message.SIPResponse) ok).getTo().setTag("line");
          ok.setHeader(((SIPMessage) req).getContactHeader()); // any Contact: the stack wants one on a 2xx
          st.sendResponse(ok);
          answered.complete(st);
        } catch (Exception e) {
          answered.completeExceptionally(e);
        }
      });
      stack.start();
      String sentBy = "127.0.0.1:" + peer.port();
      String invite = invite("z9hG4bK-answered", sentBy, "answered@test");
      peer.send(invite, port);
      ReleasingServerTransaction tx = assertInstanceOf(ReleasingServerTransaction.class,
          answered.get(10, TimeUnit.SECONDS));
      assertTrue(peer.receiveFinal(Duration.ofSeconds(10)).startsWith("SIP/2.0 200"));
      assertEquals(javax.sip.TransactionState.TERMINATED, tx.getState());
      assertTrue(tx.requestKeptAsBytesOnly(), "answered: its INVITE kept as bytes only");
      assertNull(tx.getOriginalRequest());

      StringMsgParser parser = new StringMsgParser();
      assertTrue(tx.isMessagePartOfTransaction(parser.parseSIPMessage(invite.getBytes(), true, false, null)),
          "its retransmission: the same branch and sent-by");
      assertFalse(tx.isMessagePartOfTransaction(parser.parseSIPMessage(
          invite("z9hG4bK-answered", "127.0.0.9:5060", "answered@test").getBytes(), true, false, null)),
          "the same branch from another sender");
      assertFalse(tx.isMessagePartOfTransaction(parser.parseSIPMessage(
          invite("z9hG4bK-other", sentBy, "answered@test").getBytes(), true, false, null)), "another branch");

      peer.send(invite, port); // a retransmission: the ended transaction absorbs it
      peer.send(invite.replace("INVITE sip:", "CANCEL sip:").replace("CSeq: 1 INVITE", "CSeq: 1 CANCEL")
          .replace("Content-Type: application/sdp\r\nContent-Length: 4\r\n\r\nv=0\n", "Content-Length: 0\r\n\r\n"), port);
      peer.send("OPTIONS sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP " + sentBy + ";branch=z9hG4bK-last\r\n"
          + "Max-Forwards: 70\r\nFrom: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:b@127.0.0.1>\r\n"
          + "Call-ID: last@test\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n", port);
      List<String> expected = List.of("INVITE " + sentBy, "CANCEL " + sentBy, "OPTIONS " + sentBy);
      for (String next : expected) {
        assertEquals(next, heard.poll(10, TimeUnit.SECONDS),
            "the listener hears the first INVITE, not its retransmission; the CANCEL, which the transaction"
                + " no longer matches (the proxy answers it from its call); then the OPTIONS");
      }

      int before = PARSES.get();
      tx.cleanUp(); // what the stack runs when the linger ends
      assertEquals(before, PARSES.get(), "no message parsed by the clean-up");
      assertNull(stack.findTransaction("z9hg4bk-answered", true), "the stack no longer has the transaction");
      assertNotNull(tx.getMergeId(), "the merge id it is removed from the merge table by");
      assertEquals(Request.INVITE, tx.getRequest().getMethod(), "its request can still be had");
    } finally {
      SipStacks.stop(stack);
    }
  }

  @Test
  void aCompletedByeEndsWithoutParsingItsRequestAgainAndStillGivesItWhenAsked() throws Exception {
    ProxyStack stack = stack("releasing-tx-test");
    int port = EmbeddedRedis.freePort();
    CompletableFuture<ServerTransaction> answered = new CompletableFuture<>();
    try (RawSip peer = new RawSip("127.0.0.1")) {
      SipProvider provider = stack.createSipProvider(stack.createListeningPoint("127.0.0.1", port, ListeningPoint.UDP));
      MessageFactory messages = SipFactory.getInstance().createMessageFactory();
      provider.addSipListener((RequestListener) (RequestEvent evt) -> {
        try {
          ServerTransaction st = provider.getNewServerTransaction(evt.getRequest());
          st.sendResponse(messages.createResponse(Response.OK, evt.getRequest()));
          answered.complete(st);
        } catch (Exception e) {
          answered.completeExceptionally(e);
        }
      });
      stack.start();
      peer.send("BYE sip:127.0.0.1:" + port + " SIP/2.0\r\n"
          + "Via: SIP/2.0/UDP 127.0.0.1:" + peer.port() + ";branch=z9hG4bK-releasing\r\n"
          + "Max-Forwards: 70\r\nFrom: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:b@127.0.0.1>;tag=2\r\n"
          + "Call-ID: releasing@test\r\nCSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n", port);
      assertTrue(peer.receive(Duration.ofSeconds(10)).startsWith("SIP/2.0 200"));
      ServerTransaction st = answered.get(10, TimeUnit.SECONDS);
      ReleasingServerTransaction tx = assertInstanceOf(ReleasingServerTransaction.class, st);
      assertTrue(tx.requestKeptAsBytesOnly(), "completed over UDP: its request kept as bytes only");

      int before = PARSES.get();
      tx.cleanUp(); // what the stack runs when Timer J ends the transaction
      assertEquals(before, PARSES.get(), "no message parsed by the clean-up");
      assertNull(stack.findTransaction("z9hg4bk-releasing", true), "the stack no longer has the transaction");
      assertEquals(Request.BYE, tx.getRequest().getMethod(), "its request can still be had");
    } finally {
      SipStacks.stop(stack);
    }
  }
}
