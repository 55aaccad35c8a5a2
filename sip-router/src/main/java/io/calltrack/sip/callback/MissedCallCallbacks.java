package io.calltrack.sip.callback;

import io.calltrack.core.CalltrackException;
import io.calltrack.core.callback.Callback;
import io.calltrack.core.callback.DialablePhone;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.config.PropertyConfig;
import io.vertx.core.Future;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls back the callers whose call the business missed, for properties that ask
 * ({@code callbacks.missedCalls}): an inbound call that ended unanswered (no answer, busy, the caller
 * gave up while it rang, or the line failed) becomes a callback request for its caller, placed by the
 * callback dialer as a lead's request is (business line first, in the callback hours, with its
 * attempts) and attributed to the missed call's visit. The request's id is the missed call's, so a
 * call offered twice (its end replayed) asks once; a caller with a callback still pending gets no
 * second one, and the property's hourly limit of callback requests holds for these too. A caller who
 * calls again and is answered before the callback is placed needs it no more: it is cancelled (one a
 * router is placing already goes ahead).
 *
 * <p>Not offered: a caller without a number one may dial (withheld, a short or premium-rate number, a
 * SIP name), and a call the business answered.
 */
public final class MissedCallCallbacks {
  private static final Logger LOG = LoggerFactory.getLogger(MissedCallCallbacks.class);

  /** Why a callback is cancelled when its caller got through. */
  public static final String CALLER_ANSWERED = "not placed: the caller called again and was answered";

  private final MissedCallStore store;
  private final Clock clock;
  private final io.micrometer.core.instrument.MeterRegistry registry;

  /** @param registry where {@code calltrack_sip_missed_call_callbacks_total{result}} counts what became of each */
  public MissedCallCallbacks(MissedCallStore store, Clock clock, io.micrometer.core.instrument.MeterRegistry registry) {
    this.store = store;
    this.clock = clock;
    this.registry = registry;
  }

  private void count(String result, double times) {
    registry.counter("calltrack.sip.missed.call.callbacks", "result", result).increment(times);
  }

  /**
   * The callback that returns {@code ended}, a final record of {@code property}'s, if the property
   * calls back missed calls and this one is to be; null otherwise.
   */
  public Callback callbackFor(CallRecord ended, PropertyConfig property) {
    if (!wanted(property) || !missed(ended)) {
      return null;
    }
    String caller = dialable(ended.caller(), property);
    if (caller == null) {
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
      store.ask(callback, property)
          // another id: the caller's earlier callback is still pending, and stands for this call too
          .onSuccess(stored -> count(stored.id().equals(callback.id()) ? "asked" : "pending", 1))
          .onFailure(err -> {
            count(err instanceof CalltrackException.TooMany ? "refused" : "failed", 1);
            LOG.warn("missed call {} of property {}: no callback ({})", ended.callId(), property.id(), err.getMessage());
          });
    }
  }

  /** {@code caller} got through to {@code property} (its call was answered): its missed calls' callbacks go. */
  public void answered(String caller, PropertyConfig property) {
    String phone = wanted(property) ? dialable(caller, property) : null;
    if (phone != null) {
      store.cancel(property, phone, CALLER_ANSWERED)
          .onSuccess(n -> count("cancelled", n))
          .onFailure(err -> LOG.warn(
          "property {}: cannot cancel the callbacks of a caller who got through ({})", property.id(), err.getMessage()));
    }
  }

  /** The caller's number in E.164 if a callback may dial it, else null. */
  private static String dialable(String caller, PropertyConfig property) {
    try {
      return DialablePhone.require(caller, property.defaultNumber().region());
    } catch (CalltrackException.Invalid notDialable) {
      return null;
    }
  }

  private static boolean missed(CallRecord call) {
    return CallRecord.INBOUND.equals(call.direction()) && call.endedAt() != null && call.status().unanswered();
  }
}
