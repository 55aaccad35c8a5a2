package io.calltrack.sip.proxy;

import gov.nist.javax.sip.header.RequestLine;
import gov.nist.javax.sip.header.SIPHeader;
import gov.nist.javax.sip.header.StatusLine;
import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.message.SIPResponse;
import gov.nist.javax.sip.parser.MessageParser;
import gov.nist.javax.sip.parser.MessageParserFactory;
import gov.nist.javax.sip.parser.ParseExceptionListener;
import gov.nist.javax.sip.parser.ParserFactory;
import gov.nist.javax.sip.parser.StringMsgParser;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import java.text.ParseException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * JAIN-SIP's message parser, remembering what recent lines parsed to. The messages of a call repeat
 * each other's lines: the business line's 100, 180 and 200 carry the INVITE's Via, From, Call-ID and
 * CSeq lines as the router sent them, the ACK and the BYE's 200 the dialog's, and every call has the
 * same Max-Forwards, Content-Type, Record-Route and status lines. Parsing a line with the stock parser
 * cost ~14 KB of garbage and ~6 µs per 10 header lines; copying the parsed header costs ~2.7 KB and
 * ~0.5 µs. Header parsing was most of what the router allocated per call (issue 12).
 *
 * <p>A line's header is exactly what the stock parser makes of it (it parses every line the cache
 * does not hold), and the cache only ever hands out copies: the stack and the proxy change headers
 * in place (Via received and rport, To tags, Max-Forwards). A line that fails to parse takes the
 * stock path and its listener, every time.
 *
 * <p>The cache is direct-mapped and small: a recent line displaces an older one in its slot, so it
 * holds the last few tens of milliseconds of traffic at 1,000 calls/s (a request and its responses,
 * a 200 and its ACK, the lines every call shares) and never grows. Small on purpose: its entries are
 * young when a young GC comes, and each pause copies them. With 4,096 slots the router's young GCs
 * fell by a fifth but their mean pause rose from 27–28 to 34 ms (post-dial delay); with 512 they fall
 * as much and the pauses stay as they were.
 */
public final class LineCachingParser extends StringMsgParser {
  /** Header slots; a power of two. */
  static final int HEADER_SLOTS = 512;
  /** First-line slots (request and status lines); a power of two. */
  static final int FIRST_LINE_SLOTS = 64;
  /** Longer lines are parsed every time, so one odd message cannot pin much memory. */
  static final int LONGEST_CACHED_LINE = 512;

  /** The stack's parser factory ({@code gov.nist.javax.sip.MESSAGE_PARSER_FACTORY}): one parser and cache per stack. */
  public static final class Factory implements MessageParserFactory {
    private final LineCachingParser parser = new LineCachingParser();

    @Override
    public MessageParser createMessageParser(SIPTransactionStack stack) {
      return parser;
    }
  }

  private final Slots<SIPHeader> headers = new Slots<>(HEADER_SLOTS);
  private final Slots<Object> firstLines = new Slots<>(FIRST_LINE_SLOTS);
  private final AtomicLong hits = new AtomicLong();

  /** Lines answered from the cache since the parser was made (tests). */
  long hits() {
    return hits.get();
  }

  @Override
  protected SIPMessage processFirstLine(String line, ParseExceptionListener listener, byte[] raw)
      throws ParseException {
    Object known = firstLines.get(line);
    if (known instanceof RequestLine requestLine) {
      hits.incrementAndGet();
      SIPRequest request = new SIPRequest();
      request.setRequestLine((RequestLine) requestLine.clone());
      return request;
    }
    if (known instanceof StatusLine statusLine) {
      hits.incrementAndGet();
      SIPResponse response = new SIPResponse();
      response.setStatusLine((StatusLine) statusLine.clone());
      return response;
    }
    SIPMessage message = super.processFirstLine(line, listener, raw);
    if (line.length() <= LONGEST_CACHED_LINE) {
      if (message instanceof SIPRequest r && r.getRequestLine() != null) {
        firstLines.put(line, r.getRequestLine().clone());
      } else if (message instanceof SIPResponse r && r.getStatusLine() != null) {
        firstLines.put(line, r.getStatusLine().clone());
      }
    }
    return message;
  }

  @Override
  protected void processHeader(String line, SIPMessage message, ParseExceptionListener listener, byte[] raw)
      throws ParseException {
    if (line == null || line.isEmpty()) {
      return;
    }
    SIPHeader known = headers.get(line);
    SIPHeader header;
    if (known != null) {
      hits.incrementAndGet();
      header = (SIPHeader) known.clone();
    } else if (line.length() > LONGEST_CACHED_LINE) {
      super.processHeader(line, message, listener, raw);
      return;
    } else {
      try {
        header = ParserFactory.createParser(line + "\n").parse(); // what the stock processHeader does
      } catch (ParseException unparsable) {
        super.processHeader(line, message, listener, raw); // reports it to the listener as the stock parser does
        return;
      }
      headers.put(line, (SIPHeader) header.clone());
    }
    try {
      message.attachHeader(header, false);
    } catch (ParseException refused) {
      super.processHeader(line, message, listener, raw); // the stock path decides what the listener hears
    }
  }

  /** A direct-mapped table of line → what it parsed to; racing writers just replace each other. */
  private static final class Slots<V> {
    private record Entry<V>(String line, V parsed) {}

    private final AtomicReferenceArray<Entry<V>> slots;
    private final int mask;

    Slots(int size) {
      this.slots = new AtomicReferenceArray<>(size);
      this.mask = size - 1;
    }

    V get(String line) {
      Entry<V> e = slots.get(index(line));
      return e != null && e.line.equals(line) ? e.parsed : null;
    }

    void put(String line, V parsed) {
      slots.set(index(line), new Entry<>(line, parsed));
    }

    private int index(String line) {
      int h = line.hashCode();
      return (h ^ (h >>> 16)) & mask;
    }
  }
}
