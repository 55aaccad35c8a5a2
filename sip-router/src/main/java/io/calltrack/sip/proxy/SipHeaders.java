package io.calltrack.sip.proxy;

import gov.nist.javax.sip.RequestEventExt;
import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.stack.HopImpl;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.phone.PhoneNumber;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Iterator;
import java.util.Locale;
import javax.sip.RequestEvent;
import javax.sip.address.Hop;
import javax.sip.address.SipURI;
import javax.sip.address.TelURL;
import javax.sip.address.URI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.MaxForwardsHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Message;
import javax.sip.message.Request;

/** Reading SIP messages: static, side-effect-free helpers of the proxy (and of the callback dialer). */
public final class SipHeaders {
  private SipHeaders() {}

  static String callId(Message m) {
    CallIdHeader h = (CallIdHeader) m.getHeader(CallIdHeader.NAME);
    return h == null ? "" : h.getCallId();
  }

  static String fromTag(Message m) {
    FromHeader h = (FromHeader) m.getHeader(FromHeader.NAME);
    return h == null ? null : h.getTag();
  }

  static String toTag(Message m) {
    ToHeader h = (ToHeader) m.getHeader(ToHeader.NAME);
    return h == null ? null : h.getTag();
  }

  static long cseq(Message m) {
    CSeqHeader h = (CSeqHeader) m.getHeader(CSeqHeader.NAME);
    return h == null ? -1 : h.getSeqNumber();
  }

  static String cseqMethod(Message m) {
    CSeqHeader h = (CSeqHeader) m.getHeader(CSeqHeader.NAME);
    return h == null ? "" : h.getMethod();
  }

  /** Max-Forwards, 70 where the request has none. */
  static int maxForwards(Request req) {
    MaxForwardsHeader h = (MaxForwardsHeader) req.getHeader(MaxForwardsHeader.NAME);
    return h == null ? 70 : h.getMaxForwards();
  }

  static String topBranch(Message m) {
    ViaHeader via = (ViaHeader) m.getHeader(ViaHeader.NAME);
    return via == null ? null : via.getBranch();
  }

  static URI contactUri(Message m) {
    ContactHeader c = (ContactHeader) m.getHeader(ContactHeader.NAME);
    return c == null || c.getAddress() == null ? null : c.getAddress().getURI();
  }

  /** The Contact's URI, encoded: a call keeps it as text, and parses it only on the rare path that needs it. */
  static String contact(Message m) {
    URI uri = contactUri(m);
    return uri == null ? null : uri.toString();
  }

  /** A message's Via header values, top first, encoded. */
  static java.util.List<String> viaValues(Message m) {
    return headerValues(m, ViaHeader.NAME);
  }

  /** A message's {@code name} header values, in order, encoded (empty: none). */
  static java.util.List<String> headerValues(Message m, String name) {
    java.util.List<String> values = new java.util.ArrayList<>(2);
    for (java.util.Iterator<?> it = m.getHeaders(name); it.hasNext(); ) {
      values.add(((gov.nist.javax.sip.header.SIPHeader) it.next()).getHeaderValue());
    }
    return java.util.List.copyOf(values);
  }

  /** A message's first {@code name} header value, encoded; null when it has none. */
  static String headerValue(Message m, String name) {
    return m.getHeader(name) instanceof gov.nist.javax.sip.header.SIPHeader h ? h.getHeaderValue() : null;
  }

  static String transportOf(Request req) {
    ViaHeader via = (ViaHeader) req.getHeader(ViaHeader.NAME);
    return via == null || via.getTransport() == null ? "udp" : lowerCase(via.getTransport());
  }

  private static final java.util.List<String> TRANSPORTS = java.util.List.of("udp", "tcp", "tls", "sctp", "ws", "wss");

  /**
   * A transport name in lower case, one shared string for each known one: a call keeps its transport
   * (and its hops theirs) for its whole length, and a copy per call was ~50 bytes of heap each.
   */
  static String lowerCase(String transport) {
    for (String known : TRANSPORTS) {
      if (known.equalsIgnoreCase(transport)) {
        return known;
      }
    }
    return transport.toLowerCase(Locale.ROOT);
  }

  /**
   * The number in a SIP URI's user part, without its user parameters ({@code ;verstat=...} of a
   * verified caller, {@code ;npdi;rn=...} of number portability: RFC 3261's user part may carry a tel:
   * URI's parameters), or a tel: URI's number.
   */
  static String dialled(URI uri) {
    if (uri instanceof SipURI s) {
      String user = s.getUser();
      int params = user == null ? -1 : user.indexOf(';');
      return params >= 0 ? user.substring(0, params) : user;
    }
    if (uri instanceof TelURL t) {
      return (t.isGlobal() ? "+" : "") + t.getPhoneNumber();
    }
    return null;
  }

  /**
   * The caller's number: P-Asserted-Identity where the trunk gives one, else From; E.164 where it
   * parses, a national number read in {@code region} (the dialled number's: a caller who dials a
   * national number is most likely in its country); else as sent, cut to 64 characters.
   */
  static String caller(Request req, String region) {
    if (identityWithheld(req)) {
      return "anonymous";
    }
    URI uri = null;
    javax.sip.header.Header pai = req.getHeader("P-Asserted-Identity");
    if (pai instanceof javax.sip.header.HeaderAddress ha) {
      uri = ha.getAddress().getURI();
    }
    if (uri == null) {
      FromHeader from = (FromHeader) req.getHeader(FromHeader.NAME);
      uri = from == null ? null : from.getAddress().getURI();
    }
    String user = uri == null ? null : dialled(uri);
    if (user == null || user.isBlank()) {
      return "anonymous";
    }
    try {
      return PhoneNumber.fromDialled(user, region).e164();
    } catch (RuntimeException e) {
      return user.length() > 64 ? user.substring(0, 64) : user;
    }
  }

  /**
   * What the trunk's caller-ID verification (STIR/SHAKEN, RFC 8224; the {@code verstat} parameter of
   * 3GPP TS 24.229 and ATIS-1000074, on the caller's number in P-Asserted-Identity, else in From) said:
   * {@link CallRecord#VERIFIED} for {@code TN-Validation-Passed} (any attestation, {@code -A}, {@code -B},
   * {@code -C}), {@link CallRecord#VERIFICATION_FAILED}, {@link CallRecord#NOT_VERIFIED} for {@code
   * No-TN-Validation}; null when neither header carries one this knows.
   */
  public static String callerVerification(Request req) {
    for (java.util.ListIterator<?> pai = req.getHeaders("P-Asserted-Identity"); pai != null && pai.hasNext(); ) {
      String v = verstat(String.valueOf(pai.next()));
      if (v != null) {
        return v;
      }
    }
    javax.sip.header.Header from = req.getHeader(FromHeader.NAME);
    return from == null ? null : verstat(from.toString());
  }

  private static String verstat(String header) {
    int at = indexOfIgnoreCase(header, "verstat=");
    if (at < 0) {
      return null;
    }
    int from = at + "verstat=".length();
    int to = from;
    while (to < header.length() && ";@>, \t\r\n".indexOf(header.charAt(to)) < 0) {
      to++;
    }
    String value = header.substring(from, to);
    if (value.regionMatches(true, 0, "TN-Validation-Passed", 0, 20)) {
      return CallRecord.VERIFIED;
    }
    if (value.regionMatches(true, 0, "TN-Validation-Failed", 0, 20)) {
      return CallRecord.VERIFICATION_FAILED;
    }
    return value.equalsIgnoreCase("No-TN-Validation") ? CallRecord.NOT_VERIFIED : null;
  }

  private static int indexOfIgnoreCase(String s, String part) {
    for (int i = 0; i + part.length() <= s.length(); i++) {
      if (s.regionMatches(true, i, part, 0, part.length())) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Whether the caller asked for its identity to be withheld (RFC 3323 / 3325 {@code Privacy: id},
   * {@code header} or {@code user}: a withheld caller ID). Its number is then neither recorded nor
   * passed to the business line, which is outside the trunk's trust domain.
   */
  static boolean identityWithheld(Request req) {
    java.util.ListIterator<?> privacy = req.getHeaders("Privacy");
    while (privacy != null && privacy.hasNext()) {
      // the header as the stack encodes it ("Privacy: id;header"), parsed into its own class or not
      String value = String.valueOf(privacy.next()).replaceFirst("(?i)^\\s*privacy\\s*:", "");
      for (String token : value.split("[;,\\s]+")) {
        if (token.equalsIgnoreCase("id") || token.equalsIgnoreCase("header") || token.equalsIgnoreCase("user")) {
          return true;
        }
      }
    }
    return false;
  }

  static Hop hopOf(SipURI uri, String defaultTransport) {
    String transport = uri.getTransportParam() != null ? uri.getTransportParam() : defaultTransport;
    return new HopImpl(uri.getHost(), uri.getPort() > 0 ? uri.getPort() : 5060, lowerCase(transport));
  }

  static String remoteIp(RequestEvent evt) {
    if (evt instanceof RequestEventExt ext && ext.getRemoteIpAddress() != null) {
      return ext.getRemoteIpAddress();
    }
    return remoteIp(evt.getRequest());
  }

  /** The address a message arrived from ("" if unknown). */
  static String remoteIp(Message m) {
    InetAddress addr = ((SIPMessage) m).getRemoteAddress();
    return addr == null ? "" : addr.getHostAddress();
  }

  static int remotePort(RequestEvent evt) {
    if (evt instanceof RequestEventExt ext && ext.getRemotePort() > 0) {
      return ext.getRemotePort();
    }
    return ((SIPMessage) evt.getRequest()).getRemotePort();
  }

  /** The IP a message read on {@code channel} came from: its packet's source, else the channel's peer. */
  public static String source(gov.nist.javax.sip.stack.MessageChannel channel) {
    java.net.InetAddress from = channel.getPeerPacketSourceAddress();
    return from != null ? from.getHostAddress() : channel.getPeerAddress();
  }

  /**
   * Whether {@code ip} (a message's source) is {@code host} (a hop: an IP literal or a name). Names
   * resolve through the JVM's DNS cache, as they did when the request was sent there.
   */
  public static boolean sameHost(String host, String ip) {
    if (host == null || ip == null || ip.isEmpty()) {
      return false;
    }
    if (host.equalsIgnoreCase(ip)) {
      return true;
    }
    try {
      InetAddress source = InetAddress.getByName(ip); // an IP literal: no lookup
      for (InetAddress a : InetAddress.getAllByName(stripBrackets(host))) {
        if (a.equals(source)) {
          return true;
        }
      }
    } catch (UnknownHostException | SecurityException e) {
      return false;
    }
    return false;
  }

  private static String stripBrackets(String h) {
    return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
  }

  /** A key of what makes a request the same request arriving again (RFC 3261 16.3 step 4). */
  static String loopKey(Request req) {
    String key = req.getRequestURI() + "|" + fromTag(req) + "|" + callId(req) + "|" + cseq(req);
    return Integer.toHexString(key.hashCode());
  }

  /** Any Via of ours whose branch starts with {@code prefix}: the request has been here before. */
  static boolean hasOwnVia(Request req, String prefix, String host, int port) {
    Iterator<?> vias = req.getHeaders(ViaHeader.NAME);
    while (vias.hasNext()) {
      ViaHeader via = (ViaHeader) vias.next();
      if (isAddress(via.getHost(), via.getPort(), host, port) && via.getBranch() != null
          && via.getBranch().startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  static boolean isAddress(String h, int p, String host, int port) {
    return host.equalsIgnoreCase(h) && (p <= 0 ? 5060 : p) == port;
  }
}
