package io.calltrack.core.pool;

import io.calltrack.core.config.StaticNumberConfig;
import java.util.List;

/**
 * What the engine knows about a call to one number at one instant: the pool the number is in (null
 * for a static or unknown number), the latest sessions of that number that started at or before the
 * call (newest first, at most {@link RedisPoolEngine#MAX_CANDIDATES}), and the static number's source.
 */
public record Candidates(String poolId, List<Session> sessions, StaticNumberConfig staticNumber) {
  public Candidates {
    sessions = sessions == null ? List.of() : List.copyOf(sessions);
  }
}
