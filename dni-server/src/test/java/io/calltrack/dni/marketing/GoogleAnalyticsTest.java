package io.calltrack.dni.marketing;

import static io.calltrack.dni.testing.DniClient.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.calltrack.core.attribution.Attribution;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.json.JsonMapper;
import io.calltrack.core.marketing.PropertySettings;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.core.redis.RedisClientFactory;
import io.calltrack.core.testing.Await;
import io.calltrack.core.testing.TestNumbers;
import io.calltrack.core.testing.TestRedis;
import io.calltrack.core.webhooks.CallEventForwarder;
import io.calltrack.core.webhooks.WebhookSender;
import io.calltrack.core.webhooks.WebhookTargets;
import io.calltrack.dni.report.CallSeeder;
import io.calltrack.dni.testing.DniClient;
import io.calltrack.dni.testing.DniClient.Reply;
import io.calltrack.dni.testing.DniTestBase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Calls sent to a property's GA4 data stream through the Measurement Protocol, against a real local
 * HTTP server standing where Google's endpoint would be (the endpoint is a setting, as for the EU
 * one): which calls go (those whose visit carried a GA client id), in what shape, each event once per
 * call through a failing first answer, a changed outcome and a stream entry read again.
 */
class GoogleAnalyticsTest extends DniTestBase {
  record Hit(String path, String query, String raw, JsonObject body) {
    String event() {
      return body.getJsonArray("events").getJsonObject(0).getString("name");
    }

    JsonObject params() {
      return body.getJsonArray("events").getJsonObject(0).getJsonObject("params");
    }
  }

  @Test
  void callsAndTheirOutcomesReachGa4OnceEachInTheVisitorsSession() {
    List<Hit> hits = Collections.synchronizedList(new ArrayList<>());
    List<String> crm = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger requests = new AtomicInteger();
    HttpServer endpoint = await(vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      if (req.path().equals("/crm")) {
        crm.add(new JsonObject(b.toString()).getString("type") + " " + new JsonObject(b.toString()).getString("callId"));
        req.response().setStatusCode(204).end();
        return;
      }
      if (requests.incrementAndGet() == 1) {
        req.response().setStatusCode(500).end(); // Google's endpoint failing once: sent again
        return;
      }
      hits.add(new Hit(req.path(), req.query(), b.toString(), new JsonObject(b.toString())));
      req.response().setStatusCode(204).end();
    })).listen(0, "127.0.0.1"));
    String base = "http://127.0.0.1:" + endpoint.actualPort();

    String property = TestRedis.uniqueId("ga");
    assertEquals(200, api.adminPut("/v1/properties/" + property,
        propertyBody(TestNumbers.fresh().e164(), ORIGIN)).status());
    String path = "/v1/properties/" + property + "/marketing";
    for (JsonObject bad : List.of(
        new JsonObject().put("measurementId", "UA-12345-1").put("apiSecret", "secret_abc-123"),
        new JsonObject().put("measurementId", "G-TEST1234").put("apiSecret", "short"),
        new JsonObject().put("measurementId", "G-TEST1234").put("apiSecret", "secret_abc-123")
            .put("endpoint", base + "/mp/collect?x=1"),
        new JsonObject().put("measurmentId", "G-TEST1234").put("apiSecret", "secret_abc-123"))) {
      Reply r = api.adminPut(path, new JsonObject().put("analytics", bad));
      assertEquals(400, r.status(), bad + " -> " + r);
      assertTrue(r.json().getString("detail").contains("analytics.") || r.json().getString("detail").contains("measurmentId"),
          r::toString);
    }
    Reply put = api.adminPut(path, new JsonObject()
        .put("analytics", new JsonObject().put("measurementId", "g-test1234").put("apiSecret", "secret_abc-123")
            .put("endpoint", base + "/mp/collect"))
        .put("webhook", new JsonObject().put("url", base + "/crm").put("secret", "receiver-shared-secret-0123")));
    assertEquals(200, put.status(), put::toString);
    assertEquals("G-TEST1234", api.adminGet(path).json().getJsonObject("analytics").getString("measurementId"));

    CallSeeder seeder = new CallSeeder(vertx);
    PhoneNumber n = TestNumbers.fresh();
    Instant start = Instant.parse("2026-03-02T08:00:00.123456Z");
    CallRecord answered = seeder.call(property, n, "+13126180001", start, visit("111.222", "1764000000"), 60);
    CallRecord withoutGa = seeder.call(property, n, "+13126180002", start.plusSeconds(60), visit(null, null), 30);
    CallRecord missed = seeder.call(property, n, "+13126180003", start.plusSeconds(120), visit("333.444", null), -1);
    outcome(answered, new JsonObject().put("qualified", true).put("converted", true).put("value", "80.00"));
    // changed later (a CRM correcting it): GA4 cannot take the first back, so it hears of the sale once
    outcome(answered, new JsonObject().put("qualified", true).put("converted", true).put("value", "95.00")
        .put("currency", "USD"));

    // the CRM heard the last entry of each call: everything before it was read
    Await.until(Duration.ofSeconds(60), () -> crm.containsAll(List.of("call.ended " + withoutGa.callId(),
        "call.ended " + missed.callId())) && crm.stream().filter(c -> c.startsWith("outcome.set")).count() == 2
        && hits.size() >= 4);
    List<Hit> all;
    synchronized (hits) {
      all = new ArrayList<>(hits);
    }
    assertEquals(List.of("phone_call", "phone_call", "qualify_lead", "close_convert_lead"),
        all.stream().map(Hit::event).sorted((a, b) -> order(a) - order(b)).toList(), all::toString);
    for (Hit h : all) {
      assertEquals("/mp/collect", h.path());
      assertEquals("measurement_id=G-TEST1234&api_secret=secret_abc-123", h.query());
      assertFalse(h.body().encode().contains(withoutGa.callId()), "a call without a GA client id is not sent");
    }
    Hit call = all.stream().filter(h -> h.event().equals("phone_call")
        && h.params().getString("call_id").equals(answered.callId())).findFirst().orElseThrow();
    assertEquals("111.222", call.body().getString("client_id"));
    assertEquals(1772438400123456L, call.body().getLong("timestamp_micros"), "dated at the call's start");
    assertEquals("1764000000", call.params().getString("session_id"), "in the visitor's GA session");
    assertEquals("answered", call.params().getString("call_status"));
    assertEquals(60, call.params().getInteger("call_duration"));
    assertEquals(n.e164(), call.params().getString("tracking_number"));
    Hit missedCall = all.stream().filter(h -> h.event().equals("phone_call")
        && h.params().getString("call_id").equals(missed.callId())).findFirst().orElseThrow();
    assertEquals("333.444", missedCall.body().getString("client_id"));
    assertFalse(missedCall.params().containsKey("session_id"), "no GA session id: none made up");
    Hit sale = all.stream().filter(h -> h.event().equals("close_convert_lead")).findFirst().orElseThrow();
    assertTrue(sale.raw().contains("\"value\":80.00,"), "a number, to the cent, as the outcome's: " + sale.raw());
    assertEquals("USD", sale.params().getString("currency"));
    assertFalse(sale.body().containsKey("timestamp_micros"), "dated when the outcome came");
    // ops see them counted (the retried one once, as sent)
    String metrics = Await.until(Duration.ofSeconds(10), () -> api.get("/metrics").text(),
        m -> m.contains("calltrack_deliveries_total{result=\"sent\",to=\"ga4\"} 4.0"));
    assertTrue(metrics.contains("calltrack_deliveries_total{result=\"delivered\",to=\"crm\"}"), metrics);

    // the same stream entry read again (a dispatcher that died before moving its cursor): not sent twice
    Redis redis = RedisClientFactory.create(vertx, TestRedis.url());
    WebhookSender sender = new WebhookSender(vertx, clock, Duration.ofMillis(100), Duration.ofSeconds(1), WebhookTargets.ANY);
    CallEventForwarder again = new CallEventForwarder(RedisAPI.api(redis), sender);
    PropertySettings s = new PropertySettings(null, null, null, null, null, null,
        new PropertySettings.Analytics("G-TEST1234", "secret_abc-123", base + "/again"));
    CallRecord later = seeder.call(property, n, "+13126180004", start.plusSeconds(180), visit("555.666", null), 10);
    await(again.forward(s, property, answered.callId(), "ended", tree(answered), null, clock.instant(), null));
    await(again.forward(s, property, later.callId(), "ended", tree(later), null, clock.instant(), null));
    Await.until(Duration.ofSeconds(30), () -> hits.stream().anyMatch(h -> h.path().equals("/again")));
    assertEquals(List.of(later.callId()), hits.stream().filter(h -> h.path().equals("/again"))
        .map(h -> h.params().getString("call_id")).toList(), "only the call not sent before");
    sender.close();
    redis.close();
    await(endpoint.close());
  }

  private static int order(String event) {
    return List.of("phone_call", "qualify_lead", "close_convert_lead").indexOf(event);
  }

  private JsonNode tree(CallRecord r) {
    return JsonMapper.tree(JsonMapper.write(r));
  }

  private void outcome(CallRecord c, JsonObject body) {
    Reply r = api.request(HttpMethod.POST, "/v1/calls/" + c.callId() + "/outcome", DniClient.body(body), api.admin());
    assertEquals(200, r.status(), r::toString);
  }

  private static Attribution visit(String gaClientId, String gaSessionId) {
    return new Attribution("google", "cpc", "spring", null, null, "/landing", null, null, null, null, null, null,
        null, null, null, null, null, gaClientId, gaSessionId);
  }
}
