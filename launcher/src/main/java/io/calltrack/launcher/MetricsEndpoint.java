package io.calltrack.launcher;

import io.calltrack.dni.http.HttpHardening;
import io.calltrack.dni.http.ServerHardening;
import io.calltrack.dni.metrics.MetricsRoutes;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;

/**
 * {@code /metrics} and {@code /health/live} for a sip-router running alone, which has no HTTP
 * server of its own (in {@code run} and {@code demo} the DNI server serves the shared registry).
 * The routes are dni-server's, so both answer the same way; so do the connection deadlines and the
 * metrics token (CALLTRACK_METRICS_TOKEN), taken from the same settings.
 */
final class MetricsEndpoint {
  private MetricsEndpoint() {}

  static Future<HttpServer> start(Vertx vertx, String host, int port, PrometheusMeterRegistry registry,
      ServerHardening settings) {
    HttpHardening hardening = new HttpHardening(vertx, settings);
    return vertx.createHttpServer(hardening.configure(new HttpServerOptions()))
        .connectionHandler(hardening.connectionHandler())
        .requestHandler(hardening.requestHandler(MetricsRoutes.standalone(vertx, registry, settings.metricsToken())))
        .listen(port, host);
  }
}
