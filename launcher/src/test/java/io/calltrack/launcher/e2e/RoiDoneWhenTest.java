package io.calltrack.launcher.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.CallStatus;
import io.calltrack.core.calls.RedisCallStore;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.localredis.EmbeddedRedis;
import io.calltrack.core.redis.RedisClientFactory;
import io.calltrack.core.testing.Await;
import io.calltrack.core.testing.TestNumbers;
import io.calltrack.core.testing.TestRedis;
import io.calltrack.dni.DniServer;
import io.calltrack.dni.DniServerOptions;
import io.calltrack.sip.SipRouter;
import io.calltrack.sip.testing.Sipp;
import io.calltrack.sip.SipRouterOptions;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.calltrack.dni.testing.BrowserScripts;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 5's "Done when", end to end in one process as the launcher composes it: dni-server and
 * sip-router on one Redis, a visitor from google gets a tracking number, a SIPp trunk calls it through
 * the router to a SIPp business line that answers; then an outcome of 500 for that call and 100 of
 * google spend make the ROI report show google with 1 call, revenue 500.00, cost 100.00, ROAS 5.000
 * and ROI 400.00 %, and the dashboard (headless Chromium) shows the same row.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class RoiDoneWhenTest {
  /** The Redis the servers share; a subclass runs the same scenario on a Redis Cluster. */
  String redisTarget() {
    return TestRedis.url();
  }

  static final String TOKEN = "e2e-admin-token-0123456789";
  static final String ORIGIN = "https://www.shop.example";

  Vertx vertx = Vertx.vertx();
  DniServer dni;
  SipRouter router;
  WebClient web;
  final List<Sipp> sipps = new ArrayList<>();
  @TempDir Path spool;

  @AfterEach
  void stop() {
    sipps.forEach(Sipp::close);
    try {
      if (router != null) {
        Await.result(router.close());
      }
      if (dni != null) {
        Await.result(dni.close());
      }
    } finally {
      Await.result(vertx.close());
    }
  }

  @Test
  void outcomeAndSpendShowInTheRoiReportAndTheDashboard() throws Exception {
    dni = Await.result(DniServer.start(vertx, DniServerOptions.of(redisTarget(), TOKEN)));
    int sipPort = EmbeddedRedis.freePort();
    router = Await.result(SipRouter.start(vertx, new SipRouterOptions("127.0.0.1", sipPort, List.of("127.0.0.0/8"),
        redisTarget(), spool, new SimpleMeterRegistry(), Clock.systemUTC(), Duration.ofSeconds(20))));
    web = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(dni.port()));

    // the business line: SIPp answering one call
    Sipp line = Sipp.uas("business-line-uas.xml", 1, "udp");
    sipps.add(line);
    int linePort = line.port;

    String property = TestRedis.uniqueId("e2e");
    PhoneNumber printed = TestNumbers.fresh();
    PhoneNumber tracking = TestNumbers.fresh();
    assertEquals(200, admin(HttpMethod.PUT, "/v1/properties/" + property, new JsonObject()
        .put("name", "Shop").put("allowedOrigins", new JsonArray().add(ORIGIN))
        .put("swapNumbers", new JsonArray().add(printed.e164())).put("defaultNumber", printed.e164())
        .put("businessLine", "sip:+15559990000@127.0.0.1:" + linePort).put("timezone", "UTC")).statusCode());
    assertEquals(200, admin(HttpMethod.PUT, "/v1/pools/" + TestRedis.uniqueId("pool"), new JsonObject()
        .put("property", property).put("numbers", new JsonArray().add(tracking.e164()))
        .put("leaseSeconds", 600).put("holdSeconds", 600).put("onExhausted", "fallback")).statusCode());

    // a visitor from a google ad
    HttpResponse<Buffer> assigned = Await.result(web.post("/v1/assign").putHeader("origin", ORIGIN)
        .sendJsonObject(new JsonObject().put("property", property)
            .put("page", new JsonObject().put("url", ORIGIN + "/?utm_source=google&utm_medium=cpc&gclid=e2e-gclid")
                .put("referrer", "https://www.google.com/"))
            .put("attribution", new JsonObject().put("source", "google").put("medium", "cpc").put("gclid", "e2e-gclid"))));
    assertEquals(200, assigned.statusCode(), assigned.bodyAsString());
    assertEquals(tracking.e164(), assigned.bodyAsJsonObject().getString("number"));

    // the router learns of the new pool through the config change it is subscribed to
    Await.until(Duration.ofSeconds(30), () -> router.routes(tracking));
    Instant before = Instant.now().minusSeconds(5);
    try (Sipp trunk = Sipp.uac("trunk-uac.xml", router.port(), tracking.e164(), 1, Duration.ofSeconds(1), "udp")) {
      assertEquals(0, trunk.exitCode(Duration.ofSeconds(90)), "the call went through:\n" + trunk.output());
    }
    assertEquals(0, line.exitCode(Duration.ofSeconds(60)), "the business line answered one call:\n" + line.output());

    RedisCallStore calls = new RedisCallStore(RedisClientFactory.create(vertx, redisTarget()));
    CallRecord call = Await.until(Duration.ofSeconds(60), () -> Await.result(calls.page(before, null, 500, null))
            .calls().stream().filter(c -> tracking.equals(c.number()) && c.finished()).findFirst().orElse(null),
        c -> c != null);
    assertEquals(CallStatus.ANSWERED, call.status());
    assertEquals("google", call.attribution().source());

    HttpResponse<Buffer> outcome = admin(HttpMethod.POST, "/v1/calls/" + call.callId() + "/outcome",
        new JsonObject().put("qualified", true).put("converted", true).put("value", "500").put("currency", "USD"));
    assertEquals(200, outcome.statusCode(), outcome.bodyAsString());
    HttpResponse<Buffer> spend = admin(HttpMethod.PUT, "/v1/spend?property=" + property,
        new JsonArray().add(Map.of("date", call.startedAt().atZone(ZoneOffset.UTC).toLocalDate().toString(),
            "source", "google", "amount", "100")));
    assertEquals(200, spend.statusCode(), spend.bodyAsString());

    String day = call.startedAt().atZone(ZoneOffset.UTC).toLocalDate().toString();
    String query = "/v1/reports/roi?groupBy=source&property=" + property + "&from=" + day + "&to=" + day;
    HttpResponse<Buffer> report = admin(HttpMethod.GET, query, null);
    assertEquals(200, report.statusCode(), report.bodyAsString());
    JsonObject google = report.bodyAsJsonObject().getJsonArray("rows").getJsonObject(0);
    assertEquals("google", google.getString("source"));
    assertEquals(1, google.getInteger("calls"));
    assertEquals(1, google.getInteger("answered"));
    assertEquals("500.00", google.getString("revenue"));
    assertEquals("100.00", google.getString("cost"));
    assertTrue(report.bodyAsString().contains("\"roas\":5.000,\"roiPercent\":400.00"), report.bodyAsString());

    // and the dashboard shows it (its ROI table opened on the call's day)
    Path shot = Path.of("target/artifacts").toAbsolutePath();
    Files.createDirectories(shot);
    JsonObject page = BrowserScripts.run("dashboard.mjs", "done-when-dashboard", Duration.ofMinutes(3),
        "http://127.0.0.1:" + dni.port() + "/dashboard?property=" + property + "&from=" + day + "&to=" + day,
        TOKEN, shot.resolve("done-when-dashboard.png").toString());
    assertEquals(new JsonArray(), page.getJsonArray("errors"));
    JsonArray row = page.getJsonArray("roiRows").getJsonArray(0);
    assertEquals(new JsonArray(List.of("google", "1", "1", "1", "1", "1", "1", "500.00", "100.00", "100.00", "5.00",
        "400.0")), row);
    assertEquals("1", page.getJsonArray("pools").getJsonObject(0).getString("size"));
  }

  private HttpResponse<Buffer> admin(HttpMethod method, String path, Object json) {
    var req = web.request(method, path).putHeader("authorization", "Bearer " + TOKEN);
    Future<HttpResponse<Buffer>> sent = json == null ? req.send()
        : req.putHeader("content-type", "application/json").sendBuffer(Buffer.buffer(json.toString()));
    return Await.result(sent);
  }

}
