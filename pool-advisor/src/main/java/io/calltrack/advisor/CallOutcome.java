package io.calltrack.advisor;

import io.calltrack.core.pool.Resolution;
import io.calltrack.core.pool.Session;

/** How the engine's resolution of one call compares with the visitor who really called. */
public enum CallOutcome {
  /** One candidate session, and it is the caller's. */
  EXACT,
  /** Several candidate sessions (a recycled number), the caller's among them: a human must choose. */
  AMBIGUOUS,
  /** Attributed to somebody else's session (the caller's is not even a candidate). */
  WRONG,
  /** The dialled number belonged to no session at that time (the caller's hold had ended). */
  UNATTRIBUTED,
  /** The caller was shown the site's default number (pool exhausted): no tracking possible. */
  FALLBACK;

  /**
   * Classifies one call. {@code shownFallback} means the caller's visit got the default number, so
   * the call never reached a tracking number and {@code resolution} is ignored.
   */
  public static CallOutcome classify(String callerVisitorId, boolean shownFallback, Resolution resolution) {
    if (shownFallback) {
      return FALLBACK;
    }
    if (resolution.session() == null) {
      return UNATTRIBUTED;
    }
    boolean callerIsCandidate = resolution.candidates().stream().map(Session::visitorId)
        .anyMatch(callerVisitorId::equals);
    if (!callerIsCandidate && !callerVisitorId.equals(resolution.session().visitorId())) {
      return WRONG;
    }
    return resolution.ambiguous() ? AMBIGUOUS : EXACT;
  }
}
