package io.calltrack.sip.proxy;

import gov.nist.javax.sip.stack.MessageChannel;
import gov.nist.javax.sip.stack.SIPClientTransactionImpl;
import gov.nist.javax.sip.stack.SIPStackTimerTask;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import javax.sip.TransactionState;

/**
 * The stack's client transaction, holding less for less long once it is over.
 *
 * <p>An ended INVITE transaction leaves {@value StackTimer#WAIT_MILLIS} ms after it ends, not at its
 * timer's next tick. The stack finds a terminated client transaction only when its periodic timer
 * ticks (every T1, 500 ms), so an answered call's INVITE transaction stayed in the table with the
 * INVITE as sent, the line's 2xx (both parsed) and the call, up to half a second after the answer: at
 * 1,000 calls/s ~500 of them, ~8 KB each, live at every young GC. A 2xx the line sends again after it
 * has left is relayed from the call, as every 2xx retransmission after the first half second already
 * was ({@link Proxy}).
 *
 * <p>A relayed BYE's transaction ends without a wasted parse. It keeps its request as bytes once it
 * completes (JAIN-SIP's release of references), and when Timer K ({@link StackTimer}) removes it, the
 * stock clean-up parses those bytes back into a message, uses it for nothing (the stack removes a
 * client transaction by its branch) and drops it. At 1,000 calls/s that parse was 2.4 % of the
 * router's CPU samples. Here the clean-up runs without the bytes, which stay afterwards: the request
 * can still be had from the transaction. The server side does the same ({@link ReleasingServerTransaction}).
 */
final class ReleasingClientTransaction extends SIPClientTransactionImpl {
  /** The transaction's periodic timer, which the stack keeps private: cancelled when the transaction leaves early. */
  private static final VarHandle TRANSACTION_TIMER;

  static {
    try {
      TRANSACTION_TIMER = MethodHandles.privateLookupIn(SIPClientTransactionImpl.class, MethodHandles.lookup())
          .findVarHandle(SIPClientTransactionImpl.class, "transactionTimer", SIPStackTimerTask.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** Set by the clean-up, which the periodic timer or {@link LeaveEarly} runs, whichever comes first. */
  private volatile boolean cleanedUp;

  ReleasingClientTransaction(SIPTransactionStack stack, MessageChannel channel) {
    super(stack, channel);
  }

  @Override
  public void setState(int newState) {
    boolean inviteEnds = newState == TransactionState._TERMINATED && isInviteTransaction()
        && getInternalState() != TransactionState._TERMINATED;
    super.setState(newState);
    if (inviteEnds && sipStack.getTimer() != null && sipStack.getTimer().isStarted()) {
      sipStack.getTimer().schedule(new LeaveEarly(), StackTimer.WAIT_MILLIS);
    }
  }

  @Override
  protected void cleanUpOnTerminated() {
    cleanedUp = true;
    byte[] request = originalRequestBytes;
    if (originalRequest != null || request == null) {
      super.cleanUpOnTerminated();
      return;
    }
    originalRequestBytes = null; // the stock clean-up parses the request back only when it has the bytes
    try {
      super.cleanUpOnTerminated();
    } finally {
      originalRequestBytes = request;
    }
  }

  /** Whether the clean-up of this transaction would parse its request again (tests). */
  boolean requestKeptAsBytesOnly() {
    return originalRequest == null && originalRequestBytes != null;
  }

  /**
   * What the periodic timer does at its first tick after the end (cancel itself, clean up), done
   * {@value StackTimer#WAIT_MILLIS} ms after it, unless the timer did it first.
   */
  private final class LeaveEarly extends SIPStackTimerTask {
    @Override
    public void runTask() {
      SIPStackTimerTask periodic = (SIPStackTimerTask) TRANSACTION_TIMER.getVolatile(ReleasingClientTransaction.this);
      if (cleanedUp || periodic == null || !isTerminated()) {
        return;
      }
      sipStack.getTimer().cancel(periodic);
      cleanUpOnTerminated();
    }

    @Override
    public Object getThreadHash() {
      return null;
    }
  }
}
