package io.calltrack.core.calls;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.time.Instant;

/**
 * Where a callback call's attempts stand. A callback whose business line or lead was busy or did not
 * answer is dialled again; every attempt continues the same call record (one call in the reports,
 * counted by its last attempt's outcome), and this says which attempt the record shows.
 *
 * @param number    the attempt the record shows, from 1
 * @param startedAt when that attempt began dialling: answer-speed figures count from here, not from the
 *                  record's {@code startedAt} (the first attempt's), so a retry's wait is no ringing time
 * @param retryAt   set on the end of an attempt that will be tried again: when the next one is due.
 *                  Null once the callback is over (the record's outcome is final) or while an attempt rings
 * @param requestedAt when the lead asked to be called (the form was sent): the speed-to-lead figures
 *                  count from here to the lead's answer. Null in records written before it was kept
 * @param returnsCall the inbound call this callback returns, for a caller whose call the business
 *                  missed ({@link io.calltrack.core.callback.Callback#forMissedCall}); null for a lead's request
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CallAttempt(int number, Instant startedAt, Instant retryAt, Instant requestedAt, String returnsCall) {

  /** An attempt of a callback a lead asked for. */
  public CallAttempt(int number, Instant startedAt, Instant retryAt, Instant requestedAt) {
    this(number, startedAt, retryAt, requestedAt, null);
  }

  /** The same attempt, ended with another one due at {@code at}. */
  public CallAttempt retryingAt(Instant at) {
    return new CallAttempt(number, startedAt, at, requestedAt, returnsCall);
  }

  /** The same attempt with no other one to come: the record's outcome is final. */
  public CallAttempt last() {
    return retryAt == null ? this : new CallAttempt(number, startedAt, null, requestedAt, returnsCall);
  }
}
