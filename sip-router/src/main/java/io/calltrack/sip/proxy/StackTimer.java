package io.calltrack.sip.proxy;

import gov.nist.javax.sip.stack.SIPStackTimerTask;
import gov.nist.javax.sip.stack.timers.DefaultSipTimer;

/**
 * The stack's timer ({@code gov.nist.javax.sip.TIMER_CLASS_NAME}) with Timer J capped. A non-INVITE
 * server transaction over UDP (every BYE the router relays) stays completed for Timer J, 64*T1 =
 * 32 s, only to answer retransmissions of its request; at 1,000 calls/s that kept 32,000 transactions
 * with their messages on the heap. Like Kamailio's tm wait timer (5 s), the router keeps them
 * {@value #TIMER_J_MILLIS} ms: a BYE retransmitted later than that still finds the call (kept
 * {@link ProxiedCall#LINGER}) and is relayed again, and the business line answers it.
 */
public class StackTimer extends DefaultSipTimer {
  static final long TIMER_J_MILLIS = 5_000;
  /** The stack's Timer J task (an anonymous class of the server transaction). */
  private static final String TIMER_J = "gov.nist.javax.sip.stack.SIPServerTransactionImpl$1";

  @Override
  public boolean schedule(SIPStackTimerTask task, long delay) {
    return super.schedule(task, delayOf(task, delay));
  }

  /** The delay the task gets: Timer J at most {@value #TIMER_J_MILLIS} ms, every other as the stack asked. */
  static long delayOf(SIPStackTimerTask task, long delay) {
    return task.getClass().getName().equals(TIMER_J) ? Math.min(delay, TIMER_J_MILLIS) : delay;
  }
}
