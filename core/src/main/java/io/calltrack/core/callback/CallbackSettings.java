package io.calltrack.core.callback;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.calltrack.core.CalltrackException;
import io.calltrack.core.marketing.BusinessHours;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;

/**
 * How a property's callbacks are placed: its opening hours in the property's time zone
 * ({@code {"monday": ["09:00", "17:30"], ...}}; a weekday not named is closed; no hours at all means
 * always open), how many times the business line and the lead are tried ({@code attempts}), how long
 * apart ({@code retrySeconds}) and how long each may ring ({@code ringSeconds}); how many of its
 * callbacks may be placed at once, across every router ({@code concurrent}: the business line is one
 * receptionist unless it says otherwise), and how many requests it takes in an hour
 * ({@code requestsPerHour}: a flood of lead forms from many addresses cannot ring the business line all day);
 * and whether a caller whose call the business missed is called back as a lead who asked would be
 * ({@code missedCalls}, default false: see {@link Callback#forMissedCall}).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CallbackSettings(Map<String, List<String>> hours, Integer attempts, Integer retrySeconds,
    Integer ringSeconds, Integer concurrent, Integer requestsPerHour, Boolean missedCalls) {

  public static final CallbackSettings DEFAULT = new CallbackSettings(null, null, null, null);

  /** Settings with the default {@code concurrent} and {@code requestsPerHour}. */
  public CallbackSettings(Map<String, List<String>> hours, Integer attempts, Integer retrySeconds,
      Integer ringSeconds) {
    this(hours, attempts, retrySeconds, ringSeconds, null, null, null);
  }

  /** The same settings, calling back missed calls or not ({@code missedCalls}). */
  public CallbackSettings withMissedCalls(boolean on) {
    return new CallbackSettings(hours, attempts, retrySeconds, ringSeconds, concurrent, requestsPerHour, on);
  }

  public CallbackSettings {
    hours = hours == null ? Map.of() : Map.copyOf(hours);
    parse(hours); // validates
    attempts = attempts == null ? 3 : attempts;
    retrySeconds = retrySeconds == null ? 120 : retrySeconds;
    ringSeconds = ringSeconds == null ? 30 : ringSeconds;
    concurrent = concurrent == null ? 1 : concurrent;
    requestsPerHour = requestsPerHour == null ? 60 : requestsPerHour;
    missedCalls = missedCalls != null && missedCalls;
    if (attempts < 1 || attempts > 10) {
      throw new CalltrackException.Invalid("callbacks.attempts must be between 1 and 10");
    }
    if (retrySeconds < 1 || retrySeconds > 86_400) {
      throw new CalltrackException.Invalid("callbacks.retrySeconds must be between 1 and 86400");
    }
    if (ringSeconds < 5 || ringSeconds > 120) {
      throw new CalltrackException.Invalid("callbacks.ringSeconds must be between 5 and 120");
    }
    if (concurrent < 1 || concurrent > 100) {
      throw new CalltrackException.Invalid("callbacks.concurrent must be between 1 and 100");
    }
    if (requestsPerHour < 1 || requestsPerHour > 100_000) {
      throw new CalltrackException.Invalid("callbacks.requestsPerHour must be between 1 and 100000");
    }
  }

  /** {@code at} itself when the business is open then, else the next opening time (null: never opens). */
  public Instant nextOpening(Instant at, ZoneId zone) {
    return hours.isEmpty() ? at : parse(hours).nextOpening(at, zone); // no hours: always open
  }

  private static BusinessHours parse(Map<String, List<String>> json) {
    return BusinessHours.fromJson(json, "callbacks.hours");
  }

  /** The hours as given, weekdays in order (for answers). */
  public Map<String, List<String>> hoursInOrder() {
    return parse(hours).toJson();
  }
}
