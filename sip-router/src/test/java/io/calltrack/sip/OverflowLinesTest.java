package io.calltrack.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.CallStatus;
import io.calltrack.core.config.Overflow;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.core.testing.TestNumbers;
import io.calltrack.sip.testing.SipPhone;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Overflow lines (sequential ringing): a call the business line does not take (busy, unavailable,
 * unanswered for the overflow's ring time) goes on to the property's overflow lines in turn, with
 * real JAIN-SIP phones on loopback and real Redis; the record says which line the call went to.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OverflowLinesTest {
  static final Duration WAIT = RouterFixture.WAIT;

  @TempDir static Path spool;
  static RouterFixture fx;
  static SipRouter router;

  SipPhone caller;
  SipPhone desk;
  SipPhone cell;
  SipPhone voicemail;

  @BeforeAll
  static void startRouter() {
    fx = new RouterFixture(spool);
    router = fx.router(List.of("127.0.0.0/8"), Duration.ofSeconds(10));
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
    desk = SipPhone.start("desk");
    cell = SipPhone.start("cell");
    voicemail = SipPhone.start("voicemail");
  }

  @AfterEach
  void hangUpPhones() {
    for (SipPhone p : new SipPhone[] {caller, desk, cell, voicemail}) {
      if (p != null) {
        p.close();
      }
    }
  }

  /** A property whose business line is the desk, then {@code overflow} in turn, each ringing {@code ringSeconds}. */
  private PhoneNumber property(int ringSeconds, SipPhone... overflow) {
    List<String> lines = java.util.Arrays.stream(overflow).map(p -> p.uri("+15559990000", "udp")).toList();
    return fx.property(TestNumbers.fresh(), desk.uri("+15559990000", "udp"),
        p -> p.withOverflow(new Overflow(lines, ringSeconds)), router);
  }

  private String call(PhoneNumber number) {
    return caller.call("sip:" + number.e164() + "@127.0.0.1:" + router.port(), router.port(), "udp");
  }

  /** The caller talks to {@code phone}, which the router reached at {@code uri}, then hangs up. */
  private CallRecord answeredAt(String callId, SipPhone phone) {
    Request invite = phone.awaitRequest(Request.INVITE, WAIT);
    assertEquals(phone.uri("+15559990000", "udp"), invite.getRequestURI().toString(), "the overflow line's URI");
    caller.awaitResponse(Request.INVITE, Response.OK, WAIT);
    phone.awaitRequest(Request.ACK, WAIT);
    caller.bye();
    phone.awaitRequest(Request.BYE, WAIT);
    caller.awaitResponse(Request.BYE, Response.OK, WAIT);
    CallRecord record = fx.awaitFinished(callId);
    assertEquals(CallStatus.ANSWERED, record.status());
    return record;
  }

  @Test
  void aBusyBusinessLineSendsTheCallToTheOverflowLine() {
    desk.mode = SipPhone.Mode.BUSY;
    String callId = call(property(20, cell));
    assertEquals(Integer.valueOf(1), answeredAt(callId, cell).overflowLine());
    assertEquals(0, caller.responses.stream().filter(r -> r.getStatusCode() == Response.BUSY_HERE).count(),
        "the caller never hears the desk's busy");
  }

  @Test
  void aBusinessLineRingingUnansweredIsCancelledAfterTheRingTimeAndTheNextLineRings() {
    desk.mode = SipPhone.Mode.RING_FOREVER;
    String callId = call(property(1, cell));
    caller.awaitResponse(Request.INVITE, Response.RINGING, WAIT); // the desk rings
    desk.awaitRequest(Request.CANCEL, WAIT);
    assertEquals(Integer.valueOf(1), answeredAt(callId, cell).overflowLine());
  }

  @Test
  void eachOverflowLineIsTriedInTurnAndTheRecordNamesTheLast() {
    desk.mode = SipPhone.Mode.BUSY;
    cell.mode = SipPhone.Mode.UNAVAILABLE;
    String callId = call(property(20, cell, voicemail));
    assertEquals(Integer.valueOf(2), answeredAt(callId, voicemail).overflowLine());
    assertEquals(1, cell.count(Request.INVITE));
  }

  @Test
  void whenNoLineTakesTheCallTheCallerHearsTheLastOne() {
    desk.mode = SipPhone.Mode.BUSY;
    cell.mode = SipPhone.Mode.BUSY;
    String callId = call(property(20, cell));
    caller.awaitResponse(Request.INVITE, Response.BUSY_HERE, WAIT);
    CallRecord record = fx.awaitFinished(callId);
    assertEquals(CallStatus.BUSY, record.status());
    assertEquals(Integer.valueOf(1), record.overflowLine());
  }

  @Test
  void aLineThatAnswersIsNoOverflowAndTheRecordSaysNone() {
    String callId = call(property(20, cell));
    assertNull(answeredAt(callId, desk).overflowLine());
    assertEquals(0, cell.count(Request.INVITE));
  }

  @Test
  void theCallersCancelWhileAnOverflowLineRingsEndsIt() {
    desk.mode = SipPhone.Mode.BUSY;
    cell.mode = SipPhone.Mode.RING_FOREVER;
    String callId = call(property(20, cell));
    cell.awaitRequest(Request.INVITE, WAIT);
    caller.awaitResponse(Request.INVITE, Response.RINGING, WAIT);
    caller.cancel();
    cell.awaitRequest(Request.CANCEL, WAIT);
    caller.awaitResponse(Request.INVITE, Response.REQUEST_TERMINATED, WAIT);
    CallRecord record = fx.awaitFinished(callId);
    assertEquals(CallStatus.ABANDONED, record.status());
    assertEquals(Integer.valueOf(1), record.overflowLine());
  }
}
