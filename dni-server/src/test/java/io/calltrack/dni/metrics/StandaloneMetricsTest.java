package io.calltrack.dni.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The metrics port of a sip-router running alone answers like dni-server: same formats, same errors. */
@ExtendWith(VertxExtension.class)
class StandaloneMetricsTest {
  @Test
  void servesMetricsLivenessAndJsonErrors(Vertx vertx) throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Counter.builder("calltrack.sip.rejected").register(registry).increment(3);
    HttpServer server = vertx.createHttpServer().requestHandler(MetricsRoutes.standalone(vertx, registry))
        .listen(0, "127.0.0.1").await(30, TimeUnit.SECONDS);
    WebClient web = WebClient.create(vertx);
    try {
      HttpResponse<Buffer> metrics = get(web, server, "/metrics");
      assertEquals(200, metrics.statusCode());
      assertTrue(metrics.getHeader("content-type").startsWith("text/plain"));
      assertTrue(metrics.bodyAsString().contains("calltrack_sip_rejected_total 3.0"), metrics.bodyAsString());

      HttpResponse<Buffer> live = get(web, server, "/health/live");
      assertEquals(200, live.statusCode());
      assertEquals(new JsonObject().put("status", "up"), live.bodyAsJsonObject());

      HttpResponse<Buffer> other = get(web, server, "/v1/assign");
      assertEquals(404, other.statusCode());
      assertEquals("not_found", other.bodyAsJsonObject().getString("error"));
      assertTrue(other.bodyAsJsonObject().getString("detail").contains("/v1/assign"));
    } finally {
      web.close();
      server.close().await(30, TimeUnit.SECONDS);
      registry.close();
    }
  }

  private static HttpResponse<Buffer> get(WebClient web, HttpServer server, String path) throws Exception {
    return web.get(server.actualPort(), "127.0.0.1", path).send().await(30, TimeUnit.SECONDS);
  }
}
