package io.calltrack.sip.proxy;

import gov.nist.javax.sip.stack.MessageChannel;
import gov.nist.javax.sip.stack.SIPServerTransactionImpl;
import gov.nist.javax.sip.stack.SIPTransactionStack;

/**
 * The stack's server transaction, without one wasted parse at its end. A completed non-INVITE
 * transaction (every BYE the router relays) keeps its request only as bytes (JAIN-SIP's "Normal"
 * release strategy); when the stack then removes it, the stock clean-up parses those bytes back into
 * a message, uses it for nothing an ended non-INVITE transaction needs (a merge id, which only
 * INVITEs have; references it then drops) and throws it away. At 1,000 calls/s that parse was most
 * of the stack timer thread's work. Here the clean-up runs without the bytes, which stay afterwards:
 * the request can still be had from the transaction.
 */
final class ReleasingServerTransaction extends SIPServerTransactionImpl {
  ReleasingServerTransaction(SIPTransactionStack stack, MessageChannel channel) {
    super(stack, channel);
  }

  @Override
  public void cleanUp() {
    if (originalRequest != null || originalRequestBytes == null || isInviteTransaction()) {
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
