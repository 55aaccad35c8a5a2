package io.calltrack.advisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.attribution.Attribution;
import io.calltrack.core.attribution.CallAttributor.CallAttribution;
import io.calltrack.core.attribution.Confidence;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.core.pool.Session;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class CallOutcomeTest {
  static Session session(String visitor) {
    Instant t = Instant.parse("2026-01-05T10:00:00Z");
    return new Session("p." + visitor, "p", "prop", visitor, PhoneNumber.parse("+15550000001"), Attribution.UNKNOWN,
        Session.State.LEASED, t, t.plusSeconds(120), null, t.plusSeconds(1920), t.plusSeconds(1920));
  }

  static CallAttribution of(Confidence c, Session top) {
    return new CallAttribution("lease", c, "p", top, top == null ? null : top.attribution(), List.of());
  }

  @Test
  void theOutcomeIsTheConfidenceAndRightnessIsApart() {
    assertEquals(CallOutcome.EXACT, CallOutcome.of(false, of(Confidence.EXACT, session("a"))));
    assertEquals(CallOutcome.CHANNEL, CallOutcome.of(false, of(Confidence.CHANNEL, session("a"))));
    assertEquals(CallOutcome.PROBABLE, CallOutcome.of(false, of(Confidence.PROBABLE, session("a"))));
    assertEquals(CallOutcome.AMBIGUOUS, CallOutcome.of(false, of(Confidence.AMBIGUOUS, session("a"))));
    assertEquals(CallOutcome.UNATTRIBUTED, CallOutcome.of(false, CallAttribution.UNATTRIBUTED));
    assertTrue(CallOutcome.topIsCaller("a", of(Confidence.EXACT, session("a"))));
    assertFalse(CallOutcome.topIsCaller("a", of(Confidence.EXACT, session("b"))));
    assertFalse(CallOutcome.topIsCaller("a", CallAttribution.UNATTRIBUTED));
  }

  @Test
  void aCallerShownTheDefaultNumberIsFallbackWhateverTheResolution() {
    assertEquals(CallOutcome.FALLBACK, CallOutcome.of(true, of(Confidence.EXACT, session("a"))));
  }
}
