package io.calltrack.dni.marketing;

import static io.calltrack.dni.testing.DniClient.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.config.RedisConfigStore;
import io.calltrack.core.alerts.AlertEpisodes;
import io.calltrack.core.marketing.SettingsStore;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.core.pool.RedisPoolEngine;
import io.calltrack.core.redis.RedisClientFactory;
import io.calltrack.core.report.RoiReporter;
import io.calltrack.core.spend.SpendStore;
import io.calltrack.core.testing.Await;
import io.calltrack.core.testing.TestNumbers;
import io.calltrack.core.testing.TestRedis;
import io.calltrack.core.webhooks.WebhookSender;
import io.calltrack.core.webhooks.WebhookSigner;
import io.calltrack.dni.alerts.AlertMonitor;
import io.calltrack.dni.report.CallSeeder;
import io.calltrack.dni.testing.DniClient;
import io.calltrack.dni.testing.DniClient.Reply;
import io.calltrack.dni.testing.DniTestBase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * CRM webhooks and alerts against a real local HTTP receiver that fails and recovers: every call
 * event arrives, signed, once per idempotency key (repeats only with the same key), in order per
 * call; pool alerts arrive once per episode.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class WebhooksAndAlertsTest extends DniTestBase {
  static final String SECRET = "receiver-shared-secret-0123";

  /** What the receiver saw: every request in arrival order, with its headers' verdicts. */
  record Received(String path, String key, String event, boolean signed, JsonObject body) {}

  @Test
  void callWebhooksArriveInOrderOncePerKeyThroughFailuresAndAlertsOncePerEpisode() {
    List<Received> received = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger requests = new AtomicInteger();
    // fails the first 3 requests with 503, then drops the connection of the 5th without answering
    // (the event was taken but the sender cannot know): it must come again with the same key
    HttpServer receiver = await(vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      int n = requests.incrementAndGet();
      if (n <= 3) {
        req.response().setStatusCode(503).end();
        return;
      }
      String body = b.toString();
      received.add(new Received(req.path(), req.getHeader("Idempotency-Key"), req.getHeader("Calltrack-Event"),
          WebhookSigner.verify(SECRET, req.getHeader(WebhookSigner.HEADER), body), new JsonObject(body)));
      if (n == 5) {
        req.connection().close();
        return;
      }
      req.response().setStatusCode(204).end();
    })).listen(0, "127.0.0.1"));
    String base = "http://127.0.0.1:" + receiver.actualPort();

    String property = TestRedis.uniqueId("hooks");
    PhoneNumber printed = TestNumbers.fresh();
    assertEquals(200, api.adminPut("/v1/properties/" + property, propertyBody(printed.e164(), ORIGIN)).status());
    Reply bad = api.adminPut("/v1/properties/" + property + "/marketing",
        new JsonObject().put("webhook", new JsonObject().put("url", "ftp://x").put("secret", SECRET)));
    assertEquals(400, bad.status(), bad.toString());
    Reply put = api.adminPut("/v1/properties/" + property + "/marketing", new JsonObject()
        .put("webhook", new JsonObject().put("url", base + "/crm").put("secret", SECRET))
        .put("alerts", new JsonObject().put("url", base + "/alerts").put("secret", SECRET)
            .put("poolUtilizationPercent", 75).put("poolMinutes", 10)));
    assertEquals(200, put.status(), put.toString());

    // ---- three calls (each: started, answered, ended on the stream) and an outcome
    CallSeeder seeder = new CallSeeder(vertx);
    PhoneNumber n = TestNumbers.fresh();
    List<CallRecord> calls = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      calls.add(seeder.call(property, n, "+1312618000" + i, Instant.parse("2026-03-02T08:0" + i + ":00Z"),
          CallSeeder.source(i == 1 ? "bing" : "google", "cpc"), i == 2 ? -1 : 60));
    }
    Reply outcome = api.request(HttpMethod.POST, "/v1/calls/" + calls.get(0).callId() + "/outcome",
        DniClient.body(new JsonObject().put("qualified", true).put("converted", true).put("value", "80.00")),
        api.admin());
    assertEquals(200, outcome.status(), outcome.toString());

    Map<String, List<String>> expected = new LinkedHashMap<>();
    for (CallRecord c : calls) {
      expected.put(c.callId(), new ArrayList<>(List.of("call.started", "call.ended")));
    }
    expected.get(calls.get(0).callId()).add("outcome.set");
    Await.until(Duration.ofSeconds(120), () -> firstArrivals(received, "/crm").values().stream()
        .mapToInt(List::size).sum() == 7);

    Map<String, List<String>> arrived = firstArrivals(received, "/crm");
    assertEquals(expected, arrived, "every event once per key, in order per call");
    Set<String> keys = new LinkedHashSet<>();
    for (Received r : received) {
      if (r.path().equals("/crm")) {
        assertTrue(r.signed(), "signed with the shared secret: " + r);
        assertEquals(r.key(), r.body().getString("id"));
        assertEquals(r.event(), r.body().getString("type"));
        keys.add(r.key());
      }
    }
    assertEquals(7, keys.size());
    assertTrue(received.stream().filter(r -> r.path().equals("/crm")).count() >= 8,
        "the event whose answer was lost came again (same key)");
    JsonObject ended = received.stream().filter(r -> "call.ended".equals(r.event())
        && r.body().getString("callId").equals(calls.get(1).callId())).findFirst().orElseThrow().body();
    assertEquals("bing", ended.getJsonObject("call").getJsonObject("attribution").getString("source"),
        "call.ended carries the attribution");
    JsonObject set = received.stream().filter(r -> "outcome.set".equals(r.event())).findFirst().orElseThrow().body();
    assertEquals("80.00", set.getJsonObject("outcome").getString("value"));

    // ---- alerts: a pool of 4 taken whole (75 % for 10 minutes, then exhausted)
    String pool = TestRedis.uniqueId("pool");
    List<String> numbers = TestNumbers.fresh(4).stream().map(PhoneNumber::e164).toList();
    assertEquals(200, api.adminPut("/v1/pools/" + pool, poolBody(property, numbers, 3600, 0, "fallback")).status());
    Redis redis = RedisClientFactory.create(vertx, TestRedis.url());
    RedisConfigStore store = await(RedisConfigStore.create(vertx, redis));
    WebhookSender sender = new WebhookSender(vertx, clock, Duration.ofMillis(200), Duration.ofSeconds(2), io.calltrack.core.webhooks.WebhookTargets.ANY);
    AlertMonitor monitor = new AlertMonitor(vertx, store, new SettingsStore(redis),
        new RedisPoolEngine(vertx, redis, store, clock),
        new RoiReporter(redis, new SpendStore(redis)), new AlertEpisodes(redis), sender, clock);
    try {
      List<String> sessions = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        sessions.add(api.assign(assignBody(property, "v" + i)).json().getString("sessionId"));
      }
      await(monitor.checkAll()); // 75 %: not above it
      sessions.add(api.assign(assignBody(property, "v3")).json().getString("sessionId"));
      await(monitor.checkAll()); // 100 % and none free: exhausted at once, utilization needs 10 minutes
      clock.advance(Duration.ofMinutes(5));
      await(monitor.checkAll());
      clock.advance(Duration.ofMinutes(6));
      await(monitor.checkAll()); // 11 minutes above 75 %
      await(monitor.checkAll()); // same episodes: nothing new
      Await.until(Duration.ofSeconds(30), () -> alerts(received, pool).size() == 2);
      assertEquals(List.of("pool.exhausted:" + pool, "pool.utilization:" + pool), alerts(received, pool));

      // a number freed ends the exhausted episode; taken again, a new episode is alerted
      assertEquals(204, api.request(HttpMethod.POST, "/v1/sessions/" + sessions.get(3) + "/release", null,
          DniClient.jsonType()).status());
      await(monitor.checkAll());
      api.assign(assignBody(property, "v4"));
      await(monitor.checkAll());
      Await.until(Duration.ofSeconds(30), () -> alerts(received, pool).size() == 3);
      assertEquals(List.of("pool.exhausted:" + pool, "pool.utilization:" + pool, "pool.exhausted:" + pool),
          alerts(received, pool));
      for (Received r : received) {
        if (r.path().equals("/alerts")) {
          assertTrue(r.signed(), r.toString());
          assertEquals("alert", r.body().getString("type"));
          assertEquals(property, r.body().getString("property"));
        }
      }
    } finally {
      monitor.close();
      sender.close();
      store.close();
      redis.close();
      await(receiver.close());
    }
  }

  /** Per call, the events in the order their keys first arrived. */
  static Map<String, List<String>> firstArrivals(List<Received> received, String path) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    Set<String> seen = new LinkedHashSet<>();
    synchronized (received) {
      for (Received r : received) {
        if (r.path().equals(path) && seen.add(r.key())) {
          out.computeIfAbsent(r.body().getString("callId"), k -> new ArrayList<>()).add(r.event());
        }
      }
    }
    return out;
  }

  static List<String> alerts(List<Received> received, String pool) {
    List<String> out = new ArrayList<>();
    Set<String> seen = new LinkedHashSet<>();
    synchronized (received) {
      for (Received r : received) {
        if (r.path().equals("/alerts") && r.body().getString("alert").endsWith(pool) && seen.add(r.key())) {
          out.add(r.body().getString("alert"));
        }
      }
    }
    return out;
  }
}
