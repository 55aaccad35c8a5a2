package io.calltrack.dni.report;

import io.calltrack.core.CalltrackException;
import io.calltrack.core.config.ConfigStore;
import io.calltrack.core.report.RoiReport;
import io.calltrack.core.report.RoiReporter;
import io.calltrack.core.report.RoiRow;
import io.calltrack.core.rollup.Dimension;
import io.calltrack.dni.http.AdminAuth;
import io.calltrack.dni.http.Responses;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /v1/reports/roi?property&from&to&groupBy&format} (admin): the ROI report as JSON (see
 * {@link RoiReport#toJson()}) or CSV (a header row, one row per group, and a last row whose group
 * column says {@value #CSV_TOTAL}). groupBy defaults to source, format to json.
 */
public final class RoiRoutes {
  public static final String CSV_TOTAL = "(total)";

  private final ConfigStore store;
  private final RoiReporter reporter;
  private final AdminAuth auth;
  private final Clock clock;

  public RoiRoutes(ConfigStore store, RoiReporter reporter, AdminAuth auth, Clock clock) {
    this.store = store;
    this.reporter = reporter;
    this.auth = auth;
    this.clock = clock;
  }

  public void mount(Router router) {
    router.get("/v1/reports/roi").handler(auth).handler(this::roi);
  }

  private void roi(RoutingContext ctx) {
    String g = ctx.request().getParam("groupBy");
    Dimension groupBy = g == null || g.isBlank() ? Dimension.SOURCE : Dimension.of(g.strip());
    String format = ctx.request().getParam("format", "json").strip();
    if (!format.equals("json") && !format.equals("csv")) {
      throw new CalltrackException.Invalid("format must be json or csv: '" + format + "'");
    }
    ReportParams.property(ctx, store)
        .compose(p -> reporter.report(p.id(), p.zone(), ReportParams.day(ctx, "from", p, clock),
            ReportParams.day(ctx, "to", p, clock), groupBy))
        .onSuccess(report -> {
          if (format.equals("csv")) {
            ctx.response().putHeader("content-type", Csv.CONTENT_TYPE)
                .putHeader("cache-control", "no-store")
                .putHeader("content-disposition", "attachment; filename=\"roi-" + report.property() + "-"
                    + report.from() + "-" + report.to() + ".csv\"")
                .end(Csv.write(csv(report)));
          } else {
            Responses.ok(ctx, report.toJson());
          }
        })
        .onFailure(ctx::fail);
  }

  static List<List<String>> csv(RoiReport report) {
    List<List<String>> out = new ArrayList<>();
    List<String> header = new ArrayList<>();
    header.add(report.groupBy().json());
    header.addAll(RoiRow.FIELDS);
    out.add(header);
    for (RoiRow r : report.rows()) {
      out.add(line(r.group() == null ? "" : r.group(), r));
    }
    out.add(line(CSV_TOTAL, report.total()));
    return out;
  }

  private static List<String> line(String group, RoiRow r) {
    List<String> line = new ArrayList<>();
    line.add(group);
    Map<String, Object> f = r.fields();
    for (String name : RoiRow.FIELDS) {
      Object v = f.get(name);
      line.add(v == null ? "" : v instanceof java.math.BigDecimal bd ? bd.toPlainString() : v.toString());
    }
    return line;
  }
}
