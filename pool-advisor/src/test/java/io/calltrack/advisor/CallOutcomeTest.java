package io.calltrack.advisor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.calltrack.core.attribution.Attribution;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.core.pool.Resolution;
import io.calltrack.core.pool.Session;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class CallOutcomeTest {
  static Session session(String visitor) {
    Instant t = Instant.parse("2026-01-05T10:00:00Z");
    return new Session("p." + visitor, "p", "prop", visitor, PhoneNumber.parse("+15551230001"), Attribution.UNKNOWN,
        Session.State.HOLDING, t, t, t, t.plusSeconds(1800), t.plusSeconds(1800));
  }

  static Resolution of(Resolution.Kind kind, Session... candidates) {
    return new Resolution(kind, candidates[0], List.of(candidates), null);
  }

  @Test
  void oneCandidateThatIsTheCallerIsExact() {
    assertEquals(CallOutcome.EXACT, CallOutcome.classify("a", false, of(Resolution.Kind.LEASE, session("a"))));
    assertEquals(CallOutcome.EXACT, CallOutcome.classify("a", false, of(Resolution.Kind.HOLD, session("a"))));
  }

  @Test
  void severalCandidatesWithTheCallerAmongThemIsAmbiguousWhoeverIsFirst() {
    assertEquals(CallOutcome.AMBIGUOUS,
        CallOutcome.classify("a", false, of(Resolution.Kind.LEASE, session("b"), session("a"))));
    assertEquals(CallOutcome.AMBIGUOUS,
        CallOutcome.classify("a", false, of(Resolution.Kind.LEASE, session("a"), session("b"))));
  }

  @Test
  void somebodyElsesSessionIsWrong() {
    assertEquals(CallOutcome.WRONG, CallOutcome.classify("a", false, of(Resolution.Kind.LEASE, session("b"))));
    assertEquals(CallOutcome.WRONG,
        CallOutcome.classify("a", false, of(Resolution.Kind.HOLD, session("b"), session("c"))));
  }

  @Test
  void noSessionIsUnattributedAndTheDefaultNumberIsFallback() {
    assertEquals(CallOutcome.UNATTRIBUTED, CallOutcome.classify("a", false, Resolution.unattributed()));
    assertEquals(CallOutcome.FALLBACK, CallOutcome.classify("a", true, Resolution.unattributed()));
    assertEquals(CallOutcome.FALLBACK, CallOutcome.classify("a", true, of(Resolution.Kind.LEASE, session("a"))));
  }

  @Test
  void sharesOfAResult() {
    SimResult r = new SimResult(10, java.util.Map.of(CallOutcome.EXACT, 3, CallOutcome.FALLBACK, 1), 100, 5, 0, 10, 0, 0);
    assertEquals(4, r.calls());
    assertEquals(0.75, r.exact(), 1e-9);
    assertEquals(1.0, new SimResult(10, java.util.Map.of(), 1, 0, 0, 0, 0, 0).exact(), 1e-9);
  }
}
