package io.calltrack.sip.proxy;

import io.calltrack.sip.routing.CallPolicy;
import java.time.Duration;

/**
 * How long call work lately waited: the last wait any call's executor saw for a pool thread, forgotten
 * after a second (so a router that turned calls away because it was busy admits them again), or how
 * long the oldest message has waited in the SIP stack's receive queue now, whichever is longer.
 */
public final class CallWorkDelay implements CallPolicy.Load {
  private static final long FORGET_NANOS = 1_000_000_000L;
  private volatile long delayNanos;
  private volatile long observedAt;
  private volatile java.util.function.LongSupplier backlogNanos = () -> 0;

  /** Also counts the wait of messages not yet handled (see {@link StackBacklog}). */
  public void watch(java.util.function.LongSupplier backlogNanos) {
    this.backlogNanos = backlogNanos;
  }

  void observe(long nanos) {
    delayNanos = nanos;
    observedAt = System.nanoTime();
  }

  @Override
  public Duration callWorkDelay() {
    long work = System.nanoTime() - observedAt > FORGET_NANOS ? 0 : delayNanos;
    return Duration.ofNanos(Math.max(work, backlogNanos.getAsLong()));
  }
}
