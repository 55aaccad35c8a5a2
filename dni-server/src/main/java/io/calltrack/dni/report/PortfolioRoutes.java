package io.calltrack.dni.report;

import io.calltrack.core.CalltrackException;
import io.calltrack.core.config.ConfigStore;
import io.calltrack.core.config.PropertyConfig;
import io.calltrack.core.marketing.SettingsStore;
import io.calltrack.core.report.GroupBy;
import io.calltrack.core.report.Portfolio;
import io.calltrack.core.report.RoiReporter;
import io.calltrack.core.report.RoiRow;
import io.calltrack.dni.http.AdminApi;
import io.calltrack.dni.http.Reply;
import io.calltrack.dni.http.Timeouts;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code GET /v1/reports/portfolio?from&to&properties&format} (admin token only: it spans properties):
 * every property's ROI figures side by side ({@link Portfolio}), or those of {@code properties} (a
 * comma-separated list: one account manager's clients), with a total per currency. {@code from} and
 * {@code to} are days in each property's own time zone (left out: today there). The properties'
 * reports are read {@value #AT_ONCE} at a time; the CSV is written on a worker.
 */
public final class PortfolioRoutes {
  /** Properties whose reports are read at the same time. */
  static final int AT_ONCE = 8;
  /** The most properties {@code properties=} may name. */
  static final int MAX_NAMED = 1000;
  /** By source: the total, and the calls without a source (the null row) for the attribution rate. */
  private static final GroupBy BY_SOURCE = GroupBy.of(io.calltrack.core.rollup.Dimension.SOURCE);

  private final Vertx vertx;
  private final ConfigStore store;
  private final SettingsStore settings;
  private final RoiReporter reporter;
  private final Clock clock;

  public PortfolioRoutes(Vertx vertx, ConfigStore store, SettingsStore settings, RoiReporter reporter, Clock clock) {
    this.vertx = vertx;
    this.store = store;
    this.settings = settings;
    this.reporter = reporter;
    this.clock = clock;
  }

  public void mount(AdminApi admin) {
    admin.get("/v1/reports/portfolio", this::portfolio).timeout(Timeouts.SLOW_ADMIN);
  }

  private Future<?> portfolio(RoutingContext ctx) {
    String format = ctx.request().getParam("format", "json").strip();
    if (!format.equals("json") && !format.equals("csv")) {
      throw new CalltrackException.Invalid("format must be json or csv: '" + format + "'");
    }
    LocalDate from = ReportParams.day(ctx, "from");
    LocalDate to = ReportParams.day(ctx, "to");
    if (from != null && to != null && to.isBefore(from)) {
      throw new CalltrackException.Invalid("to must not be before from");
    }
    Set<String> named = named(ctx.request().getParam("properties"));
    Future<Portfolio> portfolio = store.routingTable().compose(table -> {
      List<PropertyConfig> chosen = new ArrayList<>();
      if (named == null) {
        chosen.addAll(table.properties().values());
      } else {
        for (String id : named) {
          PropertyConfig p = table.properties().get(id);
          if (p == null) {
            return Future.failedFuture(new CalltrackException.NotFound("properties: no property '" + id + "'"));
          }
          chosen.add(p);
        }
      }
      List<Portfolio.Entry> entries = new ArrayList<>();
      Future<Void> chain = Future.succeededFuture();
      for (int i = 0; i < chosen.size(); i += AT_ONCE) {
        List<PropertyConfig> batch = chosen.subList(i, Math.min(chosen.size(), i + AT_ONCE));
        chain = chain.compose(v -> Future.all(batch.stream().map(p -> entry(p, from, to)).toList())
            .map(done -> {
              for (int j = 0; j < batch.size(); j++) {
                entries.add(done.resultAt(j));
              }
              return null;
            }));
      }
      return chain.map(v -> new Portfolio(entries));
    });
    if (format.equals("json")) {
      return portfolio.compose(p -> vertx.executeBlocking(() -> Reply.json(200, p.toJson(from, to)), false));
    }
    return portfolio.compose(p -> vertx.executeBlocking(() -> Reply.csv(
        "portfolio" + (from == null ? "" : "-" + from) + (to == null ? "" : "-" + to) + ".csv", Csv.write(csv(p))), false));
  }

  /** One property's line: its report's total over the range in its time zone, in its currency. */
  private Future<Portfolio.Entry> entry(PropertyConfig p, LocalDate from, LocalDate to) {
    LocalDate today = clock.instant().atZone(p.zone()).toLocalDate();
    LocalDate f = from != null ? from : to != null && to.isBefore(today) ? to : today;
    LocalDate t = to != null ? to : from != null && from.isAfter(today) ? from : today;
    return settings.get(p.id()).compose(s -> reporter.report(p.id(), p.zone(), f, t, BY_SOURCE).map(r -> {
      long unsourced = r.rows().stream().filter(row -> row.group() == null).mapToLong(row -> row.counts().calls()).sum();
      return new Portfolio.Entry(p.id(), p.name(), p.zone().getId(), s.currency(), f, t, r.total(),
          r.total().counts().calls() - unsourced);
    }));
  }

  /** {@code ?properties=a,b}: the ids named, in order, once each; null when left out (every property). */
  private static Set<String> named(String list) {
    if (list == null || list.isBlank()) {
      return null;
    }
    Set<String> ids = new LinkedHashSet<>();
    Arrays.stream(list.split(",")).map(String::strip).filter(id -> !id.isEmpty()).forEach(ids::add);
    if (ids.size() > MAX_NAMED) {
      throw new CalltrackException.Invalid("properties: at most " + MAX_NAMED + " ids, got " + ids.size());
    }
    return ids.isEmpty() ? null : ids;
  }

  /** A header, one line per property, then one per currency whose property column says {@code (total)}. */
  static List<List<String>> csv(Portfolio p) {
    List<List<String>> out = new ArrayList<>();
    List<String> header = new ArrayList<>(List.of("property", "name", "timezone", "currency", "from", "to",
        "attributedCalls", "attributionRate"));
    header.addAll(RoiRow.FIELDS);
    out.add(header);
    for (Map<String, Object> row : p.lines()) {
      out.add(RoiRoutes.line(List.of(), row, header));
    }
    for (Map<String, Object> total : p.totals()) {
      Map<String, Object> row = new java.util.HashMap<>(total);
      row.put("property", RoiRoutes.CSV_TOTAL);
      out.add(RoiRoutes.line(List.of(), row, header));
    }
    return out;
  }
}
