package io.calltrack.advisor;

import io.calltrack.core.attribution.CallAttributor.CallAttribution;
import io.calltrack.core.attribution.Confidence;

/** The confidence the engine gave one simulated call (whether it was right is counted apart). */
public enum CallOutcome {
  /** Marked exact: one visit, likelihood >= 0.995. */
  EXACT,
  /** Marked channel: no single visit, but the likely ones came through one channel. */
  CHANNEL,
  /** Marked probable: top likelihood >= 0.8. */
  PROBABLE,
  /** Marked ambiguous: candidates, none likely enough. */
  AMBIGUOUS,
  /** No visit could have made the call (no session of that number before the call). */
  UNATTRIBUTED,
  /** The caller was shown the site's default number (pool exhausted): no tracking possible. */
  FALLBACK;

  public static CallOutcome of(boolean shownFallback, CallAttribution a) {
    if (shownFallback) {
      return FALLBACK;
    }
    Confidence c = a.confidence();
    return switch (c) {
      case EXACT -> EXACT;
      case CHANNEL -> CHANNEL;
      case PROBABLE -> PROBABLE;
      case AMBIGUOUS -> AMBIGUOUS;
      case UNATTRIBUTED -> UNATTRIBUTED;
    };
  }

  /** True when the engine's top candidate is the caller's visit. */
  public static boolean topIsCaller(String callerVisitorId, CallAttribution a) {
    return a.top() != null && callerVisitorId.equals(a.top().visitorId());
  }
}
