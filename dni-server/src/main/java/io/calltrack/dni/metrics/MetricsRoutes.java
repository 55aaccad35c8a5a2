package io.calltrack.dni.metrics;

import io.calltrack.dni.health.HealthRoutes;
import io.calltrack.dni.http.ErrorHandler;
import io.calltrack.dni.http.PublicApi;
import io.calltrack.dni.http.Reply;
import io.calltrack.dni.http.RequestChecks;
import io.calltrack.dni.http.Timeouts;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;

/**
 * {@code GET /metrics}: the Prometheus text format. The pool gauges are refreshed first (bounded to
 * a second; if Redis is slow the last values are served), so a scrape never shows stale pools.
 */
public final class MetricsRoutes {
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final PrometheusMeterRegistry registry;
  private final PoolGauges gauges;
  private final MetricsAuth auth;

  /** @param gauges the pool gauges to refresh before a scrape; null where there are none */
  public MetricsRoutes(PrometheusMeterRegistry registry, PoolGauges gauges) {
    this(registry, gauges, null);
  }

  /** @param metricsToken when not null, scrapes need {@code Authorization: Bearer <metricsToken>} */
  public MetricsRoutes(PrometheusMeterRegistry registry, PoolGauges gauges, String metricsToken) {
    this.registry = registry;
    this.gauges = gauges;
    this.auth = metricsToken == null ? null : new MetricsAuth(metricsToken);
  }

  public void mount(PublicApi api) {
    api.get("/metrics", this::scrape);
  }

  /**
   * The router of a process that serves only {@code /metrics} and {@code /health/live} (a sip-router
   * running alone), answering like dni-server: same formats, same {@code {error, detail}} for the rest.
   */
  public static Router standalone(Vertx vertx, PrometheusMeterRegistry registry) {
    return standalone(vertx, registry, null);
  }

  /** {@link #standalone(Vertx, PrometheusMeterRegistry)} whose scrapes need {@code metricsToken} when not null. */
  public static Router standalone(Vertx vertx, PrometheusMeterRegistry registry, String metricsToken) {
    Router router = Router.router(vertx);
    PublicApi api = new PublicApi(router, RequestChecks.none());
    new MetricsRoutes(registry, null, metricsToken).mount(api);
    HealthRoutes.mountLive(api);
    ErrorHandler.install(router, 0);
    return router;
  }

  private Future<Reply> scrape(RoutingContext ctx) {
    if (auth != null) {
      auth.check(ctx);
    }
    Future<Void> refreshed = gauges == null
        ? Future.succeededFuture()
        : Timeouts.bound(gauges.refresh(), Duration.ofSeconds(1)).otherwiseEmpty().mapEmpty();
    return refreshed.map(v -> Reply.of(CONTENT_TYPE, Buffer.buffer(registry.scrape()))
        .header("cache-control", "no-store"));
  }
}
