package io.calltrack.sip.record;

import io.vertx.core.Context;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Work the calls' threads give the router's Vert.x context (attribution lookups, grouped journal
 * writes), run on its event loop in rounds every 20-100 ms while any comes: one wake-up of the
 * event loop per round for all of it. Given one at a time ({@code runOnContext}), each task cost a
 * write to the loop's eventfd and a return from {@code epoll_wait}, tens of microseconds of system
 * time on a virtual machine; at 500 calls/s the event loop woke 2.5 times a call. The rounds' timer
 * stops after {@value #IDLE_ROUNDS} rounds with nothing to run, and the next task starts it again.
 * Tasks run in the order given. One per context ({@link #of}), so everything that uses it shares its
 * rounds. Nothing waits for a round on a call's path: a call's record reaches Redis up to a round
 * later.
 *
 * <p>How often: a round costs the event loop its wake-ups (the timer's, then one per reply Redis sends
 * back) whatever it holds, so the fewer rounds the less CPU per call; but what a round holds lives
 * until it runs, and past a few tens of milliseconds at high rates it outlives young GCs and is
 * copied and promoted. So a round comes {@value #TASKS_PER_ROUND} tasks (about as many calls) after
 * the last, at the rate the last round's came, and never sooner than {@value #MIN_PERIOD_MILLIS} ms
 * nor later than {@value #MAX_PERIOD_MILLIS} ms after it: every 100 ms up to 400 calls/s, 40 ms at
 * 1,000, 20 ms from 2,000. Measured (router-threads, 5 Dec 2026, 2-vCPU Intel VM, alternated):
 * <ul>
 *   <li>against 5-ms rounds, 20-ms ones cost the event loop 77-82 against 124-131 µs a call at 1,000
 *       calls/s, 115 against 211-231 µs at 500;</li>
 *   <li>at 200 calls/s, 100-ms rounds (with the timer wheels ticking less often) 68-70 against 92-100
 *       µs a call and 0.33 against 1.25 wake-ups a call, against 20-ms ones;</li>
 *   <li>at 1,800 calls/s, 100-ms rounds saved the event loop 3-5 µs a call and cost its GC threads
 *       up to 16: what a round held outlived young GCs.</li>
 * </ul>
 * A call's started event reaches Redis up to two rounds after its INVITE (the lookup's round, then
 * the write's), at most 200 ms, which no reader of a call record notices.
 */
public final class ContextRounds {
  private static final Logger LOG = LoggerFactory.getLogger(ContextRounds.class);
  static final long MIN_PERIOD_MILLIS = 20;
  static final long MAX_PERIOD_MILLIS = 100;
  static final int TASKS_PER_ROUND = 40;
  static final int IDLE_ROUNDS = 5;

  private final Context context;
  private final long minPeriod;
  private final long maxPeriod;
  private final int idleRounds;
  /** On the context: the wait before the next round. */
  private long period;
  private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean ticking = new AtomicBoolean();
  /** On the context: rounds in a row that found nothing to run. */
  private int idle;

  ContextRounds(Context context, long minPeriodMillis, long maxPeriodMillis, int idleRounds) {
    this.context = context;
    this.minPeriod = minPeriodMillis;
    this.maxPeriod = maxPeriodMillis;
    this.idleRounds = idleRounds;
  }

  /**
   * The wait before the next round: long enough for {@value #TASKS_PER_ROUND} tasks at the rate the
   * last round's came ({@code ran} in {@code period} ms), within {@code min} and {@code max}.
   */
  static long nextPeriod(long period, int ran, long min, long max) {
    long next = ran <= 0 ? max : period * TASKS_PER_ROUND / ran;
    return Math.max(min, Math.min(max, next));
  }

  /** The rounds of {@code context}, made at the first call. */
  public static ContextRounds of(Context context) {
    synchronized (ContextRounds.class) {
      ContextRounds rounds = context.get(ContextRounds.class.getName());
      if (rounds == null) {
        rounds = new ContextRounds(context, MIN_PERIOD_MILLIS, MAX_PERIOD_MILLIS, IDLE_ROUNDS);
        context.put(ContextRounds.class.getName(), rounds);
      }
      return rounds;
    }
  }

  /** Runs {@code task} on the context's event loop in the next round. */
  public void submit(Runnable task) {
    tasks.add(task);
    if (!ticking.get() && ticking.compareAndSet(false, true)) {
      context.runOnContext(v -> startTimer());
    }
  }

  /** Whether the rounds' timer runs (tests). */
  boolean ticking() {
    return ticking.get();
  }

  private void startTimer() {
    idle = 0;
    period = maxPeriod; // the first tasks after a quiet spell come at no known rate
    context.owner().setTimer(period, id -> round());
  }

  private void round() {
    int ran = 0;
    for (Runnable t; (t = tasks.poll()) != null; ) {
      ran++;
      try {
        t.run();
      } catch (RuntimeException e) {
        LOG.error("a task on the router's context failed", e);
      }
    }
    if (ran > 0) {
      idle = 0;
      period = nextPeriod(period, ran, minPeriod, maxPeriod);
    } else if (++idle >= idleRounds) {
      ticking.set(false);
      // a task given after the last poll and before the line above found the timer running
      if (!tasks.isEmpty() && ticking.compareAndSet(false, true)) {
        startTimer();
      }
      return;
    }
    context.owner().setTimer(period, id -> round());
  }
}
