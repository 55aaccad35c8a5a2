package io.calltrack.core.pool;

import java.time.DateTimeException;
import java.time.ZoneId;

/** The browser's IANA time zone as the snippet reports it: kept when Java knows it, dropped otherwise. */
public final class TimeZones {
  private TimeZones() {}

  public static String orNull(String zone) {
    if (zone == null || zone.isBlank() || zone.length() > 64) {
      return null;
    }
    try {
      return ZoneId.of(zone.strip()).getId();
    } catch (DateTimeException e) {
      return null;
    }
  }
}
