package io.calltrack.dni.marketing;

import io.calltrack.core.config.PropertyConfig;
import io.calltrack.core.report.GroupBy;
import io.calltrack.core.report.RoiReport;
import io.calltrack.core.report.RoiReporter;
import io.calltrack.core.report.RoiRow;
import io.calltrack.core.report.TimeBucket;
import io.calltrack.core.rollup.Dimension;
import io.vertx.core.Future;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /v1/reports/summary?property&from&to}: figures of a range that are not per row. The peak
 * hour (local hour 0-23 summed over the range), peak weekday and peak day, each with its calls (the
 * earliest wins a tie; null without calls); the attribution completeness (calls with a source / calls)
 * and the tracking coverage (calls matched to a visit or a static number, i.e. whose resolution is not
 * {@code unattributed} / calls). Rates are fractions 0..1 to 4 places, null without calls.
 */
final class ReportSummary {
  private final RoiReporter reporter;

  ReportSummary(RoiReporter reporter) {
    this.reporter = reporter;
  }

  Future<Map<String, Object>> report(PropertyConfig p, LocalDate from, LocalDate to) {
    Future<RoiReport> hours = reporter.report(p.id(), p.zone(), from, to, new GroupBy(null, TimeBucket.HOUR));
    Future<RoiReport> weekdays = reporter.report(p.id(), p.zone(), from, to, new GroupBy(null, TimeBucket.WEEKDAY));
    Future<RoiReport> days = reporter.report(p.id(), p.zone(), from, to, new GroupBy(null, TimeBucket.DAY));
    Future<RoiReport> sources = reporter.report(p.id(), p.zone(), from, to, GroupBy.of(Dimension.SOURCE));
    Future<RoiReport> resolutions = reporter.report(p.id(), p.zone(), from, to, GroupBy.of(Dimension.RESOLUTION));
    return Future.all(List.of(hours, weekdays, days, sources, resolutions)).map(all -> {
      long calls = sources.result().total().counts().calls();
      long unsourced = callsOf(sources.result(), null);
      long unattributed = callsOf(resolutions.result(), "unattributed") + callsOf(resolutions.result(), null);
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("property", p.id());
      body.put("timezone", p.zone().getId());
      body.put("from", from.toString());
      body.put("to", to.toString());
      body.put("calls", calls);
      body.put("peakHour", peak(hours.result(), "hour", true));
      body.put("peakWeekday", peak(weekdays.result(), "weekday", false));
      body.put("peakDay", peak(days.result(), "day", false));
      body.put("attributedCalls", calls - unsourced);
      body.put("attributionRate", rate(calls - unsourced, calls));
      body.put("trackedCalls", calls - unattributed);
      body.put("trackingCoverageRate", rate(calls - unattributed, calls));
      return body;
    });
  }

  /** The row with most calls (rows come in time order: the earliest wins a tie), or null without calls. */
  private static Map<String, Object> peak(RoiReport report, String name, boolean numeric) {
    RoiRow best = null;
    for (RoiRow r : report.rows()) {
      if (r.counts().calls() > 0 && (best == null || r.counts().calls() > best.counts().calls())) {
        best = r;
      }
    }
    if (best == null) {
      return null;
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put(name, numeric ? (Object) Integer.parseInt(best.period()) : best.period());
    out.put("calls", best.counts().calls());
    return out;
  }

  private static long callsOf(RoiReport report, String group) {
    return report.rows().stream().filter(r -> java.util.Objects.equals(group, r.group()))
        .mapToLong(r -> r.counts().calls()).sum();
  }

  private static BigDecimal rate(long part, long whole) {
    return whole == 0 ? null : BigDecimal.valueOf(part).divide(BigDecimal.valueOf(whole), 4, RoundingMode.HALF_UP);
  }
}
