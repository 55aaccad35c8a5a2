package io.calltrack.core.calls;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.calltrack.core.CalltrackException;
import java.util.Locale;

/**
 * Where a call is or how it ended. {@code RINGING} is the only open state; every other is final:
 * answered (a 2xx came back), missed (the business line did not answer in time), busy (486/600),
 * abandoned (the caller hung up before an answer), failed (any other error).
 */
public enum CallStatus {
  RINGING, ANSWERED, MISSED, BUSY, FAILED, ABANDONED;

  /**
   * Ended without an answer (missed, busy, failed, abandoned): what the reports count as missed and
   * what a property that calls back its missed calls returns.
   */
  public boolean unanswered() {
    return this != RINGING && this != ANSWERED;
  }

  @JsonValue
  public String json() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  public static CallStatus of(String value) {
    for (CallStatus s : values()) {
      if (s.json().equals(value)) {
        return s;
      }
    }
    throw new CalltrackException.Invalid("unknown call status '" + value + "'");
  }
}
