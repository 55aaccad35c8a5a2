package io.calltrack.core.calls;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonValue;
import io.calltrack.core.CalltrackException;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * One step of a call, carrying the whole record as it stands after the step. {@code seq} counts a
 * call's events from 0; the store applies an event only if its seq is above the last one applied,
 * so replaying an event (from the router's disk spool) never duplicates it.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CallEvent(String callId, int seq, Type type, Instant at, CallRecord record) {

  public CallEvent {
    Objects.requireNonNull(callId, "callId");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(record, "record");
    if (seq < 0) {
      throw new CalltrackException.Invalid("event seq must be >= 0");
    }
  }

  /**
   * {@code RETRY}: a callback call's next attempt begins; its record rings again, under the same call
   * id ({@link CallAttempt}). Not a {@code call.started} webhook: the CRM has that call already.
   */
  public enum Type {
    STARTED, RINGING, ANSWERED, ENDED, RESOLVED, MEDIA, RETRY;

    @JsonValue
    public String json() {
      return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static Type of(String v) {
      for (Type t : values()) {
        if (t.json().equals(v)) {
          return t;
        }
      }
      throw new CalltrackException.Invalid("unknown call event type '" + v + "'");
    }
  }
}
