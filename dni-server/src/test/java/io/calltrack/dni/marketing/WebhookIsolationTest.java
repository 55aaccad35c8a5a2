package io.calltrack.dni.marketing;

import static io.calltrack.dni.testing.DniClient.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.attribution.Attribution;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.testing.Await;
import io.calltrack.core.testing.TestNumbers;
import io.calltrack.core.testing.TestRedis;
import io.calltrack.dni.report.CallSeeder;
import io.calltrack.dni.testing.DniTestBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * One property's CRM down must not hold up another's: its webhook is retried for an hour and more, in
 * order, and while it is the other property's calls still reach their own CRM at once. (The dispatcher
 * once drained every property's stream one after another, so the first failing webhook stopped them all.)
 */
class WebhookIsolationTest extends DniTestBase {
  static final String SECRET = "isolation-secret-0123456789";

  @Test
  void aPropertyWhoseCrmIsDownHoldsUpOnlyItsOwnWebhooks() {
    List<String> down = new CopyOnWriteArrayList<>();
    List<String> up = new CopyOnWriteArrayList<>();
    HttpServer crms = await(vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      String event = req.getHeader("Calltrack-Event") + " " + new JsonObject(b.toString()).getString("callId");
      if (req.path().equals("/down")) {
        down.add(event);
        req.response().setStatusCode(503).end();
      } else {
        up.add(event);
        req.response().setStatusCode(204).end();
      }
    })).listen(0, "127.0.0.1"));
    String base = "http://127.0.0.1:" + crms.actualPort();
    String broken = property(base + "/down");
    String healthy = property(base + "/up");
    CallSeeder seeder = new CallSeeder(vertx);

    CallRecord first = seeder.call(broken, TestNumbers.fresh(), "+13125550101", Instant.parse("2026-03-02T08:00:00Z"),
        CallSeeder.source("google", "cpc"), 30);
    // the broken CRM is being retried
    Await.until(Duration.ofSeconds(30), () -> down.size() >= 2);
    CallRecord other = seeder.call(healthy, TestNumbers.fresh(), "+13125550102", Instant.parse("2026-03-02T08:01:00Z"),
        CallSeeder.source("bing", "cpc"), 30);
    Await.until(Duration.ofSeconds(30), () -> up.containsAll(
        List.of("call.started " + other.callId(), "call.ended " + other.callId())));
    assertEquals(List.of("call.started " + other.callId(), "call.ended " + other.callId()), List.copyOf(up));
    // and the broken property's own webhooks stay in order: only its first is tried, again and again
    assertTrue(down.stream().allMatch(e -> e.equals("call.started " + first.callId())), down::toString);
  }

  @Test
  void aCrmThatIsDownHoldsUpNeitherGa4NorMeta() {
    List<String> ga4 = new CopyOnWriteArrayList<>();
    List<String> crm = new CopyOnWriteArrayList<>();
    HttpServer endpoints = await(vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      if (req.path().equals("/crm")) {
        crm.add(req.getHeader("Calltrack-Event"));
        req.response().setStatusCode(503).end();
      } else {
        ga4.add(new JsonObject(b.toString()).getJsonArray("events").getJsonObject(0).getString("name"));
        req.response().setStatusCode(204).end();
      }
    })).listen(0, "127.0.0.1"));
    String base = "http://127.0.0.1:" + endpoints.actualPort();
    String property = property(base + "/crm");
    assertEquals(200, api.adminPut("/v1/properties/" + property + "/marketing", new JsonObject()
        .put("webhook", new JsonObject().put("url", base + "/crm").put("secret", SECRET))
        .put("analytics", new JsonObject().put("measurementId", "G-ISOLATE1").put("apiSecret", "secret_isolation")
            .put("endpoint", base + "/mp/collect"))).status());
    Attribution visit = new Attribution("google", "cpc", "spring", null, null, "/landing", null, null, null, null, null,
        null, null, null, null, null, null, "111.222", "1764000000");
    new CallSeeder(vertx).call(property, TestNumbers.fresh(), "+13125550103", Instant.parse("2026-03-02T08:02:00Z"), visit, 30);
    // the call's end reaches GA4 while the CRM still refuses the call's start
    Await.until(Duration.ofSeconds(30), () -> ga4.contains("phone_call"));
    assertTrue(crm.stream().allMatch("call.started"::equals), crm::toString);
  }

  private String property(String webhook) {
    String property = TestRedis.uniqueId("iso");
    assertEquals(200, api.adminPut("/v1/properties/" + property, propertyBody(TestNumbers.fresh().e164(), ORIGIN)).status());
    assertEquals(200, api.adminPut("/v1/properties/" + property + "/marketing", new JsonObject()
        .put("webhook", new JsonObject().put("url", webhook).put("secret", SECRET))).status());
    return property;
  }
}
