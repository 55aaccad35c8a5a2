package io.calltrack.core.callback;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.calltrack.core.CalltrackException;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How a property's callbacks are placed: its opening hours in the property's time zone
 * ({@code {"monday": ["09:00", "17:30"], ...}}; a weekday not named is closed; no hours at all means
 * always open), how many times the business line and the lead are tried ({@code attempts}), how long
 * apart ({@code retrySeconds}) and how long each may ring ({@code ringSeconds}); how many of its
 * callbacks may be placed at once, across every router ({@code concurrent}: the business line is one
 * receptionist unless it says otherwise), and how many requests it takes in an hour
 * ({@code requestsPerHour}: a flood of lead forms from many addresses cannot ring the business line all day).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CallbackSettings(Map<String, List<String>> hours, Integer attempts, Integer retrySeconds,
    Integer ringSeconds, Integer concurrent, Integer requestsPerHour) {

  public static final CallbackSettings DEFAULT = new CallbackSettings(null, null, null, null);

  /** Settings with the default {@code concurrent} and {@code requestsPerHour}. */
  public CallbackSettings(Map<String, List<String>> hours, Integer attempts, Integer retrySeconds,
      Integer ringSeconds) {
    this(hours, attempts, retrySeconds, ringSeconds, null, null);
  }

  public CallbackSettings {
    hours = hours == null ? Map.of() : Map.copyOf(hours);
    parse(hours); // validates
    attempts = attempts == null ? 3 : attempts;
    retrySeconds = retrySeconds == null ? 120 : retrySeconds;
    ringSeconds = ringSeconds == null ? 30 : ringSeconds;
    concurrent = concurrent == null ? 1 : concurrent;
    requestsPerHour = requestsPerHour == null ? 60 : requestsPerHour;
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
    Map<DayOfWeek, LocalTime[]> open = parse(hours);
    if (open.isEmpty()) {
      return at;
    }
    ZonedDateTime local = at.atZone(zone);
    for (int day = 0; day <= 7; day++) {
      ZonedDateTime d = local.plusDays(day);
      LocalTime[] h = open.get(d.getDayOfWeek());
      if (h == null) {
        continue;
      }
      if (day == 0) {
        LocalTime t = local.toLocalTime();
        if (!t.isBefore(h[0]) && t.isBefore(h[1])) {
          return at;
        }
        if (t.isBefore(h[0])) {
          return d.with(h[0]).toInstant();
        }
        continue;
      }
      return d.toLocalDate().atTime(h[0]).atZone(zone).toInstant();
    }
    return null;
  }

  private static Map<DayOfWeek, LocalTime[]> parse(Map<String, List<String>> json) {
    Map<DayOfWeek, LocalTime[]> out = new EnumMap<>(DayOfWeek.class);
    json.forEach((day, h) -> {
      DayOfWeek d;
      try {
        d = DayOfWeek.valueOf(day.strip().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new CalltrackException.Invalid("callbacks.hours keys are weekdays (monday..sunday): '" + day + "'");
      }
      if (h == null || h.size() != 2) {
        throw new CalltrackException.Invalid("callbacks.hours." + day + " must be [\"HH:MM\", \"HH:MM\"]");
      }
      try {
        LocalTime from = LocalTime.parse(h.get(0).strip());
        LocalTime to = LocalTime.parse(h.get(1).strip());
        if (!from.isBefore(to)) {
          throw new CalltrackException.Invalid("callbacks.hours." + day + ": opening must be before closing");
        }
        out.put(d, new LocalTime[] {from, to});
      } catch (DateTimeParseException | NullPointerException e) {
        throw new CalltrackException.Invalid("callbacks.hours." + day + " must be [\"HH:MM\", \"HH:MM\"]");
      }
    });
    return out;
  }

  /** The hours as given, weekdays in order (for answers). */
  public Map<String, List<String>> hoursInOrder() {
    Map<String, List<String>> out = new LinkedHashMap<>();
    parse(hours).forEach((d, h) -> out.put(d.name().toLowerCase(Locale.ROOT), List.of(h[0].toString(), h[1].toString())));
    return out;
  }
}
