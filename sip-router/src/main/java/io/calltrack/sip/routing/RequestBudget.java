package io.calltrack.sip.routing;

/**
 * How many requests one side of a call may still send inside it: a token bucket of {@code burst}
 * requests refilled at {@code perSecond}. One per side of a call, used on the call's executor only.
 */
public final class RequestBudget {
  private final double perSecond;
  private final double burst;
  private double tokens;
  private long at;

  RequestBudget(double perSecond, double burst, long nowNanos) {
    this.perSecond = perSecond;
    this.burst = burst;
    this.tokens = burst;
    this.at = nowNanos;
  }

  /** Takes one request from the budget at {@code nowNanos}; false when none is left. */
  boolean tryTake(long nowNanos) {
    tokens = Math.min(burst, tokens + (nowNanos - at) / 1e9 * perSecond);
    at = nowNanos;
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }
}
