package io.calltrack.sip.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
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
import io.calltrack.sip.testing.RawSip;
import java.text.ParseException;
import java.time.Duration;
import java.util.Properties;
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

/** On a real stack: a completed BYE's server transaction ends without its request being parsed again. */
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

  @Test
  void aCompletedByeEndsWithoutParsingItsRequestAgainAndStillGivesItWhenAsked() throws Exception {
    Properties p = new Properties();
    p.setProperty("javax.sip.STACK_NAME", "releasing-tx-test");
    p.setProperty("javax.sip.AUTOMATIC_DIALOG_SUPPORT", "off");
    p.setProperty("gov.nist.javax.sip.AGGRESSIVE_CLEANUP", "true"); // as the router: requests kept as bytes
    p.setProperty("gov.nist.javax.sip.MESSAGE_PARSER_FACTORY", Counting.class.getName());
    ProxyStack stack = new ProxyStack(p);
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
      stack.stop();
    }
  }
}
