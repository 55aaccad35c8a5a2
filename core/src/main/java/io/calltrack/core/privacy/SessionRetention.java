package io.calltrack.core.privacy;

import io.vertx.core.Future;

/**
 * What privacy needs from the session store, kept narrow so the session storage can change behind it:
 * a visitor's erasure in one pool. (A session's retention and its visitor's index are written by the
 * pool engine's assign itself, in the same script as the session.)
 */
public interface SessionRetention {
  /**
   * Anonymises every indexed session of {@code visitorId} in the pool (visitor id replaced by
   * {@code token}, click ids removed) and forgets the visitor's live-session entry. Answers the ids
   * of the visitor's sessions (those anonymised by an earlier erasure that did not finish too).
   */
  Future<java.util.List<String>> eraseVisitor(String poolId, String visitorId, String token);

  /**
   * Forgets which sessions were the visitor's in the pool (its session index): the erasure's last step,
   * once every other part is done, so that an erasure failing midway and sent again still finds them.
   */
  Future<Void> forgetVisitor(String poolId, String visitorId);
}
