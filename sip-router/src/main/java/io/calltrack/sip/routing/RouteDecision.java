package io.calltrack.sip.routing;

import io.calltrack.core.config.PropertyConfig;
import io.calltrack.core.phone.PhoneNumber;

/** What to do with a new call: forward it to the property's business line, or refuse it with a SIP status. */
public sealed interface RouteDecision {

  /**
   * Forward a call to {@code number} (a tracking or static number of {@code property}) to its
   * {@code lines} in turn (the business line, then its overflow lines; a line an API key set without a
   * public address now is left out), each to its DNS targets in turn ({@link Line}); {@code afterHours}:
   * the property is closed, and {@code lines} is its after-hours line alone.
   */
  record Forward(PhoneNumber number, PropertyConfig property, java.util.List<Line> lines, boolean afterHours)
      implements RouteDecision {
    /** The line the call goes to first (the business line, unless it was left out). */
    public String businessLine() {
      return lines.get(0).uri();
    }

    /** Where the first line's calls go, in turn; empty: to its host as written. */
    public java.util.List<LineLocator.Target> targets() {
      return lines.get(0).targets();
    }

    /** Where the call goes first; null: the first line's host as written. */
    public LineLocator.Target target() {
      return targets().isEmpty() ? null : targets().get(0);
    }
  }

  /**
   * One of the lines a call goes to: {@code index} 0 the business line (or, after hours, the after-hours
   * line), 1.. its overflow lines; sent to
   * {@code targets} in turn, the next when one fails, where DNS located it ({@link LineLocator}; empty:
   * to its host as written).
   */
  record Line(int index, String uri, java.util.List<LineLocator.Target> targets) {}

  /** Refuse with {@code status}; {@code retryAfterSeconds} (or null) tells the peer when to try again. */
  record Reject(int status, String reason, Integer retryAfterSeconds) implements RouteDecision {
    public Reject(int status, String reason) {
      this(status, reason, null);
    }
  }
}
