package io.calltrack.sip.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import gov.nist.javax.sip.header.CSeq;
import gov.nist.javax.sip.header.CallID;
import gov.nist.javax.sip.header.Contact;
import gov.nist.javax.sip.header.From;
import gov.nist.javax.sip.header.MaxForwards;
import gov.nist.javax.sip.header.RecordRoute;
import gov.nist.javax.sip.header.SIPHeader;
import gov.nist.javax.sip.header.To;
import gov.nist.javax.sip.header.Via;
import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.message.SIPResponse;
import gov.nist.javax.sip.parser.ParseExceptionListener;
import gov.nist.javax.sip.parser.StringMsgParser;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.sip.address.SipURI;
import org.junit.jupiter.api.Test;

/**
 * The caching parser against JAIN-SIP's own: the same message, whether a line is parsed or copied
 * from the cache, and a message changed after parsing never changes what the next one parses to.
 */
class LineCachingParserTest {
  private static final String SDP = "v=0\r\no=user1 53655765 2353687637 IN IP4 127.0.0.1\r\ns=-\r\n"
      + "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";

  static final String INVITE = "INVITE sip:+15551230001@127.0.0.1:5060 SIP/2.0\r\n"
      + "Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-4711-1-0\r\n"
      + "From: sipp <sip:sipp@127.0.0.1:5061>;tag=4711SIPpTag001\r\n"
      + "To: <sip:+15551230001@127.0.0.1:5060>\r\n"
      + "Call-ID: 1-4711@127.0.0.1\r\n"
      + "CSeq: 1 INVITE\r\n"
      + "Contact: sip:sipp@127.0.0.1:5061\r\n"
      + "Max-Forwards: 70\r\n"
      + "Subject: Performance Test\r\n"
      + "Content-Type: application/sdp\r\n"
      + "Content-Length: " + SDP.length() + "\r\n\r\n" + SDP;

  static final String RINGING = "SIP/2.0 180 Ringing\r\n"
      + "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKct1a2b.3c;received=127.0.0.1;rport=5060\r\n"
      + "Via: SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-4711-1-0\r\n"
      + "Record-Route: <sip:127.0.0.1:5060;lr>\r\n"
      + "From: \"sipp\" <sip:sipp@127.0.0.1:5061>;tag=4711SIPpTag001\r\n"
      + "To: <sip:+15551230001@127.0.0.1:5060>;tag=9UAS01\r\n"
      + "Call-ID: 1-4711@127.0.0.1\r\n"
      + "CSeq: 1 INVITE\r\n"
      + "Contact: <sip:line@127.0.0.1:5070;transport=UDP>\r\n"
      + "Content-Length: 0\r\n\r\n";

  /** Forms the stock parser takes that a plain SIPp call never shows. */
  static final String ODD = "BYE sips:line@[2001:db8::7]:5071;transport=tcp SIP/2.0\r\n"
      + "v: SIP/2.0/TCP [2001:db8::1]:5061;branch=z9hG4bK.odd;rport, SIP/2.0/UDP 10.0.0.9;branch=z9hG4bK.two\r\n"
      + "f: \"A \\\"quoted\\\" name\" <sip:caller@example.com>;tag=abc\r\n"
      + "t: <tel:+15551230001;phone-context=+1>;tag=def\r\n"
      + "i: odd-1@example.com\r\n"
      + "cSeQ: 7 BYE\r\n"
      + "Route: <sip:127.0.0.1:5060;lr>, <sip:proxy.example.com;lr;transport=tcp>\r\n"
      + "X-Folded: first part\r\n"
      + "  and the rest\r\n"
      + "Max-Forwards: 69\r\n"
      + "l: 0\r\n\r\n";

  private final StringMsgParser stock = new StringMsgParser();

  @Test
  void everyMessageIsWhatTheStockParserMakesOfItParsedOrFromTheCache() throws Exception {
    LineCachingParser parser = new LineCachingParser();
    for (String text : List.of(INVITE, RINGING, ODD)) {
      SIPMessage expected = parse(stock, text);
      assertSameMessage(expected, parse(parser, text), "first time");
      long before = parser.hits();
      assertSameMessage(expected, parse(parser, text), "from the cache");
      // every line again, the folded header counted once; none longer than the cache takes
      assertEquals(lines(text), parser.hits() - before, "lines answered from the cache: " + text.lines().findFirst());
    }
  }

  @Test
  void changingAParsedMessageNeverChangesWhatTheNextParseGives() throws Exception {
    LineCachingParser parser = new LineCachingParser();
    SIPMessage expected = parse(stock, RINGING);
    SIPRequest invite = (SIPRequest) parse(parser, INVITE);
    change(invite);
    change(parse(parser, RINGING)); // parsed: the cache keeps its own copy
    change(parse(parser, RINGING)); // copied from the cache
    assertSameMessage(expected, parse(parser, RINGING), "after changes to earlier parses");
    assertSameMessage(parse(stock, INVITE), parse(parser, INVITE), "the INVITE after changes to its earlier parse");
  }

  @Test
  void aLineTheStockParserRefusesGoesToTheListenerEveryTime() throws Exception {
    String bad = INVITE.replace("Max-Forwards: 70", "Max-Forwards: lots");
    List<String> stockHeard = new ArrayList<>();
    parse(stock, bad, recording(stockHeard));
    LineCachingParser parser = new LineCachingParser();
    List<String> heard = new ArrayList<>();
    parse(parser, bad, recording(heard));
    parse(parser, bad, recording(heard));
    assertEquals(List.of("Max-Forwards: lots"), stockHeard);
    assertEquals(List.of("Max-Forwards: lots", "Max-Forwards: lots"), heard);
  }

  @Test
  void aLongLineIsParsedEveryTimeAndNotKept() throws Exception {
    String longLine = "X-Long: " + "a".repeat(LineCachingParser.LONGEST_CACHED_LINE);
    String text = INVITE.replace("Subject: Performance Test", longLine);
    LineCachingParser parser = new LineCachingParser();
    parse(parser, text);
    long before = parser.hits();
    SIPMessage again = parse(parser, text);
    assertEquals(lines(text), parser.hits() - before); // the long line is not among them
    assertEquals(longLine + "\r\n", ((SIPHeader) again.getHeader("X-Long")).encode());
  }

  /** Changes what the stack and the proxy change in place, and more. */
  private static void change(SIPMessage m) throws Exception {
    Via top = (Via) m.getTopmostVia();
    top.setReceived("192.0.2.1");
    top.setRPort();
    top.setBranch("z9hG4bKchanged");
    top.setHost("192.0.2.2");
    ((From) m.getFrom()).setTag("changed");
    ((To) m.getTo()).setTag("changed");
    ((To) m.getTo()).getAddress().setDisplayName("changed");
    ((SipURI) ((To) m.getTo()).getAddress().getURI()).setUser("changed");
    ((CallID) m.getCallId()).setCallId("changed@example.com");
    ((CSeq) m.getCSeq()).setSeqNumber(99);
    if (m.getHeader(MaxForwards.NAME) instanceof MaxForwards mf) {
      mf.decrementMaxForwards();
    }
    if (m.getHeader(RecordRoute.NAME) instanceof RecordRoute rr) {
      ((SipURI) rr.getAddress().getURI()).setParameter("changed", "yes");
    }
    if (m.getHeader(Contact.NAME) instanceof Contact c) {
      c.setExpires(60);
      ((SipURI) c.getAddress().getURI()).setPort(1);
    }
    if (m instanceof SIPRequest r) {
      ((SipURI) r.getRequestURI()).setHost("changed.example.com");
      r.setMethod("CHANGED");
    } else {
      ((SIPResponse) m).setStatusCode(299);
      ((SIPResponse) m).setReasonPhrase("Changed");
    }
  }

  private static SIPMessage parse(StringMsgParser parser, String text) throws Exception {
    return parse(parser, text, null);
  }

  private static SIPMessage parse(StringMsgParser parser, String text, ParseExceptionListener listener)
      throws Exception {
    SIPMessage m = parser.parseSIPMessage(text.getBytes(StandardCharsets.UTF_8), true, false, listener);
    assertNotNull(m);
    return m;
  }

  private static ParseExceptionListener recording(List<String> heard) {
    return (ex, message, headerClass, header, raw) -> {
      heard.add(header);
      message.addUnparsed(header);
    };
  }

  /** Header lines and the first line, folded lines counted with the line they continue. */
  private static long lines(String text) {
    String head = text.substring(0, text.indexOf("\r\n\r\n"));
    return head.lines().filter(l -> !l.startsWith(" ") && !l.startsWith("\t"))
        .filter(l -> l.length() <= LineCachingParser.LONGEST_CACHED_LINE).count();
  }

  /** Same encoding, header by header equal (JAIN-SIP's structural equality), and the same body. */
  private static void assertSameMessage(SIPMessage expected, SIPMessage actual, String when) {
    assertEquals(expected.encode(), actual.encode(), when);
    Iterator<SIPHeader> e = expected.getHeaders();
    Iterator<SIPHeader> a = actual.getHeaders();
    while (e.hasNext()) {
      SIPHeader eh = e.next();
      SIPHeader ah = a.next();
      assertEquals(eh, ah, when + ": " + eh.encode().strip());
      assertEquals(eh.getClass(), ah.getClass(), when + ": " + eh.encode().strip());
    }
    assertEquals(false, a.hasNext(), when + ": extra headers");
    if (expected instanceof SIPRequest r) {
      assertEquals(r.getRequestLine(), ((SIPRequest) actual).getRequestLine(), when);
    } else {
      assertEquals(((SIPResponse) expected).getStatusLine(), ((SIPResponse) actual).getStatusLine(), when);
    }
    assertArrayEquals(expected.getRawContent(), actual.getRawContent(), when);
    assertEquals(listOf(expected.getUnrecognizedHeaders()), listOf(actual.getUnrecognizedHeaders()), when);
  }

  private static List<String> listOf(Iterator<String> it) {
    List<String> out = new ArrayList<>();
    while (it != null && it.hasNext()) {
      out.add(it.next());
    }
    return out;
  }
}
