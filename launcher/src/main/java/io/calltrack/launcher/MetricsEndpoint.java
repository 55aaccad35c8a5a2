package io.calltrack.launcher;

import io.calltrack.dni.metrics.MetricsRoutes;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;

/**
 * {@code /metrics} and {@code /health/live} for a sip-router running alone, which has no HTTP
 * server of its own (in {@code run} and {@code demo} the DNI server serves the shared registry).
 * The routes are dni-server's, so both answer the same way.
 */
final class MetricsEndpoint {
  private MetricsEndpoint() {}

  static Future<HttpServer> start(Vertx vertx, String host, int port, PrometheusMeterRegistry registry) {
    return vertx.createHttpServer()
        .requestHandler(MetricsRoutes.standalone(vertx, registry))
        .listen(port, host);
  }
}
