package io.calltrack.dni.alerts;

import io.calltrack.core.config.ConfigStore;
import io.calltrack.core.config.PropertyConfig;
import io.calltrack.core.marketing.PropertySettings;
import io.calltrack.core.marketing.SettingsStore;
import io.calltrack.dni.http.AdminApi;
import io.calltrack.dni.http.PropertyFrom;
import io.calltrack.dni.report.ReportParams;
import io.calltrack.dni.report.ScheduledReports;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /v1/properties/{property}/health} (admin token, or a key of the property): is this
 * property's tracking well, now? Every condition the alerts watch ({@link AlertMonitor#conditions}:
 * each pool's utilization and exhaustion, today's failed calls, yesterday's calls and ROI against the
 * trailing days', the targets' pace), judged by the property's {@code alerts} thresholds or, without
 * them, their defaults, and its latest scheduled report's delivery; the score is the share of checks
 * that are healthy, 0 to 100. An operator of many properties (an agency) reads it to find the client
 * whose tracking needs looking at, before the client does.
 */
public final class HealthRoutes {
  private final ConfigStore store;
  private final SettingsStore settings;
  private final AlertMonitor alerts;
  private final ScheduledReports reports;
  private final Clock clock;

  public HealthRoutes(ConfigStore store, SettingsStore settings, AlertMonitor alerts, ScheduledReports reports,
      Clock clock) {
    this.store = store;
    this.settings = settings;
    this.alerts = alerts;
    this.reports = reports;
    this.clock = clock;
  }

  public void mount(AdminApi admin) {
    admin.get("/v1/properties/:property/health", this::health).scope(PropertyFrom.path("property"));
  }

  private Future<Map<String, Object>> health(RoutingContext ctx) {
    Instant now = clock.instant();
    return ReportParams.named(store, ctx.pathParam("property")).compose(p -> settings.get(p.id()).compose(s ->
        store.poolsOf(p.id()).compose(pools -> alerts.conditions(p, s, AlertMonitor.Thresholds.of(s.alerts()),
            pools.stream().map(io.calltrack.core.config.PoolConfig::id).toList()))
            .compose(conditions -> lastReport(p, s).map(report -> {
              List<Map<String, Object>> checks = new ArrayList<>();
              for (AlertMonitor.Condition c : conditions) {
                checks.add(check(c.alert(), !c.active(), c.detail()));
              }
              if (report != null) {
                checks.add(check("reports.delivery", !"failed".equals(report.get("state")), report));
              }
              long healthy = checks.stream().filter(c -> Boolean.TRUE.equals(c.get("healthy"))).count();
              Map<String, Object> out = new LinkedHashMap<>();
              out.put("property", p.id());
              out.put("at", now.toString());
              out.put("judgedBy", s.alerts() == null ? "defaults" : "alerts");
              out.put("score", checks.isEmpty() ? 100 : (int) (healthy * 100 / checks.size()));
              out.put("checks", checks);
              return out;
            }))));
  }

  private static Map<String, Object> check(String name, boolean healthy, Map<String, Object> detail) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("check", name);
    c.put("healthy", healthy);
    c.put("detail", detail);
    return c;
  }

  /** The latest scheduled report's delivery (of the last 40 days), or null without a schedule or any. */
  private Future<Map<String, Object>> lastReport(PropertyConfig p, PropertySettings s) {
    if (s.reports() == null) {
      return Future.succeededFuture(null);
    }
    LocalDate today = clock.instant().atZone(p.zone()).toLocalDate();
    return reports.deliveries(p.id(), today.minusDays(40), today).map(d -> {
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> list = (List<Map<String, Object>>) d.get("deliveries");
      return list.isEmpty() ? null : list.get(list.size() - 1);
    });
  }
}
