package io.calltrack.core.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.calltrack.core.calls.CallMedia;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.CallStatus;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.core.rollup.Contribution;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The conversation measures of recorded calls, from the call record through the rollup counts to the report's figures. */
class ConversationFiguresTest {
  static CallRecord answered(String id, CallMedia media) {
    Instant t = Instant.parse("2026-03-02T10:00:00Z");
    return CallRecord.started(id, id, PhoneNumber.parse("+15551230001"), "+15557770001", "shop", t)
        .answered(t.plusSeconds(3), 200).ended(t.plusSeconds(60), CallStatus.ANSWERED, null).withMedia(media);
  }

  static Map<String, Long> sum(CallRecord... calls) {
    Map<String, Long> m = new HashMap<>();
    for (CallRecord c : calls) {
      Contribution.of(c, ZoneOffset.UTC).m().forEach((k, v) -> m.merge(k, v, Long::sum));
    }
    return m;
  }

  @Test
  void recordedCallsGiveTalkSilenceDeadAirAndHold() {
    Map<String, Object> f = new RoiRow(null, RoiCounts.fromMetrics(sum(
        answered("a", new CallMedia(true, true, "a.wav", 40.0, 10.0, 20.0, 0.25, 0.0)),
        answered("b", new CallMedia(true, true, "b.wav", 60.0, 30.0, 15.0, 0.1, 20.0)),
        answered("c", CallMedia.anchoredOnly()),     // relayed, the property does not record
        answered("d", CallMedia.notAnchored()),      // the relay did not answer
        answered("e", null)))).fields();             // a router without a relay
    assertEquals(2L, f.get("recordedCalls"));
    assertEquals(new BigDecimal("0.4000"), f.get("recordingRate"));        // 2 of 5 answered
    assertEquals(new BigDecimal("37.5"), f.get("averageTalkSeconds"));     // (30 + 45) / 2
    assertEquals(new BigDecimal("20.0"), f.get("averageCallerTalkSeconds"));
    assertEquals(new BigDecimal("17.5"), f.get("averageLineTalkSeconds"));
    assertEquals(new BigDecimal("0.6250"), f.get("silenceRate"));          // 1 - 75 / (2 × 100)
    assertEquals(new BigDecimal("0.1600"), f.get("deadAirRate"));          // (10 + 6) / 100
    assertEquals(new BigDecimal("10.0"), f.get("averageHoldSeconds"));
  }

  @Test
  void theCaptureRateIsTheShareOfAnsweredCallsAskedToBeRecordedThatHaveARecording() {
    Instant t = Instant.parse("2026-03-02T10:00:00Z");
    CallRecord missed = CallRecord.started("m", "m", PhoneNumber.parse("+15551230001"), "+15557770001", "shop", t)
        .ended(t.plusSeconds(30), CallStatus.MISSED, 480).withMedia(CallMedia.notAnchored(true));
    Map<String, Object> f = new RoiRow(null, RoiCounts.fromMetrics(sum(
        answered("a", new CallMedia(true, true, "a.wav", 40.0, 10.0, 20.0, 0.25, 0.0)),
        answered("b", CallMedia.recordingLost()),       // relayed, no readable recording
        answered("c", CallMedia.notAnchored(true)),     // the relay did not answer a recording property's call
        answered("d", CallMedia.anchoredOnly()),        // the property does not record
        answered("e", CallMedia.notAnchored()),         // nor this one's, and the relay did not answer
        answered("f", null),                            // a router without a relay
        // a record from before recordingAsked was kept: made, so it was asked
        answered("g", new CallMedia(true, true, "g.wav", 30.0, 10.0, 10.0, 0.1, 0.0, null)),
        missed))).fields();                              // not answered: nothing to record
    assertEquals(4L, f.get("recordingsAsked"));
    assertEquals(new BigDecimal("0.5000"), f.get("recordingCaptureRate")); // a and g of a, b, c, g
    assertEquals(2L, f.get("recordedCalls"));
  }

  @Test
  void withoutRecordingsTheFiguresAreNull() {
    Map<String, Object> f = new RoiRow(null, RoiCounts.fromMetrics(sum(answered("x", null)))).fields();
    assertEquals(0L, f.get("recordedCalls"));
    assertEquals(new BigDecimal("0.0000"), f.get("recordingRate"));
    assertNull(f.get("averageTalkSeconds"));
    assertNull(f.get("deadAirRate"));
    assertEquals(0L, f.get("recordingsAsked"));
    assertNull(f.get("recordingCaptureRate"), "no call was asked to be recorded");
    assertEquals(RoiRow.FIELDS.size(), f.size(), "every field of FIELDS, and no other");
  }
}
