package io.calltrack.dni.conversation;

import static io.calltrack.dni.testing.DniClient.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.testing.Await;
import io.calltrack.core.testing.TestNumbers;
import io.calltrack.core.testing.TestRedis;
import io.calltrack.core.webhooks.WebhookSigner;
import io.calltrack.dni.report.CallSeeder;
import io.calltrack.dni.testing.DniClient;
import io.calltrack.dni.testing.DniClient.Reply;
import io.calltrack.dni.testing.DniTestBase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * A transcript reaches the property's CRM as a signed {@code call.transcribed} webhook, after the call's
 * own webhooks, with the call and the transcript; a call whose caller was erased while its webhooks were
 * held up (the CRM down) is sent nothing more: neither its transcript nor the webhooks that were waiting.
 */
class TranscriptWebhookTest extends DniTestBase {
  static final String SECRET = "transcript-hook-secret-0123";

  @Test
  void theCrmHearsOfTheTranscriptAfterTheCallAndNothingOfACallerErasedMeanwhile() {
    List<JsonObject> received = new CopyOnWriteArrayList<>();
    List<Boolean> signed = new CopyOnWriteArrayList<>();
    java.util.concurrent.atomic.AtomicBoolean hold = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
    HttpServer crm = await(vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      if (hold.get()) { // the CRM down for a while: the webhooks wait, in order
        refused.incrementAndGet();
        req.response().setStatusCode(503).end();
        return;
      }
      received.add(new JsonObject(b.toString()));
      signed.add(WebhookSigner.verify(SECRET, req.getHeader(WebhookSigner.HEADER), b.toString()));
      req.response().setStatusCode(204).end();
    })).listen(0, "127.0.0.1"));
    String property = TestRedis.uniqueId("hook");
    assertEquals(200, api.adminPut("/v1/properties/" + property, propertyBody(TestNumbers.fresh().e164(), ORIGIN)).status());
    assertEquals(200, api.adminPut("/v1/properties/" + property + "/marketing", new JsonObject().put("webhook",
        new JsonObject().put("url", "http://127.0.0.1:" + crm.actualPort() + "/crm").put("secret", SECRET))).status());
    CallSeeder seeder = new CallSeeder(vertx);
    CallRecord call = seeder.call(property, TestNumbers.fresh(), "+13125550201", Instant.parse("2026-03-02T08:00:00Z"),
        CallSeeder.source("google", "cpc"), 30);
    Reply put = api.request(HttpMethod.PUT, "/v1/calls/" + call.callId() + "/transcript", DniClient.body(new JsonObject()
        .put("segments", new JsonArray().add(new JsonObject().put("speaker", "caller").put("start", 1).put("text", "A quote, please.")))
        .put("source", "whisper-1")), api.admin());
    assertEquals(200, put.status(), put::toString);

    Await.until(Duration.ofSeconds(30), () -> received.stream().anyMatch(w -> "call.transcribed".equals(w.getString("type"))));
    assertEquals(List.of("call.started", "call.ended", "call.transcribed"),
        received.stream().map(w -> w.getString("type")).toList());
    JsonObject hook = received.get(2);
    assertTrue(signed.get(2));
    assertEquals(call.callId(), hook.getString("callId"));
    assertEquals("google", hook.getJsonObject("call").getJsonObject("attribution").getString("source"));
    assertEquals("A quote, please.", hook.getJsonObject("transcript").getJsonArray("segments").getJsonObject(0).getString("text"));
    assertEquals("whisper-1", hook.getJsonObject("transcript").getString("source"));

    // a second call transcribed while the CRM holds its webhooks up, its caller erased before they go on:
    // its transcript is not sent
    hold.set(true);
    CallRecord erased = seeder.call(property, TestNumbers.fresh(), "+13125550202", Instant.parse("2026-03-02T09:00:00Z"),
        CallSeeder.source("google", "cpc"), 30);
    Await.until(Duration.ofSeconds(30), () -> refused.get() > 0);
    assertEquals(200, api.request(HttpMethod.PUT, "/v1/calls/" + erased.callId() + "/transcript", DniClient.body(new JsonObject()
        .put("segments", new JsonArray().add(new JsonObject().put("speaker", "caller").put("start", 1).put("text", "Hi")))),
        api.admin()).status());
    CallSeeder.awaitConsumerCaughtUp(vertx, property); // the rollups have read the entries: erasure deletes them
    assertEquals(200, api.request(HttpMethod.DELETE, "/v1/callers/+13125550202", null, api.admin()).status());
    hold.set(false);
    // a later call's start shows the stream has been read past the erased call's transcript entry
    CallRecord later = seeder.call(property, TestNumbers.fresh(), "+13125550203", Instant.parse("2026-03-02T10:00:00Z"),
        CallSeeder.source("google", "cpc"), -1);
    Await.until(Duration.ofSeconds(60), () -> received.stream().anyMatch(w -> later.callId().equals(w.getString("callId"))));
    // neither its transcript nor its own webhooks, held up when the caller was erased: the erased number
    // never reaches the CRM
    assertTrue(received.stream().noneMatch(w -> erased.callId().equals(w.getString("callId"))), received::toString);
    assertTrue(received.stream().noneMatch(w -> w.encode().contains("+13125550202")), received::toString);
  }
}
