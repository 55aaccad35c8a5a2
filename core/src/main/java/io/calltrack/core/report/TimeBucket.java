package io.calltrack.core.report;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.format.TextStyle;
import java.time.temporal.TemporalAdjusters;
import java.util.Locale;

/**
 * Time periods a report can group by, cut in the property's time zone (its calendar days are the
 * rollups' days): {@code day} (2026-11-02), {@code week} (ISO week, labelled by its Monday:
 * 2026-11-02), {@code month} (2026-11), {@code weekday} (monday..sunday, summed over the range) and
 * {@code hour} (0..23, local hour the call started, summed over the range's days).
 */
public enum TimeBucket {
  DAY("day"), WEEK("week"), MONTH("month"), WEEKDAY("weekday"), HOUR("hour");

  private final String json;

  TimeBucket(String json) {
    this.json = json;
  }

  public String json() {
    return json;
  }

  public static TimeBucket find(String json) {
    for (TimeBucket t : values()) {
      if (t.json.equals(json)) {
        return t;
      }
    }
    return null;
  }

  /** The period of {@code day} (not for HOUR, whose periods come from the hour rollups). */
  public String label(LocalDate day) {
    return switch (this) {
      case DAY -> day.toString();
      case WEEK -> day.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)).toString();
      case MONTH -> day.toString().substring(0, 7);
      case WEEKDAY -> day.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH).toLowerCase(Locale.ROOT);
      case HOUR -> throw new IllegalStateException("hours are not a function of the day");
    };
  }

  /** Sort key of a label: chronological for dates and months, Monday first, hours numerically. */
  public String sortKey(String label) {
    return switch (this) {
      case WEEKDAY -> Integer.toString(DayOfWeek.valueOf(label.toUpperCase(Locale.ROOT)).getValue());
      case HOUR -> String.format("%02d", Integer.parseInt(label));
      default -> label;
    };
  }
}
