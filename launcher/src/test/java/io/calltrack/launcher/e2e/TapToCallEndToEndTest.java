package io.calltrack.launcher.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.config.RedisConfigStore;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.core.pool.RedisPoolEngine;
import io.calltrack.core.pool.Session;
import io.calltrack.localredis.EmbeddedRedis;
import io.calltrack.core.redis.RedisClientFactory;
import io.calltrack.core.testing.Await;
import io.calltrack.core.testing.TestNumbers;
import io.calltrack.core.testing.TestRedis;
import io.calltrack.dni.DniServer;
import io.calltrack.dni.DniServerOptions;
import io.calltrack.dni.testing.BrowserScripts;
import io.calltrack.sip.SipRouter;
import io.calltrack.sip.SipRouterOptions;
import io.calltrack.sip.testing.Sipp;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.redis.client.Redis;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9's done-when, end to end: two phone visitors from the same campaign share the site's one
 * tracking number (share-channel pool); the first taps the tel: link in real headless Chromium (the
 * dni.js beacon records the tap); then a real SIPp call through the sip-router to that number is
 * resolved {@code exact} to the tapper's visit while the other visit is still live on the same
 * number, with both as candidates. The site runs Google Analytics (its cookies, set as gtag sets them):
 * the call reaches the property's GA4 endpoint (a route of the test's site standing for Google's) with
 * the tapper's GA client and session ids.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class TapToCallEndToEndTest {
  static final String TOKEN = "e2e-admin-token-0123456789";

  @TempDir Path spool;

  @Test
  void aTapOnTheTelLinkThenACallIsExactToTheTapperWhileAnotherLiveVisitSharesTheNumber() throws Exception {
    Sipp.binary();
    BrowserScripts.requireTools();
    Vertx vertx = Vertx.vertx();
    try {
      String redisUrl = TestRedis.url();
      DniServer dni = Await.result(DniServer.start(vertx, DniServerOptions.of(redisUrl, TOKEN)));
      SipRouter router = Await.result(SipRouter.start(vertx, new SipRouterOptions("127.0.0.1", EmbeddedRedis.freePort(),
          List.of("127.0.0.0/8"), redisUrl, spool, new SimpleMeterRegistry(), Clock.systemUTC(), Duration.ofSeconds(20))));
      WebClient http = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(dni.port()));
      Redis redis = RedisClientFactory.create(vertx, redisUrl);
      RedisConfigStore store = Await.result(RedisConfigStore.create(vertx, redis));
      RedisPoolEngine engine = new RedisPoolEngine(vertx, redis, store, Clock.systemUTC());
      AtomicBoolean called = new AtomicBoolean();
      List<JsonObject> ga4 = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
      String property = TestRedis.uniqueId("tapper");
      PhoneNumber printed = TestNumbers.fresh();
      HttpServer site = Await.result(vertx.createHttpServer().requestHandler(site(vertx, dni, property, printed, called, ga4))
          .listen(0, "127.0.0.1"));
      String origin = "http://127.0.0.1:" + site.actualPort();
      try (Sipp line = Sipp.uas("business-line-uas.xml", 1, "udp")) {
        String pool = TestRedis.uniqueId("shared");
        PhoneNumber tracking = TestNumbers.fresh();
        admin(http, "/v1/properties/" + property, new JsonObject()
            .put("name", "Plumber").put("allowedOrigins", new JsonArray().add(origin))
            .put("swapNumbers", new JsonArray().add(printed.e164())).put("defaultNumber", printed.e164())
            .put("businessLine", "sip:+15559990000@127.0.0.1:" + line.port).put("timezone", "UTC")
            // the visits come from headless Chromium, which the assign abuse guard would give the default number
            .put("assignLimits", new JsonObject().put("leaseToAutomatedClients", true)));
        admin(http, "/v1/properties/" + property + "/marketing", new JsonObject().put("analytics", new JsonObject()
            .put("measurementId", "G-TEST1234").put("apiSecret", "e2e-api-secret").put("endpoint", origin + "/mp/collect")));
        admin(http, "/v1/pools/" + pool, new JsonObject().put("property", property)
            .put("numbers", new JsonArray().add(tracking.e164())).put("leaseSeconds", 300).put("holdSeconds", 1800)
            .put("onExhausted", "share-channel"));
        Await.until(Duration.ofSeconds(30), () -> router.routes(tracking));
        Instant since = Instant.now();

        CompletableFuture<JsonObject> browser = CompletableFuture.supplyAsync(() -> {
          try {
            return BrowserScripts.run("tap-call.mjs", "e2e-tap-call", Duration.ofMinutes(3), new JsonObject()
                .put("siteUrl", origin + "/index.html?utm_source=google&utm_medium=cpc&utm_campaign=spring")
                .put("controlUrl", origin + "/control")
                .put("chromium", BrowserScripts.CHROMIUM.toString()).encode());
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
        try {
          // wait (bounded) until both visits hold the number and the tap is in Redis
          Session tapper = Await.until(Duration.ofSeconds(90), () -> tapperSession(engine, tracking, since),
              Optional::isPresent).orElseThrow();
          try (Sipp trunk = Sipp.uac("trunk-uac.xml", router.port(), tracking.e164(), 1, Duration.ofSeconds(1), "udp")) {
            assertEquals(0, trunk.exitCode(Duration.ofSeconds(90)), () -> "trunk:\n" + trunk.output());
          }
          JsonObject call = Await.until(Duration.ofSeconds(30), () -> callsTo(http, tracking, since),
              calls -> calls.size() == 1 && calls.getJsonObject(0).getString("confidence") != null).getJsonObject(0);
          called.set(true);
          JsonObject report = browser.get(120, TimeUnit.SECONDS);

          JsonObject a = report.getJsonObject("tapper").getJsonObject("assign");
          JsonObject b = report.getJsonObject("other").getJsonObject("assign");
          assertEquals(tracking.e164(), a.getString("number"));
          assertEquals(tracking.e164(), b.getString("number"), "the second visit shares the one number");
          assertNotEquals(a.getString("sessionId"), b.getString("sessionId"));
          assertEquals("tel:" + tracking.e164(), report.getJsonObject("tapper").getString("href"));
          assertEquals(204, report.getInteger("tapBeacon"));
          assertEquals(a.getString("sessionId"), tapper.sessionId());
          // the other visit was live (leased) when the call came
          Session other = Await.result(engine.session(b.getString("sessionId"))).orElseThrow();
          assertTrue(other.leaseExpiresAt().isAfter(Instant.parse(call.getString("startedAt"))), other::toString);

          assertEquals("exact", call.getString("confidence"), call::encodePrettily);
          assertEquals(a.getString("sessionId"), call.getString("sessionId"));
          assertEquals("lease", call.getString("resolution"));
          assertEquals("google", call.getJsonObject("attribution").getString("source"));
          JsonArray candidates = call.getJsonArray("candidates");
          assertEquals(2, candidates.size(), candidates::encodePrettily);
          assertEquals(a.getString("sessionId"), candidates.getJsonObject(0).getString("sessionId"));
          assertTrue(candidates.getJsonObject(0).getDouble("likelihood") >= 0.995, candidates::encodePrettily);
          assertEquals(b.getString("sessionId"), candidates.getJsonObject(1).getString("sessionId"));
          assertFalse(candidates.getJsonObject(0).getJsonArray("reasons").isEmpty());

          // GA4: the tapper's GA ids, from its cookies through its session to the call and on to GA
          String cookie = report.getJsonObject("tapper").getString("cookie");
          java.util.regex.Matcher ids = java.util.regex.Pattern
              .compile("_ga=GA1\\.1\\.(\\d+\\.\\d+).*_ga_TEST1234=GS2\\.1\\.s(\\d+)").matcher(cookie);
          assertTrue(ids.find(), cookie);
          assertEquals(ids.group(1), call.getJsonObject("attribution").getString("gaClientId"), call::encodePrettily);
          JsonObject hit = Await.until(Duration.ofSeconds(60), () -> ga4.stream().filter(h -> "phone_call".equals(
              h.getJsonArray("events").getJsonObject(0).getString("name"))).findFirst(), Optional::isPresent).get();
          assertEquals(ids.group(1), hit.getString("client_id"), hit::encode);
          JsonObject params = hit.getJsonArray("events").getJsonObject(0).getJsonObject("params");
          assertEquals(ids.group(2), params.getString("session_id"), hit::encode);
          assertEquals(call.getString("callId"), params.getString("call_id"));
          assertEquals("answered", params.getString("call_status"));
        } finally {
          called.set(true);
        }
      } finally {
        http.close();
        Await.result(site.close());
        Await.result(store.close());
        Await.result(router.close());
        Await.result(dni.close());
      }
    } finally {
      Await.result(vertx.close());
    }
  }

  /** The session of {@code number} with a recorded tap, once a second visit shares the number too. */
  private static Optional<Session> tapperSession(RedisPoolEngine engine, PhoneNumber number, Instant since) {
    var c = Await.result(engine.candidates(number, Instant.now()));
    List<Session> recent = c.sessions().stream().filter(s -> !s.startedAt().isBefore(since.minusSeconds(1))).toList();
    if (recent.size() < 2) {
      return Optional.empty();
    }
    return recent.stream().filter(s -> s.evidence().tap() != null).findFirst();
  }

  /** The site: a page with the dni.js tag and a tel: link to the printed number; /control/done for the script. */
  private static Router site(Vertx vertx, DniServer dni, String property, PhoneNumber printed, AtomicBoolean called,
      List<JsonObject> ga4) {
    Router router = Router.router(vertx);
    router.post("/mp/collect").handler(ctx -> ctx.request().body().onSuccess(b -> {
      if ("measurement_id=G-TEST1234&api_secret=e2e-api-secret".equals(ctx.request().query())) {
        ga4.add(new JsonObject(b.toString()));
      }
      ctx.response().setStatusCode(204).end();
    }));
    router.get("/index.html").handler(ctx -> ctx.response().putHeader("content-type", "text/html; charset=utf-8")
        .putHeader("cache-control", "no-store")
        .end("<!doctype html><html><head><meta name=viewport content='width=device-width'>"
            // Google Analytics' cookies as gtag.js writes them: a client id per browser, a GS2 session
            + "<script>var t = Math.floor(Date.now() / 1000), c = Math.floor(Math.random() * 1e9);"
            + "document.cookie = '_ga=GA1.1.' + c + '.' + t + ';path=/';"
            + "document.cookie = '_ga_TEST1234=GS2.1.s' + t + '$o1$g0$t' + t + '$j60$l0$h0;path=/';</script>"
            + "<script async src='http://127.0.0.1:" + dni.port() + "/dni.js' data-property='" + property + "'></script>"
            + "</head><body><h1>Plumber</h1><p><a id=tel href='tel:" + printed.e164() + "' "
            + "style='display:block;padding:40px;font-size:32px'>Call " + printed.e164() + "</a></p></body></html>"));
    router.get("/control/done").handler(ctx -> ctx.response().setStatusCode(called.get() ? 200 : 404).end());
    return router;
  }

  private static JsonArray callsTo(WebClient http, PhoneNumber number, Instant since) {
    HttpResponse<Buffer> r = Await.result(http.get("/v1/calls?limit=500&from=" + since.minusSeconds(5))
        .bearerTokenAuthentication(TOKEN).send());
    assertEquals(200, r.statusCode(), r::bodyAsString);
    JsonArray out = new JsonArray();
    r.bodyAsJsonObject().getJsonArray("calls").forEach(c -> {
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
}
