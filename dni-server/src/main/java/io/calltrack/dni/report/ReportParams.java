package io.calltrack.dni.report;

import io.calltrack.core.CalltrackException;
import io.calltrack.core.config.ConfigStore;
import io.calltrack.core.config.PropertyConfig;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;

/**
 * Query parameters shared by the reports, exports and spend upload: {@code property} (required, unless
 * exactly one property is configured), and {@code from} / {@code to} as calendar days (YYYY-MM-DD,
 * inclusive) in the property's timezone, each defaulting to today there.
 */
public final class ReportParams {
  private ReportParams() {}

  /** The property named by {@code ?property=}, or the only one there is; NotFound / Invalid otherwise. */
  public static Future<PropertyConfig> property(RoutingContext ctx, ConfigStore store) {
    String id = ctx.request().getParam("property");
    if (id == null || id.isBlank()) {
      return store.routingTable().compose(t -> t.properties().size() == 1
          ? Future.succeededFuture(t.properties().values().iterator().next())
          : Future.failedFuture(new CalltrackException.Invalid("the property query parameter is required")));
    }
    return named(store, id.strip());
  }

  /** The property {@code id}, or NotFound. */
  public static Future<PropertyConfig> named(ConfigStore store, String id) {
    return store.property(id).compose(p -> p.map(Future::succeededFuture)
        .orElseGet(() -> Future.failedFuture(new CalltrackException.NotFound("no property '" + id + "'"))));
  }

  /** The first and last day a report may name (a day's instants must fit epoch milliseconds). */
  private static final LocalDate FIRST = LocalDate.of(1970, 1, 1);
  private static final LocalDate LAST = LocalDate.of(9999, 12, 31);

  /** Whether {@code day} is one a report may name ({@link #FIRST} to {@link #LAST}). */
  public static boolean reportable(LocalDate day) {
    return !day.isBefore(FIRST) && !day.isAfter(LAST);
  }

  /** {@code from} and {@code to}, inclusive: {@code to} not before {@code from}. */
  public record Days(LocalDate from, LocalDate to) {}

  /** {@code ?from} and {@code ?to} ({@link #day}), {@code to} not before {@code from}; Invalid otherwise. */
  public static Days days(RoutingContext ctx, PropertyConfig p, Clock clock) {
    LocalDate from = day(ctx, "from", p, clock);
    LocalDate to = day(ctx, "to", p, clock);
    if (to.isBefore(from)) {
      throw new CalltrackException.Invalid("to must not be before from");
    }
    return new Days(from, to);
  }

  public static LocalDate day(RoutingContext ctx, String name, PropertyConfig p, Clock clock) {
    LocalDate day = day(ctx, name);
    return day != null ? day : clock.instant().atZone(p.zone()).toLocalDate();
  }

  /** {@code ?<name>} as a day, null when left out (a report over several zones, each its own today); Invalid if bad. */
  public static LocalDate day(RoutingContext ctx, String name) {
    String v = ctx.request().getParam(name);
    if (v == null || v.isBlank()) {
      return null;
    }
    LocalDate day;
    try {
      day = LocalDate.parse(v.strip());
    } catch (DateTimeParseException e) {
      throw new CalltrackException.Invalid(name + " must be a date like 2026-03-08: '" + v + "'");
    }
    if (!reportable(day)) {
      throw new CalltrackException.Invalid(name + " must be a day from " + FIRST + " to " + LAST + ": '" + v + "'");
    }
    return day;
  }
}
