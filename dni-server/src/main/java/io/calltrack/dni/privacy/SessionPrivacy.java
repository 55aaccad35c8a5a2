package io.calltrack.dni.privacy;

import io.calltrack.core.config.PropertyConfig;
import io.calltrack.core.pool.Assignment;
import io.calltrack.core.privacy.SessionRetention;
import io.vertx.core.Future;

/**
 * After an assign that leased a number: the session goes under the property's session retention (a
 * Redis TTL counted from this assign) and into its visitor's index, for erasure. Never fails the
 * assign: a visitor's page must not break for it (a session it missed keeps the pool's own history
 * window and is still found by the visitor's live-session entry).
 */
public final class SessionPrivacy {
  private final SessionRetention sessions;

  public SessionPrivacy(SessionRetention sessions) {
    this.sessions = sessions;
  }

  public Future<Void> leased(PropertyConfig property, Assignment a) {
    if (a == null || a.fallback() || a.sessionId() == null || a.poolId() == null) {
      return Future.succeededFuture();
    }
    var keep = property.retention() == null ? null : property.retention().sessions();
    return sessions.remember(a.poolId(), a.sessionId(), a.visitorId(), keep).otherwiseEmpty();
  }
}
