package io.calltrack.launcher;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;

/**
 * {@code /metrics} and {@code /health/live} for a sip-router running alone, which has no HTTP
 * server of its own (in {@code run} and {@code demo} the DNI server serves the shared registry).
 */
final class MetricsEndpoint {
  private MetricsEndpoint() {}

  static Future<HttpServer> start(Vertx vertx, String host, int port, PrometheusMeterRegistry registry) {
    return vertx.createHttpServer().requestHandler(req -> {
      switch (req.path()) {
        case "/metrics" -> req.response()
            .putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8")
            .end(registry.scrape());
        case "/health/live" -> req.response().putHeader("content-type", "application/json")
            .end("{\"status\":\"up\"}");
        default -> req.response().setStatusCode(404).putHeader("content-type", "application/json")
            .end("{\"error\":\"not_found\",\"detail\":\"only /metrics and /health/live here\"}");
      }
    }).listen(port, host);
  }
}
