package io.calltrack.sip.routing;

import io.calltrack.core.config.PropertyConfig;
import io.calltrack.core.phone.PhoneNumber;

/** What to do with a new call: forward it to the property's business line, or refuse it with a SIP status. */
public sealed interface RouteDecision {

  /**
   * Forward a call to {@code number} (a tracking or static number of {@code property}) to
   * {@code businessLine}, sent to {@code targets} in turn, the next when one fails, where DNS located
   * the line ({@link LineLocator}; empty: to the line's host as written).
   */
  record Forward(PhoneNumber number, PropertyConfig property, String businessLine, java.util.List<LineLocator.Target> targets)
      implements RouteDecision {
    /** Where the call goes first; null: the line's host as written. */
    public LineLocator.Target target() {
      return targets.isEmpty() ? null : targets.get(0);
    }
  }

  /** Refuse with {@code status}; {@code retryAfterSeconds} (or null) tells the peer when to try again. */
  record Reject(int status, String reason, Integer retryAfterSeconds) implements RouteDecision {
    public Reject(int status, String reason) {
      this(status, reason, null);
    }
  }
}
