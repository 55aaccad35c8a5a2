package io.calltrack.sip.proxy;

import io.calltrack.sip.routing.CallPolicy;
import java.time.Duration;

/**
 * How long call work lately waited: the last wait any call's executor saw for a pool thread, forgotten
 * after a second (so a router that turned calls away because it was busy admits them again), or how
 * long the oldest message has waited in the SIP stack's receive queue now, whichever is longer. And
 * how many calls are in progress, as the proxy counts them.
 */
public final class CallWorkDelay implements CallPolicy.Load {
  private static final long FORGET_NANOS = 1_000_000_000L;
  private volatile long delayNanos;
  private volatile long observedAt;
  /**
   * How long the stack's thread may go without finding its socket empty before call work goes to the
   * pool: past it, datagrams have been waiting behind it that long (a young GC pause, a burst). At
   * 1,000 calls/s a message's work takes it 30-50 us, so this is dozens of messages.
   */
  static final long HAND_OFF_AFTER_NANOS = 2_000_000;
  private volatile StackBacklog backlog;
  private volatile java.util.function.IntSupplier calls = () -> 0;

  /** Also counts the wait of messages not yet handled (see {@link StackBacklog}). */
  public void watch(StackBacklog backlog) {
    this.backlog = backlog;
  }

  /** Counts the calls in progress with {@code calls} (the proxy's count). */
  public void countCalls(java.util.function.IntSupplier calls) {
    this.calls = calls;
  }

  @Override
  public int callsInProgress() {
    return calls.getAsInt();
  }

  /**
   * Whether datagrams wait for the stack's thread: its call work then goes to the pool, so the thread
   * goes back to reading and parsing, and calls are handled in parallel.
   */
  boolean stackBehind() {
    StackBacklog b = backlog;
    return b != null && b.getAsLong() > HAND_OFF_AFTER_NANOS;
  }

  void observe(long nanos) {
    delayNanos = nanos;
    observedAt = System.nanoTime();
  }

  @Override
  public Duration callWorkDelay() {
    long work = System.nanoTime() - observedAt > FORGET_NANOS ? 0 : delayNanos;
    StackBacklog b = backlog;
    return Duration.ofNanos(Math.max(work, b == null ? 0 : b.getAsLong()));
  }
}
