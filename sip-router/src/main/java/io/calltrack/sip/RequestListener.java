package io.calltrack.sip;

import javax.sip.ResponseEvent;
import javax.sip.TimeoutEvent;

/** A SIP listener that handles requests only (an answering endpoint, a test's peer): every other event is ignored. */
@FunctionalInterface
public interface RequestListener extends QuietSipListener {
  @Override
  default void processResponse(ResponseEvent evt) {}

  @Override
  default void processTimeout(TimeoutEvent evt) {}
}
