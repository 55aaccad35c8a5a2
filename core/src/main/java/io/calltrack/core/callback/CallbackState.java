package io.calltrack.core.callback;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.calltrack.core.CalltrackException;
import java.util.Locale;

/** Where one callback stands. The router moves it on; {@code GET /v1/callbacks/{id}} shows it. */
public enum CallbackState {
  /** Accepted, waiting for a router to take it. */
  QUEUED,
  /** Taken outside the property's opening hours: placed at the next opening. */
  WAITING_FOR_OPENING,
  /** The business line is being called (no SDP offered yet: RFC 3725 flow I). */
  CALLING_BUSINESS,
  /** The business line answered; the lead is being called through the outbound trunk. */
  CALLING_LEAD,
  /** Both legs answered and bridged. */
  CONNECTED,
  /** A leg was busy or did not answer: tried again after the property's retry delay. */
  RETRY_WAIT,
  /** Both legs were connected and have hung up. */
  COMPLETED,
  /** Every attempt failed (busy, no answer, error) or the callback could not be placed. */
  FAILED,
  /** Not placed: a missed call's callback whose caller called again and was answered first. */
  CANCELLED;

  public boolean finished() {
    return this == COMPLETED || this == FAILED || this == CANCELLED;
  }

  @JsonValue
  public String json() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  @JsonCreator
  public static CallbackState of(String v) {
    for (CallbackState s : values()) {
      if (s.json().equals(v)) {
        return s;
      }
    }
    throw new CalltrackException.Invalid("unknown callback state '" + v + "'");
  }
}
