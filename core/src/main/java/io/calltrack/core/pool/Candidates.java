package io.calltrack.core.pool;

import io.calltrack.core.config.StaticNumberConfig;
import java.util.List;

/**
 * What the engine knows about a call to one number at one instant: the pool the number is in (null
 * for a static or unknown number), the latest sessions of that number that started at or before the
 * call (newest first, at most {@link RedisPoolEngine#MAX_CANDIDATES}), and the static number's source;
 * asked with the caller, also the visitor the caller's last resolved call in the pool went to (null:
 * none, or not asked).
 */
public record Candidates(String poolId, List<Session> sessions, StaticNumberConfig staticNumber,
    String previousVisitor) {
  public Candidates {
    sessions = sessions == null ? List.of() : List.copyOf(sessions);
  }

  public Candidates(String poolId, List<Session> sessions, StaticNumberConfig staticNumber) {
    this(poolId, sessions, staticNumber, null);
  }
}
