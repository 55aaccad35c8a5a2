package io.calltrack.dni.metrics;

import io.calltrack.dni.http.Timeouts;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;

/**
 * {@code GET /metrics}: the Prometheus text format. The pool gauges are refreshed first (bounded to
 * a second; if Redis is slow the last values are served), so a scrape never shows stale pools.
 */
public final class MetricsRoutes {
  private static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final PrometheusMeterRegistry registry;
  private final PoolGauges gauges;
  private final io.vertx.core.Handler<RoutingContext> auth;

  public MetricsRoutes(PrometheusMeterRegistry registry, PoolGauges gauges) {
    this(registry, gauges, null);
  }

  /** @param metricsToken when not null, scrapes need {@code Authorization: Bearer <metricsToken>} */
  public MetricsRoutes(PrometheusMeterRegistry registry, PoolGauges gauges, String metricsToken) {
    this.registry = registry;
    this.gauges = gauges;
    this.auth = metricsToken == null ? RoutingContext::next : new MetricsAuth(metricsToken);
  }

  public void mount(Router router) {
    router.get("/metrics").handler(auth).handler(this::scrape);
  }

  private void scrape(RoutingContext ctx) {
    Timeouts.bound(gauges.refresh(), Duration.ofSeconds(1))
        .otherwiseEmpty()
        .onComplete(ignored -> ctx.response()
            .putHeader("content-type", CONTENT_TYPE)
            .putHeader("cache-control", "no-store")
            .end(registry.scrape()));
  }
}
