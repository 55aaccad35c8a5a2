package io.calltrack.dni.marketing;

import static io.calltrack.dni.testing.DniClient.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.alerts.AlertEpisodes;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.config.RedisConfigStore;
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
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The report-based alerts (router failed-call rate, calls and ROI below the trailing average, calls
 * behind a target's pace, ROI below a target) against a real local receiver that refuses the first two
 * requests: each sent once per episode, signed, retried with back-off under one key; the failed-call
 * alert again after its episode ended and a new one began. The calls go through the real rollups.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ReportAlertsTest extends DniTestBase {
  static final String SECRET = "receiver-shared-secret-0123";

  record Received(long atNanos, String key, boolean signed, JsonObject body) {}

  @Test
  void reportAlertsOncePerEpisodeSignedAndRetried() {
    List<Received> received = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger requests = new AtomicInteger();
    java.util.concurrent.atomic.AtomicReference<String> firstKey = new java.util.concurrent.atomic.AtomicReference<>();
    HttpServer receiver = await(vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      String body = b.toString();
      String key = req.getHeader("Idempotency-Key");
      received.add(new Received(System.nanoTime(), key,
          WebhookSigner.verify(SECRET, req.getHeader(WebhookSigner.HEADER), body), new JsonObject(body)));
      // the first alert to arrive is refused twice: it must come back, later each time
      firstKey.compareAndSet(null, key);
      boolean refuse = key.equals(firstKey.get()) && requests.incrementAndGet() <= 2;
      req.response().setStatusCode(refuse ? 503 : 204).end();
    })).listen(0, "127.0.0.1"));

    // today is Tuesday 10 March 2026 in New York
    clock.set(Instant.parse("2026-03-10T17:00:00Z"));
    String property = TestRedis.uniqueId("alerts");
    PhoneNumber printed = TestNumbers.fresh();
    assertEquals(200, api.adminPut("/v1/properties/" + property, propertyBody(printed.e164(), ORIGIN)).status());

    CallSeeder seeder = new CallSeeder(vertx);
    PhoneNumber n = TestNumbers.fresh();
    int caller = 0;
    // 2-8 March: 4 calls a day (average 4); 9 March (yesterday): 1 call, under 50 % of the average
    CallRecord earlier = null;
    for (int day = 2; day <= 8; day++) {
      for (int i = 0; i < 4; i++) {
        CallRecord c = seeder.call(property, n, "+1312555" + (1000 + caller++), Instant.parse(String.format(
            "2026-03-%02dT16:%02d:00Z", day, i)), CallSeeder.source("google", "cpc"), 30);
        if (day == 4 && i == 0) {
          earlier = c;
        }
      }
    }
    var sold = seeder.call(property, n, "+1312555" + (1000 + caller++), Instant.parse("2026-03-09T16:00:00Z"),
        CallSeeder.source("google", "cpc"), 30);
    // today: 10 ended calls, 3 refused by the business line (30 % > 20 %)
    for (int i = 0; i < 10; i++) {
      Instant at = Instant.parse("2026-03-10T15:00:00Z").plusSeconds(60L * i);
      if (i < 3) {
        seeder.failedCall(property, n, "+1312555" + (1000 + caller++), at, CallSeeder.source("google", "cpc"));
      } else {
        seeder.call(property, n, "+1312555" + (1000 + caller++), at, CallSeeder.source("google", "cpc"), 30);
      }
    }
    // google in March: 100.00 spent on the 3rd, 50.00 yesterday; 300.00 sold on the 4th, 20.00 yesterday.
    // Month to date ROI (320 - 150) / 150 = 113.33 % against the target's 200 %; yesterday's ROAS 0.4
    // under 50 % of the trailing week's 3.0
    assertEquals(200, api.adminPut("/v1/spend?property=" + property, new JsonArray()
        .add(new JsonObject().put("date", "2026-03-03").put("source", "google").put("medium", "cpc")
            .put("amount", "100.00"))
        .add(new JsonObject().put("date", "2026-03-09").put("source", "google").put("medium", "cpc")
            .put("amount", "50.00"))).status());
    Reply earlierSale = api.request(HttpMethod.POST, "/v1/calls/" + earlier.callId() + "/outcome",
        DniClient.body(new JsonObject().put("converted", true).put("value", "300.00")), api.admin());
    assertEquals(200, earlierSale.status(), earlierSale.toString());
    Reply outcome = api.request(HttpMethod.POST, "/v1/calls/" + sold.callId() + "/outcome",
        DniClient.body(new JsonObject().put("qualified", true).put("converted", true).put("value", "20.00")),
        api.admin());
    assertEquals(200, outcome.status(), outcome.toString());
    CallSeeder.awaitConsumerCaughtUp(vertx, property);
    // alerts are switched on once the data is in: the server's own monitor (every 30 s) must not see
    // a half-seeded month
    Reply put = api.adminPut("/v1/properties/" + property + "/marketing", new JsonObject()
        .put("targets", new JsonArray()
            .add(new JsonObject().put("calls", 300))
            .add(new JsonObject().put("source", "google").put("roiPercent", 200)))
        .put("alerts", new JsonObject().put("url", "http://127.0.0.1:" + receiver.actualPort() + "/alerts")
            .put("secret", SECRET).put("failedCallRate", 0.2).put("trailingDays", 7).put("trailingPercent", 50)));
    assertEquals(200, put.status(), put.toString());

    Redis redis = RedisClientFactory.create(vertx, TestRedis.url());
    RedisConfigStore store = await(RedisConfigStore.create(vertx, redis));
    WebhookSender sender = new WebhookSender(vertx, clock, Duration.ofMillis(300), Duration.ofSeconds(2), io.calltrack.core.webhooks.WebhookTargets.ANY);
    AlertMonitor monitor = new AlertMonitor(vertx, store, new SettingsStore(redis),
        new RedisPoolEngine(vertx, redis, store, clock),
        new RoiReporter(redis, new SpendStore(redis)), new AlertEpisodes(redis), sender, clock);
    try {
      // the server's own monitor shares the episodes (Redis): whichever sees a condition first sends it
      mine(monitor, property);
      // time moves on: a later episode has a key of its own even if a check that read the figures
      // before the episode ended starts it again (the server's monitor runs on its own)
      clock.advance(Duration.ofSeconds(1));
      assertEquals(List.of(), mine(monitor, property), "the same episodes: nothing again");
      // 5 alerts, the first of them refused twice and retried
      Await.until(Duration.ofSeconds(60), () -> received.size() == 7);
      Map<String, List<Received>> byKey = byKey(received);
      assertEquals(Set.of("calls.failedRate", "calls.belowTrailingAverage", "target.0.calls", "target.1.roi",
          "roi.belowTrailingAverage"),
          new TreeSet<>(byKey.values().stream().map(l -> l.get(0).body().getString("alert")).toList()));
      assertEquals(List.of(), mine(monitor, property), "still nothing again");
      for (Received r : received) {
        assertTrue(r.signed(), r.toString());
        assertEquals("alert", r.body().getString("type"));
        assertEquals(property, r.body().getString("property"));
      }
      List<Received> retried = byKey.values().stream().filter(l -> l.size() == 3).findFirst().orElseThrow();
      assertTrue(retried.get(1).atNanos() - retried.get(0).atNanos() >= TimeUnit.MILLISECONDS.toNanos(300),
          "back-off before the 2nd attempt");
      assertTrue(retried.get(2).atNanos() - retried.get(1).atNanos() >= TimeUnit.MILLISECONDS.toNanos(600),
          "doubled before the 3rd");
      JsonObject failed = received.stream().filter(r -> "calls.failedRate".equals(r.body().getString("alert")))
          .findFirst().orElseThrow().body().getJsonObject("detail");
      assertEquals(3, failed.getInteger("failed"));
      assertEquals(10, failed.getInteger("ended"));
      JsonObject roi = received.stream().filter(r -> "target.1.roi".equals(r.body().getString("alert")))
          .findFirst().orElseThrow().body().getJsonObject("detail");
      assertEquals("google", roi.getString("source"));
      assertEquals(113.33, roi.getDouble("actual"), 0.001);
      JsonObject roiTrail = received.stream().filter(r -> "roi.belowTrailingAverage".equals(r.body().getString("alert")))
          .findFirst().orElseThrow().body().getJsonObject("detail");
      assertEquals(0.4, roiTrail.getDouble("roas"), 0.0001);
      assertEquals(3.0, roiTrail.getDouble("trailingRoas"), 0.0001);
      JsonObject trailing = received.stream()
          .filter(r -> "calls.belowTrailingAverage".equals(r.body().getString("alert")))
          .findFirst().orElseThrow().body().getJsonObject("detail");
      assertEquals(1, trailing.getInteger("calls"));
      assertEquals(LocalDate.parse("2026-03-09").toString(), trailing.getString("date"));

      // 10 more answered calls: 3 of 20 failed, the episode ends; 4 more failures: 7 of 24, a new one
      for (int i = 0; i < 10; i++) {
        seeder.call(property, n, "+1312555" + (1000 + caller++), Instant.parse("2026-03-10T16:00:00Z")
            .plusSeconds(60L * i), CallSeeder.source("google", "cpc"), 30);
      }
      CallSeeder.awaitConsumerCaughtUp(vertx, property);
      assertEquals(List.of(), mine(monitor, property));
      for (int i = 0; i < 4; i++) {
        seeder.failedCall(property, n, "+1312555" + (1000 + caller++), Instant.parse("2026-03-10T16:30:00Z")
            .plusSeconds(60L * i), CallSeeder.source("google", "cpc"));
      }
      CallSeeder.awaitConsumerCaughtUp(vertx, property);
      clock.advance(Duration.ofMinutes(1));
      mine(monitor, property);
      Await.until(Duration.ofSeconds(30), () -> byKey(received).size() == 6);
      List<Received> again = byKey(received).values().stream().skip(5).findFirst().orElseThrow();
      assertEquals("calls.failedRate", again.get(0).body().getString("alert"));
      assertTrue(again.get(0).signed());
      // 3 to 7 failed: the server's monitor, reading the figures on its own timer, may have started the
      // new episode from figures read just before the first one ended, or mid-way through the failures
      assertTrue(again.get(0).body().getJsonObject("detail").getInteger("failed") >= 3, again.toString());
      assertTrue(!again.get(0).key().equals(byKey.keySet().iterator().next()));
      assertEquals(List.of(), mine(monitor, property));
      assertEquals(6, byKey(received).size());
    } finally {
      monitor.close();
      sender.close();
      store.close();
      redis.close();
      await(receiver.close());
    }
  }

  /** The alerts this check started for {@code property} (other tests' properties share the Redis). */
  static List<String> mine(AlertMonitor monitor, String property) {
    return await(monitor.checkAll()).stream().filter(a -> a.startsWith(property + "/")).toList();
  }

  static Map<String, List<Received>> byKey(List<Received> received) {
    Map<String, List<Received>> out = new LinkedHashMap<>();
    synchronized (received) {
      for (Received r : received) {
        out.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r);
      }
    }
    return out;
  }
}
