package io.calltrack.sip.proxy;

import gov.nist.javax.sip.SipStackImpl;
import gov.nist.javax.sip.stack.SIPStackTimerTask;
import gov.nist.javax.sip.stack.timers.SipTimer;
import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stack's timer ({@code gov.nist.javax.sip.TIMER_CLASS_NAME}): its transactions' timers on a timer
 * wheel, with the three waits that only keep finished transactions on the heap held to
 * {@value #WAIT_MILLIS} ms.
 *
 * <p>A wheel, not the stack's default {@code java.util.Timer}: a transaction has a timer that
 * fires every 500 ms while it lives, so at 1,000 calls/s that timer's queue (a binary heap) held tens
 * of thousands of tasks, each run and each schedule cost a sift through it, and a cancelled task stayed
 * in it, with its transaction, until it came due. On the wheel scheduling and cancelling cost the same
 * at any size, and a cancelled task leaves at the next tick.
 *
 * <p>The three waits. Each keeps a transaction that is over in the stack's table only to absorb
 * retransmissions, and the router absorbs each of them from the call, which it keeps anyway
 * ({@link ProxiedCall#LINGER} after its end):
 * <ul>
 *   <li>Timer J, 64*T1 = 32 s: a non-INVITE server transaction over UDP (every BYE the router relays)
 *       stays completed to answer retransmissions of its request. A BYE (or INFO) retransmitted after
 *       it is relayed again along the call with the branch it had ({@link Forwarding#relayBranch}), and
 *       the business line's own transaction absorbs it and answers it again; a CANCEL is answered from the
 *       call; an OPTIONS is answered again.</li>
 *   <li>Timer K, T4 = 5 s: a non-INVITE client transaction over UDP (every relayed BYE) stays to
 *       absorb retransmissions of its response. One that comes after it matches no transaction and is
 *       dropped: only a 2xx to the call's INVITE is relayed without one.</li>
 *   <li>The stack's linger, 8 s: a terminated transaction (every answered INVITE's) stays in the table
 *       to absorb retransmissions of its request. An INVITE that comes after it is absorbed by the
 *       proxy, which knows it by its call's Call-ID and branch (RFC 6026's Accepted state).</li>
 * </ul>
 * Why the waits are that short: a finished transaction still in the table at the next young GC is
 * copied by it, and promoted at the one after, with its transaction ids, its messages as bytes and its
 * timers. At 1,000 calls/s, with waits of 5 s, they were ~40 MB live, and two thirds of what each
 * young pause copied (load-tests/README.md, 4 Dec 2026).
 */
public class StackTimer implements SipTimer {
  private static final Logger LOG = LoggerFactory.getLogger(StackTimer.class);
  /**
   * The three waits' cap: long enough for a duplicate the network made on the way, well short of T1
   * (500 ms), the soonest a peer sends a request again, and of the ~0.7 s between young GCs at 1,000
   * calls/s.
   */
  static final long WAIT_MILLIS = 50;
  /**
   * The wheel's tick: a timer fires up to this much late. The stack's shortest timer is T1 (500 ms),
   * which only paces retransmissions over UDP, and the three waits above end 50-100 ms after they
   * begin. The wheel's thread wakes at every tick while any transaction lives: 10-ms ticks cost
   * 0.53 wake-ups and 32-35 µs of CPU a call at 200 calls/s, 50-ms ticks 0.11 and 20 µs (5 Dec 2026).
   */
  static final long TICK_MILLIS = 50;
  /** The stack's Timer J task (an anonymous class of the server transaction). */
  static final String TIMER_J = "gov.nist.javax.sip.stack.SIPServerTransactionImpl$1";
  /** The stack's linger task of a terminated transaction. */
  static final String LINGER = "gov.nist.javax.sip.stack.SIPTransactionImpl$LingerTimer";
  /** The stack's Timer K task (an anonymous class of the client transaction). */
  static final String TIMER_K = "gov.nist.javax.sip.stack.SIPClientTransactionImpl$1";

  private final AtomicBoolean started = new AtomicBoolean();
  private final HashedWheelTimer wheel = new HashedWheelTimer(r -> {
    Thread t = new Thread(r, "calltrack-sip-stack-timer");
    t.setDaemon(true);
    return t;
  }, TICK_MILLIS, TimeUnit.MILLISECONDS, 4096);

  @Override
  public boolean schedule(SIPStackTimerTask task, long delay) {
    return submit(task, delayOf(task, delay), 0);
  }

  @Override
  public boolean scheduleWithFixedDelay(SIPStackTimerTask task, long delay, long period) {
    return submit(task, delay, period);
  }

  @Override
  public boolean cancel(SIPStackTimerTask task) {
    return task.getSipTimerTask() instanceof Scheduled s && s.cancel();
  }

  @Override
  public void start(SipStackImpl stack, Properties configuration) {
    started.set(true);
  }

  @Override
  public void stop() {
    started.set(false);
    wheel.stop(); // the tasks still waiting are dropped, as java.util.Timer's cancel drops them
  }

  @Override
  public boolean isStarted() {
    return started.get();
  }

  /** The delay the task gets: Timers J and K and the linger at most {@value #WAIT_MILLIS} ms, every other as the stack asked. */
  static long delayOf(SIPStackTimerTask task, long delay) {
    String name = task.getClass().getName();
    return name.equals(TIMER_J) || name.equals(TIMER_K) || name.equals(LINGER) ? Math.min(delay, WAIT_MILLIS) : delay;
  }

  private boolean submit(SIPStackTimerTask task, long delay, long period) {
    if (!started.get()) { // as the stack's own timer: its callers expect this once it is stopped
      throw new IllegalStateException("the SIP stack's timer is stopped: no new tasks can be scheduled");
    }
    Scheduled scheduled = new Scheduled(task, period);
    scheduled.next(delay);
    return true;
  }

  /** One task of the stack on the wheel; a periodic one schedules its next run after each run (fixed delay). */
  private final class Scheduled implements io.netty.util.TimerTask {
    /** Null once cancelled: a run already due then does nothing. */
    private volatile SIPStackTimerTask task;
    private final long period;
    private volatile Timeout timeout;

    Scheduled(SIPStackTimerTask task, long period) {
      this.task = task;
      this.period = period;
      task.setSipTimerTask(this);
    }

    void next(long delay) {
      timeout = wheel.newTimeout(this, Math.max(0, delay), TimeUnit.MILLISECONDS);
    }

    @Override
    public void run(Timeout fired) {
      SIPStackTimerTask current = task;
      if (current == null) {
        return;
      }
      try {
        current.runTask();
      } catch (Throwable e) { // one task's failure must not stop the others
        LOG.warn("SIP stack timer task {} failed", current.getClass().getName(), e);
      }
      if (period > 0 && task != null && started.get()) {
        try {
          next(period);
        } catch (IllegalStateException stopped) {
          // the wheel stopped while this ran: nothing more to schedule
        }
      }
    }

    boolean cancel() {
      SIPStackTimerTask current = task;
      if (current == null) {
        return false;
      }
      current.cleanUpBeforeCancel();
      task = null;
      Timeout t = timeout;
      return t == null || t.cancel();
    }
  }
}
