package io.calltrack.core.callback;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.time.Instant;

/**
 * One callback request and how far it got: the lead's number ({@code phone}, E.164), the visit that
 * asked ({@code sessionId}, may be null), the state, the attempts made, the call it became
 * ({@code callId}, in {@code /v1/calls}: one record for all its attempts, set at the first) and, when it
 * failed, why ({@code detail}); {@code firstAttemptAt}, when its first attempt began (the record's start);
 * {@code returnsCall}, for a callback to a caller whose call the business missed, that call's id (null
 * for a lead's request).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Callback(
    String id,
    String property,
    String phone,
    String sessionId,
    String note,
    CallbackState state,
    int attempts,
    Instant requestedAt,
    Instant notBefore,
    Instant businessAnsweredAt,
    Instant connectedAt,
    Instant endedAt,
    String callId,
    String detail,
    Instant firstAttemptAt,
    String returnsCall) {

  /**
   * Call-event seqs each attempt of a callback has for its record: attempt {@code n}'s events are
   * numbered from {@code (n - 1) * SEQS_PER_ATTEMPT}. A later attempt's events are above every event of
   * the attempts before it, whichever router placed them, so the record shows the last attempt and a
   * router replaying an earlier attempt's events (its spool, its open-calls log at a restart) changes
   * nothing. An attempt gives a handful of events; callbacks have at most 10 attempts.
   */
  public static final int SEQS_PER_ATTEMPT = 1_000;

  public static Callback requested(String id, String property, String phone, String sessionId, String note,
      Instant at) {
    return new Callback(id, property, phone, sessionId, note, CallbackState.QUEUED, 0, at, at, null, null, null,
        null, null, null, null);
  }

  /**
   * A callback to {@code caller}, whose inbound call {@code missedCallId} (attributed to the visit
   * {@code sessionId}, or null) the business missed. Its id is the call's: the same missed call asks
   * for it once, however often it is offered (a router replaying its events).
   */
  public static Callback forMissedCall(String property, String caller, String sessionId, String missedCallId,
      Instant at) {
    return new Callback(missedCallIdOf(property, missedCallId), property, caller, sessionId, null,
        CallbackState.QUEUED, 0, at, at, null, null, null, null, null, null, missedCallId);
  }

  /**
   * The id of the callback that returns missed call {@code callId} of {@code property}: a callback id
   * as any other, made from the call's id ({@link io.calltrack.core.config.Ids#scopedFrom}).
   */
  public static String missedCallIdOf(String property, String callId) {
    return io.calltrack.core.config.Ids.scopedFrom(property, callId);
  }

  public Callback in(CallbackState newState) {
    return new Callback(id, property, phone, sessionId, note, newState, attempts, requestedAt, notBefore,
        businessAnsweredAt, connectedAt, endedAt, callId, detail, firstAttemptAt, returnsCall);
  }

  public Callback waitingUntil(CallbackState newState, Instant at) {
    return new Callback(id, property, phone, sessionId, note, newState, attempts, requestedAt, at,
        businessAnsweredAt, connectedAt, endedAt, callId, detail, firstAttemptAt, returnsCall);
  }

  /**
   * The next attempt, begun {@code at}: it continues the call record of the attempts before it
   * ({@link #continuesRecord()}), else it begins one, {@code newCallId}.
   */
  public Callback attempt(String newCallId, Instant at) {
    boolean continues = continuesRecord();
    return new Callback(id, property, phone, sessionId, note, CallbackState.CALLING_BUSINESS, attempts + 1,
        requestedAt, notBefore, null, null, null, continues ? callId : newCallId, null,
        continues ? firstAttemptAt : at, returnsCall);
  }

  /**
   * Whether the next attempt continues the call record of the ones before: there is one (a callback
   * stored before records were continued has a call id but no {@code firstAttemptAt}: its next attempt
   * begins a record of its own, as attempts did then).
   */
  public boolean continuesRecord() {
    return callId != null && firstAttemptAt != null;
  }

  /** The seq of this attempt's first call event (see {@link #SEQS_PER_ATTEMPT}). */
  public int firstSeq() {
    return Math.max(0, attempts - 1) * SEQS_PER_ATTEMPT;
  }

  public Callback businessAnswered(Instant at) {
    return new Callback(id, property, phone, sessionId, note, CallbackState.CALLING_LEAD, attempts, requestedAt,
        notBefore, at, connectedAt, endedAt, callId, detail, firstAttemptAt, returnsCall);
  }

  public Callback connected(Instant at) {
    return new Callback(id, property, phone, sessionId, note, CallbackState.CONNECTED, attempts, requestedAt,
        notBefore, businessAnsweredAt, at, endedAt, callId, detail, firstAttemptAt, returnsCall);
  }

  public Callback ended(CallbackState finalState, Instant at, String why) {
    return new Callback(id, property, phone, sessionId, note, finalState, attempts, requestedAt, notBefore,
        businessAnsweredAt, connectedAt, at, callId, why, firstAttemptAt, returnsCall);
  }

  public Callback failedAttempt(CallbackState next, Instant retryAt, String why) {
    return new Callback(id, property, phone, sessionId, note, next, attempts, requestedAt, retryAt,
        businessAnsweredAt, connectedAt, next.finished() ? retryAt : null, callId, why, firstAttemptAt, returnsCall);
  }
}
