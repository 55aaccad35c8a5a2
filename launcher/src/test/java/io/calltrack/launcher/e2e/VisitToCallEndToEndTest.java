package io.calltrack.launcher.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.localredis.EmbeddedRedis;
import io.calltrack.core.testing.Await;
import io.calltrack.core.testing.TestNumbers;
import io.calltrack.core.testing.TestRedis;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.dni.DniServer;
import io.calltrack.dni.DniServerOptions;
import io.calltrack.sip.SipRouter;
import io.calltrack.sip.SipRouterOptions;
import io.calltrack.sip.testing.Sipp;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole product path: a visitor from a Google ad lands on /plumbing, dni-server (over HTTP) gives
 * it a tracking number; a SIP trunk (SIPp) calls that number through the sip-router to the business
 * line (SIPp); the call comes out as one answered call record, attributed to that visit, in
 * {@code GET /v1/calls}. Both servers share one Redis and meet only there.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class VisitToCallEndToEndTest {
  /** The Redis the servers share; a subclass runs the same scenario on a Redis Cluster. */
  String redisTarget() {
    return TestRedis.url();
  }

  static final String TOKEN = "e2e-admin-token-0123456789";
  static final Duration CALL_PAUSE = Duration.ofSeconds(3);

  @TempDir Path spool;

  @Test
  void aVisitFromAnAdBecomesAnAttributedAnsweredCall() {
    Sipp.binary(); // fails clearly where SIPp is missing
    Vertx vertx = Vertx.vertx();
    try {
      String redisUrl = redisTarget();
      DniServer dni = Await.result(DniServer.start(vertx, DniServerOptions.of(redisUrl, TOKEN)));
      SipRouter router = Await.result(SipRouter.start(vertx, new SipRouterOptions("127.0.0.1", EmbeddedRedis.freePort(),
          List.of("127.0.0.0/8"), redisUrl, spool, new SimpleMeterRegistry(), Clock.systemUTC(), Duration.ofSeconds(20))));
      WebClient http = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(dni.port()));
      try (Sipp line = Sipp.uas("business-line-uas.xml", 1, "udp")) {
        // the site: one property, one tracking number, calls go to the business line
        String property = TestRedis.uniqueId("plumber");
        String pool = TestRedis.uniqueId("paid");
        PhoneNumber printed = TestNumbers.fresh();
        PhoneNumber tracking = TestNumbers.fresh();
        admin(http, "/v1/properties/" + property, new JsonObject()
            .put("name", "Plumber").put("allowedOrigins", new JsonArray().add("https://plumber.example"))
            .put("swapNumbers", new JsonArray().add(printed.e164())).put("defaultNumber", printed.e164())
            .put("businessLine", "sip:+15559990000@127.0.0.1:" + line.port).put("timezone", "UTC"));
        admin(http, "/v1/pools/" + pool, new JsonObject().put("property", property)
            .put("numbers", new JsonArray().add(tracking.e164())).put("leaseSeconds", 300).put("holdSeconds", 1800)
            .put("onExhausted", "fallback"));

        // the visit, as dni.js reports it: utm parameters read from the landing page's URL
        Instant visitAt = Instant.now();
        JsonObject assigned = post(http, "/v1/assign", new JsonObject()
            .put("property", property)
            .put("page", new JsonObject()
                .put("url", "https://plumber.example/plumbing?utm_source=google&utm_term=emergency%20plumber")
                .put("referrer", "https://www.google.com/"))
            .put("attribution", new JsonObject().put("source", "google").put("keyword", "emergency plumber")));
        assertFalse(assigned.getBoolean("fallback"), assigned::encode);
        assertEquals(tracking.e164(), assigned.getString("number"));
        String sessionId = assigned.getString("sessionId");
        Await.until(Duration.ofSeconds(30), () -> router.routes(tracking));

        // the call: SIPp as the trunk dials the number the visitor saw
        try (Sipp trunk = Sipp.uac("trunk-uac.xml", router.port(), tracking.e164(), 1, CALL_PAUSE, "udp")) {
          assertEquals(0, trunk.exitCode(Duration.ofSeconds(90)), () -> "trunk:\n" + trunk.output());
        }
        assertEquals(0, line.exitCode(Duration.ofSeconds(90)), () -> "business line:\n" + line.output());

        // one call record, answered, attributed to the visit, through the HTTP API
        JsonObject call = Await.until(Duration.ofSeconds(30), () -> callsTo(http, tracking, visitAt),
            calls -> calls.size() == 1 && "answered".equals(calls.getJsonObject(0).getString("status"))
                && calls.getJsonObject(0).getString("endedAt") != null).getJsonObject(0);
        assertEquals("answered", call.getString("status"));
        assertEquals("+15557770002", call.getString("caller"));
        long duration = call.getLong("durationSeconds");
        assertTrue(Math.abs(duration - CALL_PAUSE.toSeconds()) <= 1, "duration " + duration + " s vs pause " + CALL_PAUSE);
        assertEquals(sessionId, call.getString("sessionId"));
        JsonObject attribution = call.getJsonObject("attribution");
        assertEquals("google", attribution.getString("source"));
        assertEquals("emergency plumber", attribution.getString("keyword"));
        assertEquals("/plumbing", URI.create("https://x" + attribution.getString("landingPage")).getPath());
        assertEquals("https://www.google.com/", attribution.getString("referrer"));

        // and by its id
        JsonObject byId = get(http, "/v1/calls/" + call.getString("callId"));
        assertEquals(call, byId);
        // still exactly one a moment later: nothing was recorded twice
        assertEquals(1, callsTo(http, tracking, visitAt).size());
      } finally {
        http.close();
        Await.result(router.close());
        Await.result(dni.close());
      }
    } finally {
      Await.result(vertx.close());
    }
  }

  private static JsonArray callsTo(WebClient http, PhoneNumber number, Instant since) {
    JsonObject page = get(http, "/v1/calls?limit=500&from=" + since.minusSeconds(5));
    JsonArray out = new JsonArray();
    page.getJsonArray("calls").forEach(c -> {
      if (number.e164().equals(((JsonObject) c).getString("number"))) {
        out.add(c);
      }
    });
    return out;
  }

  private static void admin(WebClient http, String path, JsonObject body) {
    HttpResponse<Buffer> r = Await.result(http.put(path).bearerTokenAuthentication(TOKEN).sendJsonObject(body));
    assertEquals(200, r.statusCode(), () -> path + ": " + r.bodyAsString());
  }

  private static JsonObject post(WebClient http, String path, JsonObject body) {
    HttpResponse<Buffer> r = Await.result(http.post(path).putHeader("origin", "https://plumber.example").sendJsonObject(body));
    assertEquals(200, r.statusCode(), () -> path + ": " + r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  private static JsonObject get(WebClient http, String path) {
    HttpResponse<Buffer> r = Await.result(http.get(path).bearerTokenAuthentication(TOKEN).send());
    assertEquals(200, r.statusCode(), () -> path + ": " + r.bodyAsString());
    return r.bodyAsJsonObject();
  }
}
