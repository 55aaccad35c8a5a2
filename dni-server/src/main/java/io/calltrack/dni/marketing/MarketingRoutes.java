package io.calltrack.dni.marketing;

import io.calltrack.core.CalltrackException;
import io.calltrack.core.config.ConfigStore;
import io.calltrack.core.marketing.PropertySettings;
import io.calltrack.core.marketing.SettingsStore;
import io.calltrack.core.report.GroupBy;
import io.calltrack.core.report.RoiReport;
import io.calltrack.core.report.RoiReporter;
import io.calltrack.core.report.RoiRow;
import io.calltrack.core.report.TargetProgress;
import io.calltrack.core.rollup.Dimension;
import io.calltrack.dni.http.AdminApi;
import io.calltrack.dni.http.Bodies;
import io.calltrack.dni.report.ReportParams;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A property's marketing settings and its targets (admin):
 * <ul>
 *   <li>{@code PUT /v1/properties/{property}/marketing} {@link PropertySettings} (currency, businessHours,
 *       targets, webhook, alerts) → the settings as stored; {@code GET} the same.</li>
 *   <li>{@code GET /v1/reports/targets?property&month=YYYY-MM} → each target with actual, progress and
 *       month-end projection ({@link TargetProgress}); month defaults to the current one there.</li>
 *   <li>{@code GET /v1/reports/dashboard-usage?property&from&to} → days on which the property's dashboard
 *       was read, and their share of the range ({@link DashboardUsage}).</li>
 *   <li>{@code GET /v1/reports/summary?property&from&to} → peak hour, weekday and day, attribution
 *       completeness and tracking coverage of the range ({@link ReportSummary}).</li>
 *   <li>{@code GET /v1/reports/lifetime?property} → customer lifetime value since tracking began:
 *       customers (identified callers with a converted call), their revenue, and revenue per customer.</li>
 * </ul>
 */
public final class MarketingRoutes {
  private final ConfigStore store;
  private final SettingsStore settings;
  private final RoiReporter reporter;
  private final Clock clock;
  private final DashboardUsage usage;

  public MarketingRoutes(ConfigStore store, SettingsStore settings, RoiReporter reporter, Clock clock,
      DashboardUsage usage) {
    this.usage = usage;
    this.store = store;
    this.settings = settings;
    this.reporter = reporter;
    this.clock = clock;
  }

  public void mount(AdminApi admin) {
    admin.put("/v1/properties/:property/marketing", this::put);
    admin.get("/v1/properties/:property/marketing", this::get);
    admin.get("/v1/reports/targets", this::targets);
    admin.get("/v1/reports/dashboard-usage", ctx -> ReportParams.property(ctx, store).compose(p -> {
      ReportParams.Days days = ReportParams.days(ctx, p, clock);
      return usage.report(p.id(), days.from(), days.to());
    }));
    ReportSummary summary = new ReportSummary(reporter);
    admin.get("/v1/reports/summary", ctx -> ReportParams.property(ctx, store).compose(p -> {
      ReportParams.Days days = ReportParams.days(ctx, p, clock);
      return summary.report(p, days.from(), days.to());
    }));
    admin.get("/v1/reports/lifetime", ctx -> ReportParams.property(ctx, store).compose(p ->
        settings.get(p.id()).compose(s -> reporter.lifetime(p.id()).map(l -> lifetime(p.id(), s.currency(), l)))));
  }

  private static Map<String, Object> lifetime(String property, String currency, Map<String, Long> l) {
    long customers = l.get("customers");
    long revenue = l.get("customerRevenue");
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("property", property);
    body.put("currency", currency);
    body.put("customers", customers);
    body.put("customerRevenue", io.calltrack.core.report.Money.format(revenue));
    body.put("customerLifetimeValue", customers == 0 ? null : io.calltrack.core.report.Money.fromMinor(revenue)
        .divide(java.math.BigDecimal.valueOf(customers), 2, java.math.RoundingMode.HALF_UP).toPlainString());
    return body;
  }

  private Future<PropertySettings> put(RoutingContext ctx) {
    PropertySettings s = Bodies.read(ctx, PropertySettings.class);
    if (s == null) {
      throw new CalltrackException.Invalid("request body is empty; expected a JSON object of settings");
    }
    return ReportParams.named(store, ctx.pathParam("property")).compose(p -> settings.put(p.id(), s));
  }

  private Future<PropertySettings> get(RoutingContext ctx) {
    return ReportParams.named(store, ctx.pathParam("property")).compose(p -> settings.get(p.id()));
  }

  private Future<Map<String, Object>> targets(RoutingContext ctx) {
    return ReportParams.property(ctx, store).compose(p -> settings.get(p.id()).compose(s -> {
      LocalDate today = clock.instant().atZone(p.zone()).toLocalDate();
      YearMonth month = month(ctx.request().getParam("month"), today);
      int elapsed = TargetProgress.elapsedDays(month, today);
      LocalDate from = month.atDay(1);
      LocalDate to = elapsed == 0 ? from : month.atDay(elapsed);
      Future<RoiReport> bySource = reporter.report(p.id(), p.zone(), from, to, GroupBy.of(Dimension.SOURCE));
      Future<RoiReport> byCampaign = reporter.report(p.id(), p.zone(), from, to, GroupBy.of(Dimension.CAMPAIGN));
      return Future.all(bySource, byCampaign).map(all -> {
        List<Object> out = new ArrayList<>();
        for (PropertySettings.Target t : s.targets()) {
          RoiRow row = elapsed == 0 ? new RoiRow(null, io.calltrack.core.report.RoiCounts.ZERO)
              : t.campaign() != null ? find(byCampaign.result(), t.campaign())
              : t.source() != null ? find(bySource.result(), t.source()) : bySource.result().total();
          out.add(TargetProgress.of(t, row, month, elapsed));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("property", p.id());
        body.put("month", month.toString());
        body.put("currency", s.currency());
        body.put("targets", out);
        return body;
      });
    }));
  }

  private static RoiRow find(RoiReport report, String value) {
    return report.rows().stream().filter(r -> value.equals(r.group())).findFirst()
        .orElse(new RoiRow(value, io.calltrack.core.report.RoiCounts.ZERO));
  }

  private static YearMonth month(String v, LocalDate today) {
    if (v == null || v.isBlank()) {
      return YearMonth.from(today);
    }
    YearMonth month;
    try {
      month = YearMonth.parse(v.strip());
    } catch (DateTimeParseException e) {
      throw new CalltrackException.Invalid("month must look like 2026-11: '" + v + "'");
    }
    if (!ReportParams.reportable(month.atDay(1)) || !ReportParams.reportable(month.atEndOfMonth())) {
      throw new CalltrackException.Invalid("month must be from 1970-01 to 9999-12: '" + v + "'");
    }
    return month;
  }
}
