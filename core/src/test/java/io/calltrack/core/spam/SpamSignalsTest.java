package io.calltrack.core.spam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.calls.CallMedia;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.CallStatus;
import io.calltrack.core.json.JsonMapper;
import io.calltrack.core.phone.PhoneNumber;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which calls the spam signals mark, and which they leave alone (a customer marked is a cost too). */
class SpamSignalsTest {
  static final PhoneNumber TRACKING = PhoneNumber.parse("+13125550100");
  static final Instant T0 = Instant.parse("2026-12-01T15:00:00Z");

  static CallRecord call(String caller) {
    return CallRecord.started("c1", "s1@trunk", TRACKING, caller, "shop", T0);
  }

  static CallRecord answered(String caller, CallMedia media) {
    return call(caller).answered(T0.plusSeconds(5), 200).ended(T0.plusSeconds(65), CallStatus.ANSWERED, 200)
        .withMedia(media);
  }

  @Test
  void anOrdinaryCallShowsNothing() {
    assertEquals(List.of(), SpamSignals.of(call("+14155550123")));
    assertEquals(List.of(), SpamSignals.of(call("+14155550123").withCallerVerification(CallRecord.VERIFIED)));
    assertEquals(List.of(), SpamSignals.of(call("+14155550123").withCallerVerification(CallRecord.NOT_VERIFIED)),
        "not verified is most trunks today: no signal");
    assertEquals(List.of(), SpamSignals.of(call("anonymous")), "a withheld number is a customer's right");
    assertEquals(List.of(), SpamSignals.of(call(null)));
    assertEquals(List.of(), SpamSignals.of(call("erased:0a1b2c")), "an erased caller is judged by nothing");
  }

  @Test
  void aNumberThatFailedVerificationIsMarked() {
    assertEquals(List.of(SpamSignals.FAILED_VERIFICATION),
        SpamSignals.of(call("+14155550123").withCallerVerification(CallRecord.VERIFICATION_FAILED)));
  }

  @Test
  void aCallerIdThatIsNoNumberOrIsTheTrackingNumberIsMarked() {
    for (String caller : List.of("12345", "sip-user", "+0123456789", "+1415555012345678", "4155550123")) {
      assertEquals(List.of(SpamSignals.INVALID_CALLER_ID), SpamSignals.of(call(caller)), caller);
    }
    assertEquals(List.of(SpamSignals.CALLER_ID_IS_THE_NUMBER), SpamSignals.of(call("+13125550100")));
    // a callback's "caller" is the lead the business calls: not judged
    CallRecord callback = CallRecord.callback("c2", "s2@x", "12345", "shop", T0);
    assertEquals(List.of(), SpamSignals.of(callback));
  }

  @Test
  void aCallerWalkingABlockOfNumbersIsMarked() {
    assertEquals(List.of(), SpamSignals.of(call("+14155550123").withCallerSweep(2)), "a customer may try two");
    assertEquals(List.of(SpamSignals.DIALER_SWEEP), SpamSignals.of(call("+14155550123").withCallerSweep(3)));
    assertEquals(null, call("+14155550123").withCallerSweep(1).callerSweep(), "one number is no sweep");
  }

  @Test
  void anAnsweredCallInWhichTheCallerNeverSpokeIsMarked() {
    CallMedia silent = new CallMedia(true, true, "c1.wav", 40.0, 0.2, 12.0, 0.6, 0.0);
    assertEquals(List.of(SpamSignals.SILENT_CALLER), SpamSignals.of(answered("+14155550123", silent)));
    CallMedia spoke = new CallMedia(true, true, "c1.wav", 40.0, 9.0, 12.0, 0.3, 0.0);
    assertEquals(List.of(), SpamSignals.of(answered("+14155550123", spoke)));
    CallMedia tooShort = new CallMedia(true, true, "c1.wav", 8.0, 0.0, 6.0, 0.2, 0.0);
    assertEquals(List.of(), SpamSignals.of(answered("+14155550123", tooShort)),
        "a caller may listen to a greeting and hang up");
    CallMedia notRecorded = new CallMedia(true, false, null, null, null, null, null, null);
    assertEquals(List.of(), SpamSignals.of(answered("+14155550123", notRecorded)));
  }

  @Test
  void everySignalIsListedAndTheCallJsonCarriesThemAsItIsRead() throws Exception {
    CallMedia silent = new CallMedia(true, true, "c1.wav", 40.0, 0.0, 12.0, 0.6, 0.0);
    CallRecord r = answered("+13125550100", silent).withCallerVerification(CallRecord.VERIFICATION_FAILED);
    List<String> all = List.of(SpamSignals.FAILED_VERIFICATION, SpamSignals.CALLER_ID_IS_THE_NUMBER,
        SpamSignals.SILENT_CALLER);
    assertEquals(all, SpamSignals.of(r));
    assertTrue(SpamSignals.suspected(r));
    String json = JsonMapper.mapper().writeValueAsString(r);
    assertTrue(json.contains("\"spamSignals\":[\"failed-caller-id-verification\""), json);
    assertTrue(json.contains("\"callerVerification\":\"failed\""), json);
    CallRecord back = JsonMapper.mapper().readValue(json, CallRecord.class);
    assertEquals(r, back, "read back (the signals are derived, not read)");
    String plain = JsonMapper.mapper().writeValueAsString(call("+14155550123"));
    assertFalse(plain.contains("spamSignals"), "no signals, no field: " + plain);
  }
}
