package io.calltrack.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.calls.CallStatus;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.core.testing.Await;
import io.calltrack.core.testing.TestNumbers;
import io.calltrack.sip.testing.RawSip;
import io.calltrack.sip.testing.SipPhone;
import io.vertx.core.Future;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.sip.header.CSeqHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The router probed as an attacker would, with hand-written datagrams from other loopback addresses
 * (127.0.0.2 is not a trunk here: only 127.0.0.1 is) and real JAIN-SIP phones for the genuine calls.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SipHardeningTest {
  static final Duration WAIT = RouterFixture.WAIT;
  static final List<String> TRUNKS = List.of("127.0.0.1/32");

  @TempDir static Path spool;
  static RouterFixture fx;
  static SipRouter router;

  SipPhone caller;
  SipPhone line;

  @BeforeAll
  static void startRouter() {
    fx = new RouterFixture(spool);
    router = fx.router(TRUNKS, Duration.ofSeconds(30));
  }

  @AfterAll
  static void stopRouter() {
    if (fx != null) {
      fx.close();
    }
  }

  @BeforeEach
  void phones() {
    caller = SipPhone.start("caller");
    line = SipPhone.start("line");
  }

  @AfterEach
  void stopPhones() {
    caller.close();
    line.close();
  }

  static String uri(PhoneNumber n, SipRouter r) {
    return "sip:" + n.e164() + "@127.0.0.1:" + r.port();
  }

  /** A 200 OK to {@code invite} (as the line got it: the router's Via on top), as a third party would forge it. */
  static String forged200(Request invite, RawSip from, RawSip victim, String toTag) {
    ViaHeader routerVia = (ViaHeader) invite.getHeader(ViaHeader.NAME);
    return "SIP/2.0 200 OK\r\n"
        + routerVia
        + "Via: SIP/2.0/UDP " + victim.host + ":" + victim.port() + ";branch=z9hG4bKvictim\r\n"
        + invite.getHeader("From")
        + "To: " + ((ToHeader) invite.getHeader(ToHeader.NAME)).getAddress() + ";tag=" + toTag + "\r\n"
        + invite.getHeader("Call-ID")
        + invite.getHeader("CSeq")
        + "Contact: <sip:evil@" + from.host + ":" + from.port() + ">\r\n"
        + "Content-Length: 0\r\n\r\n";
  }

  @Test
  void forgedResponsesAreNeitherTakenNorReflected() {
    line.mode = SipPhone.Mode.ANSWER_LATE;
    line.lateAnswerDelay = Duration.ofSeconds(2);
    PhoneNumber number = fx.property(line.uri("+15559990000", "udp"), router);
    try (RawSip forger = new RawSip("127.0.0.2"); RawSip victim = new RawSip("127.0.0.3")) {
      String callId = caller.call(uri(number, router), router.port(), "udp");
      Request invite = line.awaitRequest(Request.INVITE, WAIT);
      // while the line rings: a 200 naming the live transaction, from a host the INVITE never went to
      forger.send(forged200(invite, forger, victim, "forged"), router.port());
      Response ok = caller.awaitResponse(Request.INVITE, Response.OK, WAIT);
      String lineTag = ((ToHeader) ok.getHeader(ToHeader.NAME)).getTag();
      assertNotEquals("forged", lineTag, "the caller got the forged answer");
      line.awaitRequest(Request.ACK, WAIT);
      // once answered: a "retransmitted" 2xx with the right tags, from the wrong host, asking to go to the victim
      forger.send(forged200(invite, forger, victim, lineTag), router.port());
      caller.bye();
      caller.awaitResponse(Request.BYE, Response.OK, WAIT);
      assertEquals(CallStatus.ANSWERED, fx.awaitFinished(callId).status());
      assertEquals(1, caller.responses.stream().filter(r -> r.getStatusCode() == Response.OK
          && Request.INVITE.equals(((CSeqHeader) r.getHeader(CSeqHeader.NAME)).getMethod())).count());
      assertNull(victim.receive(Duration.ofMillis(500)), "the router reflected a forged response");
    }
  }

  /**
   * The caller never ACKs, so the line sends its 200 again (RFC 3261 13.3.1.4). An answered call no
   * longer holds its INVITE, only the INVITE's Vias as text: each copy must still go back along them,
   * to the caller and to nowhere else, exactly as the first 200 did.
   */
  @Test
  void aTwoHundredTheLineSendsAgainGoesBackAlongTheInvitesVias() {
    PhoneNumber number = fx.property(answeringLine(), router);
    try (RawSip trunk = new RawSip("127.0.0.1")) {
      String invite = invite(trunk, number);
      List<String> oks = twoHundreds(trunk, invite, 2);
      assertEquals(2, oks.size(), "the 200 and a copy of it reached the caller: " + oks);
      String branch = invite.substring(invite.indexOf("branch=") + 7, invite.indexOf(";rport"));
      List<String> vias = viaLines(oks.get(0));
      assertEquals(1, vias.size(), "only the caller's Via: " + vias);
      assertTrue(vias.get(0).contains("branch=" + branch), vias.get(0));
      assertEquals(vias, viaLines(oks.get(1)), "the copy went back along other Vias");
    }
  }

  /**
   * The caller sends its INVITE again after the answer (as it would had it lost the 100 and the 200),
   * once the stack has ended the INVITE's transaction (within 50 ms of the answer): only the router can
   * absorb it then. Taken for a new call with the same Call-ID, it got a 482, which ends the caller's call.
   */
  @Test
  void anInviteSentAgainAfterItsTransactionEndedIsAbsorbed() {
    PhoneNumber number = fx.property(answeringLine(), router);
    try (RawSip trunk = new RawSip("127.0.0.1")) {
      String invite = invite(trunk, number);
      String branch = invite.substring(invite.indexOf("branch=") + 7, invite.indexOf(";rport"));
      List<String> oks = twoHundreds(trunk, invite, 1);
      assertEquals(1, oks.size(), "the call was answered");
      String ok = oks.get(0);
      Await.until(WAIT, () -> !router.stackHasServerTransaction(branch));

      trunk.send(invite, router.port());
      // an OPTIONS after it: the router handles requests in order, so its answer comes after any to the INVITE
      trunk.send("OPTIONS sip:127.0.0.1:" + router.port() + " SIP/2.0\r\nVia: " + trunk.via("z9hG4bKmark")
          + "\r\nMax-Forwards: 70\r\nFrom: <sip:a@127.0.0.1>;tag=m\r\nTo: <sip:b@127.0.0.1>\r\n"
          + "Call-ID: mark-" + branch + "\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n", router.port());
      List<String> meanwhile = new java.util.ArrayList<>();
      String m;
      while ((m = trunk.receive(WAIT)) != null && !m.contains("CSeq: 1 OPTIONS")) {
        if (!m.startsWith("SIP/2.0 200 ")) { // the line's 200, sent again until the caller's ACK, goes on
          meanwhile.add(m.lines().findFirst().orElse(m));
        }
      }
      assertNotNull(m, "the OPTIONS was answered");
      assertEquals(List.of(), meanwhile, "nothing answered the INVITE sent again");
      assertEquals(1, line.count(Request.INVITE), "the line got the INVITE once");

      trunk.send(trunk.inDialog("ACK", ok, 1, ""), router.port());
      line.awaitRequest(Request.ACK, WAIT);
      trunk.send(trunk.inDialog("BYE", ok, 2, ""), router.port());
      String byeOk = null;
      while (byeOk == null && (m = trunk.receive(WAIT)) != null) {
        byeOk = m.startsWith("SIP/2.0 200 ") && m.contains("CSeq: 2 BYE") ? m : null;
      }
      assertNotNull(byeOk, "the BYE went through");
      String callId = invite.substring(invite.indexOf("Call-ID: ") + 9, invite.indexOf("\r\nCSeq"));
      assertEquals(CallStatus.ANSWERED, fx.awaitFinished(callId).status());
    }
  }

  /**
   * A refused INVITE is answered without a transaction, so the caller's retransmissions of it reach the
   * router as new INVITEs. Judged again, one refused while the number was unknown (or the router
   * overloaded) was routed once it would have been admitted: a call its caller had already given up on.
   */
  @Test
  void anInviteSentAgainAfterItsRefusalGetsTheSameAnswerOnceItWouldBeRouted() {
    String businessLine = answeringLine();
    PhoneNumber number = TestNumbers.fresh();
    try (RawSip trunk = new RawSip("127.0.0.1")) {
      String invite = invite(trunk, number);
      trunk.send(invite, router.port());
      String refused = trunk.receive(WAIT);
      assertEquals(404, RawSip.status(refused), refused);

      fx.property(number, businessLine, false, router); // the router routes the number now
      trunk.send(invite, router.port());
      String again = trunk.receive(WAIT);
      assertEquals(404, RawSip.status(again), again);
      assertTrue(again.contains(header(refused, "Call-ID")), again);

      // a new INVITE to the number is routed: only the retransmission was refused
      List<String> oks = twoHundreds(trunk, invite(trunk, number), 1);
      assertEquals(1, oks.size(), "a new call to the number was answered");
      assertEquals(1, line.count(Request.INVITE), "the line got the new call's INVITE only");
      trunk.send(trunk.inDialog("ACK", oks.get(0), 1, ""), router.port());
      line.awaitRequest(Request.ACK, WAIT);
      trunk.send(trunk.inDialog("BYE", oks.get(0), 2, ""), router.port());
      line.awaitRequest(Request.BYE, WAIT);
    }
  }

  /**
   * An ACK with no hops left goes no further (RFC 3261 16.3; it has no 483 to get): the line's
   * first ACK is the one sent after it, with hops to spare.
   */
  @Test
  void anAckWithNoHopsLeftIsNotRelayed() {
    try (RawSip trunk = new RawSip("127.0.0.1")) {
      String ok = answeredCall(trunk);
      trunk.send(trunk.inDialog("ACK", ok, 1, "").replace("Max-Forwards: 70", "Max-Forwards: 0"), router.port());
      trunk.send(trunk.inDialog("ACK", ok, 1, ""), router.port());
      Request ack = line.awaitRequest(Request.ACK, WAIT);
      assertEquals(69, ((javax.sip.header.MaxForwardsHeader) ack.getHeader("Max-Forwards")).getMaxForwards(),
          "the ACK without hops reached the line");
      trunk.send(trunk.inDialog("BYE", ok, 2, ""), router.port());
      line.awaitRequest(Request.BYE, WAIT);
    }
  }

  /**
   * A caller may end a call the line has not answered with a BYE in the early dialog (RFC 3261 15):
   * the router relays it and leaves the end of the call to the line's answer to the INVITE. Ended at
   * the BYE, as it was, the call dropped whatever the line said next: a 487 never reached the
   * caller, and an answer crossing the BYE was neither relayed nor hung up, the line left off-hook.
   */
  @Test
  void aByeWhileTheLineRingsLeavesTheEndOfTheCallToTheLinesAnswer() {
    line.mode = SipPhone.Mode.ANSWER_LATE;
    line.lateAnswerDelay = Duration.ofSeconds(1);
    PhoneNumber number = fx.property(line.uri("+15559990000", "udp"), router);
    try (RawSip trunk = new RawSip("127.0.0.1")) {
      String invite = invite(trunk, number);
      String callId = header(invite, "Call-ID").strip();
      trunk.send(invite, router.port());
      String ringing = firstResponse(trunk, "180", "INVITE");
      assertNotNull(ringing, "the line's 180 did not reach the caller");
      trunk.send(trunk.inDialog("BYE", ringing, 2, ""), router.port());
      line.awaitRequest(Request.BYE, WAIT);
      String ok = firstResponse(trunk, "200", "INVITE");
      assertNotNull(ok, "the line's answer, crossing the caller's BYE, did not reach the caller");
      // the caller completes the answer and hangs it up (what the line then does with a dialog it
      // already ended is the line's business)
      trunk.send(trunk.inDialog("ACK", ok, 1, ""), router.port());
      trunk.send(trunk.inDialog("BYE", ok, 3, ""), router.port());
      assertEquals(CallStatus.ANSWERED, fx.awaitFinished(callId).status());
    }
  }

  /** The first response to {@code method} with status {@code code} the raw trunk gets within WAIT, or null. */
  private static String firstResponse(RawSip trunk, String code, String method) {
    long end = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < end) {
      String m = trunk.receive(Duration.ofMillis(100));
      if (m != null && m.startsWith("SIP/2.0 " + code + " ") && m.matches("(?s).*\r\nCSeq: *\\d+ " + method + "\r\n.*")) {
        return m;
      }
    }
    return null;
  }

  /** Once a call has ended, a new request in its dialog (a re-INVITE) gets 481 and goes nowhere; a BYE crossing is still relayed. */
  @Test
  void anEndedCallsDialogTakesNoNewRequests() {
    try (RawSip trunk = new RawSip("127.0.0.1")) {
      String ok = answeredCall(trunk);
      trunk.send(trunk.inDialog("ACK", ok, 1, ""), router.port());
      trunk.send(trunk.inDialog("BYE", ok, 2, ""), router.port());
      assertNotNull(firstResponse(trunk, "200", "BYE"), "the BYE was answered");
      trunk.send(trunk.inDialog("INVITE", ok, 3, ""), router.port());
      assertNotNull(firstResponse(trunk, "481", "INVITE"), "the re-INVITE after the end was not refused");
      trunk.send(trunk.inDialog("BYE", ok, 4, ""), router.port());
      Await.until(WAIT, () -> line.count(Request.BYE) == 2); // a BYE is still relayed
      assertEquals(1, line.count(Request.INVITE), "the line got the call's INVITE only");
    }
  }

  /** A call of the raw trunk's to a number the answering line serves, answered: its 200 as the trunk got it. */
  private String answeredCall(RawSip trunk) {
    PhoneNumber number = fx.property(answeringLine(), router);
    List<String> oks = twoHundreds(trunk, invite(trunk, number), 1);
    assertEquals(1, oks.size(), "the call was answered");
    return oks.get(0);
  }

  /** The line, set to answer every call: its URI, for a property's business line. */
  private String answeringLine() {
    line.mode = SipPhone.Mode.ANSWER;
    return line.uri("+15559990000", "udp");
  }

  /** A new INVITE of the raw trunk's to {@code number} through the router. */
  private static String invite(RawSip trunk, PhoneNumber number) {
    return trunk.invite(number.e164(), router.port(), "Max-Forwards: 70\r\n");
  }

  /** The value of the first header {@code name} in a raw message, as written after its colon. */
  private static String header(String message, String name) {
    return RawSip.headerLines(message, name).stream().map(l -> l.substring(name.length() + 1)).findFirst()
        .orElseThrow(() -> new AssertionError("no " + name));
  }

  /** Sends the trunk's INVITE through the router to the line, which answers: the first {@code count} 200s back. */
  private static List<String> twoHundreds(RawSip trunk, String invite, int count) {
    trunk.send(invite, router.port());
    List<String> oks = new java.util.ArrayList<>();
    long end = System.nanoTime() + WAIT.toNanos();
    while (oks.size() < count && System.nanoTime() < end) {
      String m = trunk.receive(Duration.ofMillis(100));
      if (m != null && m.startsWith("SIP/2.0 200 ")) {
        oks.add(m);
      }
    }
    return oks;
  }

  private static List<String> viaLines(String message) {
    return message.lines().filter(l -> l.regionMatches(true, 0, "Via:", 0, 4) || l.startsWith("v:")).toList();
  }

  @Test
  void aCancelFromOutsideTheTrunksDoesNotCancel() {
    line.mode = SipPhone.Mode.RING_FOREVER;
    PhoneNumber number = fx.property(line.uri("+15559990000", "udp"), router);
    String callId = caller.call(uri(number, router), router.port(), "udp");
    caller.awaitResponse(Request.INVITE, Response.RINGING, WAIT);
    Request invite = line.awaitRequest(Request.INVITE, WAIT);
    Iterator<?> vias = invite.getHeaders(ViaHeader.NAME);
    vias.next();
    ViaHeader callerVia = (ViaHeader) vias.next();
    try (RawSip forger = new RawSip("127.0.0.2")) {
      forger.send("CANCEL " + uri(number, router) + " SIP/2.0\r\n"
          + "Via: SIP/2.0/UDP " + callerVia.getHost() + ":" + callerVia.getPort() + ";branch=" + callerVia.getBranch()
          + ";rport\r\n"
          + invite.getHeader("From")
          + invite.getHeader("To")
          + invite.getHeader("Call-ID")
          + "CSeq: " + ((CSeqHeader) invite.getHeader(CSeqHeader.NAME)).getSeqNumber() + " CANCEL\r\n"
          + "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n", router.port());
      assertEquals(Response.FORBIDDEN, RawSip.status(forger.receiveFinal(WAIT)));
    }
    caller.cancel();
    try {
      caller.awaitResponse(Request.INVITE, Response.REQUEST_TERMINATED, WAIT);
    } catch (AssertionError e) {
      throw new AssertionError("caller got " + caller.responses.stream().map(r -> r.getStatusCode() + " "
          + ((CSeqHeader) r.getHeader(CSeqHeader.NAME)).getMethod()).toList() + ", line got "
          + line.requests.stream().map(Request::getMethod).toList(), e);
    }
    // the router answers the caller's CANCEL itself and sends its own to the line: that one may still be on its way
    Await.until(WAIT, () -> line.count(Request.CANCEL) >= 1);
    assertEquals(CallStatus.ABANDONED, fx.awaitFinished(callId).status());
    assertEquals(1, line.count(Request.CANCEL), "only the caller's own CANCEL reached the line");
  }

  @Test
  void aByeInTheLinesNameFromAnotherHostIsRefused() {
    PhoneNumber number = fx.property(line.uri("+15559990000", "udp"), router);
    String callId = caller.call(uri(number, router), router.port(), "udp");
    Response ok = caller.awaitResponse(Request.INVITE, Response.OK, WAIT);
    Request invite = line.awaitRequest(Request.INVITE, WAIT);
    String lineTag = ((ToHeader) ok.getHeader(ToHeader.NAME)).getTag();
    String callerFrom = invite.getHeader("From").toString().replaceFirst("^From:", "To:");
    try (RawSip forger = new RawSip("127.0.0.2")) {
      forger.send("BYE " + uri(number, router) + " SIP/2.0\r\n"
          + "Via: " + forger.via("z9hG4bKbye" + System.nanoTime()) + "\r\n"
          + "From: <sip:+15559990000@127.0.0.1>;tag=" + lineTag + "\r\n"
          + callerFrom
          + invite.getHeader("Call-ID")
          + "CSeq: 1 BYE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n", router.port());
      assertEquals(Response.FORBIDDEN, RawSip.status(forger.receiveFinal(WAIT)));
    }
    caller.bye();
    caller.awaitResponse(Request.BYE, Response.OK, WAIT);
    assertEquals(0, caller.count(Request.BYE), "the forged BYE reached the caller");
    assertEquals(CallStatus.ANSWERED, fx.awaitFinished(callId).status());
  }

  /** Sends {@code n} INVITEs to an unknown number at once; returns the final status of each. */
  static List<String> flood(SipRouter r, RawSip from, int n) {
    for (int i = 0; i < n; i++) {
      from.send(from.invite("+15550000000", r.port(), "Max-Forwards: 70\r\n"), r.port());
    }
    List<String> answers = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) {
      String a = from.receiveFinal(WAIT);
      assertNotNull(a, "only " + answers.size() + " of " + n + " INVITEs were answered");
      answers.add(a);
    }
    return answers;
  }

  @Test
  void aFloodFromOneAddressIsAnswered503WhileOthersGetThrough() {
    SipRouter piked = fx.router(TRUNKS, Duration.ofSeconds(30), RouterLimits.DEFAULTS.withInviteRates(0, 5));
    try (RawSip flooder = new RawSip("127.0.0.1"); RawSip other = new RawSip("127.0.0.2")) {
      List<String> answers = flood(piked, flooder, 40);
      long refused = answers.stream().filter(a -> RawSip.status(a) == 503).count();
      assertTrue(refused >= 20, "503s: " + refused);
      assertTrue(answers.stream().filter(a -> RawSip.status(a) == 503).allMatch(a -> a.contains("\r\nRetry-After: ")));
      assertTrue(answers.stream().anyMatch(a -> RawSip.status(a) == 404), "the first INVITEs were routed");
      // another address has its own allowance (and, not being a trunk, is refused for that)
      assertEquals(403, RawSip.status(flood(piked, other, 1).get(0)));
    }
  }

  @Test
  void pastTheConfiguredCallRateNewInvitesGet503WithRetryAfter() {
    SipRouter limited = fx.router(TRUNKS, Duration.ofSeconds(30), RouterLimits.DEFAULTS.withInviteRates(5, 0));
    try (RawSip trunk = new RawSip("127.0.0.1")) {
      List<String> answers = flood(limited, trunk, 40);
      long refused = answers.stream().filter(a -> RawSip.status(a) == 503).count();
      assertTrue(refused >= 20, "503s: " + refused);
      assertTrue(answers.stream().filter(a -> RawSip.status(a) == 503).allMatch(a -> a.contains("\r\nRetry-After: 5")));
    }
  }

  @Test
  void atTheCapOfCallsInProgressANewCallGets503UntilOneEnds() {
    SipRouter capped = fx.router(TRUNKS, Duration.ofSeconds(30), RouterLimits.DEFAULTS.withMaxCalls(2));
    PhoneNumber number = fx.property(line.uri("+15559990000", "udp"), capped);
    String first = caller.call(uri(number, capped), capped.port(), "udp");
    caller.awaitResponseFor(first, Request.INVITE, Response.OK, WAIT);
    String second = caller.call(uri(number, capped), capped.port(), "udp");
    caller.awaitResponseFor(second, Request.INVITE, Response.OK, WAIT);
    Await.until(WAIT, () -> capped.liveCalls() == 2);

    String third = caller.call(uri(number, capped), capped.port(), "udp");
    Response busy = caller.awaitResponseFor(third, Request.INVITE, Response.SERVICE_UNAVAILABLE, WAIT);
    assertNotNull(busy.getHeader("Retry-After"));
    assertTrue(busy.getReasonPhrase().contains("Too many calls in progress"), busy.getReasonPhrase());
    assertEquals(2, line.count(Request.INVITE), "the refused call reached the line");

    caller.byeFor(first);
    caller.awaitResponseFor(first, Request.BYE, Response.OK, WAIT);
    Await.until(WAIT, () -> capped.liveCalls() == 1);
    String fourth = caller.call(uri(number, capped), capped.port(), "udp");
    caller.awaitResponseFor(fourth, Request.INVITE, Response.OK, WAIT);
    assertEquals(CallStatus.ANSWERED, fx.awaitFinished(first).status());
    caller.byeFor(second);
    caller.byeFor(fourth);
    caller.awaitResponseFor(fourth, Request.BYE, Response.OK, WAIT);
  }

  @Test
  void drainingRefusesNewCallsAndRelaysTheEstablishedOnesToTheirEnd() {
    SipRouter draining = fx.router(TRUNKS, Duration.ofSeconds(30), RouterLimits.DEFAULTS.withDrainTime(Duration.ofMinutes(5)));
    PhoneNumber number = fx.property(line.uri("+15559990000", "udp"), draining);
    String established = caller.call(uri(number, draining), draining.port(), "udp");
    caller.awaitResponseFor(established, Request.INVITE, Response.OK, WAIT);
    Future<Void> drained = draining.drain();

    caller.sendInDialog(Request.INVITE); // a re-INVITE of the established call is still relayed
    Await.until(WAIT, () -> line.count(Request.INVITE) == 2);
    String refused = caller.call(uri(number, draining), draining.port(), "udp");
    Response busy = caller.awaitResponseFor(refused, Request.INVITE, Response.SERVICE_UNAVAILABLE, WAIT);
    assertNotNull(busy.getHeader("Retry-After"));
    assertEquals(2, line.count(Request.INVITE), "the new call reached the line");
    assertTrue(!drained.isComplete(), "drained with a call in progress");

    caller.byeFor(established);
    caller.awaitResponseFor(established, Request.BYE, Response.OK, WAIT);
    Await.until(WAIT, drained::isComplete);
    assertEquals(0, draining.liveCalls());
    assertEquals(CallStatus.ANSWERED, fx.awaitFinished(established).status());
  }

  @Test
  void tcpConnectionsAreLimitedPerSourceAndInTotalAndClosedWhenIdle() throws Exception {
    Duration idle = Duration.ofSeconds(3);
    SipRouter tcp = fx.router(TRUNKS, Duration.ofSeconds(30), RouterLimits.DEFAULTS.withTcp(3, 2, idle));
    Duration quick = Duration.ofMillis(300);
    try (Socket a = RawSip.connect("127.0.0.1", tcp.port()); Socket b = RawSip.connect("127.0.0.1", tcp.port());
        Socket c = RawSip.connect("127.0.0.1", tcp.port())) {
      assertTrue(RawSip.closedByPeer(c, WAIT), "a third connection from one address was kept");
      assertEquals("SIP/2.0 200 ", RawSip.options(a, tcp.port()), "an accepted connection works");
      try (Socket d = RawSip.connect("127.0.0.2", tcp.port()); Socket e = RawSip.connect("127.0.0.3", tcp.port())) {
        assertTrue(RawSip.closedByPeer(e, WAIT), "a fourth connection in total was kept");
        assertTrue(!RawSip.closedByPeer(d, quick), "another address's first connection was closed");
        // a, b and d send nothing more: closed after the idle timeout
        long t0 = System.nanoTime();
        assertTrue(RawSip.closedByPeer(b, WAIT), "an idle connection stayed open");
        assertTrue(System.nanoTime() - t0 >= idle.toNanos() / 2, "closed before it was idle for long");
        assertTrue(RawSip.closedByPeer(a, WAIT));
      }
      // the slots are free again
      try (Socket f = RawSip.connect("127.0.0.1", tcp.port())) {
        assertEquals("SIP/2.0 200 ", RawSip.options(f, tcp.port()));
      }
    }
  }

  /**
   * Hosts outside the trunks share at most half the TCP slots: however many connect, each within its
   * own per-source limit, a trunk still gets a connection.
   */
  @Test
  void hostsOutsideTheTrunksCannotTakeEveryTcpSlot() throws Exception {
    SipRouter tcp = fx.router(TRUNKS, Duration.ofSeconds(30), RouterLimits.DEFAULTS.withTcp(4, 2, Duration.ofSeconds(90)));
    Duration quick = Duration.ofMillis(300);
    try (Socket a = RawSip.connect("127.0.0.2", tcp.port()); Socket b = RawSip.connect("127.0.0.2", tcp.port());
        Socket c = RawSip.connect("127.0.0.3", tcp.port()); Socket d = RawSip.connect("127.0.0.3", tcp.port())) {
      assertTrue(!RawSip.closedByPeer(a, quick) && !RawSip.closedByPeer(b, quick), "the first outsider's two connections");
      assertTrue(RawSip.closedByPeer(c, WAIT) && RawSip.closedByPeer(d, WAIT), "outsiders took more than half the slots");
      try (Socket trunk = RawSip.connect("127.0.0.1", tcp.port()); Socket trunk2 = RawSip.connect("127.0.0.1", tcp.port())) {
        assertEquals("SIP/2.0 200 ", RawSip.options(trunk, tcp.port()), "the trunk found no slot");
        assertEquals("SIP/2.0 200 ", RawSip.options(trunk2, tcp.port()), "the trunk found no second slot");
      }
    }
  }

  /** A request from outside the trunks whose headers name {@code named}, with {@code via} as its top Via. */
  static String outsiderRequest(String method, String via, String named, int routerPort, String transport) {
    long n = System.nanoTime();
    return method + " sip:+15550000000@127.0.0.1:" + routerPort + " SIP/2.0\r\n"
        + "Via: " + via + ";branch=z9hG4bKout" + n + "\r\n"
        + "From: <sip:+15557770001@127.0.0.2>;tag=o" + n + "\r\nTo: <sip:+15550000000@127.0.0.1>\r\n"
        + "Call-ID: out-" + n + "\r\nCSeq: 1 " + method + "\r\nMax-Forwards: 70\r\n"
        + "Contact: <sip:x@" + named + ";transport=" + transport + ">\r\n"
        + "Record-Route: <sip:" + named + ";lr>\r\nContent-Length: 0\r\n\r\n";
  }

  /**
   * Stateless refusals to a host outside the trunks go back to where the request came from (its
   * connection for TCP, its source address and port for UDP), never to a host its Via (sent-by,
   * received, transport), Contact or Record-Route names: here a listener on 127.0.0.4 that must see
   * nothing, over UDP or TCP, not even when the request's connection is gone before the answer.
   */
  @Test
  void refusalsGoBackToTheSourceNeverToAHostTheRequestNames() throws Exception {
    int p = router.port();
    try (Elsewhere elsewhere = new Elsewhere("127.0.0.4"); RawSip outsider = new RawSip("127.0.0.2")) {
      String named = elsewhere.host + ":" + elsewhere.port;
      // UDP, received and rport forged to name the listener: the 403 comes back to the sender's own socket
      outsider.send(outsiderRequest("OPTIONS", "SIP/2.0/UDP " + outsider.host + ":" + elsewhere.port
          + ";received=" + elsewhere.host + ";rport=" + elsewhere.port, named, p, "udp"), p);
      assertEquals(403, RawSip.status(outsider.receiveFinal(WAIT)), "the refusal did not come back to its source");
      outsider.send(outsiderRequest("INVITE", "SIP/2.0/UDP " + named + ";maddr=" + elsewhere.host, named, p, "udp"), p);
      assertEquals(403, RawSip.status(outsider.receiveFinal(WAIT)), "the refusal did not come back to its source");
      // UDP whose Via claims TCP and names the listener
      outsider.send(outsiderRequest("OPTIONS", "SIP/2.0/TCP " + outsider.host + ":" + elsewhere.port
          + ";received=" + elsewhere.host, named, p, "tcp"), p);
      // TCP: answered on the request's connection
      try (Socket s = RawSip.connect("127.0.0.2", p)) {
        s.getOutputStream().write(outsiderRequest("INVITE", "SIP/2.0/TCP " + named, named, p, "tcp")
            .getBytes(StandardCharsets.US_ASCII));
        assertEquals("SIP/2.0 403 ", RawSip.firstBytes(s, 12), "the refusal did not come back on the request's connection");
      }
      // TCP closed before the answer: the answer has nowhere to go, and no connection is opened for it
      for (String via : List.of("SIP/2.0/TCP " + named, "SIP/2.0/TCP 127.0.0.2:" + elsewhere.port + ";received="
          + elsewhere.host + ";rport=" + elsewhere.port)) {
        Socket s = RawSip.connect("127.0.0.2", p);
        s.getOutputStream().write(outsiderRequest("OPTIONS", via, named, p, "tcp").getBytes(StandardCharsets.US_ASCII));
        s.close();
      }
      // a trunk's request over the same router after all of them: once it is answered, the others were handled
      try (Socket trunk = RawSip.connect("127.0.0.1", p)) {
        assertEquals("SIP/2.0 200 ", RawSip.options(trunk, p));
      }
      assertEquals(List.of(), elsewhere.received(Duration.ofSeconds(1)), "the router sent something to a host only a request named");
    }
  }

  /**
   * A trunk's requests, answered statefully, are answered at the address they came from, whatever
   * their Via names: a maddr, or a received and rport filled in by the sender. Otherwise one datagram
   * with a trunk's source address, forged or not, would aim the router's answers (a call's 100 and
   * final response, the final one resent until Timer H) at a host of the sender's choosing.
   */
  @Test
  void aTrunksRequestsAreAnsweredWhereTheyCameFromNotWhereTheirViaSays() throws Exception {
    line.mode = SipPhone.Mode.BUSY;
    PhoneNumber number = fx.property(line.uri("+15559990000", "udp"), router);
    int p = router.port();
    try (Elsewhere elsewhere = new Elsewhere("127.0.0.4"); RawSip trunk = new RawSip("127.0.0.1")) {
      List<String> twisted = List.of(
          trunk.host + ":" + elsewhere.port + ";rport;maddr=" + elsewhere.host,
          trunk.host + ":" + trunk.port() + ";received=" + elsewhere.host + ";rport=" + elsewhere.port);
      for (String sentBy : twisted) {
        long n = System.nanoTime();
        String via = "SIP/2.0/UDP " + sentBy.replaceFirst(";", ";branch=z9hG4bKtw" + n + ";");
        String dialogue = "From: <sip:+15557770001@127.0.0.1>;tag=tw" + n + "\r\n"
            + "To: <sip:" + number.e164() + "@127.0.0.1>\r\nCall-ID: tw-" + n + "\r\nMax-Forwards: 70\r\n";
        trunk.send("OPTIONS sip:127.0.0.1:" + p + " SIP/2.0\r\nVia: " + via + "\r\n" + dialogue
            + "CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n", p);
        assertEquals(200, RawSip.status(trunk.receiveFinal(WAIT)), "the OPTIONS's answer did not come back: " + sentBy);
        trunk.send("CANCEL sip:" + number.e164() + "@127.0.0.1:" + p + " SIP/2.0\r\nVia: " + via + "\r\n" + dialogue
            + "CSeq: 1 CANCEL\r\nContent-Length: 0\r\n\r\n", p);
        assertEquals(481, RawSip.status(trunk.receiveFinal(WAIT)), "the CANCEL's answer did not come back: " + sentBy);
        String invite = "INVITE sip:" + number.e164() + "@127.0.0.1:" + p + " SIP/2.0\r\nVia: " + via.replace("tw" + n,
            "twi" + n) + "\r\n" + dialogue + "CSeq: 1 INVITE\r\nContact: <sip:+15557770001@127.0.0.1:" + trunk.port()
            + ">\r\nContent-Length: 0\r\n\r\n";
        trunk.send(invite, p);
        assertEquals(486, RawSip.status(trunk.receiveFinal(WAIT)), "the call's answer did not come back: " + sentBy);
        trunk.send(invite.replaceFirst("^INVITE", "ACK").replace("CSeq: 1 INVITE", "CSeq: 1 ACK"), p);
      }
      assertEquals(List.of(), elsewhere.received(Duration.ofSeconds(1)), "the router answered a host only a Via named");
    }
  }

  /** A method the router does not serve gets 405 with the Allow header RFC 3261 asks of it; an OPTIONS ping says the same. */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"REGISTER", "MESSAGE", "SUBSCRIBE", "OPTIONS"})
  void aTrunkIsToldWhichMethodsTheRouterServes(String method) {
    try (RawSip trunk = new RawSip("127.0.0.1")) {
      long n = System.nanoTime();
      trunk.send(method + " sip:127.0.0.1:" + router.port() + " SIP/2.0\r\nVia: " + trunk.via("z9hG4bKal" + n) + "\r\n"
          + "From: <sip:+15557770001@127.0.0.1>;tag=al" + n + "\r\nTo: <sip:127.0.0.1>\r\nCall-ID: al-" + n + "\r\n"
          + "CSeq: 1 " + method + "\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n", router.port());
      String reply = trunk.receiveFinal(WAIT);
      assertEquals("OPTIONS".equals(method) ? 200 : 405, RawSip.status(reply), String.valueOf(reply));
      String allow = reply.lines().filter(l -> l.regionMatches(true, 0, "Allow:", 0, 6)).findFirst()
          .orElseThrow(() -> new AssertionError("no Allow header: " + reply)).substring(6);
      assertEquals(List.of("INVITE", "ACK", "CANCEL", "BYE", "OPTIONS"),
          java.util.Arrays.stream(allow.split(",")).map(String::strip).toList(), reply);
    }
  }

  /**
   * A trunk's INVITE to a tracking number that names another host anywhere a relay would look (the
   * Request-URI's host, maddr and transport, a pre-loaded Route with a maddr) goes to the number's
   * business line and nowhere else: the router routes by the number alone, and the line gets its own
   * URI, no Route. Numbers written with visual separators, as tel: URIs or with user=phone are the
   * same number.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"sip:NUM@ELSEWHERE", "sip:NUM@127.0.0.1:ROUTER;maddr=ELSEHOST;transport=tcp",
      "sip:DASHED@ELSEWHERE;user=phone", "sip:NUM;npdi@ELSEWHERE;user=phone", "tel:DASHED", "sip:NUM@relay.evil.example"})
  void anInviteNamingAnotherHostGoesOnlyToTheBusinessLine(String requestUri) throws Exception {
    PhoneNumber number = fx.property(answeringLine(), router);
    try (Elsewhere elsewhere = new Elsewhere("127.0.0.4"); RawSip trunk = new RawSip("127.0.0.1")) {
      String e164 = number.e164();
      String dashed = e164.substring(0, 2) + "-" + e164.substring(2, 5) + "-" + e164.substring(5, 8) + "-"
          + e164.substring(8);
      String target = requestUri.replace("NUM", e164).replace("DASHED", dashed)
          .replace("ELSEWHERE", elsewhere.host + ":" + elsewhere.port).replace("ELSEHOST", elsewhere.host)
          .replace("ROUTER", Integer.toString(router.port()));
      String invite = invite(trunk, number).replaceFirst("^INVITE \\S+", "INVITE " + target)
          .replace("Max-Forwards: 70\r\n", "Max-Forwards: 70\r\nRoute: <sip:127.0.0.1:" + router.port()
              + ";lr>, <sip:" + elsewhere.host + ":" + elsewhere.port + ";lr;maddr=" + elsewhere.host + ">\r\n");
      List<String> oks = twoHundreds(trunk, invite, 1);
      assertEquals(1, oks.size(), "the call was not answered");
      Request forwarded = line.awaitRequest(Request.INVITE, WAIT);
      assertEquals(answeringLine(), forwarded.getRequestURI().toString());
      assertNull(forwarded.getHeader("Route"), "a Route reached the line");
      trunk.send(trunk.inDialog("ACK", oks.get(0), 1, ""), router.port());
      trunk.send(trunk.inDialog("BYE", oks.get(0), 2, ""), router.port());
      line.awaitRequest(Request.BYE, WAIT);
      assertEquals(List.of(), elsewhere.received(Duration.ofSeconds(1)), "the router sent to a host the INVITE named");
    }
  }

  /**
   * A request inside an answered call whose Request-URI (with maddr), Route entries past the router and
   * Refer-To name a third host goes to the dialog's other end only, addressed to the line's Contact, and
   * the Route entries the dialog does not have do not go with it (a line behind a proxy would follow
   * them there, with the router as the hop it trusts). A REFER is relayed like any request in the call: the transfer is the line's to
   * make or refuse; the router never calls the Refer-To itself.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"INFO", "UPDATE", "NOTIFY", "REFER", "MESSAGE", "INVITE", "BYE"})
  void aRequestInACallAimedAtAThirdHostGoesOnlyToTheCallsOtherEnd(String method) throws Exception {
    try (Elsewhere elsewhere = new Elsewhere("127.0.0.4"); RawSip trunk = new RawSip("127.0.0.1")) {
      String ok = answeredCall(trunk);
      trunk.send(trunk.inDialog("ACK", ok, 1, ""), router.port());
      line.awaitRequest(Request.ACK, WAIT);
      String third = "sip:+15550001111@" + elsewhere.host + ":" + elsewhere.port;
      String request = trunk.inDialog(method, ok, 2, "Route: <" + third + ";lr>\r\nRefer-To: <" + third
          + ">\r\nEvent: refer\r\nSubscription-State: active\r\n")
          .replaceFirst("^" + method + " \\S+", method + " " + third + ";maddr=" + elsewhere.host);
      long before = line.count(method);
      trunk.send(request, router.port());
      Await.until(WAIT, () -> line.count(method) == before + 1);
      Request got = line.requests.stream().filter(r -> method.equals(r.getMethod())).reduce((a, b) -> b).orElseThrow();
      assertNull(got.getHeader("Route"), "a Route the dialog does not have reached the line: " + got.getHeader("Route"));
      assertEquals("sip:line@127.0.0.1:" + line.port, got.getRequestURI().toString(), "not the line's Contact");
      if (!Request.BYE.equals(method)) {
        trunk.send(trunk.inDialog("BYE", ok, 3, ""), router.port());
        line.awaitRequest(Request.BYE, WAIT);
      }
      assertEquals(List.of(), elsewhere.received(Duration.ofSeconds(1)), "the router sent to a host a request named");
    }
  }

  /**
   * Requests outside any call from a host that is not a trunk (here also where a business line is) are
   * refused 403 whatever their method, back to their source, and nothing reaches the line.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"INVITE", "OPTIONS", "REGISTER", "MESSAGE", "SUBSCRIBE", "NOTIFY", "REFER", "INFO", "PUBLISH"})
  void aRequestFromOutsideTheTrunksIsRefusedAndGoesNowhere(String method) throws Exception {
    PhoneNumber number = fx.property(answeringLine(), router);
    try (RawSip outsider = new RawSip("127.0.0.2")) {
      outsider.send(outsiderRequest(method, "SIP/2.0/UDP " + outsider.host + ":" + outsider.port() + ";rport",
          outsider.host + ":" + outsider.port(), router.port(), "udp").replace("+15550000000", number.e164()),
          router.port());
      assertEquals(403, RawSip.status(outsider.receiveFinal(WAIT)));
      assertEquals(List.of(), line.requests, "a request from outside the trunks reached the line");
    }
  }

  /** A BYE in the caller's name from a host that is not a trunk ends nothing: 403, and the call goes on. */
  @Test
  void aByeInTheCallersNameFromOutsideTheTrunksIsRefused() {
    try (RawSip trunk = new RawSip("127.0.0.1"); RawSip forger = new RawSip("127.0.0.2")) {
      String ok = answeredCall(trunk);
      trunk.send(trunk.inDialog("ACK", ok, 1, ""), router.port());
      line.awaitRequest(Request.ACK, WAIT);
      forger.send(forger.inDialog("BYE", ok, 2, ""), router.port());
      assertEquals(Response.FORBIDDEN, RawSip.status(forger.receiveFinal(WAIT)));
      trunk.send(trunk.inDialog("INFO", ok, 3, ""), router.port());
      assertNotNull(firstResponse(trunk, "200", "INFO"), "the call did not go on");
      assertEquals(0, line.count(Request.BYE), "the forged BYE reached the line");
      trunk.send(trunk.inDialog("BYE", ok, 4, ""), router.port());
      line.awaitRequest(Request.BYE, WAIT);
    }
  }

  /** An ACK for the answer from a host that is not a trunk is not relayed: the line's first ACK is the caller's. */
  @Test
  void anAckFromAStrangerIsNotRelayed() {
    try (RawSip trunk = new RawSip("127.0.0.1"); RawSip forger = new RawSip("127.0.0.2")) {
      String ok = answeredCall(trunk);
      forger.send(forger.inDialog("ACK", ok, 1, "X-Forged: yes\r\n"), router.port());
      trunk.send(trunk.inDialog("ACK", ok, 1, ""), router.port());
      Request ack = line.awaitRequest(Request.ACK, WAIT);
      assertNull(ack.getHeader("X-Forged"), "the stranger's ACK reached the line");
      trunk.send(trunk.inDialog("BYE", ok, 2, ""), router.port());
      line.awaitRequest(Request.BYE, WAIT);
    }
  }

  /**
   * A CANCEL from a trunk whose branch is not the INVITE's (RFC 3261 9.2) cancels nothing: 481, the line
   * rings on; the caller's own CANCEL then stops it.
   */
  @Test
  void aCancelWithAnotherBranchCancelsNothing() {
    line.mode = SipPhone.Mode.RING_FOREVER;
    PhoneNumber number = fx.property(line.uri("+15559990000", "udp"), router);
    try (RawSip trunk = new RawSip("127.0.0.1")) {
      String invite = invite(trunk, number);
      trunk.send(invite, router.port());
      assertNotNull(firstResponse(trunk, "180", "INVITE"), "the line did not ring");
      String cancel = invite.replaceFirst("^INVITE", "CANCEL").replace("CSeq: 1 INVITE", "CSeq: 1 CANCEL");
      String branch = invite.substring(invite.indexOf("branch=") + 7, invite.indexOf(";rport"));
      trunk.send(cancel.replace(branch, branch + "x"), router.port());
      assertNotNull(firstResponse(trunk, "481", "CANCEL"), "a CANCEL of another branch was not refused");
      trunk.send(cancel, router.port());
      assertNotNull(firstResponse(trunk, "487", "INVITE"), "the caller's own CANCEL did not end the call");
      Await.until(WAIT, () -> line.count(Request.CANCEL) == 1);
      assertEquals(1, line.count(Request.CANCEL));
    }
  }

  /**
   * Responses for a call being set up that its line did not send go nowhere: a 183 from another host,
   * and a 200 from the line's host whose top Via is the router's with a branch of no transaction.
   */
  @Test
  void strayProvisionalsAndAnswersForALiveCallDoNotReachTheCaller() {
    line.mode = SipPhone.Mode.ANSWER_LATE;
    line.lateAnswerDelay = Duration.ofSeconds(2);
    PhoneNumber number = fx.property(line.uri("+15559990000", "udp"), router);
    try (RawSip forger = new RawSip("127.0.0.2"); RawSip lineHost = new RawSip("127.0.0.1");
        RawSip victim = new RawSip("127.0.0.3")) {
      String callId = caller.call(uri(number, router), router.port(), "udp");
      Request invite = line.awaitRequest(Request.INVITE, WAIT);
      forger.send(forged200(invite, forger, victim, "forged183").replace("SIP/2.0 200 OK", "SIP/2.0 183 Session Progress"),
          router.port());
      String ourBranch = ((ViaHeader) invite.getHeader(ViaHeader.NAME)).getBranch();
      lineHost.send(forged200(invite, lineHost, victim, "otherbranch").replace(ourBranch, ourBranch + "x"), router.port());
      Response ok = caller.awaitResponse(Request.INVITE, Response.OK, WAIT);
      assertEquals(List.of(), caller.responses.stream().filter(r -> r.getStatusCode() == 183
          || "otherbranch".equals(((ToHeader) r.getHeader(ToHeader.NAME)).getTag())).toList());
      assertNotEquals("otherbranch", ((ToHeader) ok.getHeader(ToHeader.NAME)).getTag());
      caller.bye();
      caller.awaitResponse(Request.BYE, Response.OK, WAIT);
      assertEquals(CallStatus.ANSWERED, fx.awaitFinished(callId).status());
      assertNull(victim.receive(Duration.ofMillis(500)), "the router reflected a stray response");
    }
  }

  /** A request in a call with no hops left is answered 483 and goes no further (RFC 3261 16.3). */
  @Test
  void aRequestInACallWithNoHopsLeftIs483() {
    try (RawSip trunk = new RawSip("127.0.0.1")) {
      String ok = answeredCall(trunk);
      trunk.send(trunk.inDialog("ACK", ok, 1, ""), router.port());
      trunk.send(trunk.inDialog("INFO", ok, 2, "").replace("Max-Forwards: 70", "Max-Forwards: 0"), router.port());
      assertNotNull(firstResponse(trunk, "483", "INFO"), "an INFO without hops was not answered 483");
      assertEquals(0, line.count(Request.INFO), "the INFO without hops reached the line");
      trunk.send(trunk.inDialog("BYE", ok, 3, ""), router.port());
      line.awaitRequest(Request.BYE, WAIT);
    }
  }

  /**
   * Over TCP a message larger than the largest (8 KB: hundreds of Via headers here) is not read: the
   * router closes the connection and forwards nothing; a sound message after it is served.
   */
  @Test
  void aTcpMessageLargerThanTheLargestIsNotForwarded() throws Exception {
    PhoneNumber number = fx.property(answeringLine(), router);
    StringBuilder vias = new StringBuilder();
    for (int i = 0; i < 300; i++) {
      vias.append("Via: SIP/2.0/TCP 10.0.").append(i / 250).append('.').append(i % 250).append(":5060;branch=z9hG4bKv")
          .append(i).append("\r\n");
    }
    try (Socket s = RawSip.connect("127.0.0.1", router.port())) {
      long n = System.nanoTime();
      String host = s.getLocalAddress().getHostAddress();
      String invite = "INVITE sip:" + number.e164() + "@127.0.0.1:" + router.port() + ";transport=tcp SIP/2.0\r\n"
          + "Via: SIP/2.0/TCP " + host + ":" + s.getLocalPort() + ";branch=z9hG4bKbig" + n + "\r\n" + vias
          + "From: <sip:+15557770001@" + host + ">;tag=b" + n + "\r\nTo: <sip:" + number.e164() + "@127.0.0.1>\r\n"
          + "Call-ID: big-" + n + "\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
      assertTrue(invite.length() > 8_192, "not large: " + invite.length());
      s.getOutputStream().write(invite.getBytes(StandardCharsets.US_ASCII));
      assertTrue(RawSip.closedByPeer(s, WAIT), "the connection carrying a message past the limit was kept");
    }
    try (Socket trunk = RawSip.connect("127.0.0.1", router.port())) {
      assertEquals("SIP/2.0 200 ", RawSip.options(trunk, router.port()));
    }
    assertEquals(0, line.count(Request.INVITE), "the oversized INVITE reached the line");
  }

  /**
   * A request with hundreds of Via headers (compact, within the 8 KB a datagram may have) gets one
   * answer, to its source, no larger than itself: a refusal from outside the trunks, a 404 to a trunk
   * for a number nobody has. The router adds nothing that makes it an amplifier.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"127.0.0.2", "127.0.0.1"})
  void aRequestWithHundredsOfViasGetsOneAnswerNoLargerThanItself(String from) {
    StringBuilder vias = new StringBuilder();
    for (int i = 0; i < 160; i++) {
      vias.append("v: SIP/2.0/UDP 10.0.0.").append(i % 250).append(";branch=z9hG4bKv").append(i).append("\r\n");
    }
    try (RawSip sender = new RawSip(from)) {
      String invite = sender.invite("+15550000000", router.port(), "Max-Forwards: 70\r\n")
          .replace("\r\nFrom: ", "\r\n" + vias + "From: ");
      assertTrue(invite.length() > 7_000 && invite.length() < 8_192, "size " + invite.length());
      sender.send(invite, router.port());
      String answer = sender.receiveFinal(WAIT);
      assertEquals(from.equals("127.0.0.1") ? 404 : 403, RawSip.status(answer), answer);
      assertTrue(answer.length() <= invite.length(), "answered " + answer.length() + " bytes to " + invite.length());
      assertNull(sender.receive(Duration.ofMillis(500)), "answered more than once");
    }
  }

  /** An INVITE to the router's own address with no number in it is no call: 404, nothing forwarded. */
  @Test
  void anInviteToTheRoutersOwnAddressWithoutANumberIs404() {
    PhoneNumber number = fx.property(answeringLine(), router);
    try (RawSip trunk = new RawSip("127.0.0.1")) {
      trunk.send(invite(trunk, number).replaceFirst("^INVITE \\S+", "INVITE sip:127.0.0.1:" + router.port()),
          router.port());
      assertEquals(404, RawSip.status(trunk.receiveFinal(WAIT)));
      assertEquals(0, line.count(Request.INVITE), "the INVITE reached the line");
    }
  }

  /** A host a message may name: a UDP socket and a TCP listener on one port, recording whatever reaches them. */
  static final class Elsewhere implements AutoCloseable {
    final String host;
    final int port;
    final java.net.DatagramSocket udp;
    final java.net.ServerSocket tcp;
    final java.util.concurrent.BlockingQueue<String> got = new java.util.concurrent.LinkedBlockingQueue<>();

    Elsewhere(String host) throws Exception {
      this.host = host;
      InetAddress ip = InetAddress.getByName(host);
      java.net.DatagramSocket u = null;
      java.net.ServerSocket t = null;
      for (int i = 0; i < 50 && t == null; i++) {
        u = new java.net.DatagramSocket(new InetSocketAddress(ip, 0));
        try {
          t = new java.net.ServerSocket(u.getLocalPort(), 50, ip);
        } catch (java.io.IOException taken) {
          u.close();
        }
      }
      if (t == null) {
        throw new IllegalStateException("no free port on " + host);
      }
      udp = u;
      tcp = t;
      port = u.getLocalPort();
      Thread a = new Thread(() -> {
        byte[] buf = new byte[65_535];
        while (!udp.isClosed()) {
          try {
            java.net.DatagramPacket d = new java.net.DatagramPacket(buf, buf.length);
            udp.receive(d);
            got.add("udp from " + d.getAddress().getHostAddress() + ": " + new String(buf, 0, d.getLength(), StandardCharsets.US_ASCII));
          } catch (java.io.IOException closed) {
            return;
          }
        }
      }, "elsewhere-udp");
      Thread b = new Thread(() -> {
        while (!tcp.isClosed()) {
          try (Socket c = tcp.accept()) {
            got.add("tcp connection from " + c.getInetAddress().getHostAddress());
          } catch (java.io.IOException closed) {
            return;
          }
        }
      }, "elsewhere-tcp");
      a.setDaemon(true);
      b.setDaemon(true);
      a.start();
      b.start();
    }

    /** What reached this host, after waiting {@code quiet} for stragglers. */
    List<String> received(Duration quiet) throws InterruptedException {
      String first = got.poll(quiet.toMillis(), TimeUnit.MILLISECONDS);
      List<String> all = new java.util.ArrayList<>();
      if (first != null) {
        all.add(first);
        got.drainTo(all);
      }
      return all;
    }

    @Override
    public void close() {
      udp.close();
      try {
        tcp.close();
      } catch (java.io.IOException ignored) {
        // closing
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"Max-Forwards: abc", "Max-Forwards: 99999999999", "Expires: soon", "CSeq: 99999999999999 INVITE",
      "CSeq: -1 INVITE", "Content-Length: x", "Min-SE: x"})
  void aMalformedNumericHeaderIsAnswered400(String header) {
    try (RawSip trunk = new RawSip("127.0.0.1")) {
      long n = System.nanoTime();
      String msg = "INVITE sip:+15550000000@127.0.0.1:" + router.port() + " SIP/2.0\r\n"
          + "Via: " + trunk.via("z9hG4bKmal" + n) + "\r\n"
          + "From: <sip:+15557770001@127.0.0.1>;tag=m" + n + "\r\nTo: <sip:+15550000000@127.0.0.1>\r\n"
          + "Call-ID: mal-" + n + "\r\n"
          + (header.startsWith("CSeq") ? "" : "CSeq: 1 INVITE\r\n")
          + (header.startsWith("Max-Forwards") ? "" : "Max-Forwards: 70\r\n") + header + "\r\n"
          + (header.startsWith("Content-Length") ? "\r\n" : "Content-Length: 0\r\n\r\n");
      trunk.send(msg, router.port());
      String reply = trunk.receiveFinal(WAIT);
      assertEquals(400, RawSip.status(reply), String.valueOf(reply));
    }
  }

  /**
   * The receive loop reads every datagram into one reused buffer and hands each over at its own size:
   * a short datagram after a long one is read whole and alone (no bytes of the one before), and one of
   * nearly MAX_MESSAGE_SIZE (8 KB) too.
   */
  @Test
  void datagramsOfEverySizeUpToTheLimitAreEachReadWhole() {
    try (RawSip trunk = new RawSip("127.0.0.1")) {
      for (int padding : new int[] {7_600, 0, 3_000, 40, 7_600, 0}) {
        String callId = "size-" + padding + "-" + System.nanoTime();
        String msg = "OPTIONS sip:127.0.0.1:" + router.port() + " SIP/2.0\r\n"
            + "Via: " + trunk.via("z9hG4bK" + callId) + "\r\n"
            + "From: <sip:probe@127.0.0.1>;tag=" + callId + "\r\nTo: <sip:127.0.0.1>\r\n"
            + "Call-ID: " + callId + "\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n"
            + (padding > 0 ? "X-Padding: " + "p".repeat(padding) + "\r\n" : "")
            + "Content-Length: 0\r\n\r\n";
        trunk.send(msg, router.port());
        String reply = trunk.receiveFinal(WAIT);
        assertEquals(200, RawSip.status(reply), String.valueOf(reply));
        assertTrue(reply.contains("Call-ID: " + callId + "\r\n"), "answered another datagram: " + reply);
      }
    }
  }

  /**
   * A datagram larger than the largest message (8 KB) is dropped whole, never read as the shorter
   * message its first 8 KB make: here an INVITE to a tracking number whose Content-Length and body
   * come after the cut. The OPTIONS sent after it is the first thing answered, so the INVITE was
   * neither answered nor forwarded (a forwarded one is answered 100 at once, and datagrams are
   * handled in order).
   */
  @Test
  void aDatagramLargerThanTheLargestMessageIsDroppedWhole() {
    PhoneNumber number = fx.property(line.uri("+15559990000", "udp"), router);
    try (RawSip trunk = new RawSip("127.0.0.1")) {
      String big = trunk.invite(number.e164(), router.port(), "Max-Forwards: 70\r\nX-Padding: " + "p".repeat(8_300)
          + "\r\nContent-Type: application/sdp\r\n").replace("Content-Length: 0\r\n\r\n",
          "Content-Length: 4\r\n\r\nv=0\n");
      assertTrue(big.length() > 8_192);
      trunk.send(big, router.port());
      String callId = "after-big-" + System.nanoTime();
      trunk.send("OPTIONS sip:127.0.0.1:" + router.port() + " SIP/2.0\r\nVia: " + trunk.via("z9hG4bK" + callId) + "\r\n"
          + "From: <sip:probe@127.0.0.1>;tag=" + callId + "\r\nTo: <sip:127.0.0.1>\r\nCall-ID: " + callId
          + "\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n", router.port());
      String first = trunk.receive(WAIT);
      assertNotNull(first, "the OPTIONS after the large datagram was not answered");
      assertTrue(first.startsWith("SIP/2.0 200") && first.contains("Call-ID: " + callId + "\r\n"),
          "the large datagram was answered: " + first);
    }
  }
}
