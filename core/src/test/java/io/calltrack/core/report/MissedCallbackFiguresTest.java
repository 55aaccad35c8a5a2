package io.calltrack.core.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.calltrack.core.callback.Callback;
import io.calltrack.core.calls.CallAttempt;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.CallStatus;
import io.calltrack.core.config.Ids;
import io.calltrack.core.phone.PhoneNumber;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Missed calls called back (catalogue D3 Callback Rate), from the records to the report: counted apart
 * from speed to lead, which is about leads who asked.
 */
class MissedCallbackFiguresTest {
  static final Instant T = Instant.parse("2026-03-02T10:00:00Z");

  static CallRecord inbound(String id, CallStatus status) {
    CallRecord started = CallRecord.started(id, id, PhoneNumber.parse("+15551230001"), "+15557770001", "shop", T);
    return status == CallStatus.ANSWERED
        ? started.answered(T.plusSeconds(3), 200).ended(T.plusSeconds(60), status, null)
        : started.ended(T.plusSeconds(20), status, status == CallStatus.BUSY ? 486 : 487);
  }

  /** A callback call, {@code returns} a missed call (null: a lead asked at T), answered {@code answerAfter} s after T. */
  static CallRecord callback(String id, String returns, Integer answerAfter) {
    Instant placed = T.plusSeconds(100);
    CallRecord c = CallRecord.callback(id, id, "+15557770001", "shop", placed,
        new CallAttempt(1, placed, null, returns == null ? T : T.plusSeconds(20), returns));
    return answerAfter == null ? c.ended(placed.plusSeconds(30), CallStatus.MISSED, 480)
        : c.answered(T.plusSeconds(answerAfter), 200).ended(T.plusSeconds(answerAfter + 60), CallStatus.ANSWERED, null);
  }

  @Test
  void ofMissedInboundCallsTheShareReachedByCallingBackAndHowSoon() {
    Map<String, Object> f = new RoiRow(null, RoiCounts.fromMetrics(ConversationFiguresTest.sum(
        inbound("a", CallStatus.ANSWERED),
        inbound("m1", CallStatus.MISSED), inbound("m2", CallStatus.BUSY), inbound("m3", CallStatus.ABANDONED),
        inbound("m4", CallStatus.FAILED),
        callback("r1", "m1", 140),   // reached 120 s after m1 ended
        callback("r2", "m2", 200),   // 180 s
        callback("r3", "m3", null),  // placed, not answered
        callback("lead", null, 130)  // a lead's request: speed to lead only
    ))).fields();
    assertEquals(3L, f.get("missedCallbacks"));
    assertEquals(2L, f.get("missedCallsCalledBack"));
    assertEquals(new BigDecimal("0.5000"), f.get("callbackRate")); // 2 of the 4 missed inbound calls
    assertEquals(new BigDecimal("150.0"), f.get("averageMissedCallbackSeconds"));
    // speed to lead counts the lead's request alone
    assertEquals(1L, f.get("callbacks"));
    assertEquals(1L, f.get("callbacksConnected"));
    assertEquals(new BigDecimal("130.0"), f.get("averageCallbackSpeedSeconds"));
  }

  @Test
  void withoutMissedCallsThereIsNoRate() {
    Map<String, Object> f = new RoiRow(null, RoiCounts.fromMetrics(ConversationFiguresTest.sum(
        inbound("a", CallStatus.ANSWERED)))).fields();
    assertNull(f.get("callbackRate"));
    assertEquals(0L, f.get("missedCallsCalledBack"));
  }

  @Test
  void aMissedCallsCallbackIsAskedOnceUnderAnIdOfItsOwn() {
    Callback a = Callback.forMissedCall("shop", "+15557770001", "s1", "c0123", T);
    assertEquals(a.id(), Callback.forMissedCall("shop", "+15557770001", "s1", "c0123", T.plusSeconds(5)).id());
    assertEquals("shop", Ids.scopeOf(a.id()), "a callback id as any other: GET /v1/callbacks/{id} finds it");
    assertEquals("c0123", a.returnsCall());
    assertEquals(false, a.id().equals(Callback.forMissedCall("shop", "+15557770001", "s1", "c0124", T).id()));
  }
}
