package io.calltrack.dni.marketing;

import static io.calltrack.dni.testing.DniClient.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.attribution.Attribution;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.core.testing.Await;
import io.calltrack.core.testing.TestNumbers;
import io.calltrack.core.testing.TestRedis;
import io.calltrack.dni.report.CallSeeder;
import io.calltrack.dni.testing.DniClient;
import io.calltrack.dni.testing.DniClient.Reply;
import io.calltrack.dni.testing.DniTestBase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Calls sent to a property's Meta pixel through the Conversions API, against a real local HTTP server
 * standing where the Graph API would be: which calls go (a Facebook click id, or the caller's number
 * when the property allows it), in what shape (the token in the body, never the URL), each event once.
 */
class MetaConversionsTest extends DniTestBase {
  static final String TOKEN = "EAAtest_token_0123456789";

  record Hit(String path, String query, String raw, JsonObject body) {
    JsonObject event() {
      return body.getJsonArray("data").getJsonObject(0);
    }

    String name() {
      return event().getString("event_name");
    }

    String callId() {
      return event().getJsonObject("custom_data").getString("call_id");
    }
  }

  @Test
  void callsTheirAdsBroughtReachThePixelOnceEachAndTheCallersNumberOnlyWhenAllowed() throws Exception {
    List<Hit> hits = Collections.synchronizedList(new ArrayList<>());
    List<String> crm = Collections.synchronizedList(new ArrayList<>());
    HttpServer graph = await(vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      if (req.path().equals("/crm")) {
        JsonObject w = new JsonObject(b.toString());
        crm.add(w.getString("type") + " " + w.getString("callId"));
      } else {
        hits.add(new Hit(req.path(), req.query(), b.toString(), new JsonObject(b.toString())));
      }
      req.response().setStatusCode(200).end("{\"events_received\":1}");
    })).listen(0, "127.0.0.1"));
    String base = "http://127.0.0.1:" + graph.actualPort();

    String property = TestRedis.uniqueId("meta");
    assertEquals(200, api.adminPut("/v1/properties/" + property,
        propertyBody(TestNumbers.fresh().e164(), ORIGIN)).status());
    String path = "/v1/properties/" + property + "/marketing";
    for (JsonObject bad : List.of(
        new JsonObject().put("pixelId", "pixel-1").put("accessToken", TOKEN),
        new JsonObject().put("pixelId", "123456789012").put("accessToken", "short"),
        new JsonObject().put("pixelId", "123456789012").put("accessToken", TOKEN).put("testEventCode", "TEST 1"),
        new JsonObject().put("pixelId", "123456789012").put("accessToken", TOKEN).put("matchCallerNumbers", true))) {
      Reply r = api.adminPut(path, new JsonObject().put("meta", bad));
      assertEquals(400, r.status(), bad + " -> " + r);
    }
    JsonObject meta = new JsonObject().put("pixelId", "123456789012").put("accessToken", TOKEN)
        .put("testEventCode", "TEST4242").put("endpoint", base + "/v23.0/");
    JsonObject webhook = new JsonObject().put("url", base + "/crm").put("secret", "receiver-shared-secret-0123");
    assertEquals(200, api.adminPut(path, new JsonObject().put("meta", meta).put("webhook", webhook)).status());

    CallSeeder seeder = new CallSeeder(vertx);
    PhoneNumber n = TestNumbers.fresh();
    Instant start = Instant.parse("2026-03-02T08:00:00Z");
    CallRecord fromAd = seeder.call(property, n, "+13126180011", start, visit("fb-click-1", null), 60);
    CallRecord organic = seeder.call(property, n, "+13126180012", start.plusSeconds(60), visit(null, null), 30);
    CallRecord adEarlier = seeder.call(property, n, "+13126180013", start.plusSeconds(120), visit(null, "fb-click-0"), 20);
    outcome(fromAd, new JsonObject().put("converted", true)); // a sale without a value
    outcome(fromAd, new JsonObject().put("qualified", true).put("converted", true).put("value", "120.00"));
    Await.until(Duration.ofSeconds(60), () -> crm.contains("call.ended " + adEarlier.callId())
        && crm.stream().filter(c -> c.startsWith("outcome.set")).count() == 2 && hits.size() >= 4);

    List<Hit> all;
    synchronized (hits) {
      all = new ArrayList<>(hits);
    }
    assertEquals(Stream.of("Contact " + fromAd.callId(), "Contact " + adEarlier.callId(), "Lead " + fromAd.callId(),
        "Purchase " + fromAd.callId()).sorted().toList(), all.stream().map(h -> h.name() + " " + h.callId())
        .sorted().toList(), all::toString);
    for (Hit h : all) {
      assertEquals("/v23.0/123456789012/events", h.path());
      assertEquals(null, h.query(), "the token is not in the URL");
      assertEquals(TOKEN, h.body().getString("access_token"));
      assertEquals("TEST4242", h.body().getString("test_event_code"));
      assertEquals("phone_call", h.event().getString("action_source"));
      assertEquals(h.callId() + ":" + h.name(), h.event().getString("event_id"), "Meta drops a repeat by it");
      assertFalse(h.event().getJsonObject("user_data").containsKey("ph"), "the caller's number only when allowed");
      assertFalse(h.raw().contains("3126180"), h::raw);
    }
    Hit contact = all.stream().filter(h -> h.name().equals("Contact") && h.callId().equals(fromAd.callId()))
        .findFirst().orElseThrow();
    assertEquals(start.getEpochSecond(), contact.event().getLong("event_time"));
    assertEquals("fb.1." + start.toEpochMilli() + ".fb-click-1", contact.event().getJsonObject("user_data").getString("fbc"));
    assertEquals(60, contact.event().getJsonObject("custom_data").getInteger("call_duration"));
    assertEquals("fb.1." + start.plusSeconds(120).toEpochMilli() + ".fb-click-0", all.stream()
        .filter(h -> h.callId().equals(adEarlier.callId())).findFirst().orElseThrow().event()
        .getJsonObject("user_data").getString("fbc"), "the first touch's click");
    Hit purchase = all.stream().filter(h -> h.name().equals("Purchase")).findFirst().orElseThrow();
    assertTrue(purchase.raw().contains("\"value\":0.00,\"currency\":\"USD\""), purchase::raw);
    assertTrue(purchase.event().getLong("event_time") > start.getEpochSecond(), "dated when the outcome came");
    Await.until(Duration.ofSeconds(10), () -> api.get("/metrics").text()
        .contains("calltrack_deliveries_total{result=\"sent\",to=\"meta\"} 4.0"));

    // allowed: a call without a click id goes with its caller's number, hashed as Meta asks
    meta.put("matchCallerNumber", true);
    assertEquals(200, api.adminPut(path, new JsonObject().put("meta", meta).put("webhook", webhook)).status());
    CallRecord byPhone = seeder.call(property, n, "+13126180014", start.plusSeconds(180), visit(null, null), 40);
    CallRecord withheld = seeder.call(property, n, "anonymous", start.plusSeconds(240), visit(null, null), 40);
    Await.until(Duration.ofSeconds(60), () -> crm.contains("call.ended " + withheld.callId())
        && hits.stream().anyMatch(h -> h.callId().equals(byPhone.callId())));
    Hit phone = hits.stream().filter(h -> h.callId().equals(byPhone.callId())).findFirst().orElseThrow();
    assertEquals(new JsonArray().add(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
        .digest("13126180014".getBytes(StandardCharsets.UTF_8)))), phone.event().getJsonObject("user_data").getJsonArray("ph"));
    assertFalse(phone.raw().contains("13126180014"), "only the hash leaves");
    assertTrue(hits.stream().noneMatch(h -> h.callId().equals(withheld.callId()) || h.callId().equals(organic.callId())),
        "a withheld number and a call from no ad and before the setting are not sent");
    await(graph.close());
  }

  /**
   * A caller erased while Meta's endpoint was failing: the retry after the erasure is not sent, so the
   * caller's number (hashed, as the property allows) does not reach Meta once it recovers.
   */
  @Test
  void aCallerErasedWhileTheEndpointFailsIsNotSentWhenItRecovers() {
    List<Hit> hits = Collections.synchronizedList(new ArrayList<>());
    List<io.vertx.core.http.HttpServerRequest> held = Collections.synchronizedList(new ArrayList<>());
    HttpServer graph = await(vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      hits.add(new Hit(req.path(), req.query(), b.toString(), new JsonObject(b.toString())));
      held.add(req); // answered once the caller is erased: a failure, so the sender tries again
    })).listen(0, "127.0.0.1"));
    String property = TestRedis.uniqueId("metaerase");
    assertEquals(200, api.adminPut("/v1/properties/" + property, propertyBody(TestNumbers.fresh().e164(), ORIGIN)).status());
    JsonObject meta = new JsonObject().put("pixelId", "123456789012").put("accessToken", TOKEN)
        .put("matchCallerNumber", true).put("endpoint", "http://127.0.0.1:" + graph.actualPort() + "/v23.0/");
    assertEquals(200, api.adminPut("/v1/properties/" + property + "/marketing", new JsonObject().put("meta", meta)).status());

    CallRecord call = new CallSeeder(vertx).call(property, TestNumbers.fresh(), "+13126180021",
        Instant.parse("2026-03-02T08:00:00Z"), visit(null, null), 40);
    Await.until(Duration.ofSeconds(30), () -> held.size() == 1);
    assertTrue(hits.get(0).event().getJsonObject("user_data").containsKey("ph"), "sent before the erasure: hashed");
    CallSeeder.awaitConsumerCaughtUp(vertx, property);
    assertEquals(200, api.request(HttpMethod.DELETE, "/v1/callers/+13126180021", null, api.admin()).status());
    held.remove(0).response().setStatusCode(503).end();

    Await.until(Duration.ofSeconds(30), () -> api.get("/metrics").text()
        .contains("calltrack_deliveries_total{result=\"erased\",to=\"meta\"} 1.0"));
    assertEquals(1, hits.size(), () -> "no attempt after the erasure of call " + call.callId() + ": " + hits);
    await(graph.close());
  }

  private void outcome(CallRecord c, JsonObject body) {
    Reply r = api.request(HttpMethod.POST, "/v1/calls/" + c.callId() + "/outcome", DniClient.body(body), api.admin());
    assertEquals(200, r.status(), r::toString);
  }

  private static Attribution visit(String fbclid, String firstTouchFbclid) {
    Attribution first = firstTouchFbclid == null ? null : new Attribution("facebook", "cpc", "winter", null, null,
        "/offer", null, null, null, null, null, firstTouchFbclid);
    return new Attribution(fbclid != null ? "facebook" : "direct", fbclid != null ? "cpc" : "none", null, null,
        null, "/landing", null, null, null, null, null, fbclid, null, null, first);
  }
}
