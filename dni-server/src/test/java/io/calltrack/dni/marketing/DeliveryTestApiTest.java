package io.calltrack.dni.marketing;

import static io.calltrack.dni.testing.DniClient.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.testing.TestNumbers;
import io.calltrack.core.testing.TestRedis;
import io.calltrack.core.webhooks.WebhookSigner;
import io.calltrack.dni.testing.DniClient;
import io.calltrack.dni.testing.DniClient.Reply;
import io.calltrack.dni.testing.DniTestBase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /v1/properties/{id}/marketing/test}: a setup checked before the first call, against a
 * real local HTTP server standing for the CRM, GA4's validation endpoint and the Graph API.
 */
class DeliveryTestApiTest extends DniTestBase {
  static final String SECRET = "receiver-shared-secret-0123";

  record Seen(String path, String query, String signature, String body) {}

  @Test
  void eachDestinationGetsOneTestEventAndItsAnswerComesBack() {
    List<Seen> seen = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger crm = new AtomicInteger();
    HttpServer receiver = await(vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      seen.add(new Seen(req.path(), req.query(), req.getHeader(WebhookSigner.HEADER), b.toString()));
      switch (req.path()) {
        case "/crm" -> req.response().setStatusCode(crm.incrementAndGet() == 1 ? 204 : 500).end("down");
        case "/debug/mp/collect" -> req.response().putHeader("content-type", "application/json").end(
            "{\"validationMessages\":[{\"fieldPath\":\"events\",\"description\":\"Event name is reserved\","
                + "\"validationCode\":\"NAME_RESERVED\"}]}");
        default -> req.response().putHeader("content-type", "application/json")
            .end("{\"events_received\":1,\"fbtrace_id\":\"AbC\"}");
      }
    })).listen(0, "127.0.0.1"));
    String base = "http://127.0.0.1:" + receiver.actualPort();
    String property = TestRedis.uniqueId("test");
    assertEquals(200, api.adminPut("/v1/properties/" + property,
        propertyBody(TestNumbers.fresh().e164(), ORIGIN)).status());
    String path = "/v1/properties/" + property + "/marketing";

    // nothing set yet: a 400 that says what is missing; a destination that does not exist
    Reply none = test(property, "webhook");
    assertEquals(400, none.status(), none::toString);
    assertTrue(none.json().getString("detail").contains("marketing.webhook"), none::toString);
    assertEquals(400, test(property, "crm").status());
    assertEquals(400, api.request(HttpMethod.POST, path + "/test", DniClient.body(new JsonObject()
        .put("to", "webhook").put("also", 1)), api.admin()).status(), "a field it does not take");

    JsonObject meta = new JsonObject().put("pixelId", "123456789012").put("accessToken", "EAAtest_token_0123456789")
        .put("endpoint", base + "/v23.0");
    JsonObject settings = new JsonObject()
        .put("webhook", new JsonObject().put("url", base + "/crm").put("secret", SECRET))
        .put("analytics", new JsonObject().put("measurementId", "G-TEST1234").put("apiSecret", "secret_abc-123")
            .put("endpoint", base + "/mp/collect"))
        .put("meta", meta);
    assertEquals(200, api.adminPut(path, settings).status());

    JsonObject hook = test(property, "webhook").json();
    assertEquals(true, hook.getBoolean("delivered"), hook::encode);
    assertEquals(204, hook.getInteger("status"));
    assertEquals(base + "/crm", hook.getString("url"));
    Seen ping = seen.get(0);
    assertTrue(WebhookSigner.verify(SECRET, ping.signature(), ping.body()), "signed as every webhook");
    assertEquals("test", new JsonObject(ping.body()).getString("type"));
    JsonObject refused = test(property, "webhook").json();
    assertEquals(false, refused.getBoolean("delivered"));
    assertEquals(500, refused.getInteger("status"));
    assertEquals("down", refused.getString("answer"));

    JsonObject ga = test(property, "analytics").json();
    assertEquals(base + "/debug/mp/collect", ga.getString("url"), "the secret stays out of the answer");
    assertEquals("NAME_RESERVED", ga.getJsonObject("answer").getJsonArray("validationMessages").getJsonObject(0)
        .getString("validationCode"));
    Seen validation = seen.stream().filter(s -> s.path().equals("/debug/mp/collect")).findFirst().orElseThrow();
    assertEquals("measurement_id=G-TEST1234&api_secret=secret_abc-123", validation.query());
    assertTrue(seen.stream().noneMatch(s -> s.path().equals("/mp/collect")), "nothing recorded in GA4");

    // Meta: only under a test event code, so a test never counts as a call
    Reply noCode = test(property, "meta");
    assertEquals(400, noCode.status(), noCode::toString);
    assertTrue(noCode.json().getString("detail").contains("testEventCode"), noCode::toString);
    assertEquals(200, api.adminPut(path, settings.put("meta", meta.put("testEventCode", "TEST4242"))).status());
    JsonObject fb = test(property, "meta").json();
    assertEquals(true, fb.getBoolean("delivered"), fb::encode);
    assertEquals(1, fb.getJsonObject("answer").getInteger("events_received"));
    JsonObject sent = new JsonObject(seen.stream().filter(s -> s.path().startsWith("/v23.0/")).findFirst()
        .orElseThrow().body());
    assertEquals("TEST4242", sent.getString("test_event_code"));
    assertEquals("phone_call", sent.getJsonArray("data").getJsonObject(0).getString("action_source"));

    // a receiver that does not answer at all
    await(receiver.close());
    JsonObject gone = test(property, "webhook").json();
    assertEquals(false, gone.getBoolean("delivered"));
    assertNull(gone.getInteger("status"));
    assertFalse(gone.getString("detail").isBlank());
  }

  private Reply test(String property, String to) {
    return api.request(HttpMethod.POST, "/v1/properties/" + property + "/marketing/test",
        DniClient.body(new JsonObject().put("to", to)), api.admin());
  }
}
