package io.calltrack.sip.proxy;

import io.calltrack.sip.routing.CallPolicy;
import java.time.Duration;

/**
 * How long call work lately waited for a thread: the last wait any call's executor saw, forgotten
 * after a second (so a router that turned calls away because it was busy admits them again).
 */
public final class CallWorkDelay implements CallPolicy.Load {
  private static final long FORGET_NANOS = 1_000_000_000L;
  private volatile long delayNanos;
  private volatile long observedAt;

  void observe(long nanos) {
    delayNanos = nanos;
    observedAt = System.nanoTime();
  }

  @Override
  public Duration callWorkDelay() {
    return System.nanoTime() - observedAt > FORGET_NANOS ? Duration.ZERO : Duration.ofNanos(delayNanos);
  }
}
