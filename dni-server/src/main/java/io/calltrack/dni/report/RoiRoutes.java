package io.calltrack.dni.report;

import io.calltrack.dni.http.PropertyFrom;
import io.calltrack.core.CalltrackException;
import io.calltrack.core.config.ConfigStore;
import io.calltrack.core.report.CreditReport;
import io.calltrack.core.report.RoiReport;
import io.calltrack.core.report.RoiReporter;
import io.calltrack.core.report.RoiRow;
import io.calltrack.core.report.GroupBy;
import io.calltrack.dni.http.AdminApi;
import io.calltrack.dni.http.Reply;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /v1/reports/roi?property&from&to&groupBy&format} (admin): the ROI report as JSON (see
 * {@link RoiReport#toJson()}) or CSV (a header row, one row per group, and a last row whose first
 * column says {@value #CSV_TOTAL}). groupBy ({@link GroupBy}: a dimension, a period or
 * {@code source,week}) defaults to source, format to json; {@code model=first} groups the marketing
 * dimensions by the visitor's first touch instead of the last (the default), and {@code model=linear|position|timeDecay}
 * splits each call over its visitor's journey ({@link CreditReport}); {@code confidence=exact,channel}
 * counts only calls of those confidences (no cost then: spend is not split by confidence). The CSV
 * is written on a worker thread.
 */
public final class RoiRoutes {
  public static final String CSV_TOTAL = "(total)";

  private final Vertx vertx;
  private final ConfigStore store;
  private final RoiReporter reporter;
  private final Clock clock;

  public RoiRoutes(Vertx vertx, ConfigStore store, RoiReporter reporter, Clock clock) {
    this.vertx = vertx;
    this.store = store;
    this.reporter = reporter;
    this.clock = clock;
  }

  public void mount(AdminApi admin) {
    admin.get("/v1/reports/roi", this::roi).scope(PropertyFrom.query("property"));
  }

  private Future<?> roi(RoutingContext ctx) {
    GroupBy groupBy = GroupBy.parse(ctx.request().getParam("groupBy")).withModel(ctx.request().getParam("model"))
        .withConfidence(ctx.request().getParam("confidence"));
    String format = ctx.request().getParam("format", "json").strip();
    if (!format.equals("json") && !format.equals("csv")) {
      throw new CalltrackException.Invalid("format must be json or csv: '" + format + "'");
    }
    if (groupBy.model().multiTouch()) {
      Future<CreditReport> credited = ReportParams.property(ctx, store)
          .compose(p -> reporter.credited(p.id(), p.zone(), ReportParams.day(ctx, "from", p, clock),
              ReportParams.day(ctx, "to", p, clock), groupBy));
      if (format.equals("json")) {
        return credited.map(CreditReport::toJson);
      }
      return credited.compose(r -> vertx.executeBlocking(() -> Reply.csv(
          "roi-" + r.property() + "-" + r.from() + "-" + r.to() + "-" + groupBy.model().json() + ".csv",
          Csv.write(csv(r))), false));
    }
    Future<RoiReport> report = ReportParams.property(ctx, store)
        .compose(p -> reporter.report(p.id(), p.zone(), ReportParams.day(ctx, "from", p, clock),
            ReportParams.day(ctx, "to", p, clock), groupBy));
    if (format.equals("json")) {
      return report.map(RoiReport::toJson);
    }
    return report.compose(r -> vertx.executeBlocking(() -> Reply.csv(
        "roi-" + r.property() + "-" + r.from() + "-" + r.to() + ".csv", Csv.write(csv(r))), false));
  }

  static List<List<String>> csv(RoiReport report) {
    List<List<String>> out = new ArrayList<>();
    List<String> header = new ArrayList<>();
    GroupBy g = report.groupBy();
    if (g.time() != null) {
      header.add(g.time().json());
    }
    if (g.dimension() != null) {
      header.add(g.dimension().json());
    }
    header.addAll(RoiRow.FIELDS);
    out.add(header);
    for (RoiRow r : report.rows()) {
      List<String> keys = new ArrayList<>();
      if (g.time() != null) {
        keys.add(r.period());
      }
      if (g.dimension() != null) {
        keys.add(r.group() == null ? "" : r.group());
      }
      out.add(line(keys, r));
    }
    List<String> totalKeys = new ArrayList<>();
    totalKeys.add(CSV_TOTAL);
    if (g.time() != null && g.dimension() != null) {
      totalKeys.add("");
    }
    out.add(line(totalKeys, report.total()));
    return out;
  }

  /** The CSV of a multi-touch model's report: as {@link #csv(RoiReport)}, with {@link CreditReport#FIELDS}. */
  static List<List<String>> csv(CreditReport report) {
    List<List<String>> out = new ArrayList<>();
    GroupBy g = report.groupBy();
    List<String> header = new ArrayList<>();
    if (g.time() != null) {
      header.add(g.time().json());
    }
    header.add(g.dimension().json());
    header.addAll(CreditReport.FIELDS);
    out.add(header);
    for (CreditReport.Row r : report.rows()) {
      List<String> keys = new ArrayList<>();
      if (g.time() != null) {
        keys.add(r.period());
      }
      keys.add(r.group() == null ? "" : r.group());
      out.add(line(keys, r.fields(), CreditReport.FIELDS));
    }
    List<String> totalKeys = new ArrayList<>();
    totalKeys.add(CSV_TOTAL);
    if (g.time() != null) {
      totalKeys.add("");
    }
    out.add(line(totalKeys, report.total().fields(), CreditReport.FIELDS));
    return out;
  }

  private static List<String> line(List<String> keys, RoiRow r) {
    return line(keys, r.fields(), RoiRow.FIELDS);
  }

  /** A CSV line: {@code keys}, then each of {@code fields} from {@code f} (empty for null, decimals as written). */
  static List<String> line(List<String> keys, Map<String, Object> f, List<String> fields) {
    List<String> line = new ArrayList<>(keys);
    for (String name : fields) {
      Object v = f.get(name);
      line.add(v == null ? "" : v instanceof java.math.BigDecimal bd ? bd.toPlainString() : v.toString());
    }
    return line;
  }
}
