package io.calltrack.sip.callback;

import io.calltrack.core.CalltrackException;
import io.calltrack.core.callback.Callback;
import io.calltrack.core.callback.DialablePhone;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.CallStatus;
import io.calltrack.core.config.PropertyConfig;
import io.vertx.core.Future;
import java.time.Clock;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls back the callers whose call the business missed, for properties that ask
 * ({@code callbacks.missedCalls}): an inbound call that ended unanswered (no answer, busy, the caller
 * gave up while it rang, or the line failed) becomes a callback request for its caller, placed by the
 * callback dialer as a lead's request is (business line first, in the callback hours, with its
 * attempts) and attributed to the missed call's visit. The request's id is the missed call's, so a
 * call offered twice (its end replayed) asks once; a caller with a callback still pending gets no
 * second one, and the property's hourly limit of callback requests holds for these too.
 *
 * <p>Not offered: a caller without a number one may dial (withheld, a short or premium-rate number, a
 * SIP name), and a call the business answered.
 */
public final class MissedCallCallbacks {
  private static final Logger LOG = LoggerFactory.getLogger(MissedCallCallbacks.class);

  private final BiFunction<Callback, PropertyConfig, Future<Callback>> ask;
  private final Clock clock;

  /** @param ask stores a callback request of a property (refusing it past the property's limits) */
  public MissedCallCallbacks(BiFunction<Callback, PropertyConfig, Future<Callback>> ask, Clock clock) {
    this.ask = ask;
    this.clock = clock;
  }

  /**
   * The callback that returns {@code ended}, a final record of {@code property}'s, if the property
   * calls back missed calls and this one is to be; null otherwise.
   */
  public Callback callbackFor(CallRecord ended, PropertyConfig property) {
    if (property == null || !property.callbacks().missedCalls() || !missed(ended)) {
      return null;
    }
    String caller;
    try {
      caller = DialablePhone.require(ended.caller(), property.defaultNumber().region());
    } catch (CalltrackException.Invalid notDialable) {
      return null;
    }
    return Callback.forMissedCall(property.id(), caller, ended.sessionId(), ended.callId(), clock.instant());
  }

  /** Whether {@code property} calls back its missed calls (the router then offers it each ended call). */
  public static boolean wanted(PropertyConfig property) {
    return property != null && property.callbacks().missedCalls();
  }

  /** Asks for the callback that returns {@code ended}, if there is to be one; never fails. */
  public void offer(CallRecord ended, PropertyConfig property) {
    Callback callback = callbackFor(ended, property);
    if (callback != null) {
      ask.apply(callback, property).onFailure(err -> LOG.warn("missed call {} of property {}: no callback ({})",
          ended.callId(), property.id(), err.getMessage()));
    }
  }

  private static boolean missed(CallRecord call) {
    return CallRecord.INBOUND.equals(call.direction()) && call.endedAt() != null
        && call.status() != CallStatus.ANSWERED && call.status() != CallStatus.RINGING;
  }
}
