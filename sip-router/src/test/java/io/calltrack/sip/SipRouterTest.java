package io.calltrack.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.attribution.Attribution;
import io.calltrack.core.callback.Callback;
import io.calltrack.core.callback.CallbackSettings;
import io.calltrack.core.callback.CallbackState;
import io.calltrack.core.callback.RedisCallbackStore;
import io.calltrack.core.pool.Assignment;
import io.calltrack.core.pool.RedisPoolEngine;
import io.calltrack.sip.callback.MissedCallCallbacks;
import io.vertx.redis.client.RedisAPI;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.CallStatus;
import io.calltrack.core.config.PropertyConfig;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.core.testing.Await;
import io.calltrack.core.testing.TestNumbers;
import io.calltrack.core.testing.TestRedis;
import io.calltrack.core.config.PoolConfig;
import io.calltrack.core.config.StaticNumberConfig;
import io.calltrack.sip.testing.RawSip;
import io.calltrack.sip.testing.SipPhone;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.sip.header.CSeqHeader;
import javax.sip.header.MaxForwardsHeader;
import javax.sip.header.RecordRouteHeader;
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
import org.junit.jupiter.params.provider.CsvSource;

/** The proxy with real JAIN-SIP peers on loopback and real Redis: every call flow the router must handle. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SipRouterTest {
  static final Duration WAIT = RouterFixture.WAIT;
  static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(3);

  @TempDir static Path spool;
  static RouterFixture fx;
  static SipRouter router;
  static final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  static RedisCallbackStore callbacks;

  SipPhone caller;
  SipPhone line;

  @BeforeAll
  static void startRouter() {
    fx = new RouterFixture(spool);
    router = fx.router(List.of("127.0.0.0/8"), ANSWER_TIMEOUT, registry);
    callbacks = new RedisCallbackStore(RedisAPI.api(fx.redis), Clock.systemUTC(), RedisCallbackStore.Limits.DEFAULT);
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

  /** A property whose business line is the test line; returns its tracking number. */
  PhoneNumber trackingNumber(String lineTransport) {
    return fx.property(line.uri("+15559990000", lineTransport), router);
  }

  static String routerUri(PhoneNumber n, String user) {
    return "sip:" + user + "@127.0.0.1:" + router.port();
  }

  /** A call to a fresh tracking number over UDP, answered by the line and ACKed there; its Call-ID. */
  String answeredCall() {
    PhoneNumber number = trackingNumber("udp");
    String callId = caller.call(routerUri(number, number.e164()), router.port(), "udp");
    caller.awaitResponseFor(callId, Request.INVITE, Response.OK, WAIT);
    line.awaitRequest(Request.ACK, WAIT);
    return callId;
  }

  CallRecord awaitRecord(String sipCallId, CallStatus status) {
    CallRecord r = fx.awaitFinished(sipCallId);
    assertEquals(status, r.status(), r::toString);
    return r;
  }

  @ParameterizedTest(name = "caller {0}, business line {1}")
  @CsvSource({"udp,udp", "tcp,tcp", "tcp,udp", "udp,tcp"})
  void answeredCallHungUpByTheCaller(String callerTransport, String lineTransport) {
    PhoneNumber number = trackingNumber(lineTransport);
    String callId = caller.call(routerUri(number, number.e164()), router.port(), callerTransport);

    caller.awaitResponse(Request.INVITE, Response.RINGING, WAIT);
    caller.awaitResponse(Request.INVITE, Response.OK, WAIT);
    Request invite = line.awaitRequest(Request.INVITE, WAIT);
    line.awaitRequest(Request.ACK, WAIT);
    // forwarded with our Via on top, a Record-Route to us and one hop fewer
    ViaHeader via = (ViaHeader) invite.getHeader(ViaHeader.NAME);
    assertEquals(router.port(), via.getPort());
    RecordRouteHeader rr = (RecordRouteHeader) invite.getHeader(RecordRouteHeader.NAME);
    assertNotNull(rr, "Record-Route");
    assertTrue(rr.getAddress().getURI().toString().contains(":" + router.port()), rr.toString());
    assertEquals(69, ((MaxForwardsHeader) invite.getHeader(MaxForwardsHeader.NAME)).getMaxForwards());
    assertTrue(invite.getRequestURI().toString().startsWith("sip:+15559990000@127.0.0.1:" + line.port));

    caller.bye();
    line.awaitRequest(Request.BYE, WAIT);
    caller.awaitResponse(Request.BYE, Response.OK, WAIT);

    CallRecord r = awaitRecord(callId, CallStatus.ANSWERED);
    assertEquals(number, r.number());
    assertEquals("+15557770001", r.caller());
    assertEquals(200, r.finalCode());
    assertNotNull(r.ringingAt());
    assertNotNull(r.answeredAt());
    assertTrue(!r.endedAt().isBefore(r.answeredAt()));
    assertEquals("unattributed", r.resolution());
  }

  /**
   * A British trunk: the London tracking number dialled and the caller's number sent in national
   * format. The call routes, and its record has both numbers in E.164, the caller's read in the
   * dialled number's country (not the default US), so repeat callers, erasure and caller regions hold.
   */
  @Test
  void aCallDialledAndSentInAnotherCountrysNationalFormatIsRecordedInE164() {
    PhoneNumber london = fx.property(PhoneNumber.parse("+442079460958"), line.uri("+442079460000", "udp"), false,
        router);
    String callId = caller.call(routerUri(london, "02079460958"), router.port(), "udp", "02079460123", null);
    caller.awaitResponse(Request.INVITE, Response.OK, WAIT);
    line.awaitRequest(Request.ACK, WAIT);
    caller.bye();
    caller.awaitResponse(Request.BYE, Response.OK, WAIT);
    CallRecord r = awaitRecord(callId, CallStatus.ANSWERED);
    assertEquals(london, r.number());
    assertEquals("+442079460123", r.caller());
  }

  /**
   * A withheld caller ID (Privacy: id, the number only in P-Asserted-Identity): the business line does
   * not get the asserted identity, and the record keeps no number. Without Privacy the asserted number
   * is the caller's, as the trunk vouches for it.
   */
  @Test
  void aWithheldCallerIdStaysWithheld() {
    PhoneNumber number = trackingNumber("udp");
    String withheld = caller.call(routerUri(number, number.e164()), router.port(), "udp", "anonymous", null,
        java.util.Map.of("P-Asserted-Identity", "<sip:+15557770042@127.0.0.1>", "Privacy", "id"));
    caller.awaitResponse(Request.INVITE, Response.OK, WAIT);
    Request invite = line.awaitRequest(Request.INVITE, WAIT);
    assertEquals(null, invite.getHeader("P-Asserted-Identity"), "the asserted identity reached the line");
    line.awaitRequest(Request.ACK, WAIT);
    caller.bye();
    caller.awaitResponse(Request.BYE, Response.OK, WAIT);
    assertEquals("anonymous", awaitRecord(withheld, CallStatus.ANSWERED).caller());

    line.requests.clear();
    String shown = caller.call(routerUri(number, number.e164()), router.port(), "udp", "anonymous", null,
        java.util.Map.of("P-Asserted-Identity", "<sip:+15557770042@127.0.0.1>"));
    Request second = line.awaitRequest(Request.INVITE, WAIT);
    assertTrue(second.getHeader("P-Asserted-Identity") != null, "an identity without Privacy goes on");
    caller.awaitResponseFor(shown, Request.INVITE, Response.OK, WAIT);
    line.awaitRequest(Request.ACK, WAIT);
    caller.byeFor(shown);
    assertEquals("+15557770042", awaitRecord(shown, CallStatus.ANSWERED).caller());
  }

  /**
   * What a trunk says of the caller's number (STIR/SHAKEN {@code verstat}: on the number in
   * P-Asserted-Identity, as a sip: URI's user parameter or a tel: URI's parameter, else in From) is on
   * the record, and a failed verification marks the call; user parameters (verstat, number
   * portability's {@code npdi} and {@code rn} in the Request-URI) are no part of either number.
   */
  @Test
  void theTrunksCallerVerificationIsOnTheRecordAndUserParametersAreNoPartOfANumber() {
    PhoneNumber number = trackingNumber("udp");
    record Case(String user, String from, java.util.Map<String, String> headers, String caller, String verification) {}
    List<Case> cases = List.of(
        new Case(number.e164() + ";npdi;rn=+13125550000", "+15557770040",
            java.util.Map.of("P-Asserted-Identity", "<sip:+15557770043;verstat=TN-Validation-Failed@127.0.0.1;user=phone>"),
            "+15557770043", CallRecord.VERIFICATION_FAILED),
        new Case(number.e164(), "+15557770040",
            java.util.Map.of("P-Asserted-Identity", "<tel:+15557770044;verstat=TN-Validation-Passed-A>"),
            "+15557770044", CallRecord.VERIFIED),
        new Case(number.e164(), "+15557770045;verstat=No-TN-Validation", java.util.Map.of(), "+15557770045",
            CallRecord.NOT_VERIFIED),
        new Case(number.e164(), "+15557770046", java.util.Map.of(), "+15557770046", null));
    for (Case c : cases) {
      line.requests.clear();
      String callId = caller.call(routerUri(number, c.user()), router.port(), "udp", c.from(), null, c.headers());
      caller.awaitResponseFor(callId, Request.INVITE, Response.OK, WAIT);
      line.awaitRequest(Request.ACK, WAIT);
      caller.byeFor(callId);
      CallRecord r = awaitRecord(callId, CallStatus.ANSWERED);
      assertEquals(number, r.number(), c::toString);
      assertEquals(c.caller(), r.caller(), c::toString);
      assertEquals(c.verification(), r.callerVerification(), c::toString);
      assertEquals(CallRecord.VERIFICATION_FAILED.equals(c.verification())
          ? List.of(io.calltrack.core.spam.SpamSignals.FAILED_VERIFICATION) : List.of(), r.spamSignals(), c::toString);
    }
  }

  /**
   * A caller who rings three different tracking numbers within ten minutes is walking a block of them:
   * the third call is marked; another caller's call to the same numbers is not.
   */
  @Test
  void aCallerRingingThreeTrackingNumbersInTurnIsMarkedAsADialerSweep() {
    List<CallRecord> records = new java.util.ArrayList<>();
    PhoneNumber first = null;
    for (int i = 0; i < 3; i++) {
      PhoneNumber number = trackingNumber("udp");
      first = first == null ? number : first;
      String callId = call(number, "+15557770077");
      caller.awaitResponseFor(callId, Request.INVITE, Response.OK, WAIT);
      line.awaitRequest(Request.ACK, WAIT);
      caller.byeFor(callId);
      records.add(awaitRecord(callId, CallStatus.ANSWERED));
    }
    assertEquals(java.util.Arrays.asList(null, 2, 3), records.stream().map(CallRecord::callerSweep).toList());
    assertEquals(List.of(io.calltrack.core.spam.SpamSignals.DIALER_SWEEP), records.get(2).spamSignals());
    assertEquals(List.of(), records.get(1).spamSignals(), "two numbers are no sweep");
    String other = call(first, "+15557770078");
    caller.awaitResponseFor(other, Request.INVITE, Response.OK, WAIT);
    line.awaitRequest(Request.ACK, WAIT);
    caller.byeFor(other);
    assertEquals(null, awaitRecord(other, CallStatus.ANSWERED).callerSweep());
  }

  /**
   * A new call's route set ends at the router: it chooses the business line itself, so Route entries a
   * trunk pre-loaded beyond it are not passed on (a line behind a proxy would follow them to a host
   * nobody configured, with our Record-Route on the way).
   */
  @Test
  void aRouteSetPreloadedBeyondTheRouterIsNotPassedOn() {
    PhoneNumber number = trackingNumber("udp");
    String callId = caller.call(routerUri(number, number.e164()), router.port(), "udp", "+15557770001", null,
        java.util.Map.of("Route", "<sip:relay.attacker.example:5060;lr>"));
    Request invite = line.awaitRequest(Request.INVITE, WAIT);
    assertEquals(null, invite.getHeader(javax.sip.header.RouteHeader.NAME), "a pre-loaded Route reached the line");
    caller.awaitResponseFor(callId, Request.INVITE, Response.OK, WAIT);
    line.awaitRequest(Request.ACK, WAIT);
    caller.byeFor(callId);
    caller.awaitResponse(Request.BYE, Response.OK, WAIT);
    assertEquals(CallStatus.ANSWERED, awaitRecord(callId, CallStatus.ANSWERED).status());
  }

  @Test
  void answeredCallHungUpByTheBusinessLine() {
    PhoneNumber number = trackingNumber("udp");
    String callId = caller.call(routerUri(number, number.digits()), router.port(), "udp");
    caller.awaitResponse(Request.INVITE, Response.OK, WAIT);
    line.awaitRequest(Request.ACK, WAIT);

    line.bye();
    caller.awaitRequest(Request.BYE, WAIT);
    line.awaitResponse(Request.BYE, Response.OK, WAIT);
    assertEquals(CallStatus.ANSWERED, awaitRecord(callId, CallStatus.ANSWERED).status());
  }

  @Test
  void aCancelAfterTheAnswerIsAnsweredAndChangesNothing() {
    String callId = answeredCall();

    caller.cancel(); // crossed the answer: RFC 3261 9.2, it has no effect on the call
    caller.awaitResponse(Request.CANCEL, Response.OK, WAIT);
    caller.bye();
    line.awaitRequest(Request.BYE, WAIT);
    caller.awaitResponse(Request.BYE, Response.OK, WAIT);
    assertEquals(0, line.count(Request.CANCEL), "the answered line never hears of it");
    CallRecord r = awaitRecord(callId, CallStatus.ANSWERED);
    assertEquals(200, r.finalCode());
  }

  @Test
  void reInviteInTheDialogIsRelayed() {
    PhoneNumber number = trackingNumber("tcp");
    String callId = caller.call(routerUri(number, number.e164()), router.port(), "tcp");
    caller.awaitResponse(Request.INVITE, Response.OK, WAIT);
    line.awaitRequest(Request.ACK, WAIT);

    caller.sendInDialog(Request.INVITE);
    Await.until(WAIT, () -> line.count(Request.INVITE) == 2);
    Await.until(WAIT, () -> line.count(Request.ACK) == 2);
    caller.bye();
    caller.awaitResponse(Request.BYE, Response.OK, WAIT);
    awaitRecord(callId, CallStatus.ANSWERED);
  }

  /**
   * A flood of requests inside a call is not relayed: past its budget (a burst of 40, then 20 a second)
   * the sender gets 503 with Retry-After, the other end hears the burst and what the budget refilled
   * while the flood lasted, and the call still ends with its BYE.
   */
  @Test
  void aFloodOfRequestsInsideACallIsNotRelayed() {
    String callId = answeredCall();
    long sentAt = System.nanoTime();
    for (int i = 0; i < 200; i++) {
      caller.sendInDialog(Request.INFO);
    }
    // counted by CSeq: over UDP a request answered late is sent again, and its answer too (a CI run
    // under load saw 166 answers 503 for 160 requests refused)
    Await.until(WAIT, () -> finalAnswersTo(Request.INFO, 0).size() == 200);
    double seconds = (System.nanoTime() - sentAt) / 1e9; // the budget refills 20 a second meanwhile
    java.util.Set<Long> refused = finalAnswersTo(Request.INFO, Response.SERVICE_UNAVAILABLE);
    java.util.Set<Long> relayedSet = line.requests.stream().filter(r -> Request.INFO.equals(r.getMethod()))
        .map(r -> ((CSeqHeader) r.getHeader(CSeqHeader.NAME)).getSeqNumber())
        .collect(java.util.stream.Collectors.toSet());
    int relayed = relayedSet.size();
    assertTrue(relayed >= 40 && relayed <= 40 + Math.ceil(20 * seconds), "relayed " + relayed + " of 200 in " + seconds + " s");
    // a refused request's retransmission is a new request to the stateless refusal: it may find the
    // budget refilled and be relayed, so refused and relayed may share a CSeq, never miss one
    java.util.Set<Long> either = new java.util.HashSet<>(relayedSet);
    either.addAll(refused);
    assertEquals(finalAnswersTo(Request.INFO, 0), either, "every request relayed or refused");
    assertTrue(refused.size() >= 200 - relayed, refused.size() + " refused");
    assertTrue(caller.responses.stream().filter(r -> r.getStatusCode() == Response.SERVICE_UNAVAILABLE)
        .allMatch(r -> r.getHeader(javax.sip.header.RetryAfterHeader.NAME) != null), "every 503 says when to retry");
    caller.bye();
    caller.awaitResponse(Request.BYE, Response.OK, WAIT);
    awaitRecord(callId, CallStatus.ANSWERED);
  }

  /** The CSeq numbers of the caller's {@code method} requests answered finally ({@code code}, or any if 0). */
  java.util.Set<Long> finalAnswersTo(String method, int code) {
    return caller.responses.stream()
        .filter(r -> method.equals(((CSeqHeader) r.getHeader(CSeqHeader.NAME)).getMethod()))
        .filter(r -> code == 0 ? r.getStatusCode() >= 200 : r.getStatusCode() == code)
        .map(r -> ((CSeqHeader) r.getHeader(CSeqHeader.NAME)).getSeqNumber())
        .collect(java.util.stream.Collectors.toSet());
  }

  @Test
  void busyBusinessLine() {
    line.mode = SipPhone.Mode.BUSY;
    PhoneNumber number = trackingNumber("udp");
    String callId = caller.call(routerUri(number, number.e164()), router.port(), "udp");
    caller.awaitResponse(Request.INVITE, Response.BUSY_HERE, WAIT);
    CallRecord r = awaitRecord(callId, CallStatus.BUSY);
    assertEquals(486, r.finalCode());
    assertEquals(0L, r.durationSeconds());
  }

  @Test
  void unansweredCallIsCancelledAndMissed() {
    line.mode = SipPhone.Mode.RING_FOREVER;
    PhoneNumber number = trackingNumber("udp");
    String callId = caller.call(routerUri(number, number.e164()), router.port(), "udp");
    caller.awaitResponse(Request.INVITE, Response.RINGING, WAIT);
    caller.awaitResponse(Request.INVITE, Response.REQUEST_TIMEOUT, WAIT);
    line.awaitRequest(Request.CANCEL, WAIT);
    CallRecord r = awaitRecord(callId, CallStatus.MISSED);
    assertEquals(408, r.finalCode());
    assertNotNull(r.ringingAt());
  }

  @Test
  void anAnswerAfterTheTimeoutIsHungUpAtTheBusinessLine() {
    line.mode = SipPhone.Mode.ANSWER_LATE;
    line.lateAnswerDelay = ANSWER_TIMEOUT.plusSeconds(1);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    SipRouter measured = fx.router(List.of("127.0.0.0/8"), ANSWER_TIMEOUT, registry);
    PhoneNumber number = fx.property(line.uri("+15559990000", "udp"), measured);
    String callId = caller.call("sip:" + number.e164() + "@127.0.0.1:" + measured.port(), measured.port(), "udp");
    caller.awaitResponse(Request.INVITE, Response.REQUEST_TIMEOUT, WAIT);
    line.awaitRequest(Request.CANCEL, WAIT);
    // the 200 crossed the CANCEL: the router completes and ends the line's dialog itself
    line.awaitRequest(Request.ACK, WAIT);
    line.awaitRequest(Request.BYE, WAIT);
    assertEquals(0, caller.responses.stream().filter(r -> r.getStatusCode() == Response.OK).count(),
        "the caller, already told 408, never sees the late 200");
    assertEquals(CallStatus.MISSED, awaitRecord(callId, CallStatus.MISSED).status());
    assertEquals(1.0, registry.get("calltrack.sip.unheard.answers").tag("why", "late").counter().count());
  }

  /**
   * The business line is a proxy that forks the call to two desks, and both answer: the caller has its
   * dialog with the first, so the router completes and ends the second's itself, through the line's
   * proxy (its Record-Route), once; a copy of that answer gets an ACK again and no second BYE.
   */
  @Test
  void aSecondBranchOfAForkingLineThatAnswersIsHungUp() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    SipRouter measured = fx.router(List.of("127.0.0.0/8"), ANSWER_TIMEOUT, registry);
    try (RawSip forkingLine = new RawSip("127.0.0.1")) {
      String lineProxy = "<sip:127.0.0.1:" + forkingLine.port() + ";lr>";
      PhoneNumber number = fx.property("sip:+15559990000@127.0.0.1:" + forkingLine.port(), measured);
      caller.call("sip:" + number.e164() + "@127.0.0.1:" + measured.port(), measured.port(), "udp");
      String invite = nextRequest(forkingLine, "INVITE", null);
      String contact2 = "sip:desk2@127.0.0.1:" + forkingLine.port();
      forkingLine.send(answer(invite, "desk1", lineProxy, "sip:desk1@127.0.0.1:" + forkingLine.port()), measured.port());
      Response ok = caller.awaitResponse(Request.INVITE, Response.OK, WAIT);
      assertEquals("desk1", ((ToHeader) ok.getHeader(ToHeader.NAME)).getTag());
      nextRequest(forkingLine, "ACK", "desk1");
      String secondAnswer = answer(invite, "desk2", lineProxy, contact2);
      forkingLine.send(secondAnswer, measured.port());
      String ack = nextRequest(forkingLine, "ACK", "desk2");
      assertTrue(ack.startsWith("ACK " + contact2 + " SIP/2.0"), ack);
      assertTrue(ack.contains("Route: " + lineProxy), "along the answer's Record-Route: " + ack);
      String bye = nextRequest(forkingLine, "BYE", "desk2");
      assertTrue(bye.startsWith("BYE " + contact2 + " SIP/2.0") && bye.contains("Route: " + lineProxy), bye);
      forkingLine.send(response(bye, "200 OK", ""), measured.port());
      // desk2 did not get the ACK in time: it sends its 200 again, and gets an ACK again, not a second BYE
      forkingLine.send(secondAnswer, measured.port());
      nextRequest(forkingLine, "ACK", "desk2");
      caller.bye();
      String callersBye = nextRequest(forkingLine, "BYE", null);
      assertTrue(toTag(callersBye).equals("desk1"), "a second BYE to desk2, or: " + callersBye);
      forkingLine.send(response(callersBye, "200 OK", ""), measured.port());
      caller.awaitResponse(Request.BYE, Response.OK, WAIT);
    }
    assertEquals(1, caller.responses.stream().filter(r -> r.getStatusCode() == Response.OK
        && Request.INVITE.equals(((CSeqHeader) r.getHeader(CSeqHeader.NAME)).getMethod())).count(),
        "the caller got the first answer only");
    assertEquals(1.0, registry.get("calltrack.sip.unheard.answers").tag("why", "second_branch").counter().count());
    assertEquals(0.0, registry.get("calltrack.sip.unheard.answers").tag("why", "late").counter().count());
  }

  /** The next request of {@code method} (and To tag, when given) the raw line receives; fails the test if none comes. */
  static String nextRequest(RawSip line, String method, String toTag) {
    while (true) {
      String m = line.receive(WAIT);
      assertNotNull(m, "no " + method + " to " + toTag);
      if (m.startsWith(method + " ") && (toTag == null || toTag.equals(toTag(m)))) {
        return m;
      }
    }
  }

  static String toTag(String message) {
    String to = RawSip.headerLines(message, "To").get(0);
    int i = to.indexOf(";tag=");
    return i < 0 ? null : to.substring(i + 5).split(";")[0];
  }

  /** A response to a raw request, {@code extra} header lines added (each ending CRLF). */
  static String response(String request, String status, String extra) {
    StringBuilder b = new StringBuilder("SIP/2.0 ").append(status).append("\r\n");
    for (String name : List.of("Via", "From", "To", "Call-ID", "CSeq")) {
      RawSip.headerLines(request, name).forEach(l -> b.append(l).append("\r\n"));
    }
    return b.append(extra).append("Content-Length: 0\r\n\r\n").toString();
  }

  /** One desk's 200 to the forked INVITE, through the line's proxy. */
  static String answer(String invite, String desk, String lineProxy, String contact) {
    String withTag = response(invite, "200 OK", "").replaceFirst("(?m)^(To:[^\r\n]*)", "$1;tag=" + desk);
    StringBuilder rr = new StringBuilder("Record-Route: " + lineProxy + "\r\n");
    RawSip.headerLines(invite, "Record-Route").forEach(l -> rr.append(l).append("\r\n"));
    return withTag.replace("Content-Length: 0", rr + "Contact: <" + contact + ">\r\nContent-Length: 0");
  }

  @Test
  void callerHangsUpWhileRinging() {
    line.mode = SipPhone.Mode.RING_FOREVER;
    PhoneNumber number = trackingNumber("tcp");
    String callId = caller.call(routerUri(number, number.e164()), router.port(), "tcp");
    caller.awaitResponse(Request.INVITE, Response.RINGING, WAIT);
    caller.cancel();
    caller.awaitResponse(Request.INVITE, Response.REQUEST_TERMINATED, WAIT);
    line.awaitRequest(Request.CANCEL, WAIT);
    CallRecord r = awaitRecord(callId, CallStatus.ABANDONED);
    assertEquals(487, r.finalCode());
  }

  @Test
  void telUriIsRouted() {
    PhoneNumber number = trackingNumber("udp");
    String callId = caller.call("tel:" + number.e164(), router.port(), "udp");
    caller.awaitResponse(Request.INVITE, Response.OK, WAIT);
    caller.bye();
    caller.awaitResponse(Request.BYE, Response.OK, WAIT);
    awaitRecord(callId, CallStatus.ANSWERED);
  }

  @Test
  void aStaticNumberIsRoutedAndAttributedToItsSource() {
    trackingNumber("udp");
    PhoneNumber printAd = TestNumbers.fresh();
    String property = TestRedis.uniqueId("print");
    await(fx.config.putProperty(new PropertyConfig(property, property, List.of(), List.of(printAd), printAd,
        line.uri("+15559990000", "udp"), "UTC")));
    await(fx.config.putStaticNumber(new StaticNumberConfig(printAd, property, "yellowpages", "print", "spring")));
    Await.until(WAIT, () -> router.routes(printAd));
    String callId = caller.call("sip:" + printAd.digits() + "@127.0.0.1:" + router.port(), router.port(), "udp");
    caller.awaitResponse(Request.INVITE, Response.OK, WAIT);
    caller.bye();
    caller.awaitResponse(Request.BYE, Response.OK, WAIT);
    CallRecord r = awaitRecord(callId, CallStatus.ANSWERED);
    assertEquals("static", r.resolution());
    assertEquals("yellowpages", r.attribution().source());
    assertEquals("print", r.attribution().medium());
    assertEquals("spring", r.attribution().campaign());
    assertEquals(property, r.property());
  }

  @Test
  void unknownNumberIs404() {
    trackingNumber("udp");
    caller.call("sip:+15550000000@127.0.0.1:" + router.port(), router.port(), "udp");
    caller.awaitResponse(Request.INVITE, Response.NOT_FOUND, WAIT);
    assertEquals(0, line.count(Request.INVITE));
  }

  @Test
  void untrustedSourceIs403() {
    PhoneNumber number = trackingNumber("udp");
    SipRouter strict = fx.router(List.of("10.0.0.0/8", "127.0.0.2"), ANSWER_TIMEOUT);
    try {
      Await.until(WAIT, () -> strict.routes(number));
      caller.call("sip:" + number.e164() + "@127.0.0.1:" + strict.port(), strict.port(), "udp");
      caller.awaitResponse(Request.INVITE, Response.FORBIDDEN, WAIT);
      assertEquals(0, line.count(Request.INVITE));
    } finally {
      // closed with the fixture
    }
  }

  @Test
  void loopThroughTheRouterIsDetected() {
    // a misconfigured business line that points back at the router itself
    PhoneNumber number = TestNumbers.fresh();
    String id = TestRedis.uniqueId("loop");
    await(fx.config.putProperty(new PropertyConfig(id, id, List.of(), List.of(number), number,
        "sip:" + number.e164() + "@127.0.0.1:" + router.port(), "UTC")));
    await(fx.config.putPool(new PoolConfig(TestRedis.uniqueId("pool"), id, List.of(number), null, null, null, null)));
    Await.until(WAIT, () -> router.routes(number));
    caller.call("sip:" + number.e164() + "@127.0.0.1:" + router.port(), router.port(), "udp");
    Response r = caller.awaitFinal(Request.INVITE, WAIT);
    assertTrue(r.getStatusCode() == Response.LOOP_DETECTED || r.getStatusCode() == Response.TOO_MANY_HOPS,
        "loop answered " + r.getStatusCode());
  }

  @Test
  void aRequestWithABadHeaderIsAnswered400() throws Exception {
    try (var socket = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
      socket.setSoTimeout(20_000);
      String bad = "INVITE sip:+15551230001@127.0.0.1:" + router.port() + " SIP/2.0\r\n"
          + "Via: SIP/2.0/UDP 127.0.0.1:" + socket.getLocalPort() + ";branch=z9hG4bKbad" + System.nanoTime() + "\r\n"
          + "From: <sip:+15557770001@127.0.0.1>;tag=bad\r\n"
          + "To: <sip:+15551230001@127.0.0.1>\r\n"
          + "Call-ID: bad-" + System.nanoTime() + "@127.0.0.1\r\n"
          + "CSeq: not-a-number INVITE\r\n"
          + "Max-Forwards: 70\r\n"
          + "Content-Length: 0\r\n\r\n";
      byte[] out = bad.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      socket.send(new java.net.DatagramPacket(out, out.length, java.net.InetAddress.getLoopbackAddress(), router.port()));
      byte[] buf = new byte[4096];
      var in = new java.net.DatagramPacket(buf, buf.length);
      socket.receive(in);
      String reply = new String(in.getData(), 0, in.getLength(), java.nio.charset.StandardCharsets.US_ASCII);
      assertTrue(reply.startsWith("SIP/2.0 400"), reply);
    }
  }

  @Test
  void garbageOnThePortDoesNotStopTheRouter() throws Exception {
    try (var socket = new java.net.DatagramSocket()) {
      byte[][] junk = {
          "\u0000\u0001garbage\r\n\r\n".getBytes(),
          ("INVITE sip:x@127.0.0.1 SIP/2.0\r\nVia: nonsense\r\nCSeq: abc\r\n\r\n").getBytes(),
          new byte[60_000],
      };
      for (byte[] j : junk) {
        socket.send(new java.net.DatagramPacket(j, j.length, java.net.InetAddress.getLoopbackAddress(), router.port()));
      }
    }
    try (var tcp = new java.net.Socket("127.0.0.1", router.port())) {
      tcp.getOutputStream().write("OPTIONS garbage\r\nContent-Length: 99999999\r\n\r\nxx".getBytes());
    }
    answeredCallHungUpByTheCaller("udp", "udp");
  }

  @Test
  void metricsCountCallsByStatusActiveCallsAndPostDialDelay() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    SipRouter measured = fx.router(List.of("127.0.0.0/8"), ANSWER_TIMEOUT, registry);
    PhoneNumber number = fx.property(line.uri("+15559990000", "udp"), measured);
    String answered = caller.call("sip:" + number.e164() + "@127.0.0.1:" + measured.port(), measured.port(), "udp");
    caller.awaitResponseFor(answered, Request.INVITE, Response.OK, WAIT);
    assertEquals(1.0, registry.get("calltrack.sip.active.calls").gauge().value());
    caller.byeFor(answered);
    caller.awaitResponseFor(answered, Request.BYE, Response.OK, WAIT);
    line.mode = SipPhone.Mode.BUSY;
    String busy = caller.call("sip:" + number.e164() + "@127.0.0.1:" + measured.port(), measured.port(), "udp");
    caller.awaitResponseFor(busy, Request.INVITE, Response.BUSY_HERE, WAIT);

    Await.until(WAIT, () -> registry.get("calltrack.sip.calls").tag("status", "busy").counter().count() == 1.0);
    assertEquals(1.0, registry.get("calltrack.sip.calls").tag("status", "answered").counter().count());
    assertEquals(0.0, registry.get("calltrack.sip.calls").tag("status", "missed").counter().count());
    assertEquals(0.0, registry.get("calltrack.sip.active.calls").gauge().value());
    assertEquals(1, registry.get("calltrack.sip.post.dial.delay").timer().count(), "one call rang");
    assertEquals(0.0, registry.get("calltrack.sip.spool.depth").gauge().value());
    assertEquals(RouterLimits.DEFAULTS.maxCallsInProgress(Runtime.getRuntime().maxMemory()),
        registry.get("calltrack.sip.max.calls").gauge().value(), "the cap on calls in progress, from the heap");
  }

  static void pause() {
    try {
      Thread.sleep(50); // bounded poll for an async write, not a wait for time to pass
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static <T> T await(Future<T> f) {
    return Await.result(f);
  }

  // ------------------------------------------------------------------------------------------------
  // blocked callers

  private String callFrom(PhoneNumber number, String fromUser, java.util.Map<String, String> headers) {
    return caller.call(routerUri(number, number.e164()), router.port(), "udp", fromUser, null, headers);
  }

  /**
   * A property's blocked callers (a spammer, a robocaller, callers who withhold their number) are
   * refused with 603 Decline: the business line never rings, no call is recorded; every other caller
   * goes through.
   */
  @Test
  void aBlockedCallerIsDeclinedAndTheLineNeverRings() {
    PhoneNumber number = fx.property(TestNumbers.fresh(), line.uri("+15559990000", "udp"),
        p -> p.withBlockedCallers(List.of("(312) 555-0123", "anonymous")), router); // a national number, read in the US
    double before = registry.counter("calltrack.sip.blocked.calls").count();
    String byNumber = callFrom(number, "+13125550123", java.util.Map.of());
    caller.awaitResponseFor(byNumber, Request.INVITE, Response.DECLINE, WAIT);
    String withheld = callFrom(number, "+13125550199", java.util.Map.of("Privacy", "id"));
    caller.awaitResponseFor(withheld, Request.INVITE, Response.DECLINE, WAIT);
    String noNumber = callFrom(number, "anonymous", java.util.Map.of());
    caller.awaitResponseFor(noNumber, Request.INVITE, Response.DECLINE, WAIT);
    assertEquals(before + 3, registry.counter("calltrack.sip.blocked.calls").count(), "calltrack_sip_blocked_calls_total");

    // another caller goes through, and only its call is recorded
    String welcome = callFrom(number, "+13125550124", java.util.Map.of());
    line.awaitRequest(Request.INVITE, WAIT);
    caller.awaitResponseFor(welcome, Request.INVITE, Response.OK, WAIT);
    caller.byeFor(welcome);
    awaitRecord(welcome, CallStatus.ANSWERED);
    assertEquals(1, line.count(Request.INVITE), "the line rang for the caller not blocked only");
    for (String refused : List.of(byNumber, withheld, noNumber)) {
      assertEquals(List.of(), fx.records(r -> refused.equals(r.sipCallId())), "a refused call has no record");
    }
  }

  // ------------------------------------------------------------------------------------------------
  // transfers (catalogue D7, D13)

  static final java.util.Map<String, String> TO_SALES = java.util.Map.of("Refer-To", "<sip:+13125550199@203.0.113.20>");

  /**
   * A REFER one party sends inside the call is relayed to the other, and the call's record counts the
   * ones accepted (a 2xx), not the ones refused.
   */
  @Test
  void theRecordCountsTheTransfersThePartiesAccepted() {
    String callId = answeredCall();
    caller.referAnswer = Response.DECLINE; // the first is refused: no transfer
    line.sendInDialog(Request.REFER, TO_SALES);
    line.awaitResponse(Request.REFER, Response.DECLINE, WAIT);
    caller.referAnswer = Response.ACCEPTED;
    line.sendInDialog(Request.REFER, TO_SALES);
    line.awaitResponse(Request.REFER, Response.ACCEPTED, WAIT);
    assertEquals(2, caller.count(Request.REFER), "both relayed");
    caller.byeFor(callId);
    line.awaitRequest(Request.BYE, WAIT);
    assertEquals(Integer.valueOf(1), awaitRecord(callId, CallStatus.ANSWERED).transfers());
  }

  @Test
  void aCallWithoutTransfersHasNone() {
    String callId = answeredCall();
    caller.byeFor(callId);
    assertEquals(null, awaitRecord(callId, CallStatus.ANSWERED).transfers());
  }

  // ---------------------------------------------------------------- missed calls called back
  // (callbacks.missedCalls): a call the business line did not take leaves a callback request for its
  // caller, attributed as the call was and asked once; which calls are returned at all is checked on
  // the records themselves (an absence cannot be awaited)

  /** A property that calls back its missed calls, its business line the test line; its tracking number. */
  private PhoneNumber returningProperty() {
    return returningProperty(new String[1]);
  }

  /** As {@link #returningProperty()}, its id put in {@code id[0]}. */
  private PhoneNumber returningProperty(String[] id) {
    return fx.property(TestNumbers.fresh(), line.uri("+15559990000", "udp"), p -> {
      id[0] = p.id();
      return p.withCallbacks(CallbackSettings.DEFAULT.withMissedCalls(true));
    }, router);
  }

  private String call(PhoneNumber number, String from) {
    return caller.call("sip:" + number.e164() + "@127.0.0.1:" + router.port(), router.port(), "udp", from, null);
  }

  /** {@code calltrack_sip_missed_call_callbacks_total{result}} so far. */
  private static double counted(String result) {
    var counter = registry.find("calltrack.sip.missed.call.callbacks").tag("result", result).counter();
    return counter == null ? 0 : counter.count();
  }

  /** The callback the router asked for {@code missed}, once it is in Redis. */
  private Callback awaitCallbackFor(CallRecord missed) {
    String id = Callback.missedCallIdOf(missed.property(), missed.callId());
    return Await.until(WAIT, () -> Await.result(callbacks.get(id)), Optional::isPresent).orElseThrow();
  }

  @Test
  void aCallerTheBusyLineTurnedAwayIsCalledBackOnce() {
    line.mode = SipPhone.Mode.BUSY;
    String[] property = new String[1];
    PhoneNumber number = returningProperty(property);
    // a visit leases the number: the call is attributed to it, with the visitor's journey
    List<io.calltrack.core.attribution.Touch> journey = List.of(
        new io.calltrack.core.attribution.Touch("bing", "organic", null, Instant.parse("2026-11-30T08:00:00Z")),
        new io.calltrack.core.attribution.Touch("google", "cpc", "spring", Instant.parse("2026-12-01T09:30:00Z")));
    Assignment visit = Await.result(new RedisPoolEngine(fx.vertx, fx.redis, fx.config, Clock.systemUTC())
        .assign(property[0], "v-missed-1", new Attribution("google", "cpc", "spring", "plumber", null, "/plumbing",
            null, null, null, null, null, null, null, null, null, null, journey)));
    assertEquals(number, visit.number());
    String sipCallId = call(number, "+13125550141");
    caller.awaitResponse(Request.INVITE, Response.BUSY_HERE, WAIT);
    CallRecord missed = fx.awaitFinished(sipCallId);
    assertEquals(CallStatus.BUSY, missed.status());
    assertEquals(visit.sessionId(), missed.sessionId());
    assertEquals(journey, missed.attribution().journey(), "the call carries the visit's journey");

    Callback callback = awaitCallbackFor(missed);
    assertEquals("+13125550141", callback.phone());
    assertEquals(missed.callId(), callback.returnsCall());
    assertEquals(visit.sessionId(), callback.sessionId(), "attributed as the call was");
    assertEquals(CallbackState.QUEUED, callback.state(), "placed by the dialer as a lead's request is");

    // the same call offered again (its end replayed) asks for nothing more: the same callback
    PropertyConfig config = Await.result(fx.config.property(missed.property())).orElseThrow();
    Callback again = Await.result(callbacks.request(
        Callback.forMissedCall(missed.property(), "+13125550141", missed.sessionId(), missed.callId(), Instant.now()),
        null, null, RedisCallbackStore.retention(config), config.callbacks()));
    assertEquals(callback, again);
    // and the visitor's erasure finds it, as it finds the callbacks the visitor asked for
    assertEquals(List.of(callback.id()), Await.result(callbacks.eraseVisitor(property[0], "v-missed-1")).stream()
        .map(Callback::id).toList());
  }

  @Test
  void aCallerWhoGaveUpWhileTheLineRangIsCalledBack() {
    line.mode = SipPhone.Mode.RING_FOREVER;
    String sipCallId = call(returningProperty(), "3125550142"); // a national number, as some trunks send it
    caller.awaitResponse(Request.INVITE, Response.RINGING, WAIT);
    caller.cancel();
    line.awaitRequest(Request.CANCEL, WAIT);
    CallRecord missed = fx.awaitFinished(sipCallId);
    assertEquals(CallStatus.ABANDONED, missed.status());
    assertEquals("+13125550142", awaitCallbackFor(missed).phone());
  }

  /** A caller who calls again and gets through before the callback is placed needs it no more. */
  @Test
  void aCallerWhoGetsThroughBeforeTheCallbackIsNotCalledBack() {
    line.mode = SipPhone.Mode.BUSY;
    PhoneNumber number = returningProperty();
    double asked = counted("asked");
    double cancelledBefore = counted("cancelled");
    String first = call(number, "+13125550144");
    caller.awaitResponse(Request.INVITE, Response.BUSY_HERE, WAIT);
    Callback pending = awaitCallbackFor(fx.awaitFinished(first));
    assertEquals(CallbackState.QUEUED, pending.state());

    line.mode = SipPhone.Mode.ANSWER;
    String again = call(number, "+13125550144");
    line.awaitRequest(Request.INVITE, WAIT);
    caller.awaitResponseFor(again, Request.INVITE, Response.OK, WAIT);
    Callback cancelled = Await.until(WAIT, () -> Await.result(callbacks.get(pending.id())).orElseThrow(),
        c -> c.state() == CallbackState.CANCELLED);
    assertEquals(MissedCallCallbacks.CALLER_ANSWERED, cancelled.detail());
    Await.until(WAIT, () -> counted("asked") == asked + 1 && counted("cancelled") == cancelledBefore + 1);
    assertEquals(0L, Await.result(RedisAPI.api(fx.redis).zcard(
        new io.calltrack.core.callback.CallbackKeys(pending.property()).due())).toLong(), "off the schedule");
    caller.byeFor(again);
    line.awaitRequest(Request.BYE, WAIT);
  }

  /** Which ended calls are returned: the rule on records, the router's own answer for each. */
  @Test
  void onlyMissedInboundCallsFromANumberOneMayDialAreReturned() {
    PhoneNumber number = PhoneNumber.parse("+15551230001");
    PropertyConfig returns = new PropertyConfig("shop", "shop", List.of(), List.of(number), number,
        "sip:desk@127.0.0.1", "UTC").withCallbacks(CallbackSettings.DEFAULT.withMissedCalls(true));
    MissedCallCallbacks rule = new MissedCallCallbacks(new io.calltrack.sip.callback.MissedCallStore() {
      @Override
      public Future<Callback> ask(Callback c, PropertyConfig p) {
        return Future.succeededFuture(c);
      }

      @Override
      public Future<Integer> cancel(PropertyConfig p, String phone, String why) {
        return Future.succeededFuture(0);
      }
    }, Clock.systemUTC(), new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
    Instant t = Instant.parse("2026-03-02T10:00:00Z");
    CallRecord missed = CallRecord.started("c1", "s1", number, "+13125550143", "shop", t)
        .ended(t.plusSeconds(30), CallStatus.MISSED, 408);
    assertEquals("+13125550143", rule.callbackFor(missed, returns).phone());
    assertNull(rule.callbackFor(missed, returns.withCallbacks(null)), "the property does not ask");
    assertNull(rule.callbackFor(CallRecord.started("c2", "s2", number, "+13125550143", "shop", t)
        .answered(t.plusSeconds(2), 200).ended(t.plusSeconds(60), CallStatus.ANSWERED, null), returns), "answered");
    assertNull(rule.callbackFor(CallRecord.started("c3", "s3", number, "+13125550143", "shop", t), returns),
        "still ringing");
    for (String withheld : new String[] {"anonymous", "+19005550143", "911", "desk-7"}) {
      assertNull(rule.callbackFor(missed.withCaller(withheld), returns), withheld + ": no number one may dial");
    }
    CallRecord callbackMissed = CallRecord.callback("c4", "s4", "+13125550143", "shop", t)
        .ended(t.plusSeconds(30), CallStatus.MISSED, 408);
    assertNull(rule.callbackFor(callbackMissed, returns), "a callback the lead missed is retried by its own rules");
  }
}
