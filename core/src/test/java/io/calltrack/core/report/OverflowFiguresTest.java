package io.calltrack.core.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.CallStatus;
import io.calltrack.core.phone.PhoneNumber;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Overflow routing (catalogue D12), from the call record through the rollup counts to the report's figures. */
class OverflowFiguresTest {
  static final Instant T = Instant.parse("2026-03-02T10:00:00Z");

  static CallRecord call(String id, Integer overflowLine, boolean answered) {
    CallRecord r = CallRecord.started(id, id, PhoneNumber.parse("+15551230001"), "+15557770001", "shop", T)
        .withOverflowLine(overflowLine);
    return answered ? r.answered(T.plusSeconds(3), 200).ended(T.plusSeconds(60), CallStatus.ANSWERED, null)
        : r.ended(T.plusSeconds(30), CallStatus.BUSY, 486);
  }

  @Test
  void theOverflowRateIsTheShareOfCallsSentOnToAnOverflowLine() {
    Map<String, Object> f = new RoiRow(null, RoiCounts.fromMetrics(ConversationFiguresTest.sum(
        call("a", null, true),    // the business line answered
        call("b", 1, true),       // busy there, answered on the first overflow line
        call("c", 2, false),      // no line took it
        call("d", null, false),   // busy, and no overflow line
        call("e", 1, true)))).fields();
    assertEquals(3L, f.get("overflowedCalls"));
    assertEquals(new BigDecimal("0.6000"), f.get("overflowRate"));          // 3 of 5
    assertEquals(new BigDecimal("0.6667"), f.get("overflowAnswerRate"));    // b and e of b, c, e
  }

  @Test
  void withoutOverflowTheAnswerRateIsNull() {
    Map<String, Object> f = new RoiRow(null, RoiCounts.fromMetrics(ConversationFiguresTest.sum(call("a", null, true))))
        .fields();
    assertEquals(0L, f.get("overflowedCalls"));
    assertEquals(new BigDecimal("0.0000"), f.get("overflowRate"));
    assertNull(f.get("overflowAnswerRate"));
  }

  @Test
  void theRecordKeepsItsOverflowLineThroughItsSteps() {
    CallRecord r = call("b", 2, true).withOutcome(null).withCaller("anonymous");
    assertEquals(Integer.valueOf(2), r.overflowLine());
  }
}
