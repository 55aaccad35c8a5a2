package io.calltrack.core.callback;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.time.Instant;

/**
 * One callback request and how far it got: the lead's number ({@code phone}, E.164), the visit that
 * asked ({@code sessionId}, may be null), the state, the attempts made, the call it became
 * ({@code callId}, in {@code /v1/calls}) and, when it failed, why ({@code detail}).
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
    String detail) {

  public static Callback requested(String id, String property, String phone, String sessionId, String note,
      Instant at) {
    return new Callback(id, property, phone, sessionId, note, CallbackState.QUEUED, 0, at, at, null, null, null,
        null, null);
  }

  public Callback in(CallbackState newState) {
    return new Callback(id, property, phone, sessionId, note, newState, attempts, requestedAt, notBefore,
        businessAnsweredAt, connectedAt, endedAt, callId, detail);
  }

  public Callback waitingUntil(CallbackState newState, Instant at) {
    return new Callback(id, property, phone, sessionId, note, newState, attempts, requestedAt, at,
        businessAnsweredAt, connectedAt, endedAt, callId, detail);
  }

  public Callback attempt(String newCallId) {
    return new Callback(id, property, phone, sessionId, note, CallbackState.CALLING_BUSINESS, attempts + 1,
        requestedAt, notBefore, null, null, null, newCallId, null);
  }

  public Callback businessAnswered(Instant at) {
    return new Callback(id, property, phone, sessionId, note, CallbackState.CALLING_LEAD, attempts, requestedAt,
        notBefore, at, connectedAt, endedAt, callId, detail);
  }

  public Callback connected(Instant at) {
    return new Callback(id, property, phone, sessionId, note, CallbackState.CONNECTED, attempts, requestedAt,
        notBefore, businessAnsweredAt, at, endedAt, callId, detail);
  }

  public Callback ended(CallbackState finalState, Instant at, String why) {
    return new Callback(id, property, phone, sessionId, note, finalState, attempts, requestedAt, notBefore,
        businessAnsweredAt, connectedAt, at, callId, why);
  }

  public Callback failedAttempt(CallbackState next, Instant retryAt, String why) {
    return new Callback(id, property, phone, sessionId, note, next, attempts, requestedAt, retryAt,
        businessAnsweredAt, connectedAt, next.finished() ? retryAt : null, callId, why);
  }
}
