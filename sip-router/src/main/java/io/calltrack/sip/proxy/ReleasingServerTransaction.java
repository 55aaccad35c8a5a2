package io.calltrack.sip.proxy;

import gov.nist.core.HostPort;
import gov.nist.javax.sip.header.Via;
import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.stack.MessageChannel;
import gov.nist.javax.sip.stack.SIPServerTransactionImpl;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import javax.sip.TransactionState;
import javax.sip.message.Request;

/**
 * The stack's server transaction, holding less of its request once it is over.
 * <ul>
 *   <li><b>An ended INVITE transaction keeps its request as bytes only.</b> Once terminated (its 2xx
 *       sent, or its failure acknowledged), JAIN-SIP keeps the transaction (8 s; 50 ms here,
 *       {@link StackTimer}) to absorb retransmitted INVITEs, and keeps the INVITE parsed for all that
 *       time, though it matches them by branch and sent-by alone (RFC 3261 17.2.3). At 1,000 calls/s,
 *       kept 5 s, that was ~5,500 parsed INVITEs, each copied by the young GC before being promoted:
 *       post-dial delay. Here it keeps the sent-by and drops the parsed INVITE (its bytes and merge id
 *       stay). A CANCEL that arrives for it then matches no transaction and reaches the proxy, which
 *       answers it from the call (200 while the call is known, 481 after). A request without the RFC
 *       3261 magic cookie (an RFC 2543 peer, matched on the whole request) keeps it parsed, as the
 *       stock stack does.</li>
 *   <li><b>No wasted parse at its end.</b> When the stack removes a transaction that keeps its request
 *       as bytes only, the stock clean-up parses those bytes back into a message, uses it for nothing
 *       an ended transaction needs (a merge id it already has; references it then drops) and throws it
 *       away. At 1,000 calls/s that parse (every relayed BYE's) was most of the stack timer thread's
 *       work. Here the clean-up runs without the bytes, which stay afterwards: the request can still
 *       be had from the transaction.</li>
 * </ul>
 */
final class ReleasingServerTransaction extends SIPServerTransactionImpl {
  /** The ended INVITE's top Via sent-by, what its retransmissions are matched on besides the branch. */
  private volatile HostPort releasedSentBy;

  ReleasingServerTransaction(SIPTransactionStack stack, MessageChannel channel) {
    super(stack, channel);
  }

  @Override
  public void setState(int newState) {
    super.setState(newState);
    if (newState == TransactionState._TERMINATED && isInviteTransaction()) {
      releaseInvite();
    }
  }

  /** Drops the ended INVITE's parsed request, keeping what the stack still matches and removes it by. */
  private void releaseInvite() {
    SIPRequest invite = originalRequest;
    if (invite == null || originalRequestBytes == null || mergeId == null) {
      return; // the stock clean-up on the state change has not kept its bytes and merge id
    }
    Via top = invite.getTopmostVia();
    String branch = top == null ? null : top.getBranch();
    if (!ProxyStack.isRfc3261Branch(branch)) {
      return;
    }
    releasedSentBy = top.getSentBy();
    originalRequest = null;
  }

  /** RFC 3261 17.2.3 for an ended INVITE whose request was dropped: its branch, sent-by and method. */
  @Override
  public boolean isMessagePartOfTransaction(SIPMessage message) {
    HostPort sentBy = releasedSentBy;
    Via top = message.getTopmostVia();
    String branch = top == null ? null : top.getBranch();
    if (sentBy == null || originalRequest != null || !ProxyStack.isRfc3261Branch(branch)) {
      return super.isMessagePartOfTransaction(message);
    }
    return !Request.CANCEL.equals(message.getCSeq().getMethod()) // a CANCEL has its own transaction
        && branch.equalsIgnoreCase(getBranch()) && sentBy.equals(top.getSentBy());
  }

  @Override
  public void cleanUp() {
    if (originalRequest != null || originalRequestBytes == null) {
      super.cleanUp();
      return;
    }
    byte[] request = originalRequestBytes;
    originalRequestBytes = null; // the stock clean-up parses the request back only when it has the bytes
    try {
      super.cleanUp();
    } finally {
      originalRequestBytes = request;
    }
  }

  /** Whether the clean-up of this transaction would parse its request again (tests). */
  boolean requestKeptAsBytesOnly() {
    return originalRequest == null && originalRequestBytes != null;
  }
}
