package io.calltrack.core.marketing;

import io.calltrack.core.CalltrackException;
import java.time.DayOfWeek;
import java.time.LocalTime;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * When a property's business takes calls, in its own time zone: per weekday one opening interval
 * [open, close); a weekday not named is closed all day. JSON {@code {"monday": ["09:00", "17:30"], ...}}.
 * A call is after hours when it starts outside the interval of its local weekday.
 */
public final class BusinessHours {
  private final Map<DayOfWeek, LocalTime[]> open;

  private BusinessHours(Map<DayOfWeek, LocalTime[]> open) {
    this.open = open;
  }

  public static BusinessHours fromJson(Map<String, List<String>> json) {
    return fromJson(json, "businessHours");
  }

  /** As {@link #fromJson(Map)}, errors naming the hours {@code field} as the client sent them. */
  public static BusinessHours fromJson(Map<String, List<String>> json, String field) {
    Map<DayOfWeek, LocalTime[]> out = new EnumMap<>(DayOfWeek.class);
    if (json != null) {
      json.forEach((day, hours) -> {
        DayOfWeek d;
        try {
          d = DayOfWeek.valueOf(day.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
          throw new CalltrackException.Invalid(field + " keys are weekdays (monday..sunday): '" + day + "'");
        }
        if (hours == null || hours.size() != 2) {
          throw new CalltrackException.Invalid(field + "." + day + " must be [\"HH:MM\", \"HH:MM\"]");
        }
        try {
          LocalTime from = LocalTime.parse(hours.get(0).strip());
          LocalTime to = LocalTime.parse(hours.get(1).strip());
          if (!from.isBefore(to)) {
            throw new CalltrackException.Invalid(field + "." + day + ": opening must be before closing");
          }
          out.put(d, new LocalTime[] {from, to});
        } catch (DateTimeParseException | NullPointerException e) {
          throw new CalltrackException.Invalid(field + "." + day + " must be [\"HH:MM\", \"HH:MM\"]");
        }
      });
    }
    return new BusinessHours(out);
  }

  public Map<String, List<String>> toJson() {
    Map<String, List<String>> out = new LinkedHashMap<>();
    open.forEach((d, h) -> out.put(d.name().toLowerCase(Locale.ROOT), List.of(h[0].toString(), h[1].toString())));
    return out;
  }

  /**
   * {@code at} itself when the business is open then, else the next opening time in {@code zone}
   * (null: it never opens, no weekday named).
   */
  public java.time.Instant nextOpening(java.time.Instant at, java.time.ZoneId zone) {
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

  /** Whether a call starting at {@code localStart} (the property's zone) is outside business hours. */
  public boolean afterHours(ZonedDateTime localStart) {
    LocalTime[] h = open.get(localStart.getDayOfWeek());
    LocalTime t = localStart.toLocalTime();
    return h == null || t.isBefore(h[0]) || !t.isBefore(h[1]);
  }
}
