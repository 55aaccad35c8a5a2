package io.calltrack.core.report;

import io.calltrack.core.CalltrackException;
import io.calltrack.core.rollup.Dimension;
import io.calltrack.core.rollup.Hashes;
import io.calltrack.core.rollup.RollupKeys;
import io.calltrack.core.spend.SpendRow;
import io.calltrack.core.spend.SpendStore;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds ROI reports from a property's daily rollups and spend. Days are the property's calendar
 * days (its timezone), {@code from} and {@code to} inclusive. Unique callers over the range are one
 * PFCOUNT over the days' HyperLogLogs (a union, not a sum).
 *
 * <p>Cost is joined at the level the spend was given: grouped by source, a row costs the sum of the
 * spend rows naming that source (whatever their medium or campaign); by medium, those naming that
 * medium; by campaign, those naming that campaign. Spend is never given per keyword, landing page or
 * tracking number, so those rows have {@code cost: null}. Spend without a value at the grouped level
 * (e.g. account-level rows without a source) counts in the total row only. The total's cost is all
 * spend in the range, or null if there is none.
 */
public final class RoiReporter {
  /** Longest range a report covers (a year and a bit), so one request stays a bounded amount of work. */
  public static final int MAX_DAYS = 400;

  private final Redis redis;
  private final SpendStore spend;

  public RoiReporter(Redis redis, SpendStore spend) {
    this.redis = redis;
    this.spend = spend;
  }

  public Future<RoiReport> report(String property, ZoneId zone, LocalDate from, LocalDate to, Dimension groupBy) {
    if (to.isBefore(from)) {
      return Future.failedFuture(new CalltrackException.Invalid("to must not be before from"));
    }
    if (ChronoUnit.DAYS.between(from, to) >= MAX_DAYS) {
      return Future.failedFuture(new CalltrackException.Invalid("a report covers at most " + MAX_DAYS + " days"));
    }
    RollupKeys keys = new RollupKeys(property);
    List<LocalDate> days = new ArrayList<>();
    for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
      days.add(d);
    }
    List<Request> reads = new ArrayList<>();
    for (LocalDate d : days) {
      reads.add(Request.cmd(Command.HGETALL).arg(keys.day(d, "total")));
      reads.add(Request.cmd(Command.HGETALL).arg(keys.day(d, groupBy.json())));
    }
    return redis.batch(reads).compose(res -> {
      Map<String, Long> total = new HashMap<>();
      Map<String, Map<String, Long>> byValue = new HashMap<>();
      for (int i = 0; i < days.size(); i++) {
        Hashes.toMap(res.get(2 * i)).forEach((metric, v) -> total.merge(metric, Long.parseLong(v), Long::sum));
        Hashes.toMap(res.get(2 * i + 1)).forEach((field, v) -> {
          int colon = field.indexOf(':');
          byValue.computeIfAbsent(field.substring(colon + 1), x -> new HashMap<>())
              .merge(field.substring(0, colon), Long.parseLong(v), Long::sum);
        });
      }
      return spend.rows(property, from, to).compose(spendRows ->
          uniques(keys, days, groupBy, byValue.keySet()).map(uniq -> {
            Map<String, Long> costByValue = costAtLevel(spendRows, groupBy);
            Long totalCost = spendRows.isEmpty() ? null
                : spendRows.stream().mapToLong(SpendRow::amountMinor).sum();
            Set<String> values = new LinkedHashSet<>(byValue.keySet());
            values.addAll(costByValue.keySet());
            List<RoiRow> rows = new ArrayList<>();
            for (String v : values) {
              RoiCounts c = RoiCounts.fromMetrics(byValue.getOrDefault(v, Map.of()))
                  .withUniqueCallers(uniq.getOrDefault(v, 0L))
                  .withCost(costByValue.get(v));
              rows.add(new RoiRow(v.isEmpty() ? null : v, c));
            }
            rows.sort(Comparator.comparingLong((RoiRow r) -> -r.counts().calls())
                .thenComparing(r -> r.group() == null ? "" : r.group()));
            RoiCounts t = RoiCounts.fromMetrics(total).withUniqueCallers(uniq.getOrDefault(null, 0L))
                .withCost(totalCost);
            return new RoiReport(property, zone.getId(), from, to, groupBy, rows, new RoiRow(null, t));
          }));
    });
  }

  /** Spend summed per value of the grouped dimension, only for rows given at that level. */
  static Map<String, Long> costAtLevel(List<SpendRow> rows, Dimension d) {
    Map<String, Long> out = new HashMap<>();
    for (SpendRow r : rows) {
      String v = switch (d) {
        case SOURCE -> r.source();
        case MEDIUM -> r.medium();
        case CAMPAIGN -> r.campaign();
        default -> "";
      };
      if (!v.isEmpty()) {
        out.merge(v, r.amountMinor(), Long::sum);
      }
    }
    return out;
  }

  /** PFCOUNT over the range's days per value (key null: the total). */
  private Future<Map<String, Long>> uniques(RollupKeys keys, List<LocalDate> days, Dimension d, Set<String> values) {
    List<Request> counts = new ArrayList<>();
    List<String> order = new ArrayList<>();
    Request total = Request.cmd(Command.PFCOUNT);
    days.forEach(day -> total.arg(keys.hllTotal(day)));
    counts.add(total);
    order.add(null);
    for (String v : values) {
      Request r = Request.cmd(Command.PFCOUNT);
      days.forEach(day -> r.arg(keys.hll(day, d, v)));
      counts.add(r);
      order.add(v);
    }
    return redis.batch(counts).map(res -> {
      Map<String, Long> out = new HashMap<>();
      for (int i = 0; i < order.size(); i++) {
        Response n = res.get(i);
        out.put(order.get(i), n == null ? 0L : n.toLong());
      }
      return out;
    });
  }
}
