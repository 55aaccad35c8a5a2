package io.calltrack.sip.record;

import io.vertx.core.Context;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Work the calls' threads give the router's Vert.x context (attribution lookups, grouped journal
 * writes), run on its event loop in rounds every {@value #PERIOD_MILLIS} ms while any comes: one wake-up of the
 * event loop per round for all of it. Given one at a time ({@code runOnContext}), each task cost a
 * write to the loop's eventfd and a return from {@code epoll_wait}, tens of microseconds of system
 * time on a virtual machine; at 500 calls/s the event loop woke 2.5 times a call. The rounds' timer
 * stops after {@value #IDLE_ROUNDS} rounds with nothing to run, and the next task starts it again.
 * Tasks run in the order given. One per context ({@link #of}), so everything that uses it shares its
 * rounds. Nothing waits for a round on a call's path: a call's record reaches Redis up to a round
 * later.
 *
 * <p>Why {@value #PERIOD_MILLIS} ms: each round costs the event loop its wake-ups (the timer's, then
 * one per reply Redis sends back) whatever it holds, so the period sets most of the event loop's CPU
 * per call at the rates a router carries. Against 5-ms rounds (router-threads, 5 Dec 2026, 2-vCPU VM,
 * alternated): the event loop's CPU per call 77-82 against 124-131 µs at 1,000 calls/s, 115 against
 * 211-231 µs at 500 with 20-ms rounds. From 20 to 100 ms (with the stack's and the calls' timer wheels
 * ticking less often, same host, alternated): at 200 calls/s the event loop 68-70 against 92-100 µs a
 * call, its wake-ups 0.33-0.36 against 1.25 a call. A call's started event then reaches Redis up to
 * two rounds after its INVITE (the lookup's round, then the write's), 200 ms, which no reader of a
 * call record notices. A round at 1,000 calls/s holds ~100 lookups and one batch of ~300 events:
 * Redis reads a batch in 16-KB pieces and serves its other clients between them.
 */
public final class ContextRounds {
  private static final Logger LOG = LoggerFactory.getLogger(ContextRounds.class);
  static final long PERIOD_MILLIS = 100;
  static final int IDLE_ROUNDS = 5;

  private final Context context;
  private final long periodMillis;
  private final int idleRounds;
  private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean ticking = new AtomicBoolean();
  /** On the context: the rounds' timer, and rounds in a row that found nothing to run. */
  private long timerId = -1;
  private int idle;

  ContextRounds(Context context, long periodMillis, int idleRounds) {
    this.context = context;
    this.periodMillis = periodMillis;
    this.idleRounds = idleRounds;
  }

  /** The rounds of {@code context}, made at the first call. */
  public static ContextRounds of(Context context) {
    synchronized (ContextRounds.class) {
      ContextRounds rounds = context.get(ContextRounds.class.getName());
      if (rounds == null) {
        rounds = new ContextRounds(context, PERIOD_MILLIS, IDLE_ROUNDS);
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
    timerId = context.owner().setPeriodic(periodMillis, periodMillis, id -> round());
  }

  private void round() {
    boolean ran = false;
    for (Runnable t; (t = tasks.poll()) != null; ) {
      ran = true;
      try {
        t.run();
      } catch (RuntimeException e) {
        LOG.error("a task on the router's context failed", e);
      }
    }
    if (ran) {
      idle = 0;
    } else if (++idle >= idleRounds) {
      context.owner().cancelTimer(timerId);
      ticking.set(false);
      // a task given after the last poll and before the line above found the timer running
      if (!tasks.isEmpty() && ticking.compareAndSet(false, true)) {
        startTimer();
      }
    }
  }
}
