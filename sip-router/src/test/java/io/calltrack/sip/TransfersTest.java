package io.calltrack.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.CallStatus;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.sip.testing.SipPhone;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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
 * Transfers (catalogue D7, D13): a REFER one party sends inside the call is relayed to the other, and
 * the call's record counts the ones accepted (a 2xx), not the ones refused. Real JAIN-SIP phones on
 * loopback, real Redis.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TransfersTest {
  static final Duration WAIT = RouterFixture.WAIT;
  static final Map<String, String> TO_SALES = Map.of("Refer-To", "<sip:+13125550199@203.0.113.20>");

  @TempDir static Path spool;
  static RouterFixture fx;
  static SipRouter router;

  SipPhone caller;
  SipPhone desk;

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
  }

  @AfterEach
  void hangUpPhones() {
    caller.close();
    desk.close();
  }

  private String answeredCall() {
    PhoneNumber number = fx.property(desk.uri("+15559990000", "udp"), router);
    String callId = caller.call("sip:" + number.e164() + "@127.0.0.1:" + router.port(), router.port(), "udp");
    caller.awaitResponseFor(callId, Request.INVITE, Response.OK, WAIT);
    desk.awaitRequest(Request.ACK, WAIT);
    return callId;
  }

  private long answers(SipPhone phone, int code) {
    return phone.responses.stream().filter(r -> r.getStatusCode() == code
        && Request.REFER.equals(((javax.sip.header.CSeqHeader) r.getHeader(javax.sip.header.CSeqHeader.NAME))
            .getMethod())).count();
  }

  @Test
  void theRecordCountsTheTransfersThePartiesAccepted() {
    String callId = answeredCall();
    caller.referAnswer = Response.DECLINE; // the first is refused: no transfer
    desk.sendInDialog(Request.REFER, TO_SALES);
    caller.awaitRequest(Request.REFER, WAIT);
    desk.awaitResponse(Request.REFER, Response.DECLINE, WAIT);
    caller.referAnswer = Response.ACCEPTED;
    desk.sendInDialog(Request.REFER, TO_SALES);
    desk.awaitResponse(Request.REFER, Response.ACCEPTED, WAIT);
    assertEquals(1, answers(desk, Response.ACCEPTED));
    caller.byeFor(callId);
    desk.awaitRequest(Request.BYE, WAIT);
    CallRecord r = fx.awaitFinished(callId);
    assertEquals(CallStatus.ANSWERED, r.status());
    assertEquals(Integer.valueOf(1), r.transfers(), r::toString);
  }

  @Test
  void aCallWithoutTransfersHasNone() {
    String callId = answeredCall();
    caller.byeFor(callId);
    assertNull(fx.awaitFinished(callId).transfers());
  }
}
