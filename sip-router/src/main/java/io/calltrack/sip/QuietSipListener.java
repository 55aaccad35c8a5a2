package io.calltrack.sip;

import javax.sip.DialogTerminatedEvent;
import javax.sip.IOExceptionEvent;
import javax.sip.SipListener;
import javax.sip.TransactionTerminatedEvent;

/**
 * A SIP listener that ignores the stack's notices no calltrack endpoint acts on: an I/O error
 * towards a peer (the transaction's own timeout follows), and a transaction or dialog that ended
 * (each endpoint keeps its own state and clears it itself).
 */
public interface QuietSipListener extends SipListener {
  @Override
  default void processIOException(IOExceptionEvent evt) {}

  @Override
  default void processTransactionTerminated(TransactionTerminatedEvent evt) {}

  @Override
  default void processDialogTerminated(DialogTerminatedEvent evt) {}
}
