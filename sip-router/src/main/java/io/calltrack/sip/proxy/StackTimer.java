package io.calltrack.sip.proxy;

import gov.nist.javax.sip.stack.SIPStackTimerTask;
import gov.nist.javax.sip.stack.timers.DefaultSipTimer;

/**
 * The stack's timer ({@code gov.nist.javax.sip.TIMER_CLASS_NAME}) with the two waits that keep
 * finished transactions on the heap held to {@value #WAIT_MILLIS} ms, as Kamailio's tm holds its
 * wait timer to 5 s:
 * <ul>
 *   <li>Timer J. A non-INVITE server transaction over UDP (every BYE the router relays) stays
 *       completed 64*T1 = 32 s only to answer retransmissions of its request. A BYE retransmitted later
 *       than 5 s still finds the call (kept {@link ProxiedCall#LINGER}) and is relayed again, and the
 *       business line answers it.</li>
 *   <li>The stack's linger. A terminated transaction (every answered INVITE) stays in the stack's
 *       table 8 s to absorb retransmissions of its request; an INVITE is retransmitted only until its
 *       first response, well within 5 s.</li>
 * </ul>
 * At 1,000 calls/s the two kept 32,000 and 8,000 transactions with their messages on the heap.
 */
public class StackTimer extends DefaultSipTimer {
  static final long WAIT_MILLIS = 5_000;
  /** The stack's Timer J task (an anonymous class of the server transaction). */
  static final String TIMER_J = "gov.nist.javax.sip.stack.SIPServerTransactionImpl$1";
  /** The stack's linger task of a terminated transaction. */
  static final String LINGER = "gov.nist.javax.sip.stack.SIPTransactionImpl$LingerTimer";

  @Override
  public boolean schedule(SIPStackTimerTask task, long delay) {
    return super.schedule(task, delayOf(task, delay));
  }

  /** The delay the task gets: Timer J and the linger at most {@value #WAIT_MILLIS} ms, every other as the stack asked. */
  static long delayOf(SIPStackTimerTask task, long delay) {
    String name = task.getClass().getName();
    return name.equals(TIMER_J) || name.equals(LINGER) ? Math.min(delay, WAIT_MILLIS) : delay;
  }
}
