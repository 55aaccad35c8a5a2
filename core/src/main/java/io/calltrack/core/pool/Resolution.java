package io.calltrack.core.pool;

import io.calltrack.core.config.StaticNumberConfig;
import java.util.List;

/**
 * Who a call belongs to. {@code session} is the best match (null for STATIC and UNATTRIBUTED);
 * {@code candidates} holds every session that could have been the caller's, best first, and has more
 * than one entry exactly when {@link #ambiguous()}.
 */
public record Resolution(
    Kind kind, Session session, List<Session> candidates, StaticNumberConfig staticNumber) {

  public enum Kind { LEASE, HOLD, STATIC, UNATTRIBUTED }

  public Resolution {
    candidates = candidates == null ? List.of() : List.copyOf(candidates);
  }

  public boolean ambiguous() {
    return candidates.size() > 1;
  }

  public static Resolution unattributed() {
    return new Resolution(Kind.UNATTRIBUTED, null, List.of(), null);
  }
}
