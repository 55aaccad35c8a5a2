package io.calltrack.sip;

import javax.sip.DialogTerminatedEvent;
import javax.sip.IOExceptionEvent;
import javax.sip.ResponseEvent;
import javax.sip.SipListener;
import javax.sip.TimeoutEvent;
import javax.sip.TransactionTerminatedEvent;

/** A SIP listener that handles requests only (an answering endpoint, a test's peer): every other event is ignored. */
@FunctionalInterface
public interface RequestListener extends SipListener {
  @Override
  default void processResponse(ResponseEvent evt) {}

  @Override
  default void processTimeout(TimeoutEvent evt) {}

  @Override
  default void processIOException(IOExceptionEvent evt) {}

  @Override
  default void processTransactionTerminated(TransactionTerminatedEvent evt) {}

  @Override
  default void processDialogTerminated(DialogTerminatedEvent evt) {}
}
