package io.calltrack.sip.routing;

/**
 * How many requests a sender may still send: a token bucket of {@code burst} requests refilled at
 * {@code perSecond}. One per side of a call, used on the call's executor only; {@link TokenBucket}
 * keeps one per source address, and locks it.
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

  /** When a request was last asked for (taken or not). */
  long lastAsked() {
    return at;
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
