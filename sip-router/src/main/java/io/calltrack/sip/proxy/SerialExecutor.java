package io.calltrack.sip.proxy;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks one at a time, in the order given, on a shared pool: one per call, so a call's messages
 * leave the proxy in the order they were handled (a 180 never overtakes its 200) while different
 * calls run in parallel. Reports how long its work waited for a pool thread (the router's load), and
 * drops work quietly once the pool is shut down (the router is stopping).
 */
public final class SerialExecutor implements Executor {
  private static final Logger LOG = LoggerFactory.getLogger(SerialExecutor.class);

  private final Executor pool;
  private final LongConsumer queueDelayNanos;
  private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean running = new AtomicBoolean();
  private volatile long scheduledAt;

  public SerialExecutor(Executor pool, LongConsumer queueDelayNanos) {
    this.pool = pool;
    this.queueDelayNanos = queueDelayNanos;
  }

  public SerialExecutor(Executor pool) {
    this(pool, d -> { });
  }

  @Override
  public void execute(Runnable task) {
    tasks.add(task);
    schedule();
  }

  /**
   * Runs {@code task} on the calling thread when no work of this executor is running or queued, and
   * then whatever was queued meanwhile; otherwise queues it like {@link #execute}. For the SIP stack's
   * own threads, which are never an event loop: handing each message to a pool thread cost a thread
   * wake-up per message, the largest share of the router's CPU per call on a virtual machine.
   * Still one task at a time, in the order given.
   */
  public void executeHere(Runnable task) {
    tasks.add(task);
    if (running.compareAndSet(false, true)) {
      runQueued();
    }
  }

  private void schedule() {
    if (!tasks.isEmpty() && running.compareAndSet(false, true)) {
      scheduledAt = System.nanoTime();
      try {
        pool.execute(this::drain);
      } catch (RejectedExecutionException stopping) {
        tasks.clear();
        running.set(false);
        LOG.debug("call work dropped: the router is stopping");
      }
    }
  }

  private void drain() {
    queueDelayNanos.accept(System.nanoTime() - scheduledAt);
    runQueued();
  }

  private void runQueued() {
    try {
      Runnable task;
      while ((task = tasks.poll()) != null) {
        try {
          task.run();
        } catch (RuntimeException e) {
          LOG.error("call task failed", e);
        }
      }
    } finally {
      running.set(false);
      schedule();
    }
  }
}
