package io.calltrack.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.CallStatus;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.core.testing.Await;
import io.calltrack.sip.testing.RawSip;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The router as RFC 3261 wants a stateful proxy to behave, in the cases a carrier's trunk and a PBX
 * meet that the other SIP tests do not walk through: a raw trunk (the caller) and a raw business line
 * on loopback, the router between them, real Redis for the call records.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ProxyRfcTest {
  static final Duration WAIT = RouterFixture.WAIT;

  @TempDir static Path spool;
  static RouterFixture fx;
  static SipRouter router;

  RawSip trunk;
  RawSip line;

  @BeforeAll
  static void startRouter() {
    fx = new RouterFixture(spool);
    // a refused call's record waits 1 s for its retry here (8 s by default): the tests of a retry that
    // never comes, or goes to another call, see the record closed without waiting 8 s
    router = fx.router(List.of("127.0.0.1/32"), Duration.ofSeconds(30), registry, RETRY_WAIT_HERE);
  }

  static final RouterLimits RETRY_WAIT_HERE = RouterLimits.DEFAULTS.withRetryWait(Duration.ofSeconds(1));

  static final io.micrometer.core.instrument.simple.SimpleMeterRegistry registry =
      new io.micrometer.core.instrument.simple.SimpleMeterRegistry();

  /** The router's count of calls that ended with {@code status} (calltrack_sip_calls_total). */
  static double callsEnded(CallStatus status) {
    return registry.get("calltrack.sip.calls").tag("status", status.json()).counter().count();
  }

  @AfterAll
  static void stopRouter() {
    if (fx != null) {
      fx.close();
    }
  }

  @BeforeEach
  void peers() {
    trunk = new RawSip("127.0.0.1");
    line = new RawSip("127.0.0.1");
  }

  @AfterEach
  void closePeers() {
    trunk.close();
    line.close();
  }

  // ------------------------------------------------------------------ helpers

  String lineContact() {
    return "sip:line@127.0.0.1:" + line.port();
  }

  PhoneNumber number() {
    return fx.property("sip:+15559990000@127.0.0.1:" + line.port(), router);
  }

  /** The trunk's INVITE to a fresh tracking number; returns it as sent. */
  String sendInvite(PhoneNumber number) {
    String invite = trunk.invite(number.e164(), router.port(), "Max-Forwards: 70\r\n");
    trunk.send(invite, router.port());
    return invite;
  }

  static String header(String message, String name) {
    return RawSip.headerLines(message, name).stream().map(l -> l.substring(name.length() + 1).strip()).findFirst()
        .orElseThrow(() -> new AssertionError("no " + name + " in " + message));
  }

  /** A response of the line's to {@code request}, To tag {@code tag} (if none yet), Contact and the Record-Routes. */
  String lineResponse(String request, String status, String tag, String extra) {
    StringBuilder b = new StringBuilder("SIP/2.0 ").append(status).append("\r\n");
    RawSip.headerLines(request, "Via").forEach(l -> b.append(l).append("\r\n"));
    RawSip.headerLines(request, "Record-Route").forEach(l -> b.append(l).append("\r\n"));
    b.append("From: ").append(header(request, "From")).append("\r\n");
    String to = header(request, "To");
    b.append("To: ").append(to).append(to.contains(";tag=") || tag == null ? "" : ";tag=" + tag).append("\r\n");
    b.append("Call-ID: ").append(header(request, "Call-ID")).append("\r\n");
    b.append("CSeq: ").append(header(request, "CSeq")).append("\r\n");
    b.append("Contact: <").append(lineContact()).append(">\r\n");
    return b.append(extra).append("Content-Length: 0\r\n\r\n").toString();
  }

  /** A call the line answered (tag {@code lineTag}) and the caller ACKed: its INVITE, as sent and as forwarded, and the caller's 200. */
  record Answered(String invite, String fwd, String ok) {}

  Answered answeredCall(String lineTag) {
    String invite = sendInvite(number());
    String fwd = lineGets("INVITE");
    line.send(lineResponse(fwd, "200 OK", lineTag, ""), router.port());
    String ok = trunkGets(200, "INVITE");
    trunk.send(trunk.inDialog("ACK", ok, 1, ""), router.port());
    lineGets("ACK");
    return new Answered(invite, fwd, ok);
  }

  /** A call to {@code number} answered (tag l5) by {@code line5}, its own business line's host, and ACKed. */
  Answered answeredAt(RawSip line5, PhoneNumber number) {
    String invite = sendInvite(number);
    String fwd = next(line5, m -> m.startsWith("INVITE "), "the line got no INVITE");
    line5.send(lineResponse(fwd, "200 OK", "l5", ""), router.port());
    String ok = trunkGets(200, "INVITE");
    trunk.send(trunk.inDialog("ACK", ok, 1, ""), router.port());
    next(line5, m -> m.startsWith("ACK "), "the line got no ACK");
    return new Answered(invite, fwd, ok);
  }

  /** The caller's 200 to {@code request} (its Via, From, To, Call-ID and CSeq), with {@code extra} headers. */
  static String okTo(String request, String extra) {
    StringBuilder b = new StringBuilder("SIP/2.0 200 OK\r\n");
    for (String n : List.of("Via", "From", "To", "Call-ID", "CSeq")) {
      RawSip.headerLines(request, n).forEach(l -> b.append(l).append("\r\n"));
    }
    return b.append(extra).append("Content-Length: 0\r\n\r\n").toString();
  }

  /** The caller hangs up (BYE, CSeq {@code cseq}); the line answers it; the caller gets the 200. */
  void hangUp(String ok, int cseq) {
    trunk.send(trunk.inDialog("BYE", ok, cseq, ""), router.port());
    String bye = lineGets("BYE");
    line.send(lineResponse(bye, "200 OK", null, ""), router.port());
    trunkGets(200, "BYE");
  }

  /** The next request of {@code method} the line gets, or fails. */
  String lineGets(String method) {
    return next(line, m -> m.startsWith(method + " "), "the line got no " + method);
  }

  /** The next response with {@code code} to {@code method} the trunk gets, or fails. */
  String trunkGets(int code, String method) {
    return next(trunk, m -> RawSip.status(m) == code && cseqMethod(m).equals(method),
        "the trunk got no " + code + " to " + method);
  }

  static String cseqMethod(String m) {
    String cseq = header(m, "CSeq");
    return cseq.substring(cseq.indexOf(' ') + 1).strip();
  }

  final List<String> seen = new ArrayList<>();

  String next(RawSip from, java.util.function.Predicate<String> what, String failure) {
    long end = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < end) {
      String m = from.receive(Duration.ofMillis(200));
      if (m != null) {
        seen.add((from == trunk ? "trunk<- " : "line<- ") + m.lines().findFirst().orElse("") + " / "
            + RawSip.headerLines(m, "CSeq"));
        if (what.test(m)) {
          return m;
        }
      }
    }
    throw new AssertionError(failure + "; seen: " + seen);
  }

  static String callId(String invite) {
    return header(invite, "Call-ID");
  }

  // ------------------------------------------------------------------ tests

  /**
   * RFC 3262 / RFC 3261 16.7: a reliable 183 (Require: 100rel, RSeq) from the line is a provisional a
   * proxy relays like any other; the caller's PRACK in the early dialog goes to the line; the call
   * then answers as usual.
   */
  @Test
  void aReliableProvisionalIsRelayedAndItsPrackReachesTheLine() {
    PhoneNumber number = number();
    String invite = sendInvite(number);
    String fwd = lineGets("INVITE");
    line.send(lineResponse(fwd, "183 Session Progress", "early1", "Require: 100rel\r\nRSeq: 1\r\n"), router.port());
    String progress = trunkGets(183, "INVITE");
    trunk.send(trunk.inDialog("PRACK", progress, 2, "RAck: 1 1 INVITE\r\n"), router.port());
    String prack = lineGets("PRACK");
    line.send(lineResponse(prack, "200 OK", null, ""), router.port());
    trunkGets(200, "PRACK");
    line.send(lineResponse(fwd, "200 OK", "early1", ""), router.port());
    String ok = trunkGets(200, "INVITE");
    trunk.send(trunk.inDialog("ACK", ok, 1, ""), router.port());
    lineGets("ACK");
    hangUp(ok, 3);
    assertEquals(CallStatus.ANSWERED, fx.awaitFinished(callId(invite)).status());
  }

  /**
   * RFC 3261 16.6 step 3: a request without Max-Forwards gets one added by the proxy; it is not an
   * error of the request (16.3 does not list it). It was a 400.
   */
  @Test
  void anInviteWithoutMaxForwardsIsForwardedWithOne() {
    PhoneNumber number = number();
    String invite = trunk.invite(number.e164(), router.port(), "");
    trunk.send(invite, router.port());
    String fin = trunk.receiveFinal(Duration.ofSeconds(5));
    assertTrue(fin == null || RawSip.status(fin) < 300, "answered " + fin);
    String fwd = lineGets("INVITE");
    assertEquals("69", header(fwd, "Max-Forwards")); // 70 added, one hop taken
    line.send(lineResponse(fwd, "486 Busy Here", "b", ""), router.port());
    trunkGets(486, "INVITE");
  }

  /** RFC 3261 16.6 step 3: Max-Forwards 1 is forwarded as 0; 0 is answered 483 and goes nowhere. */
  @Test
  void maxForwardsOneIsForwardedAsZeroAndZeroIs483() {
    PhoneNumber number = number();
    trunk.send(trunk.invite(number.e164(), router.port(), "Max-Forwards: 0\r\n"), router.port());
    assertEquals(483, RawSip.status(trunk.receiveFinal(WAIT)));
    trunk.send(trunk.invite(number.e164(), router.port(), "Max-Forwards: 1\r\n"), router.port());
    String fwd = lineGets("INVITE");
    assertEquals("0", header(fwd, "Max-Forwards"));
    line.send(lineResponse(fwd, "486 Busy Here", "b", ""), router.port());
    trunkGets(486, "INVITE");
  }

  /**
   * An INVITE the caller sends again while the line rings is absorbed (the line gets it once) and the
   * caller gets the latest provisional again (RFC 3261 17.2.1).
   */
  @Test
  void anInviteSentAgainWhileRingingIsAbsorbedAndTheRingingRepeated() {
    PhoneNumber number = number();
    String invite = sendInvite(number);
    String fwd = lineGets("INVITE");
    line.send(lineResponse(fwd, "180 Ringing", "r1", ""), router.port());
    trunkGets(180, "INVITE");
    trunk.send(invite, router.port());
    trunkGets(180, "INVITE");
    line.send(lineResponse(fwd, "603 Decline", "r1", ""), router.port());
    trunkGets(603, "INVITE");
    // the line's INVITE retransmissions (Timer A) are the router's own, with its branch: all the same branch
    List<String> lineInvites = new ArrayList<>();
    for (String m; (m = line.receive(Duration.ofMillis(300))) != null; ) {
      if (m.startsWith("INVITE ")) {
        lineInvites.add(RawSip.headerLines(m, "Via").get(0));
      }
    }
    assertTrue(lineInvites.stream().allMatch(v -> v.equals(RawSip.headerLines(fwd, "Via").get(0))),
        "a second INVITE transaction reached the line: " + lineInvites);
    CallRecord r = fx.awaitFinished(callId(invite));
    assertEquals(603, r.finalCode());
    assertEquals(CallStatus.BUSY, r.status());
  }

  /** The line's 302: relayed to the caller (not followed to a host the line names); recorded failed. */
  @Test
  void aRedirectFromTheLineIsRelayedAndRecorded() {
    PhoneNumber number = number();
    String invite = sendInvite(number);
    String fwd = lineGets("INVITE");
    line.send(lineResponse(fwd, "302 Moved Temporarily", "m1", "").replace("<" + lineContact() + ">",
        "<sip:+15550001111@192.0.2.9>"), router.port());
    String moved = trunkGets(302, "INVITE");
    assertTrue(moved.contains("192.0.2.9"), moved);
    trunk.send(("ACK " + invite.substring(7, invite.indexOf(" SIP/2.0")) + " SIP/2.0\r\n"
        + RawSip.headerLines(invite, "Via").get(0) + "\r\nFrom: " + header(invite, "From") + "\r\nTo: "
        + header(moved, "To") + "\r\nCall-ID: " + callId(invite) + "\r\nCSeq: 1 ACK\r\nMax-Forwards: 70\r\n"
        + "Content-Length: 0\r\n\r\n"), router.port());
    CallRecord r = fx.awaitFinished(callId(invite));
    assertEquals(302, r.finalCode());
    assertEquals(CallStatus.FAILED, r.status());
  }

  /** A 2xx for no call the router has goes nowhere: not to the caller side, and it is not ACKed or BYEd. */
  @Test
  void aStrayTwoHundredForNoCallGoesNowhere() {
    PhoneNumber number = number();
    String invite = sendInvite(number);
    String fwd = lineGets("INVITE");
    String stray = lineResponse(fwd, "200 OK", "s1", "").replace(callId(fwd), "stray-" + System.nanoTime())
        .replaceFirst("branch=z9hG4bK", "branch=z9hG4bKstray"); // no transaction of the router's
    line.send(stray, router.port());
    line.send(lineResponse(fwd, "486 Busy Here", "b", ""), router.port());
    trunkGets(486, "INVITE");
    List<String> more = new ArrayList<>();
    for (String m; (m = line.receive(Duration.ofMillis(300))) != null; ) {
      if (m.contains("stray-")) {
        more.add(m.lines().findFirst().orElse(m));
      }
    }
    assertEquals(List.of(), more, "the stray 200 was answered");
    assertEquals(CallStatus.BUSY, fx.awaitFinished(callId(invite)).status());
  }

  /**
   * In-dialog requests from the line: a re-INVITE to the caller (with its 2xx and ACK), and INFO and
   * UPDATE each way; a request with an unknown To tag gets 481 and goes nowhere.
   */
  @Test
  void requestsInTheDialogGoBothWaysAndUnknownDialogsGet481() {
    Answered call = answeredCall("l9");
    String invite = call.invite();
    String fwd = call.fwd();
    String ok = call.ok();
    // the line's re-INVITE, to the caller's Contact along the route set it got in the INVITE
    String callerContact = header(fwd, "Contact");
    StringBuilder routes = new StringBuilder();
    RawSip.headerLines(fwd, "Record-Route").forEach(l -> routes.append("Route:").append(l.substring(13)).append("\r\n"));
    String lineReInvite = "INVITE " + callerContact.substring(1, callerContact.indexOf('>')) + " SIP/2.0\r\n"
        + "Via: " + line.via("z9hG4bKlre" + System.nanoTime()) + "\r\nMax-Forwards: 70\r\n" + routes
        + "From: " + header(fwd, "To") + ";tag=l9\r\nTo: " + header(fwd, "From") + "\r\nCall-ID: " + callId(fwd)
        + "\r\nCSeq: 7 INVITE\r\nContact: <" + lineContact() + ">\r\nContent-Length: 0\r\n\r\n";
    line.send(lineReInvite, router.port());
    String atCaller = next(trunk, m -> m.startsWith("INVITE "), "the line's re-INVITE did not reach the caller");
    StringBuilder b = new StringBuilder("SIP/2.0 200 OK\r\n");
    for (String n : List.of("Via", "Record-Route", "From", "To", "Call-ID", "CSeq")) {
      RawSip.headerLines(atCaller, n).forEach(l -> b.append(l).append("\r\n"));
    }
    trunk.send(b.append("Contact: <sip:caller@127.0.0.1:").append(trunk.port()).append(">\r\nContent-Length: 0\r\n\r\n")
        .toString(), router.port());
    next(line, m -> RawSip.status(m) == 200 && cseqMethod(m).equals("INVITE"), "the caller's 200 did not reach the line");
    line.send(lineReInvite.replace("INVITE sip", "ACK sip").replace("CSeq: 7 INVITE", "CSeq: 7 ACK")
        .replaceFirst("branch=z9hG4bKlre", "branch=z9hG4bKlack"), router.port());
    next(trunk, m -> m.startsWith("ACK "), "the line's ACK did not reach the caller");
    // INFO from the caller
    trunk.send(trunk.inDialog("INFO", ok, 2, ""), router.port());
    String info = lineGets("INFO");
    line.send(lineResponse(info, "200 OK", null, ""), router.port());
    trunkGets(200, "INFO");
    // a BYE with a To tag of no dialog: 481, nothing reaches the line
    trunk.send(trunk.inDialog("BYE", ok.replace("tag=l9", "tag=nosuch"), 3, ""), router.port());
    trunkGets(481, "BYE");
    trunk.send(trunk.inDialog("BYE", ok, 4, ""), router.port());
    String bye = lineGets("BYE");
    assertTrue(bye.contains("CSeq: 4 BYE"), "the forged BYE reached the line first: " + bye);
    line.send(lineResponse(bye, "200 OK", null, ""), router.port());
    trunkGets(200, "BYE");
    CallRecord r = fx.awaitFinished(callId(invite));
    assertEquals(CallStatus.ANSWERED, r.status());
    assertNotNull(r.answeredAt());
  }

  /**
   * A request relayed in a call carries past the router the call's route set towards its target and
   * nothing else (RFC 3261 12.1): the line-side proxy its provisional and its answer record-routed (in
   * the early dialog and once answered), the trunk-side proxy the INVITE record-routed; a Route entry
   * the sender added past them is not passed on, as a pre-loaded Route on a new call is not.
   */
  @Test
  void aRequestInTheCallCarriesTheDialogsRouteSetAndNoRouteItsSenderAdded() {
    String lineProxy = "<sip:line-proxy@127.0.0.1:9;lr>";
    String trunkProxy = "<sip:trunk-proxy@127.0.0.1:7;lr>";
    String stranger = "<sip:stranger@127.0.0.4:6;lr>";
    String invite = trunk.invite(number().e164(), router.port(), "Max-Forwards: 70\r\nRecord-Route: " + trunkProxy + "\r\n");
    trunk.send(invite, router.port());
    String fwd = lineGets("INVITE");
    String lineRr = "Record-Route: " + lineProxy + "\r\n";
    line.send(lineResponse(fwd, "183 Session Progress", "rs1", "").replaceFirst("\r\nRecord-Route:", "\r\n" + lineRr
        + "Record-Route:"), router.port());
    String early = trunkGets(183, "INVITE");
    String us = header(fwd, "Record-Route").split(",")[0]; // the router's entry: where the trunk-side proxy sent it
    trunk.send(withRoutes(trunk.inDialog("UPDATE", early, 2, ""), us, lineProxy, stranger), router.port());
    assertEquals(List.of("Route: " + lineProxy), RawSip.headerLines(lineGets("UPDATE"), "Route"), "in the early dialog");
    line.send(lineResponse(fwd, "200 OK", "rs1", "").replaceFirst("\r\nRecord-Route:", "\r\n" + lineRr + "Record-Route:"),
        router.port());
    String ok = trunkGets(200, "INVITE");
    trunk.send(withRoutes(trunk.inDialog("INFO", ok, 3, ""), us, lineProxy, stranger), router.port());
    assertEquals(List.of("Route: " + lineProxy), RawSip.headerLines(lineGets("INFO"), "Route"), "towards the line");
    // the line's INFO to the caller, along the route set it got in the INVITE, and one more Route
    String callerContact = header(fwd, "Contact");
    StringBuilder routes = new StringBuilder();
    RawSip.headerLines(fwd, "Record-Route").forEach(l -> routes.append("Route:").append(l.substring(13)).append("\r\n"));
    line.send("INFO " + callerContact.substring(1, callerContact.indexOf('>')) + " SIP/2.0\r\n"
        + "Via: " + line.via("z9hG4bKrsi" + System.nanoTime()) + "\r\nMax-Forwards: 70\r\n" + routes
        + "Route: " + stranger + "\r\nFrom: " + header(fwd, "To") + ";tag=rs1\r\nTo: " + header(fwd, "From")
        + "\r\nCall-ID: " + callId(fwd) + "\r\nCSeq: 5 INFO\r\nContent-Length: 0\r\n\r\n", router.port());
    String info = next(trunk, m -> m.startsWith("INFO "), "the line's INFO did not reach the caller");
    assertEquals(List.of("Route: " + trunkProxy), RawSip.headerLines(info, "Route"), "towards the caller");
    hangUp(ok, 4);
  }

  /** {@code request} with {@code routes} as its Route header instead of those it has. */
  static String withRoutes(String request, String... routes) {
    return request.replaceAll("\r\nRoute:[^\r]*", "").replace("\r\nFrom: ",
        "\r\nRoute: " + String.join(", ", routes) + "\r\nFrom: ");
  }

  /**
   * A request relayed in a call goes to the other side's target, the Contact it gave (RFC 3261 12.2.1.1),
   * whatever Request-URI its sender wrote: a proxy in front of that side routes by it. The line's
   * target is its provisional's Contact in the early dialog, then its answer's; a re-INVITE answered
   * 2xx refreshes both sides' targets (12.2.2).
   */
  @Test
  void aRequestInTheCallGoesToTheOtherSidesTargetWhateverItsRequestUriSays() {
    String stranger = "sip:+15550001111@127.0.0.4:6";
    String invite = sendInvite(number());
    String fwd = lineGets("INVITE");
    line.send(lineResponse(fwd, "183 Session Progress", "tg1", ""), router.port());
    String early = trunkGets(183, "INVITE");
    trunk.send(aimedAt(trunk.inDialog("UPDATE", early, 2, ""), stranger), router.port());
    String update = lineGets("UPDATE");
    assertEquals(lineContact(), requestUri(update), "in the early dialog");
    line.send(lineResponse(update, "200 OK", null, ""), router.port());
    trunkGets(200, "UPDATE");
    line.send(lineResponse(fwd, "200 OK", "tg1", ""), router.port());
    String ok = trunkGets(200, "INVITE");
    trunk.send(trunk.inDialog("ACK", ok, 1, ""), router.port());
    lineGets("ACK");
    trunk.send(aimedAt(trunk.inDialog("INFO", ok, 3, ""), stranger), router.port());
    String info = lineGets("INFO");
    assertEquals(lineContact(), requestUri(info), "once answered");
    line.send(lineResponse(info, "200 OK", null, ""), router.port());
    trunkGets(200, "INFO");
    // the line moves (a re-INVITE with another Contact), aimed at the stranger; the caller moves in its 200
    String callerContact = header(invite, "Contact");
    String lineMoved = "sip:line-moved@127.0.0.1:" + line.port();
    String reInvite = "INVITE " + stranger + " SIP/2.0\r\nVia: " + line.via("z9hG4bKtgr" + System.nanoTime())
        + "\r\nMax-Forwards: 70\r\nFrom: " + header(fwd, "To") + ";tag=tg1\r\nTo: " + header(fwd, "From")
        + "\r\nCall-ID: " + callId(fwd) + "\r\nCSeq: 7 INVITE\r\nContact: <" + lineMoved + ">\r\nContent-Length: 0\r\n\r\n";
    line.send(reInvite, router.port());
    String atCaller = next(trunk, m -> m.startsWith("INVITE "), "the line's re-INVITE did not reach the caller");
    assertEquals(callerContact.substring(1, callerContact.indexOf('>')), requestUri(atCaller), "towards the caller");
    String callerMoved = "sip:caller-moved@127.0.0.1:" + trunk.port();
    trunk.send(okTo(atCaller, "Contact: <" + callerMoved + ">\r\n"), router.port());
    next(line, m -> RawSip.status(m) == 200 && cseqMethod(m).equals("INVITE"), "the caller's 200 did not reach the line");
    line.send(reInvite.replace("INVITE " + stranger, "ACK " + stranger).replace("CSeq: 7 INVITE", "CSeq: 7 ACK")
        .replaceFirst("branch=z9hG4bKtgr", "branch=z9hG4bKtga"), router.port());
    String ack = next(trunk, m -> m.startsWith("ACK "), "the line's ACK did not reach the caller");
    assertEquals(callerMoved, requestUri(ack), "the caller's refreshed target");
    trunk.send(aimedAt(trunk.inDialog("BYE", ok, 4, ""), stranger), router.port());
    String bye = lineGets("BYE");
    assertEquals(lineMoved, requestUri(bye), "the line's refreshed target");
    line.send(lineResponse(bye, "200 OK", null, ""), router.port());
    trunkGets(200, "BYE");
    assertEquals(CallStatus.ANSWERED, fx.awaitFinished(callId(invite)).status());
  }

  /** {@code request} with {@code target} as its Request-URI. */
  static String aimedAt(String request, String target) {
    return request.replaceFirst("^(\\S+) \\S+", "$1 " + target);
  }

  static String requestUri(String request) {
    return request.substring(request.indexOf(' ') + 1, request.indexOf(" SIP/2.0"));
  }

  /** The line's UPDATE in the early dialog (RFC 3311) reaches the caller, and its answer the line. */
  @Test
  void anUpdateFromTheLineInTheEarlyDialogReachesTheCaller() {
    PhoneNumber number = number();
    String invite = sendInvite(number);
    String fwd = lineGets("INVITE");
    line.send(lineResponse(fwd, "180 Ringing", "u1", ""), router.port());
    trunkGets(180, "INVITE");
    String callerContact = header(fwd, "Contact");
    StringBuilder routes = new StringBuilder();
    RawSip.headerLines(fwd, "Record-Route").forEach(l -> routes.append("Route:").append(l.substring(13)).append("\r\n"));
    line.send("UPDATE " + callerContact.substring(1, callerContact.indexOf('>')) + " SIP/2.0\r\n"
        + "Via: " + line.via("z9hG4bKupd" + System.nanoTime()) + "\r\nMax-Forwards: 70\r\n" + routes
        + "From: " + header(fwd, "To") + ";tag=u1\r\nTo: " + header(fwd, "From") + "\r\nCall-ID: " + callId(fwd)
        + "\r\nCSeq: 5 UPDATE\r\nContact: <" + lineContact() + ">\r\nContent-Length: 0\r\n\r\n", router.port());
    String update = next(trunk, m -> m.startsWith("UPDATE "), "the line's UPDATE did not reach the caller");
    trunk.send(okTo(update, ""), router.port());
    next(line, m -> RawSip.status(m) == 200 && cseqMethod(m).equals("UPDATE"), "the caller's 200 did not reach the line");
    line.send(lineResponse(fwd, "480 Temporarily Unavailable", "u1", ""), router.port());
    trunkGets(480, "INVITE");
    assertEquals(CallStatus.MISSED, fx.awaitFinished(callId(invite)).status());
  }

  /** The caller's re-INVITE refused by the line (488): relayed; the call goes on and ends normally. */
  @Test
  void aReInviteRefusedByTheLineIsRelayedAndTheCallGoesOn() {
    Answered call = answeredCall("r8");
    String invite = call.invite();
    String ok = call.ok();
    String reinvite = sendReInvite(ok);
    String atLine = lineGets("INVITE");
    line.send(lineResponse(atLine, "488 Not Acceptable Here", null, ""), router.port());
    String refused = trunkGets(488, "INVITE");
    lineGets("ACK"); // hop-by-hop ACK of the router's client transaction
    hangUp(ok, 3);
    assertNotNull(refused);
    CallRecord r = fx.awaitFinished(callId(invite));
    assertEquals(CallStatus.ANSWERED, r.status());
    assertEquals(200, r.finalCode());
  }

  /** A BYE without a To tag is for no dialog: 481 (RFC 3261 12.2.2 / 16), not 405 naming BYE as allowed. */
  @Test
  void aByeOutsideAnyDialogIs481() {
    long n = System.nanoTime();
    trunk.send("BYE sip:+15550000000@127.0.0.1:" + router.port() + " SIP/2.0\r\nVia: " + trunk.via("z9hG4bKnb" + n)
        + "\r\nFrom: <sip:+15557770001@127.0.0.1>;tag=nb" + n + "\r\nTo: <sip:+15550000000@127.0.0.1>\r\n"
        + "Call-ID: nb-" + n + "\r\nCSeq: 1 BYE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n", router.port());
    String reply = trunk.receiveFinal(WAIT);
    assertEquals(481, RawSip.status(reply), reply);
  }

  /** RFC 3261 16.3 step 5: a Proxy-Require option the proxy does not support is answered 420, with Unsupported. */
  @Test
  void anUnsupportedProxyRequireIsAnswered420() {
    PhoneNumber number = number();
    trunk.send(trunk.invite(number.e164(), router.port(), "Max-Forwards: 70\r\nProxy-Require: x-no-such-ext\r\n"),
        router.port());
    // whichever comes first: the trunk's final answer, or the INVITE forwarded to the line
    String first = null;
    long end = System.nanoTime() + WAIT.toNanos();
    while (first == null && System.nanoTime() < end) {
      String t = trunk.receive(Duration.ofMillis(100));
      if (t != null && RawSip.status(t) >= 200) {
        first = "trunk<- " + t.lines().findFirst().orElse("");
      }
      String l = line.receive(Duration.ofMillis(100));
      if (first == null && l != null && l.startsWith("INVITE ")) {
        first = "line<- " + l.lines().findFirst().orElse("");
      }
    }
    assertTrue(first != null && first.startsWith("trunk<- SIP/2.0 420"), "first: " + first);
  }

  /** A raw INVITE of the trunk's to {@code number}, {@code edit} applied; the first final answer, or the forwarded INVITE. */
  String firstOutcome(PhoneNumber number, java.util.function.UnaryOperator<String> edit) {
    trunk.send(edit.apply(trunk.invite(number.e164(), router.port(), "Max-Forwards: 70\r\n")), router.port());
    long end = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < end) {
      String t = trunk.receive(Duration.ofMillis(100));
      if (t != null && RawSip.status(t) >= 200) {
        return "trunk<- " + t.lines().findFirst().orElse("");
      }
      String l = line.receive(Duration.ofMillis(100));
      if (l != null && l.startsWith("INVITE ")) {
        line.send(lineResponse(l, "486 Busy Here", "b", ""), router.port()); // end it
        trunkGets(486, "INVITE");
        return "line<- " + l.lines().findFirst().orElse("");
      }
    }
    return null;
  }

  /** RFC 3261 8.1.1.3: an INVITE whose From has no tag is refused (it was routed, then its ACK and BYE were 481). */
  @Test
  void anInviteWhoseFromHasNoTagIs400() {
    PhoneNumber number = number();
    String invite = trunk.invite(number.e164(), router.port(), "Max-Forwards: 70\r\n").replaceFirst(";tag=raw\\d+", "");
    trunk.send(invite, router.port());
    String fin = trunk.receiveFinal(WAIT);
    assertEquals(400, RawSip.status(fin), fin);
    assertTrue(fin.contains("Missing From tag"), fin);
    assertNull(line.receive(Duration.ofMillis(300)), "nothing reached the line");
  }

  /**
   * RFC 3261 17.1.1.2: over UDP the INVITE client transaction retransmits the INVITE (Timer A, T1 =
   * 500 ms, doubling) until a response: a line that lost the first datagram still gets the call.
   */
  @Test
  void anUnansweredInviteIsRetransmittedOverUdp() {
    PhoneNumber number = number();
    String invite = sendInvite(number);
    String fwd = lineGets("INVITE");
    String again = lineGets("INVITE");
    assertEquals(RawSip.headerLines(fwd, "Via").get(0), RawSip.headerLines(again, "Via").get(0));
    line.send(lineResponse(again, "486 Busy Here", "b", ""), router.port());
    trunkGets(486, "INVITE");
    assertEquals(CallStatus.BUSY, fx.awaitFinished(callId(invite)).status());
  }

  /**
   * As above, after the caller's CANCEL sent before any provisional: RFC 3261 9.1, the INVITE client
   * transaction goes on (retransmitting) until the line answers; a line that lost both the INVITE and
   * the CANCEL gets the INVITE again.
   */
  @Test
  void anInviteIsStillRetransmittedAfterAnEarlyCancel() {
    PhoneNumber number = number();
    String invite = sendInvite(number);
    String fwd = lineGets("INVITE");
    trunkGets(100, "INVITE");
    String cancel = cancelOf(invite);
    trunk.send(cancel, router.port());
    trunkGets(487, "INVITE");
    String again = lineGets("INVITE");
    assertEquals(RawSip.headerLines(fwd, "Via").get(0), RawSip.headerLines(again, "Via").get(0));
  }

  /** The branch of a message's top Via. */
  static String topBranch(String message) {
    String via = RawSip.headerLines(message, "Via").get(0);
    return via.substring(via.indexOf("branch=") + 7).split("[;,]")[0];
  }

  /** The caller's CANCEL as the trunk sends it for {@code invite} (the first INVITE or a re-INVITE): its CSeq number. */
  static String cancelOf(String invite) {
    String n = header(invite, "CSeq").split(" ")[0];
    return invite.replaceFirst("^INVITE ", "CANCEL ").replace("CSeq: " + n + " INVITE", "CSeq: " + n + " CANCEL")
        .replaceFirst("Contact: [^\r\n]*\r\n", "");
  }

  /** The caller's re-INVITE (CSeq 2) in the dialog its 200 {@code ok} made, sent to the router; as sent. */
  String sendReInvite(String ok) {
    String reinvite = trunk.inDialog("INVITE", ok, 2, "Contact: <sip:caller@127.0.0.1:" + trunk.port() + ">\r\n");
    trunk.send(reinvite, router.port());
    return reinvite;
  }

  /**
   * {@code invite} sent again after the line's final failure asked for it (a challenge): the same Call-ID
   * and From tag, CSeq 2, a new branch (RFC 3261 22.2).
   */
  static String retryOf(String invite) {
    return invite.replace("CSeq: 1 INVITE", "CSeq: 2 INVITE")
        .replaceFirst("branch=z9hG4bKraw\\d+", "branch=z9hG4bKretry" + System.nanoTime());
  }

  /**
   * RFC 3261 9.1: a CANCEL must not be sent before a provisional response; once one arrives the CANCEL
   * goes out. The caller cancels while the line has said nothing yet; the line then rings (180): it
   * must get a CANCEL, not ring on for nobody.
   */
  @Test
  void aCancelBeforeTheLineSaidAnythingStillStopsTheLineOnceItRings() {
    PhoneNumber number = number();
    String invite = sendInvite(number);
    String fwd = lineGets("INVITE");
    trunkGets(100, "INVITE");
    trunk.send(cancelOf(invite), router.port());
    trunkGets(200, "CANCEL");
    trunkGets(487, "INVITE");
    // whatever the router sent the line before its 487 is on the line's socket already
    List<String> before = new ArrayList<>();
    for (String m; (m = line.receive(Duration.ofMillis(300))) != null; ) {
      before.add(m.lines().findFirst().orElse(m));
    }
    assertTrue(before.stream().noneMatch(m -> m.startsWith("CANCEL ")),
        "RFC 3261 9.1: a CANCEL went to the line before any provisional response: " + before);
    // the line answers its INVITE only now (its 100 and 180 were slow): it rings
    line.send(lineResponse(fwd, "180 Ringing", "late1", ""), router.port());
    String cancel = lineGets("CANCEL");
    assertEquals(topBranch(fwd), topBranch(cancel), "the CANCEL is of the INVITE the line rings for");
    assertEquals(CallStatus.ABANDONED, fx.awaitFinished(callId(invite)).status());
  }

  /**
   * The router's CANCEL, sent once the line said 100, got 481 (the line's 100 came from something in
   * front of it, or the line lost track): when the line then rings (180), a CANCEL must still reach it,
   * else the line rings for a caller who hung up.
   */
  @Test
  void aLineThatRingsAfterAnEarlyCancelGot481IsCancelledAgain() {
    PhoneNumber number = number();
    String invite = sendInvite(number);
    String fwd = lineGets("INVITE");
    trunkGets(100, "INVITE");
    line.send(lineResponse(fwd, "100 Trying", null, ""), router.port());
    // whichever of the 100 and the CANCEL the router takes first, the CANCEL then goes to the line
    trunk.send(cancelOf(invite), router.port());
    trunkGets(487, "INVITE");
    String early = lineGets("CANCEL");
    line.send(lineResponse(early, "481 Call/Transaction Does Not Exist", "x", ""), router.port());
    line.send(lineResponse(fwd, "180 Ringing", "late2", ""), router.port());
    String again = lineGets("CANCEL");
    assertEquals(topBranch(fwd), topBranch(again), "the CANCEL is of the INVITE the line rings for");
    assertEquals(CallStatus.ABANDONED, fx.awaitFinished(callId(invite)).status());
  }

  /** The tag parameter of a message's {@code name} header (From or To). */
  static String tagOf(String message, String name) {
    String value = header(message, name);
    return value.substring(value.indexOf(";tag=") + 5).split(";")[0];
  }

  /**
   * An answered call past the router's longest call (maxCallDuration) whose BYE never came: the router
   * ends both legs itself, a BYE to the line in the caller's name and one to the caller in the line's,
   * each to that side's Contact and with a CSeq past the ones that side has seen. Closing only the
   * record left both phones off-hook, and the dialog forgotten (the caller's BYE got 481).
   */
  @Test
  void aCallPastTheLongestCallIsHungUpOnBothSides() {
    RouterLimits limits = new RouterLimits(0, 2000, Duration.ofMillis(500), 5, Duration.ofSeconds(30), 2000, 64,
        Duration.ofMinutes(3), Duration.ofSeconds(3), 0);
    SipRouter shortCalls = fx.router(List.of("127.0.0.1/32"), Duration.ofSeconds(30), limits);
    PhoneNumber number = fx.property("sip:+15559990000@127.0.0.1:" + line.port(), shortCalls);
    String invite = trunk.invite(number.e164(), shortCalls.port(), "Max-Forwards: 70\r\n");
    trunk.send(invite, shortCalls.port());
    String fwd = lineGets("INVITE");
    line.send(lineResponse(fwd, "200 OK", "long", ""), shortCalls.port());
    String ok = trunkGets(200, "INVITE");
    trunk.send(trunk.inDialog("ACK", ok, 1, ""), shortCalls.port());
    lineGets("ACK");
    trunk.send(trunk.inDialog("INFO", ok, 5, ""), shortCalls.port()); // the caller's CSeq is 5 from now on
    line.send(lineResponse(lineGets("INFO"), "200 OK", null, ""), shortCalls.port());
    trunkGets(200, "INFO");

    String toLine = lineGets("BYE");
    assertTrue(toLine.startsWith("BYE " + lineContact() + " "), toLine);
    assertEquals(tagOf(invite, "From"), tagOf(toLine, "From"), toLine);
    assertEquals("long", tagOf(toLine, "To"), toLine);
    assertEquals("6 BYE", header(toLine, "CSeq"));
    line.send(lineResponse(toLine, "200 OK", null, ""), shortCalls.port());

    String toCaller = next(trunk, m -> m.startsWith("BYE "), "the caller got no BYE");
    assertTrue(toCaller.startsWith("BYE sip:+15557770001@127.0.0.1:" + trunk.port() + " "), toCaller);
    assertEquals("long", tagOf(toCaller, "From"), toCaller);
    assertEquals(tagOf(invite, "From"), tagOf(toCaller, "To"), toCaller);
    assertEquals(callId(invite), callId(toCaller));
    trunk.send(okTo(toCaller, ""), shortCalls.port());
    assertEquals(CallStatus.ANSWERED, fx.awaitFinished(callId(invite)).status());
  }

  /**
   * The business line's host is no trunk: while it has a call of the router's, its requests outside
   * that call (a new INVITE to a tracking number, as a transfer's new call would be, or an OPTIONS) are
   * refused 403 and go nowhere (the INVITE would have come back to the line itself), and its requests
   * inside the call still reach the caller.
   */
  @Test
  void aBusinessLineIsNoTrunkOutsideItsCalls() {
    try (RawSip line5 = new RawSip("127.0.0.5")) {
      PhoneNumber number = fx.property("sip:+15559990000@127.0.0.5:" + line5.port(), router);
      Answered call = answeredAt(line5, number);
      String invite = call.invite();
      String fwd = call.fwd();
      String ok = call.ok();
      for (String method : List.of("INVITE", "OPTIONS")) {
        line5.send(line5.invite(number.e164(), router.port(), "Max-Forwards: 70\r\n")
            .replace("INVITE", method), router.port());
        assertEquals(403, RawSip.status(line5.receiveFinal(WAIT)), method + " from the line's host");
      }
      // the line hangs up: its BYE, in the call, reaches the caller
      String callerContact = header(fwd, "Contact");
      line5.send("BYE " + callerContact.substring(1, callerContact.indexOf('>')) + " SIP/2.0\r\nVia: "
          + line5.via("z9hG4bKl5b" + System.nanoTime()) + "\r\nMax-Forwards: 70\r\nFrom: " + header(fwd, "To")
          + ";tag=l5\r\nTo: " + header(fwd, "From") + "\r\nCall-ID: " + callId(fwd)
          + "\r\nCSeq: 9 BYE\r\nContent-Length: 0\r\n\r\n", router.port());
      String bye = next(trunk, m -> m.startsWith("BYE "), "the line's BYE did not reach the caller");
      assertEquals(callId(invite), callId(bye));
      assertEquals(CallStatus.ANSWERED, fx.awaitFinished(callId(invite)).status());
    }
  }

  /**
   * RFC 3261 13.3.1.4: an answer its caller never ACKs (64*T1 of the line's retransmissions) ends the
   * session. The router does not hold such a call (a slot of the cap on calls in progress, a record
   * still answered) for the longest call's hours, waiting for a line that may never hang up itself:
   * past the ACK wait it ends both legs, as at the longest call. A call answered and ACKed before it
   * is left alone: the first BYE the line gets is the unacknowledged call's.
   */
  @Test
  void anAnswerItsCallerNeverAcknowledgesIsHungUpOnBothSides() {
    SipRouter acking = fx.router(List.of("127.0.0.1/32"), Duration.ofSeconds(30),
        RouterLimits.DEFAULTS.withAckWait(Duration.ofSeconds(1)));
    PhoneNumber number = fx.property("sip:+15559990000@127.0.0.1:" + line.port(), acking);
    String acked = trunk.invite(number.e164(), acking.port(), "Max-Forwards: 70\r\n");
    trunk.send(acked, acking.port());
    line.send(lineResponse(lineGets("INVITE"), "200 OK", "acked", ""), acking.port());
    trunk.send(trunk.inDialog("ACK", trunkGets(200, "INVITE"), 1, ""), acking.port());
    lineGets("ACK");
    String invite = trunk.invite(number.e164(), acking.port(), "Max-Forwards: 70\r\n");
    trunk.send(invite, acking.port());
    line.send(lineResponse(lineGets("INVITE"), "200 OK", "noack", ""), acking.port());
    trunkGets(200, "INVITE");

    String toLine = lineGets("BYE");
    assertEquals(callId(invite), callId(toLine), "an acknowledged call was hung up: " + toLine);
    assertEquals("noack", tagOf(toLine, "To"), toLine);
    line.send(lineResponse(toLine, "200 OK", null, ""), acking.port());
    String toCaller = next(trunk, m -> m.startsWith("BYE "), "the caller got no BYE");
    assertEquals(callId(invite), callId(toCaller));
    trunk.send(okTo(toCaller, ""), acking.port());
    assertEquals(CallStatus.ANSWERED, fx.awaitFinished(callId(invite)).status());
    Await.until(WAIT, () -> acking.liveCalls() == 1); // the acknowledged call goes on
  }

  /**
   * RFC 3261 17.2.2: a non-INVITE request sent again over UDP (its 200 was lost) within Timer J (64*T1)
   * is absorbed by its server transaction, which sends its last response again. Relayed again with a
   * new branch, it is a new transaction at the line: an INFO carrying a DTMF digit is played twice.
   */
  @Test
  void anInfoSentAgainAfterItsAnswerIsNotANewRequestAtTheLine() {
    Answered call = answeredCall("d1");
    String invite = call.invite();
    String ok = call.ok();
    String info = trunk.inDialog("INFO", ok, 2, "Content-Type: application/dtmf-relay\r\n")
        .replace("Content-Length: 0\r\n\r\n", "Content-Length: 24\r\n\r\nSignal=5\r\nDuration=160\r\n");
    trunk.send(info, router.port());
    String first = lineGets("INFO");
    line.send(lineResponse(first, "200 OK", null, ""), router.port());
    trunkGets(200, "INFO");
    String branch = info.substring(info.indexOf("branch=") + 7, info.indexOf(";rport"));
    Await.until(WAIT, () -> !router.stackHasServerTransaction(branch)); // well within Timer J (32 s)
    trunk.send(info, router.port()); // the trunk lost the 200: it sends the INFO again (Timer E)
    List<String> lineInfos = new ArrayList<>();
    for (String m; (m = line.receive(Duration.ofMillis(500))) != null; ) {
      if (m.startsWith("INFO ")) {
        lineInfos.add(RawSip.headerLines(m, "Via").get(0));
        line.send(lineResponse(m, "200 OK", null, ""), router.port());
      }
    }
    String reply = next(trunk, m -> RawSip.status(m) >= 200 && cseqMethod(m).equals("INFO"), "no answer to the INFO sent again");
    String firstVia = RawSip.headerLines(first, "Via").get(0);
    assertTrue(lineInfos.stream().allMatch(firstVia::equals),
        "the INFO sent again reached the line as a new transaction: first " + firstVia + ", then " + lineInfos
        + "; the trunk got " + (reply == null ? null : reply.lines().findFirst().orElse("")));
  }

  /**
   * RFC 3261 13.3.1.4 and 16.7 step 5: the UAS sends a 2xx to a re-INVITE again until it gets its ACK,
   * and every copy is forwarded by the proxy (2xx are never absorbed by a proxy). The router relays
   * copies of the initial INVITE's 2xx (SipHardeningTest) but what of a re-INVITE's?
   */
  @Test
  void aTwoHundredToAReInviteSentAgainReachesTheCaller() {
    Answered call = answeredCall("l1");
    String invite = call.invite();
    String ok = call.ok();

    sendReInvite(ok);
    String reinvite = lineGets("INVITE");
    String reOk = lineResponse(reinvite, "200 OK", null, "");
    line.send(reOk, router.port());
    trunkGets(200, "INVITE");
    line.send(reOk, router.port()); // no ACK yet: the line sends its 200 again (Timer G-like, T1)
    trunkGets(200, "INVITE");
    hangUp(ok, 3);
    assertEquals(CallStatus.ANSWERED, fx.awaitFinished(callId(invite)).status());
  }

  /**
   * A response matched to the call's INVITE transaction by branch but carrying another Call-ID is not a
   * response of this call (RFC 3261 8.1.3.3 / 17.1.3 mismatch): it must not reach the caller as its
   * answer, nor answer the call.
   */
  @Test
  void aTwoHundredWithAnotherCallIdIsNotTheCallersAnswer() {
    PhoneNumber number = number();
    String invite = sendInvite(number);
    String fwd = lineGets("INVITE");
    line.send(lineResponse(fwd, "200 OK", "s1", "").replace(callId(fwd), "other-" + System.nanoTime()), router.port());
    line.send(lineResponse(fwd, "486 Busy Here", "b", ""), router.port());
    String fin = next(trunk, m -> RawSip.status(m) >= 200, "no final response");
    assertEquals(callId(invite), callId(fin), "the caller got a final response of another Call-ID: " + fin);
    assertEquals(CallStatus.BUSY, fx.awaitFinished(callId(invite)).status());
  }

  /**
   * A line that forks: two early dialogs (180 with tag A, then a reliable 183 with tag B). RFC 3262: the
   * caller PRACKs the 183 in early dialog B; RFC 3261 16: the proxy routes in-dialog requests by their
   * route set; it must not refuse one (481) because it knows only the first early dialog. A request
   * with an early tag the line never sent is still 481.
   */
  @Test
  void aPrackInASecondEarlyDialogReachesTheLine() {
    PhoneNumber number = number();
    String invite = sendInvite(number);
    String fwd = lineGets("INVITE");
    line.send(lineResponse(fwd, "180 Ringing", "deskA", ""), router.port());
    trunkGets(180, "INVITE");
    line.send(lineResponse(fwd, "183 Session Progress", "deskB", "Require: 100rel\r\nRSeq: 1\r\n"), router.port());
    String progress = trunkGets(183, "INVITE");
    trunk.send(trunk.inDialog("PRACK", progress.replace("tag=deskB", "tag=deskC"), 2, "RAck: 1 1 INVITE\r\n"),
        router.port());
    trunkGets(481, "PRACK");
    trunk.send(trunk.inDialog("PRACK", progress, 3, "RAck: 1 1 INVITE\r\n"), router.port());
    String prack = lineGets("PRACK");
    assertEquals("deskB", tagOf(prack, "To"), prack);
    assertEquals("3 PRACK", header(prack, "CSeq"), "the PRACK of no early dialog reached the line first");
    line.send(lineResponse(prack, "200 OK", null, ""), router.port());
    trunkGets(200, "PRACK");
    line.send(lineResponse(fwd, "486 Busy Here", "deskB", ""), router.port());
    trunkGets(486, "INVITE");
    assertEquals(CallStatus.BUSY, fx.awaitFinished(callId(invite)).status());
  }

  /**
   * RFC 3261 9.2 / 16.10: the caller may CANCEL its pending re-INVITE. The proxy answers the CANCEL 200
   * and cancels the re-INVITE it relayed; the line's 487 to it reaches the caller; the call goes on.
   */
  @Test
  void aCancelOfAPendingReInviteIsRelayed() {
    Answered call = answeredCall("c1");
    String invite = call.invite();
    String ok = call.ok();
    String reinvite = sendReInvite(ok);
    String atLine = lineGets("INVITE");
    line.send(lineResponse(atLine, "180 Ringing", null, ""), router.port());
    trunkGets(180, "INVITE");
    String cancel = cancelOf(reinvite);
    trunk.send(cancel, router.port());
    String answer = next(trunk, m -> RawSip.status(m) >= 200 && cseqMethod(m).equals("CANCEL"), "no answer to the CANCEL");
    assertEquals(200, RawSip.status(answer), answer);
    String atLineCancel = lineGets("CANCEL");
    assertEquals(topBranch(atLine), topBranch(atLineCancel), "the CANCEL is of the re-INVITE the line has");
    line.send(lineResponse(atLineCancel, "200 OK", null, ""), router.port());
    line.send(lineResponse(atLine, "487 Request Terminated", null, ""), router.port());
    trunkGets(487, "INVITE");
    hangUp(ok, 3);
    assertEquals(CallStatus.ANSWERED, fx.awaitFinished(callId(invite)).status());
  }

  /** As above, the CANCEL coming before the line said anything: it reaches the line at its first 1xx (RFC 3261 9.1). */
  @Test
  void aCancelOfAReInviteTheLineHasNotAnsweredWaitsForItsProvisional() {
    Answered call = answeredCall("c2");
    String invite = call.invite();
    String ok = call.ok();
    String reinvite = sendReInvite(ok);
    String atLine = lineGets("INVITE");
    trunk.send(cancelOf(reinvite), router.port());
    trunkGets(200, "CANCEL");
    List<String> before = new ArrayList<>();
    for (String m; (m = line.receive(Duration.ofMillis(300))) != null; ) {
      before.add(m.lines().findFirst().orElse(m));
    }
    assertTrue(before.stream().noneMatch(m -> m.startsWith("CANCEL ")), "a CANCEL before any provisional: " + before);
    line.send(lineResponse(atLine, "100 Trying", null, ""), router.port());
    String atLineCancel = lineGets("CANCEL");
    assertEquals(topBranch(atLine), topBranch(atLineCancel), "the CANCEL is of the re-INVITE the line has");
    line.send(lineResponse(atLine, "487 Request Terminated", null, ""), router.port());
    trunkGets(487, "INVITE");
  }

  /**
   * RFC 3261 9.1: the business line may CANCEL a re-INVITE it sent inside the call (a PBX putting the
   * caller on hold, then changing its mind). The router answered it 403, as a CANCEL from outside the
   * trunks, and the line's re-INVITE hung until the caller's side answered it. Now it is relayed as the
   * caller's CANCEL of its re-INVITE is; from the line's host outside its call it is still refused.
   */
  @Test
  void theBusinessLineMayCancelItsOwnReInvite() {
    try (RawSip line5 = new RawSip("127.0.0.5")) {
      Answered call = answeredAt(line5, fx.property("sip:+15559990000@127.0.0.5:" + line5.port(), router));
      String fwd = call.fwd();
      String callerContact = header(fwd, "Contact");
      String reinvite = "INVITE " + callerContact.substring(1, callerContact.indexOf('>')) + " SIP/2.0\r\nVia: "
          + line5.via("z9hG4bKl5r" + System.nanoTime()) + "\r\nMax-Forwards: 70\r\nFrom: " + header(fwd, "To")
          + ";tag=l5\r\nTo: " + header(fwd, "From") + "\r\nCall-ID: " + callId(fwd)
          + "\r\nCSeq: 9 INVITE\r\nContact: <sip:line@127.0.0.5:" + line5.port() + ">\r\nContent-Length: 0\r\n\r\n";
      line5.send(reinvite, router.port());
      String atTrunk = next(trunk, m -> m.startsWith("INVITE "), "the caller got no re-INVITE");
      trunk.send(lineResponse(atTrunk, "180 Ringing", null, ""), router.port());
      next(line5, m -> RawSip.status(m) == 180, "the line got no 180 to its re-INVITE");

      line5.send(cancelOf(reinvite), router.port());
      String answer = next(line5, m -> RawSip.status(m) >= 200 && cseqMethod(m).equals("CANCEL"), "no answer to the CANCEL");
      assertEquals(200, RawSip.status(answer), answer);
      String cancelAtTrunk = next(trunk, m -> m.startsWith("CANCEL "), "the caller got no CANCEL");
      assertEquals(topBranch(atTrunk), topBranch(cancelAtTrunk), "the CANCEL is of the re-INVITE the caller has");
      trunk.send(lineResponse(cancelAtTrunk, "200 OK", null, ""), router.port());
      trunk.send(lineResponse(atTrunk, "487 Request Terminated", null, ""), router.port());
      String terminated = next(line5, m -> RawSip.status(m) >= 200 && cseqMethod(m).equals("INVITE"),
          "the line got no final answer to its re-INVITE");
      assertEquals(487, RawSip.status(terminated), terminated);

      // the line's host, CANCELling what is not its own re-INVITE (the caller's first INVITE): refused
      line5.send(cancelOf(call.invite()), router.port());
      String refused = next(line5, m -> RawSip.status(m) >= 200 && cseqMethod(m).equals("CANCEL"), "no answer");
      assertEquals(403, RawSip.status(refused), refused);
      hangUp5(call.ok(), line5);
      assertEquals(CallStatus.ANSWERED, fx.awaitFinished(callId(call.invite())).status());
    }
  }

  /** The caller hangs up a call whose line is {@code line5}. */
  private void hangUp5(String ok, RawSip line5) {
    trunk.send(trunk.inDialog("BYE", ok, 3, ""), router.port());
    String bye = next(line5, m -> m.startsWith("BYE "), "the line got no BYE");
    line5.send(lineResponse(bye, "200 OK", null, ""), router.port());
    trunkGets(200, "BYE");
  }

  /** The trunk's ACK of a non-2xx final response to {@code invite}: same branch as the INVITE (RFC 3261 17.1.1.3). */
  String ackOfFailure(String invite, String failure) {
    return "ACK " + invite.substring(7, invite.indexOf(" SIP/2.0")) + " SIP/2.0\r\n"
        + RawSip.headerLines(invite, "Via").get(0) + "\r\nFrom: " + header(invite, "From") + "\r\nTo: "
        + header(failure, "To") + "\r\nCall-ID: " + callId(invite) + "\r\nCSeq: " + header(invite, "CSeq").split(" ")[0]
        + " ACK\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
  }

  /**
   * RFC 3261 22.2 / RFC 4028 6: a line that challenges (407) or asks for a longer session interval (422)
   * gets the INVITE again with the same Call-ID and From tag, a higher CSeq and a new branch. That is a
   * new transaction of the same call attempt and must be forwarded; it is not a loop (482).
   */
  @Test
  void anInviteRetriedAfterTheLinesChallengeIsForwarded() {
    double failedBefore = callsEnded(CallStatus.FAILED);
    double answeredBefore = callsEnded(CallStatus.ANSWERED);
    PhoneNumber number = number();
    String invite = sendInvite(number);
    String fwd = lineGets("INVITE");
    line.send(lineResponse(fwd, "407 Proxy Authentication Required", "ch",
        "Proxy-Authenticate: Digest realm=\"pbx\", nonce=\"abc\"\r\n"), router.port());
    String challenge = trunkGets(407, "INVITE");
    trunk.send(ackOfFailure(invite, challenge), router.port());
    String retry = retryOf(invite)
        .replace("Content-Length: 0", "Proxy-Authorization: Digest username=\"trunk\", realm=\"pbx\", nonce=\"abc\", "
            + "uri=\"sip:x@pbx\", response=\"0123456789abcdef0123456789abcdef\"\r\nContent-Length: 0");
    trunk.send(retry, router.port());
    String again = lineGets("INVITE");
    assertTrue(header(again, "CSeq").startsWith("2 "), again);
    assertTrue(again.contains("Proxy-Authorization: Digest"), again);
    line.send(lineResponse(again, "200 OK", "ok2", ""), router.port());
    String ok = next(trunk, m -> RawSip.status(m) >= 200 && header(m, "CSeq").startsWith("2 "),
        "no final answer to the retried INVITE");
    assertEquals(200, RawSip.status(ok), ok.lines().findFirst().orElse(""));
    trunk.send(trunk.inDialog("ACK", ok, 2, ""), router.port());
    lineGets("ACK");
    hangUp(ok, 3);
    // one call attempt, one record: the challenge and its retry are one call, answered (a second,
    // failed record beside it counted the call twice in every report)
    CallRecord r = fx.awaitFinished(callId(invite));
    assertEquals(CallStatus.ANSWERED, r.status());
    assertEquals(number, r.number());
    assertNotNull(r.answeredAt(), "the record has the retry's answer");
    // and the router's metrics count it once, as the record does
    assertEquals(answeredBefore + 1, callsEnded(CallStatus.ANSWERED));
    assertEquals(failedBefore, callsEnded(CallStatus.FAILED), "the challenge counted as a failed call");
  }

  /**
   * A line that asks for a longer session interval (422) and a caller that never sends the INVITE again:
   * the call is recorded failed with the line's code, at the time of the refusal, once the router stops
   * waiting for a retry ({@code retryWait}).
   */
  @Test
  void aChallengeNeverRetriedIsRecordedFailedAtItsTime() {
    PhoneNumber number = number();
    String invite = sendInvite(number);
    String fwd = lineGets("INVITE");
    Instant refusedAt = Instant.now();
    line.send(lineResponse(fwd, "422 Session Interval Too Small", "se", "Min-SE: 1800\r\n"), router.port());
    String refusal = trunkGets(422, "INVITE");
    Instant relayedAt = Instant.now(); // the router took the refusal's time before it relayed it
    trunk.send(ackOfFailure(invite, refusal), router.port());
    double failedBefore = callsEnded(CallStatus.FAILED);
    CallRecord r = fx.awaitFinished(callId(invite));
    assertEquals(CallStatus.FAILED, r.status());
    assertEquals(422, r.finalCode());
    assertEquals(failedBefore + 1, callsEnded(CallStatus.FAILED), "counted once no retry came");
    assertTrue(!r.endedAt().isBefore(refusedAt) && !r.endedAt().isAfter(relayedAt),
        "ended at the refusal (" + refusedAt + " to " + relayedAt + "), not when the router stopped waiting: "
            + r.endedAt());
  }

  /** A router that stops while a refused call waits for its retry closes the record as refused. */
  @Test
  void aRouterStoppingWhileAChallengeAwaitsItsRetryClosesTheRecord() {
    SipRouter stopping = fx.router(List.of("127.0.0.1/32"), Duration.ofSeconds(30));
    PhoneNumber number = fx.property("sip:+15559990000@127.0.0.1:" + line.port(), stopping);
    String invite = trunk.invite(number.e164(), stopping.port(), "Max-Forwards: 70\r\n");
    trunk.send(invite, stopping.port());
    String fwd = lineGets("INVITE");
    line.send(lineResponse(fwd, "401 Unauthorized", "ch", "WWW-Authenticate: Digest realm=\"pbx\", nonce=\"n\"\r\n"),
        stopping.port());
    trunkGets(401, "INVITE");
    fx.close(stopping);
    CallRecord r = fx.awaitFinished(callId(invite));
    assertEquals(CallStatus.FAILED, r.status());
    assertEquals(401, r.finalCode());
  }

  /** A challenge retried with another number (after a redirect the caller followed) is another call. */
  @Test
  void aRetryToAnotherNumberIsAnotherCall() {
    PhoneNumber first = number();
    PhoneNumber second = number();
    String invite = sendInvite(first);
    String fwd = lineGets("INVITE");
    line.send(lineResponse(fwd, "401 Unauthorized", "ch", "WWW-Authenticate: Digest realm=\"pbx\", nonce=\"n\"\r\n"),
        router.port());
    String challenge = trunkGets(401, "INVITE");
    trunk.send(ackOfFailure(invite, challenge), router.port());
    String retry = retryOf(invite).replace(first.e164(), second.e164());
    trunk.send(retry, router.port());
    String again = lineGets("INVITE");
    line.send(lineResponse(again, "486 Busy Here", "b2", ""), router.port());
    String busy = trunkGets(486, "INVITE");
    trunk.send(ackOfFailure(retry, busy), router.port());
    List<CallRecord> records = fx.awaitFinished(c -> callId(invite).equals(c.sipCallId()), 2);
    assertEquals(java.util.Set.of(first, second),
        records.stream().map(CallRecord::number).collect(java.util.stream.Collectors.toSet()));
    assertEquals(CallStatus.BUSY, records.stream().filter(c -> c.number().equals(second)).findFirst().orElseThrow().status());
  }

  /**
   * RFC 3261 16.7 step 6: a proxy that gets only a 503 from downstream SHOULD send 500 upstream: a 503
   * tells the carrier's trunk that the router itself is out of service (it fails every call over).
   */
  @Test
  void aLines503IsNotPassedToTheTrunkAs503() {
    PhoneNumber number = number();
    String invite = sendInvite(number);
    String fwd = lineGets("INVITE");
    line.send(lineResponse(fwd, "503 Service Unavailable", "u", ""), router.port());
    String fin = next(trunk, m -> RawSip.status(m) >= 200, "no final answer");
    trunk.send(ackOfFailure(invite, fin), router.port());
    assertEquals(500, RawSip.status(fin), fin.lines().findFirst().orElse(""));
  }

  /** RFC 3261 8.1.1.5 / 16.3 step 1: an INVITE whose CSeq method is not its own method is malformed: 400. */
  @Test
  void anInviteWithAnotherCSeqMethodIs400() {
    PhoneNumber number = number();
    String outcome = firstOutcome(number, m -> m.replace("CSeq: 1 INVITE", "CSeq: 1 BYE"));
    assertTrue(outcome != null && outcome.startsWith("trunk<- SIP/2.0 400"), "outcome: " + outcome);
  }

  /**
   * RFC 3261 26.2.2 / 16.6 step 7: a sips: Request-URI asks for TLS on every hop; the router, which
   * forwards to the line over UDP, must refuse it (416 or 480), not forward it in the clear.
   */
  @Test
  void aSipsRequestIsNotForwardedInTheClear() {
    PhoneNumber number = number();
    String outcome = firstOutcome(number, m -> m.replaceFirst("^INVITE sip:", "INVITE sips:"));
    assertTrue(outcome != null && outcome.startsWith("trunk<- SIP/2.0 4"), "outcome: " + outcome);
  }
}
