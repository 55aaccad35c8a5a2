package io.calltrack.sip.routing;

import io.calltrack.core.config.PropertyConfig;
import io.calltrack.core.phone.PhoneNumber;

/** What to do with a new call: forward it to the property's business line, or refuse it with a SIP status. */
public sealed interface RouteDecision {

  /**
   * Forward a call to {@code number} (a tracking or static number of {@code property}) to
   * {@code businessLine}, sent to {@code target} when DNS located the line ({@link LineLocator}; null:
   * to the line's host as written).
   */
  record Forward(PhoneNumber number, PropertyConfig property, String businessLine, LineLocator.Target target)
      implements RouteDecision {}

  /** Refuse with {@code status}; {@code retryAfterSeconds} (or null) tells the peer when to try again. */
  record Reject(int status, String reason, Integer retryAfterSeconds) implements RouteDecision {
    public Reject(int status, String reason) {
      this(status, reason, null);
    }
  }
}
