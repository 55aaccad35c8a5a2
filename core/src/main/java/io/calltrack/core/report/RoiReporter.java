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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Builds ROI reports from a property's daily rollups and spend. Days are the property's calendar
 * days (its timezone), {@code from} and {@code to} inclusive. Unique (and repeat) callers of a row are
 * one PFCOUNT over its days' HyperLogLogs (a union, not a sum).
 *
 * <p>Rows are keyed by a dimension value, a time period, or both ({@link GroupBy}). Periods of days,
 * weeks, months and weekdays are sums of whole days; hours come from the per-day hour rollups. When
 * grouped by time alone every period of the range has a row, calls or not, so a trend has no gaps.
 *
 * <p>Cost is joined at the level the spend was given: grouped by source, a row costs the sum of the
 * spend rows naming that source (whatever their other fields); by medium, campaign, keyword, ad group
 * or landing page likewise. Spend is never given per tracking number, hour, region or the like, so
 * those rows have {@code cost: null}. Spend without a value at the grouped level counts in the total
 * (and in per-period rows) only. The total's cost is all spend in the range, or null if there is none.
 * Spend names its value without regard to case: spend for {@code Google} joins the calls from
 * {@code google} when no call of the range is spelled {@code Google} and only one spelling like it is
 * (in every period of a grouping by time, with calls or not).
 *
 * <p>Sums of cents are exact additions: an upload holds each day's spend to {@link Money#MAX_MINOR},
 * so a report's sums stay far below a long's limit, and one that did not would fail, never wrap.
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

  /**
   * Customer lifetime value since tracking began ({@link RollupKeys#lifetime()}): {@code customers}
   * (identified callers with a converted call), {@code customerRevenue} (minor units: the values of
   * their converted calls, every day), as kept by the rollup script.
   */
  public Future<Map<String, Long>> lifetime(String property) {
    return io.vertx.redis.client.RedisAPI.api(redis).hgetall(new RollupKeys(property).lifetime()).map(res -> {
      Map<String, Long> out = new java.util.LinkedHashMap<>();
      out.put("customers", 0L);
      out.put("customerRevenue", 0L);
      io.calltrack.core.rollup.Hashes.toMap(res).forEach((k, v) -> out.put(k, Long.parseLong(v)));
      return out;
    });
  }

  public Future<RoiReport> report(String property, ZoneId zone, LocalDate from, LocalDate to, Dimension groupBy) {
    return report(property, zone, from, to, GroupBy.of(groupBy));
  }

  /** One row's key: period label (or null) and dimension value ("" for none; null when not grouped by one). */
  private record Key(String period, String value) {}

  /**
   * The days of a report's range, {@code from} and {@code to} included; a failed future for a range
   * backwards or too long, or for a report of the other kind than the model's (credited: multi-touch).
   */
  private static Future<List<LocalDate>> days(GroupBy groupBy, boolean credited, LocalDate from, LocalDate to) {
    if (groupBy.model().multiTouch() != credited) {
      return Future.failedFuture(new IllegalArgumentException("model " + groupBy.model().json() + " is reported by "
          + (credited ? "report()" : "credited()")));
    }
    if (to.isBefore(from)) {
      return Future.failedFuture(new CalltrackException.Invalid("to must not be before from"));
    }
    if (ChronoUnit.DAYS.between(from, to) >= MAX_DAYS) {
      return Future.failedFuture(new CalltrackException.Invalid("a report covers at most " + MAX_DAYS + " days"));
    }
    List<LocalDate> days = new ArrayList<>();
    for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
      days.add(d);
    }
    return Future.succeededFuture(days);
  }

  /**
   * The report under a multi-touch model ({@code groupBy.model().multiTouch()}): each row the credit its
   * channel earned ({@link CreditReport}), from the credit rollups ({@code day:<date>:source@linear},
   * fields {@code calls|conversions|revenue:<value>}), with spend joined as in {@link #report}. The
   * total is the sum of the rows: every call credited in the range.
   */
  public Future<CreditReport> credited(String property, ZoneId zone, LocalDate from, LocalDate to, GroupBy groupBy) {
    return days(groupBy, true, from, to).compose(days -> credited(property, zone, from, to, groupBy, days));
  }

  private Future<CreditReport> credited(String property, ZoneId zone, LocalDate from, LocalDate to, GroupBy groupBy,
      List<LocalDate> days) {
    RollupKeys keys = new RollupKeys(property);
    TimeBucket time = groupBy.time();
    List<Request> reads = new ArrayList<>();
    days.forEach(d -> reads.add(Request.cmd(Command.HGETALL).arg(keys.day(d, groupBy.rollupName()))));
    return redis.batch(reads).compose(res -> spend.rows(property, from, to).map(spendRows -> {
      Map<Key, CreditReport.Row> byKey = new LinkedHashMap<>();
      for (int i = 0; i < days.size(); i++) {
        String period = time == null ? null : time.label(days.get(i));
        Hashes.toMap(res.get(i)).forEach((field, v) -> {
          int colon = field.indexOf(':');
          String value = field.substring(colon + 1);
          long n = Long.parseLong(v);
          Key k = new Key(period, value);
          CreditReport.Row row = byKey.computeIfAbsent(k, x ->
              new CreditReport.Row(value.isEmpty() ? null : value, period, 0, 0, 0, null));
          byKey.put(k, switch (field.substring(0, colon)) {
            case "calls" -> row.add(n, 0, 0);
            case "conversions" -> row.add(0, n, 0);
            case "revenue" -> row.add(0, 0, n);
            default -> row;
          });
        });
      }
      Map<Key, Long> costByKey = spelledAsTheCalls(costAtLevel(spendRows, groupBy), byKey.keySet());
      costByKey.forEach((k, cost) -> byKey.put(k, byKey.getOrDefault(k,
          new CreditReport.Row(k.value().isEmpty() ? null : k.value(), k.period(), 0, 0, 0, null)).withCost(cost)));
      CreditReport.Row total = new CreditReport.Row(null, null, 0, 0, 0, spendRows.isEmpty() ? null
          : spendRows.stream().mapToLong(SpendRow::amountMinor).reduce(0L, Math::addExact));
      for (CreditReport.Row r : byKey.values()) {
        total = total.add(r.callCredit(), r.conversionCredit(), r.revenueMinor());
      }
      Comparator<CreditReport.Row> byCredit = Comparator.comparingLong((CreditReport.Row r) -> -r.callCredit())
          .thenComparing(r -> r.group() == null ? "" : r.group());
      List<CreditReport.Row> rows = new ArrayList<>(byKey.values());
      rows.sort(time == null ? byCredit
          : Comparator.comparing((CreditReport.Row r) -> time.sortKey(r.period())).thenComparing(byCredit));
      return new CreditReport(property, zone.getId(), from, to, groupBy, rows, total);
    }));
  }

  public Future<RoiReport> report(String property, ZoneId zone, LocalDate from, LocalDate to, GroupBy groupBy) {
    return days(groupBy, false, from, to).compose(days -> report(property, zone, from, to, groupBy, days));
  }

  private Future<RoiReport> report(String property, ZoneId zone, LocalDate from, LocalDate to, GroupBy groupBy,
      List<LocalDate> days) {
    RollupKeys keys = new RollupKeys(property);
    TimeBucket time = groupBy.time();
    Dimension dim = groupBy.dimension();
    List<String> only = groupBy.confidence();
    // the hash of each day holding the rows' values: the dimension's, the hour rollup, or only the total;
    // under a confidence filter the total is the sum of the chosen confidences' rows and the
    // dimension's values come from its per-confidence rollup ("<confidence>|<value>")
    String totalHash = only == null ? "total" : Dimension.CONFIDENCE.json();
    String rowHash = dim == null ? (time == TimeBucket.HOUR ? "hour" : null)
        : only == null ? groupBy.rollupName()
        : dim == Dimension.CONFIDENCE ? Dimension.CONFIDENCE.json() : GroupBy.byConfidence(dim);
    List<Request> reads = new ArrayList<>();
    for (LocalDate d : days) {
      reads.add(Request.cmd(Command.HGETALL).arg(keys.day(d, totalHash)));
      if (rowHash != null) {
        reads.add(Request.cmd(Command.HGETALL).arg(keys.day(d, rowHash)));
      }
    }
    int stride = rowHash != null ? 2 : 1;
    return redis.batch(reads).compose(res -> {
      Map<String, Long> total = new HashMap<>();
      Map<Key, Map<String, Long>> byKey = new LinkedHashMap<>();
      Map<Key, List<LocalDate>> daysOf = new HashMap<>();
      if (time != null && time != TimeBucket.HOUR && dim == null) {
        for (LocalDate d : days) { // every period of the range, even without calls
          byKey.computeIfAbsent(new Key(time.label(d), null), k -> new HashMap<>());
        }
      }
      for (int i = 0; i < days.size(); i++) {
        LocalDate day = days.get(i);
        Map<String, String> totals = only == null ? Hashes.toMap(res.get(stride * i))
            : chosen(Hashes.toMap(res.get(stride * i)), only);
        totals.forEach((metric, v) -> total.merge(metric, Long.parseLong(v), Math::addExact));
        if (rowHash == null) {
          Key k = new Key(time.label(day), null);
          totals.forEach((metric, v) -> byKey.get(k).merge(metric, Long.parseLong(v), Math::addExact));
          daysOf.computeIfAbsent(k, x -> new ArrayList<>()).add(day);
          continue;
        }
        Map<Key, Boolean> seenToday = new HashMap<>();
        Hashes.toMap(res.get(stride * i + 1)).forEach((field, v) -> {
          int colon = field.indexOf(':');
          String value = field.substring(colon + 1);
          if (only != null && dim != null && dim != Dimension.CONFIDENCE) {
            int bar = value.indexOf('|');
            if (bar < 0 || !only.contains(value.substring(0, bar))) {
              return;
            }
            value = value.substring(bar + 1);
          } else if (only != null && dim == Dimension.CONFIDENCE && !only.contains(value)) {
            return;
          }
          Key k = dim == null ? new Key(value, null) : new Key(time == null ? null : time.label(day), value);
          byKey.computeIfAbsent(k, x -> new HashMap<>()).merge(field.substring(0, colon), Long.parseLong(v), Math::addExact);
          if (seenToday.put(k, Boolean.TRUE) == null) {
            daysOf.computeIfAbsent(k, x -> new ArrayList<>()).add(day);
          }
        });
        if (time != null && time != TimeBucket.HOUR && dim == null) {
          daysOf.computeIfAbsent(new Key(time.label(day), null), x -> new ArrayList<>()).add(day);
        }
      }
      // spend is not split by confidence: a filtered report has no cost
      Future<List<SpendRow>> spent = only != null ? Future.succeededFuture(List.of())
          : spend.rows(property, from, to);
      return spent.compose(spendRows ->
          uniques(keys, days, groupBy, daysOf).map(uniq -> {
            Map<Key, Long> costByKey = spelledAsTheCalls(costAtLevel(spendRows, groupBy), byKey.keySet());
            for (Key k : costByKey.keySet()) {
              byKey.computeIfAbsent(k, x -> new HashMap<>());
            }
            Long totalCost = spendRows.isEmpty() ? null
                : spendRows.stream().mapToLong(SpendRow::amountMinor).reduce(0L, Math::addExact);
            List<RoiRow> rows = new ArrayList<>();
            byKey.forEach((k, metrics) -> {
              long[] u = uniq.getOrDefault(k, new long[2]);
              Long cost = costByKey.get(k);
              if (cost == null && dim == null && time != TimeBucket.HOUR && !spendRows.isEmpty()) {
                cost = 0L; // a period without spend cost nothing (hours have no spend)
              }
              RoiCounts c = RoiCounts.fromMetrics(metrics).withUniqueCallers(u[0]).withRepeatCallers(u[1])
                  .withCost(cost);
              rows.add(new RoiRow(k.value() == null || k.value().isEmpty() ? null : k.value(), c, k.period()));
            });
            Comparator<RoiRow> byCalls = Comparator.comparingLong((RoiRow r) -> -r.counts().calls())
                .thenComparing(r -> r.group() == null ? "" : r.group());
            rows.sort(time == null ? byCalls
                : Comparator.comparing((RoiRow r) -> time.sortKey(r.period())).thenComparing(byCalls));
            long[] tu = uniq.getOrDefault(null, new long[2]);
            RoiCounts t = RoiCounts.fromMetrics(total).withUniqueCallers(tu[0]).withRepeatCallers(tu[1])
                .withCost(totalCost);
            return new RoiReport(property, zone.getId(), from, to, groupBy, rows, new RoiRow(null, t));
          }));
    });
  }

  /** The metrics of the chosen confidences summed from a day's confidence rollup ({@code metric:confidence}). */
  private static Map<String, String> chosen(Map<String, String> byConfidence, List<String> only) {
    Map<String, Long> sum = new HashMap<>();
    byConfidence.forEach((field, v) -> {
      int colon = field.indexOf(':');
      if (only.contains(field.substring(colon + 1))) {
        sum.merge(field.substring(0, colon), Long.parseLong(v), Math::addExact);
      }
    });
    Map<String, String> out = new HashMap<>();
    sum.forEach((m, v) -> out.put(m, Long.toString(v)));
    return out;
  }

  /** Spend summed per row key, only for rows given at the grouped level. */
  private static Map<Key, Long> costAtLevel(List<SpendRow> rows, GroupBy g) {
    Map<Key, Long> out = new HashMap<>();
    if (g.time() == TimeBucket.HOUR) {
      return out;
    }
    for (SpendRow r : rows) {
      String period = g.time() == null ? null : g.time().label(r.date());
      String v = g.dimension() == null ? null : levelOf(r, g.dimension());
      if (v == null || !v.isEmpty()) {
        out.merge(new Key(period, v), r.amountMinor(), Math::addExact);
      }
    }
    return out;
  }

  /**
   * Spend keyed as the calls' rows are spelled. Ad platforms and spreadsheets capitalise as they like
   * ({@code Google}, {@code CPC}) while tagged links usually say {@code google}; without this, such spend
   * stood in a row of its own beside the calls it paid for. A spelling the calls use exactly stays as
   * it is, and so does one that matches several rows' spellings, since it cannot say which it meant.
   * The spellings are the calls' in the whole range, whatever the period: grouped by source and day,
   * {@code Google}'s spend of a day without calls joins {@code google} too, so the days add up to the
   * range's row.
   */
  private static Map<Key, Long> spelledAsTheCalls(Map<Key, Long> cost, Set<Key> callRows) {
    Set<String> spellings = new java.util.HashSet<>();
    Map<String, Set<String>> byFolded = new HashMap<>();
    for (Key k : callRows) {
      if (k.value() != null && spellings.add(k.value())) {
        byFolded.computeIfAbsent(folded(k.value()), x -> new java.util.HashSet<>()).add(k.value());
      }
    }
    Map<Key, Long> out = new HashMap<>();
    cost.forEach((k, amount) -> {
      Set<String> alike = k.value() == null || spellings.contains(k.value()) ? null : byFolded.get(folded(k.value()));
      out.merge(alike != null && alike.size() == 1 ? new Key(k.period(), alike.iterator().next()) : k, amount,
          Math::addExact);
    });
    return out;
  }

  private static String folded(String value) {
    return value.toLowerCase(Locale.ROOT);
  }

  /** Spend summed per value of the grouped dimension, only for rows given at that level. */
  static Map<String, Long> costAtLevel(List<SpendRow> rows, Dimension d) {
    Map<String, Long> out = new HashMap<>();
    costAtLevel(rows, GroupBy.of(d)).forEach((k, v) -> out.put(k.value(), v));
    return out;
  }

  private static String levelOf(SpendRow r, Dimension d) {
    return switch (d) {
      case SOURCE -> r.source();
      case MEDIUM -> r.medium();
      case CAMPAIGN -> r.campaign();
      case KEYWORD -> r.keyword();
      case AD_GROUP -> r.adGroup();
      case LANDING_PAGE -> r.landingPage();
      default -> "";
    };
  }

  /**
   * PFCOUNT over each row's days, of callers and of repeat callers (key null: the total, over every
   * day). Returns [unique, repeat] per key.
   */
  private Future<Map<Key, long[]>> uniques(RollupKeys keys, List<LocalDate> days, GroupBy g,
      Map<Key, List<LocalDate>> daysOf) {
    List<Request> counts = new ArrayList<>();
    List<Key> order = new ArrayList<>();
    Request total = Request.cmd(Command.PFCOUNT);
    Request totalRepeat = Request.cmd(Command.PFCOUNT);
    List<String> only = g.confidence();
    String conf = Dimension.CONFIDENCE.json();
    days.forEach(day -> {
      if (only == null) {
        total.arg(keys.hllTotal(day));
        totalRepeat.arg(keys.hllRepeat(day));
      } else {
        only.forEach(c -> {
          total.arg(keys.hll(day, conf, c));
          totalRepeat.arg(keys.hllRepeat(day, conf, c));
        });
      }
    });
    counts.add(total);
    counts.add(totalRepeat);
    order.add(null);
    daysOf.forEach((k, kd) -> {
      Request r = Request.cmd(Command.PFCOUNT);
      Request rr = Request.cmd(Command.PFCOUNT);
      for (LocalDate day : kd) {
        if (only != null && g.dimension() != null && g.dimension() != Dimension.CONFIDENCE) {
          for (String c : only) {
            r.arg(keys.hll(day, GroupBy.byConfidence(g.dimension()), c + "|" + k.value()));
            rr.arg(keys.hllRepeat(day, GroupBy.byConfidence(g.dimension()), c + "|" + k.value()));
          }
        } else if (only != null && g.dimension() == null) {
          for (String c : only) {
            r.arg(keys.hll(day, conf, c));
            rr.arg(keys.hllRepeat(day, conf, c));
          }
        } else if (g.dimension() != null) {
          r.arg(keys.hll(day, g.rollupName(), k.value()));
          rr.arg(keys.hllRepeat(day, g.rollupName(), k.value()));
        } else if (g.time() == TimeBucket.HOUR) {
          r.arg(keys.hll(day, "hour", k.period()));
          rr.arg(keys.hllRepeat(day, "hour", k.period()));
        } else {
          r.arg(keys.hllTotal(day));
          rr.arg(keys.hllRepeat(day));
        }
      }
      counts.add(r);
      counts.add(rr);
      order.add(k);
    });
    return redis.batch(counts).map(res -> {
      Map<Key, long[]> out = new HashMap<>();
      for (int i = 0; i < order.size(); i++) {
        Response n = res.get(2 * i);
        Response m = res.get(2 * i + 1);
        out.put(order.get(i), new long[] {n == null ? 0L : n.toLong(), m == null ? 0L : m.toLong()});
      }
      return out;
    });
  }
}
