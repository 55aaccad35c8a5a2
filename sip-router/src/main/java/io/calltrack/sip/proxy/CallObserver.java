package io.calltrack.sip.proxy;

import io.calltrack.core.calls.CallStatus;
import io.calltrack.core.config.PropertyConfig;
import io.calltrack.core.phone.PhoneNumber;
import java.time.Instant;

/** What the proxy tells the rest of the router about a call; called from the call's serial executor. */
public interface CallObserver {
  void ringing(Instant at);

  void answered(Instant at, int code);

  /**
   * The call went on to the property's overflow line {@code line} (1: the first), the line before
   * busy, unavailable or unanswered; told before the call's next ringing, answer or end.
   */
  default void overflowed(int line) {}

  /**
   * One party transferred the call: its REFER was relayed and the other party accepted it (a 2xx);
   * told before the call's next event.
   */
  default void transferred() {}

  /** Called once per call: when an unanswered call fails or is given up, or an answered call's BYE arrives. */
  void ended(Instant at, CallStatus status, Integer code);

  /** After {@link #ended}: what became of the call's media (relayed or not, where its recording is). */
  default void media(io.calltrack.sip.media.MediaAnchor.Outcome outcome) {}

  /**
   * The media of an attempt whose record another INVITE took over (a retry after the line's challenge):
   * not the record's, so not reported; what rtpengine wrote of it goes.
   */
  default void mediaDropped(io.calltrack.sip.media.MediaAnchor.Outcome outcome) {}

  /**
   * What an ended call observes: nothing more. The call lingers after its end (retransmissions, a stray
   * BYE) without its recorder: the record, the attribution and its candidates go once written.
   */
  CallObserver ENDED = new CallObserver() {
    @Override
    public void ringing(Instant at) {}

    @Override
    public void answered(Instant at, int code) {}

    @Override
    public void ended(Instant at, CallStatus status, Integer code) {}
  };

  /** Makes the observer of a call that is being forwarded. */
  interface Factory {
    CallObserver started(NewCall call);
  }

  /**
   * A call accepted for forwarding. {@code caller} is E.164 where the caller's id is a number;
   * {@code afterHours}: the property was closed, the call goes to its after-hours line;
   * {@code callerVerification}: what the trunk's STIR/SHAKEN verification said of the caller's number
   * ({@link SipHeaders#callerVerification}), null when it said nothing; {@code callerSweep}: the
   * different tracking numbers the caller dialled lately ({@link io.calltrack.sip.routing.CallerSweeps}).
   */
  record NewCall(String sipCallId, PhoneNumber number, PropertyConfig property, String caller, Instant at,
      boolean afterHours, String callerVerification, int callerSweep) {}
}
