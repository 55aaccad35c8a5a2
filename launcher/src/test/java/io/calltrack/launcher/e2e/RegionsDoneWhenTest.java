package io.calltrack.launcher.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.core.region.Regions;
import io.calltrack.core.testing.Await;
import io.calltrack.core.testing.TestNumbers;
import io.calltrack.core.testing.TestRedis;
import io.calltrack.dni.DniServer;
import io.calltrack.dni.DniServerOptions;
import io.calltrack.dni.testing.BrowserScripts;
import io.calltrack.localredis.EmbeddedRedis;
import io.calltrack.sip.SipRouter;
import io.calltrack.sip.SipRouterOptions;
import io.calltrack.sip.testing.Sipp;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15's first done-when: a property with a pool per region (Chicago numbers, Boston numbers)
 * and a general pool; two visits through real headless Chromium, one from a browser in Chicago's
 * time zone, one in New York's (the property maps it to Boston), each see a number of their region;
 * SIPp calls each number through the router, and each call lands in its region's row of the report
 * ({@code groupBy=region}).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class RegionsDoneWhenTest {
  static final String TOKEN = "e2e-admin-token-0123456789";

  final Vertx vertx = Vertx.vertx();
  DniServer dni;
  SipRouter router;
  HttpServer site;
  WebClient web;
  @TempDir Path spool;

  @AfterEach
  void stop() {
    try {
      if (site != null) {
        Await.result(site.close());
      }
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
  void eachVisitSeesItsRegionsNumberAndEachCallLandsInItsRegionsRow() throws Exception {
    Sipp.binary();
    BrowserScripts.requireTools();
    dni = Await.result(DniServer.start(vertx, DniServerOptions.of(TestRedis.url(), TOKEN)
        .withStoreTimeout(Duration.ofSeconds(20)))); // a loaded build machine must not turn a visit into a fallback
    router = Await.result(SipRouter.start(vertx, new SipRouterOptions("127.0.0.1", EmbeddedRedis.freePort(),
        List.of("127.0.0.0/8"), TestRedis.url(), spool, new SimpleMeterRegistry(), Clock.systemUTC(),
        Duration.ofSeconds(20))));
    web = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(dni.port()));

    // the site: prints the business's number; dni.js swaps it
    String property = TestRedis.uniqueId("regions");
    PhoneNumber printed = TestNumbers.fresh();
    String digits = printed.e164().substring(2);
    String printedText = "(" + digits.substring(0, 3) + ") " + digits.substring(3, 6) + "-" + digits.substring(6);
    site = Await.result(vertx.createHttpServer().requestHandler(req -> req.response()
        .putHeader("content-type", "text/html; charset=utf-8")
        .end("<!doctype html><html><head><script async src=\"http://127.0.0.1:" + dni.port()
            + "/dni.js\" data-property=\"" + property + "\"></script></head><body><p>Call us: <a id=\"number\" href=\"tel:"
            + printed.e164() + "\">" + printedText + "</a></p></body></html>")).listen(0, "127.0.0.1"));
    String origin = "http://127.0.0.1:" + site.actualPort();

    try (Sipp line = Sipp.uas("business-line-uas.xml", 2, "udp")) {
      assertEquals(200, admin(HttpMethod.PUT, "/v1/properties/" + property, new JsonObject()
          .put("allowedOrigins", new JsonArray().add(origin))
          .put("swapNumbers", new JsonArray().add(printed.e164())).put("defaultNumber", printed.e164())
          .put("businessLine", "sip:+15559990000@127.0.0.1:" + line.port).put("timezone", "America/Chicago")
          .put("timeZoneRegions", new JsonObject().put("America/Chicago", "Chicago").put("America/New_York", "Boston"))
          // the visits come from headless Chromium, which the assign abuse guard would give the default number
          .put("assignLimits", new JsonObject().put("leaseToAutomatedClients", true)))
          .statusCode());
      PhoneNumber chicago = local("312");
      PhoneNumber boston = local("617");
      PhoneNumber general = TestNumbers.fresh();
      assertEquals("Chicago, IL", Regions.of(chicago).region(), "the number itself says where it is");
      pool(property, "chicago", chicago, new JsonObject().put("region", "Chicago"));
      pool(property, "boston", boston, new JsonObject().put("region", "Boston"));
      pool(property, "general", general, new JsonObject());

      Path shots = BrowserScripts.ARTIFACTS;
      Files.createDirectories(shots);
      JsonObject result = BrowserScripts.run("regions.mjs", "regions-done-when", Duration.ofMinutes(3),
          new JsonObject().put("siteUrl", origin + "/").put("screenshotDir", shots.toString())
              .put("timeZones", new JsonArray().add("America/Chicago").add("America/New_York")).encode());
      JsonArray visits = result.getJsonArray("visits");
      JsonObject inChicago = visits.getJsonObject(0);
      JsonObject inNewYork = visits.getJsonObject(1);
      assertEquals(new JsonArray(), inChicago.getJsonArray("errors"));
      assertEquals("America/Chicago", inChicago.getString("browserZone"));
      assertEquals("America/New_York", inNewYork.getJsonObject("assign").getJsonObject("request").getString("timeZone"));
      assertEquals(chicago.e164(), inChicago.getJsonObject("shown").getString("number"), inChicago::encode);
      assertEquals("tel:" + chicago.e164(), inChicago.getJsonObject("shown").getString("href"));
      assertTrue(inChicago.getJsonObject("shown").getString("text").startsWith("(312)"), inChicago::encode);
      assertEquals(boston.e164(), inNewYork.getJsonObject("shown").getString("number"), inNewYork::encode);
      assertTrue(inNewYork.getJsonObject("shown").getString("text").startsWith("(617)"), inNewYork::encode);

      // each visitor calls the number it saw
      for (PhoneNumber n : List.of(chicago, boston)) {
        Await.until(Duration.ofSeconds(30), () -> router.routes(n));
        try (Sipp trunk = Sipp.uac("trunk-uac.xml", router.port(), n.e164(), 1, Duration.ofSeconds(1), "udp")) {
          assertEquals(0, trunk.exitCode(Duration.ofSeconds(90)), () -> "trunk:\n" + trunk.output());
        }
      }
      assertEquals(0, line.exitCode(Duration.ofSeconds(90)), () -> "business line:\n" + line.output());

      // ... and each call lands in its region's row
      String day = LocalDate.now(ZoneOffset.UTC).toString();
      String from = LocalDate.now(ZoneOffset.UTC).minusDays(1).toString();
      Map<String, Integer> byRegion = Await.until(Duration.ofSeconds(60), () -> {
        HttpResponse<Buffer> r = admin(HttpMethod.GET, "/v1/reports/roi?groupBy=region&property=" + property
            + "&from=" + from + "&to=" + day, null);
        assertEquals(200, r.statusCode(), r.bodyAsString());
        Map<String, Integer> rows = new HashMap<>();
        r.bodyAsJsonObject().getJsonArray("rows").forEach(o -> rows.put(((JsonObject) o).getString("region"),
            ((JsonObject) o).getInteger("calls")));
        return rows;
      }, rows -> rows.values().stream().mapToInt(Integer::intValue).sum() >= 2);
      assertEquals(Map.of("Chicago", 1, "Boston", 1), byRegion);
      assertNotEquals(chicago, boston);
    }
  }

  /** A number of {@code areaCode} no other test uses (555-01xx are fictional in North America). */
  private static PhoneNumber local(String areaCode) {
    return PhoneNumber.parse("+1" + areaCode + "555" + String.format("%04d",
        ThreadLocalRandom.current().nextInt(100, 10_000)));
  }

  private void pool(String property, String name, PhoneNumber number, JsonObject match) {
    assertEquals(200, admin(HttpMethod.PUT, "/v1/pools/" + TestRedis.uniqueId(name), new JsonObject()
        .put("property", property).put("numbers", new JsonArray().add(number.e164()))
        .put("leaseSeconds", 600).put("holdSeconds", 600).put("match", match)).statusCode());
  }

  private HttpResponse<Buffer> admin(HttpMethod method, String path, Object json) {
    var req = web.request(method, path).putHeader("authorization", "Bearer " + TOKEN);
    Future<HttpResponse<Buffer>> sent = json == null ? req.send()
        : req.putHeader("content-type", "application/json").sendBuffer(Buffer.buffer(json.toString()));
    return Await.result(sent);
  }
}
