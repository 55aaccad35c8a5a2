package io.calltrack.core.privacy;

import io.vertx.core.Future;
import java.time.Duration;

/**
 * What privacy needs from the session store, kept narrow so the session storage can change behind it:
 * a session's retention and its visitor's index, and a visitor's erasure in one pool.
 */
public interface SessionRetention {
  /** Puts the session under {@code keep} (null: kept until erased) and indexes it under its visitor. */
  Future<Void> remember(String poolId, String sessionId, String visitorId, Duration keep);

  /**
   * Anonymises every indexed session of {@code visitorId} in the pool (visitor id replaced by
   * {@code token}, click ids removed) and forgets the visitor's live-session entry. Answers the ids
   * of the sessions anonymised.
   */
  Future<java.util.List<String>> eraseVisitor(String poolId, String visitorId, String token);
}
