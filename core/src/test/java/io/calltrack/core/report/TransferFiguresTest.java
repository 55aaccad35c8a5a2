package io.calltrack.core.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.CallStatus;
import io.calltrack.core.phone.PhoneNumber;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Transfers (catalogue D7 Transfer Rate, D13 Average Transfers per Call), from the record to the report. */
class TransferFiguresTest {
  static final Instant T = Instant.parse("2026-03-02T10:00:00Z");

  static CallRecord answered(String id, int transfers) {
    return CallRecord.started(id, id, PhoneNumber.parse("+15551230001"), "+15557770001", "shop", T)
        .answered(T.plusSeconds(3), 200).withTransfers(transfers).ended(T.plusSeconds(60), CallStatus.ANSWERED, null);
  }

  @Test
  void ofAnsweredCallsTheShareTransferredAndTheTransfersPerCall() {
    CallRecord missed = CallRecord.started("m", "m", PhoneNumber.parse("+15551230001"), "+15557770001", "shop", T)
        .ended(T.plusSeconds(30), CallStatus.MISSED, 408);
    Map<String, Object> f = new RoiRow(null, RoiCounts.fromMetrics(ConversationFiguresTest.sum(
        answered("a", 0), answered("b", 1), answered("c", 2), answered("d", 0), missed))).fields();
    assertEquals(2L, f.get("transferredCalls"));
    assertEquals(new BigDecimal("0.5000"), f.get("transferRate"));     // b and c of 4 answered
    assertEquals(new BigDecimal("0.7500"), f.get("transfersPerCall")); // 3 transfers over 4 answered calls
  }

  @Test
  void theRecordKeepsItsTransfersThroughItsSteps() {
    assertEquals(Integer.valueOf(2), answered("c", 2).withOutcome(null).withCaller("anonymous").transfers());
    assertEquals(null, answered("a", 0).transfers(), "none: not in the record");
  }
}
