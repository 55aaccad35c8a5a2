package io.calltrack.sip.proxy;

import io.calltrack.sip.routing.CallPolicy.Side;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import javax.sip.SipException;
import javax.sip.address.AddressFactory;
import javax.sip.address.SipURI;
import javax.sip.header.HeaderFactory;
import javax.sip.header.MaxForwardsHeader;
import javax.sip.header.RecordRouteHeader;
import javax.sip.header.RouteHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;

/**
 * What the router writes into a request it sends on, as Kamailio's rr and tm modules do: its own Via
 * with a branch that also detects loops, Record-Route (doubled across transports), the Route entries
 * of a request in a call replaced by the call's route set past the router, Max-Forwards counted down.
 * Where the request goes is the proxy's business.
 */
final class Forwarding {
  private static final String BRANCH_PREFIX = "z9hG4bKct";

  private final HeaderFactory headers;
  private final AddressFactory addresses;
  private final String host;
  private final int port;
  private final AtomicLong branchCounter = new AtomicLong();

  Forwarding(HeaderFactory headers, AddressFactory addresses, String host, int port) {
    this.headers = headers;
    this.addresses = addresses;
    this.host = host;
    this.port = port;
  }

  /** Our Via for a request sent over {@code transport}. */
  ViaHeader via(String transport, String branch) throws java.text.ParseException, javax.sip.InvalidArgumentException {
    return headers.createViaHeader(host, port, transport, branch);
  }

  /** A relayed ACK's branch: stateless, so the same ACK gets the same branch every time it is relayed. */
  static String ackBranch(Request ack) {
    return BRANCH_PREFIX + "a" + Integer.toHexString(String.valueOf(SipHeaders.topBranch(ack)).hashCode());
  }

  /**
   * A relayed in-dialog request's branch: derived from the one it came with (and the side it came
   * from), as RFC 3261 16.6 step 8 allows. The stack ends our server transaction 50 ms after its
   * answer ({@link StackTimer}), so a copy the sender sends again later (its answer was lost) is relayed
   * again: with the same branch, the next hop's own transaction absorbs it, where a new branch made it
   * a new request (an INFO's DTMF digit played twice). A request without an RFC 3261 branch gets a new one.
   */
  String relayBranch(Request req, Side from) {
    String received = SipHeaders.topBranch(req);
    if (received == null || !received.regionMatches(true, 0, "z9hG4bK", 0, 7)) {
      return newBranch(req);
    }
    return BRANCH_PREFIX + (from == Side.CALLER ? "rc." : "rl.") + received.substring(7);
  }

  /** Whether a response's top Via is ours: only then was it sent by us, and only then is it relayed. */
  boolean isOurVia(ViaHeader top) {
    return top != null && SipHeaders.isAddress(top.getHost(), top.getPort(), host, port);
  }

  /**
   * Gives a request relayed in {@code call} the call's route set past us towards the other side in
   * place of the Route entries it came with (ours, and any the sender added past them), and the other
   * side's target as its Request-URI, whatever its sender wrote there (a proxy in front of that side
   * routes by it; a UA that ignored the route set, as SIPp's built-in uac, writes ours); and counts the hop.
   */
  void prepareInDialog(ProxiedCall call, Request fwd, Side from)
      throws javax.sip.InvalidArgumentException, java.text.ParseException, SipException {
    Side to = from == Side.CALLER ? Side.BUSINESS_LINE : Side.CALLER;
    setRoutes(fwd, call.routesTowards(to));
    String target = call.targetOf(to, from == Side.CALLER ? SipHeaders.toTag(fwd) : SipHeaders.fromTag(fwd));
    if (target == null && to == Side.BUSINESS_LINE) {
      fwd.setRequestURI((javax.sip.address.URI) call.businessLine.clone()); // no target yet: where the INVITE went
    } else if (target != null && !target.equals(fwd.getRequestURI().toString())) { // parsed only when it differs
      fwd.setRequestURI(addresses.createURI(target));
    }
    decrementMaxForwards(fwd);
  }

  void decrementMaxForwards(Request fwd) throws javax.sip.InvalidArgumentException {
    MaxForwardsHeader mf = (MaxForwardsHeader) fwd.getHeader(MaxForwardsHeader.NAME);
    if (mf == null) {
      fwd.setHeader(headers.createMaxForwardsHeader(70));
    } else {
      mf.setMaxForwards(Math.max(0, mf.getMaxForwards() - 1));
    }
  }

  /** {@code req}'s Route headers become {@code routes} (encoded, nearest first; empty: none). */
  void setRoutes(Request req, java.util.List<String> routes) throws java.text.ParseException, SipException {
    req.removeHeader(RouteHeader.NAME);
    for (String route : routes) {
      req.addLast(headers.createHeader(RouteHeader.NAME, route));
    }
  }

  /**
   * Record-Route so that the end of the call passes through us. When the two sides use different
   * transports, two entries (RFC 5658 double record-routing): each side reaches us its own way.
   */
  void addRecordRoute(Request fwd, String inTransport, String outTransport) throws java.text.ParseException,
      SipException {
    if (!inTransport.equalsIgnoreCase(outTransport)) {
      fwd.addFirst(recordRoute(inTransport));
    }
    fwd.addFirst(recordRoute(outTransport));
  }

  private RecordRouteHeader recordRoute(String transport) throws java.text.ParseException {
    SipURI uri = addresses.createSipURI(null, host);
    uri.setPort(port);
    uri.setLrParam();
    if (!"udp".equalsIgnoreCase(transport)) {
      uri.setTransportParam(transport.toLowerCase(Locale.ROOT));
    }
    return headers.createRecordRouteHeader(addresses.createAddress(uri));
  }

  /**
   * The route set from here (RFC 3261 12.1.2) of the dialog {@code answer} makes, encoded, nearest
   * first (empty: none): the answer's Record-Route entries of the proxies past the router.
   */
  java.util.List<String> routeSetBeyondUs(javax.sip.message.Response answer) {
    if (answer.getHeader(RecordRouteHeader.NAME) == null) {
      return java.util.List.of(); // most lines: every provisional and answer of theirs gets here
    }
    java.util.List<javax.sip.address.Address> beyond = recordRoutesBeyondUs(answer);
    if (beyond.isEmpty()) {
      return java.util.List.of();
    }
    java.util.List<String> routes = new java.util.ArrayList<>(beyond.size());
    for (javax.sip.address.Address a : beyond) {
      routes.add(0, a.toString());
    }
    return java.util.List.copyOf(routes);
  }

  /** The answer's Record-Route entries before the router's: the proxies on the answering side. */
  private java.util.List<javax.sip.address.Address> recordRoutesBeyondUs(javax.sip.message.Response answer) {
    java.util.List<javax.sip.address.Address> beyond = new java.util.ArrayList<>(1);
    for (java.util.Iterator<?> it = answer.getHeaders(RecordRouteHeader.NAME); it.hasNext(); ) {
      javax.sip.address.Address a = ((RecordRouteHeader) it.next()).getAddress();
      if (a.getURI() instanceof SipURI u && isOurs(u.getHost(), u.getPort())) {
        break;
      }
      beyond.add(a);
    }
    return beyond;
  }

  private boolean isOurs(String h, int p) {
    return SipHeaders.isAddress(h, p, host, port);
  }

  /**
   * A branch that both identifies our transaction and lets us detect loops (RFC 3261 16.3 step 4):
   * it embeds a hash of what makes a request the same request arriving again.
   */
  String newBranch(Request req) {
    return newBranch(SipHeaders.loopKey(req));
  }

  String newBranch(String loopKey) {
    return BRANCH_PREFIX + loopKey + "." + Long.toHexString(branchCounter.incrementAndGet())
        + Integer.toHexString(ThreadLocalRandom.current().nextInt());
  }

  boolean looped(Request req, String loopKey) {
    return SipHeaders.hasOwnVia(req, BRANCH_PREFIX + loopKey + ".", host, port);
  }
}
