package io.calltrack.dni.report;

import static io.calltrack.dni.testing.DniClient.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.config.RedisConfigStore;
import io.calltrack.core.marketing.SettingsStore;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.core.redis.RedisClientFactory;
import io.calltrack.core.report.RoiReporter;
import io.calltrack.core.spend.SpendStore;
import io.calltrack.core.testing.Await;
import io.calltrack.core.testing.TestNumbers;
import io.calltrack.core.testing.TestRedis;
import io.calltrack.core.webhooks.WebhookSender;
import io.calltrack.core.webhooks.WebhookSigner;
import io.calltrack.core.webhooks.WebhookTargets;
import io.calltrack.dni.testing.DniClient.Reply;
import io.calltrack.dni.testing.DniTestBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Scheduled reports against a real local receiver, with the real rollups: a week's ROI report sent once
 * the week is over and its hour has come (in the property's time zone, across the change to summer
 * time), signed, retried when refused, once across two servers; a receiver that never takes it is a
 * failed delivery; {@code GET /v1/reports/deliveries} tells both apart.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ScheduledReportsTest extends DniTestBase {
  static final String SECRET = "receiver-shared-secret-0123";

  record Received(String path, String key, boolean signed, JsonObject body) {}

  @Test
  void aWeeksReportIsSentOnceWhenTheWeekIsOverAndItsDeliveryIsKept() {
    List<Received> received = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger weekly = new AtomicInteger();
    HttpServer receiver = await(vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      String body = b.toString();
      received.add(new Received(req.path(), req.getHeader("Idempotency-Key"),
          WebhookSigner.verify(SECRET, req.getHeader(WebhookSigner.HEADER), body), new JsonObject(body)));
      // the weekly report is refused once (it must come again); the daily one always (it fails)
      boolean refuse = req.path().equals("/daily") || weekly.incrementAndGet() == 1;
      req.response().setStatusCode(refuse ? 503 : 204).end();
    })).listen(0, "127.0.0.1"));
    String url = "http://127.0.0.1:" + receiver.actualPort();

    // New York: the week of Monday 2 March 2026 (summer time began on Sunday the 8th)
    clock.set(Instant.parse("2026-03-02T09:00:00Z"));
    String weeklyProperty = TestRedis.uniqueId("weekly");
    String dailyProperty = TestRedis.uniqueId("daily");
    for (String property : List.of(weeklyProperty, dailyProperty)) {
      assertEquals(200, api.adminPut("/v1/properties/" + property, propertyBody(TestNumbers.fresh().e164(), ORIGIN)).status());
    }
    CallSeeder seeder = new CallSeeder(vertx);
    PhoneNumber n = TestNumbers.fresh();
    // in the week: google on Monday 00:30 local and Sunday 23:30 local (EDT), bing on Wednesday
    seeder.call(weeklyProperty, n, "+13125550201", Instant.parse("2026-03-02T05:30:00Z"), CallSeeder.source("google", "cpc"), 30);
    seeder.call(weeklyProperty, n, "+13125550202", Instant.parse("2026-03-09T03:30:00Z"), CallSeeder.source("google", "cpc"), 30);
    seeder.call(weeklyProperty, n, "+13125550203", Instant.parse("2026-03-04T15:00:00Z"), CallSeeder.source("bing", "cpc"), 30);
    // outside it: Sunday 1 March 23:00 local and Monday 9 March 00:30 local
    seeder.call(weeklyProperty, n, "+13125550204", Instant.parse("2026-03-02T04:00:00Z"), CallSeeder.source("google", "cpc"), 30);
    seeder.call(weeklyProperty, n, "+13125550205", Instant.parse("2026-03-09T04:30:00Z"), CallSeeder.source("google", "cpc"), 30);
    CallSeeder.awaitConsumerCaughtUp(vertx, weeklyProperty);

    Reply weeklySet = api.adminPut("/v1/properties/" + weeklyProperty + "/marketing", new JsonObject().put("reports",
        new JsonObject().put("url", url + "/weekly").put("secret", SECRET).put("every", "week").put("hour", 6)));
    assertEquals(200, weeklySet.status(), weeklySet.toString());

    Redis redis = RedisClientFactory.create(vertx, TestRedis.url());
    RedisConfigStore store = await(RedisConfigStore.create(vertx, redis));
    WebhookSender sender = new WebhookSender(vertx, clock, Duration.ofMillis(20), Duration.ofMillis(100), WebhookTargets.ANY);
    RoiReporter reporter = new RoiReporter(redis, new SpendStore(redis));
    ScheduledReports server1 = new ScheduledReports(vertx, store, new SettingsStore(redis), reporter, sender, redis, clock);
    ScheduledReports server2 = new ScheduledReports(vertx, store, new SettingsStore(redis), reporter, sender, redis, clock);

    // Monday 9 March, 05:59 in New York: the week is over, its hour not yet come
    clock.set(Instant.parse("2026-03-09T09:59:00Z"));
    assertEquals(List.of(), mine(server1, weeklyProperty));
    clock.set(Instant.parse("2026-03-09T10:00:00Z")); // 06:00 EDT
    assertEquals(List.of(weeklyProperty + "/week:2026-03-02"), mine(server1, weeklyProperty));
    assertEquals(List.of(), mine(server2, weeklyProperty), "the other server does not send it again");
    Await.until(Duration.ofSeconds(30), () -> deliveries(weeklyProperty).getJsonArray("deliveries").size() == 1);
    assertEquals(List.of(), mine(server1, weeklyProperty), "delivered: not again");
    assertEquals(List.of(), mine(server2, weeklyProperty));

    List<Received> weeklies = received.stream().filter(r -> r.path().equals("/weekly")).toList();
    assertEquals(2, weeklies.size(), "refused once, then taken: " + weeklies);
    assertEquals(weeklies.get(0).key(), weeklies.get(1).key(), "one key for both attempts");
    JsonObject body = weeklies.get(1).body();
    assertTrue(weeklies.get(1).signed());
    assertEquals("report", body.getString("type"));
    assertEquals(weeklyProperty + ":report:week:2026-03-02", body.getString("id"));
    assertEquals("2026-03-02", body.getString("from"));
    assertEquals("2026-03-08", body.getString("to"));
    JsonObject report = body.getJsonObject("report");
    assertEquals(3, report.getJsonObject("total").getInteger("calls"), report.encode());
    JsonObject google = rowOf(report, "google");
    assertEquals(2, google.getInteger("calls"));
    assertEquals(1, rowOf(report, "bing").getInteger("calls"));

    JsonObject kept = deliveries(weeklyProperty);
    JsonObject delivery = kept.getJsonArray("deliveries").getJsonObject(0);
    assertEquals("delivered", delivery.getString("state"));
    assertEquals("week", delivery.getString("every"));
    assertEquals("2026-03-09T10:00:00Z", delivery.getString("dueAt"));
    assertEquals(1, kept.getInteger("scheduled"));
    assertEquals(1.0, kept.getDouble("deliveryRate"), 0.0);

    // the daily report: yesterday's, sent at 06:00 (the default hour); its receiver never takes it
    Reply dailySet = api.adminPut("/v1/properties/" + dailyProperty + "/marketing", new JsonObject().put("reports",
        new JsonObject().put("url", url + "/daily").put("secret", SECRET).put("every", "day").put("groupBy", "campaign")));
    assertEquals(200, dailySet.status(), dailySet.toString());
    assertEquals(List.of(dailyProperty + "/day:2026-03-08"), mine(server2, dailyProperty));
    Await.until(Duration.ofSeconds(30), () -> deliveries(dailyProperty).getJsonArray("deliveries").size() == 1);
    JsonObject failed = deliveries(dailyProperty);
    assertEquals("failed", failed.getJsonArray("deliveries").getJsonObject(0).getString("state"));
    assertEquals(0.0, failed.getDouble("deliveryRate"), 0.0);
    assertEquals(ScheduledReports.ATTEMPTS, received.stream().filter(r -> r.path().equals("/daily")).count());
    // the property's health says so
    JsonObject unhealthy = api.adminGet("/v1/properties/" + dailyProperty + "/health").json().getJsonArray("checks")
        .stream().map(JsonObject.class::cast).filter(c -> c.getString("check").equals("reports.delivery")).findFirst().orElseThrow();
    assertEquals(false, unhealthy.getBoolean("healthy"), unhealthy::encode);
    assertEquals("2026-03-08", unhealthy.getJsonObject("detail").getString("from"));
    assertEquals(List.of(), mine(server1, dailyProperty), "given up: not again");
    // the next day's is a period of its own
    clock.set(Instant.parse("2026-03-10T10:00:00Z"));
    assertEquals(List.of(dailyProperty + "/day:2026-03-09"), mine(server1, dailyProperty));

    JsonObject none = deliveries(dailyProperty, "&from=2026-03-10&to=2026-03-10");
    assertEquals(0, none.getInteger("scheduled"));
    assertNull(none.getValue("deliveryRate"));
    assertEquals(400, api.adminGet("/v1/reports/deliveries?property=" + dailyProperty + "&from=2026-03-10&to=2026-03-01").status());
  }

  /**
   * A report that cannot be read when its period is taken (its Redis away) is not a failed delivery:
   * the period is let go, and the next check, the report readable again, sends it.
   */
  @Test
  void aReportThatCannotBeReadIsSentAtTheNextCheck() {
    List<String> paths = Collections.synchronizedList(new ArrayList<>());
    HttpServer receiver = await(vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      paths.add(req.path());
      req.response().setStatusCode(204).end();
    })).listen(0, "127.0.0.1"));
    clock.set(Instant.parse("2026-03-02T09:00:00Z"));
    String property = TestRedis.uniqueId("unread");
    assertEquals(200, api.adminPut("/v1/properties/" + property, propertyBody(TestNumbers.fresh().e164(), ORIGIN)).status());
    clock.set(Instant.parse("2026-03-03T10:59:00Z"));
    assertEquals(200, api.adminPut("/v1/properties/" + property + "/marketing", new JsonObject().put("reports",
        new JsonObject().put("url", "http://127.0.0.1:" + receiver.actualPort() + "/r").put("secret", SECRET)
            .put("every", "day"))).status());
    Redis redis = RedisClientFactory.create(vertx, TestRedis.url());
    RedisConfigStore store = await(RedisConfigStore.create(vertx, redis));
    WebhookSender sender = new WebhookSender(vertx, clock, Duration.ofMillis(20), Duration.ofMillis(100), WebhookTargets.ANY);
    Redis away = RedisClientFactory.create(vertx, "redis://127.0.0.1:1"); // nothing listens there
    ScheduledReports unreadable = new ScheduledReports(vertx, store, new SettingsStore(redis),
        new RoiReporter(away, new SpendStore(away)), sender, redis, clock);
    ScheduledReports readable = new ScheduledReports(vertx, store, new SettingsStore(redis),
        new RoiReporter(redis, new SpendStore(redis)), sender, redis, clock);

    clock.set(Instant.parse("2026-03-03T11:00:00Z")); // 06:00 in New York: 2 March is due
    assertEquals(List.of(property + "/day:2026-03-02"), mine(unreadable, property));
    Await.until(Duration.ofSeconds(30), () -> mine(readable, property).equals(List.of(property + "/day:2026-03-02")));
    Await.until(Duration.ofSeconds(30), () -> deliveries(property).getJsonArray("deliveries").size() == 1);
    assertEquals("delivered", deliveries(property).getJsonArray("deliveries").getJsonObject(0).getString("state"));
    assertEquals(List.of("/r"), paths, "sent once, by the check that could read it");
  }

  /** A schedule under a multi-touch model sends that model's report: each channel's credit. */
  @Test
  void aScheduleUnderAMultiTouchModelSendsThatModelsReport() {
    List<JsonObject> bodies = Collections.synchronizedList(new ArrayList<>());
    HttpServer receiver = await(vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      bodies.add(b.toJsonObject());
      req.response().setStatusCode(204).end();
    })).listen(0, "127.0.0.1"));
    clock.set(Instant.parse("2026-03-02T09:00:00Z"));
    String property = TestRedis.uniqueId("credit");
    assertEquals(200, api.adminPut("/v1/properties/" + property, propertyBody(TestNumbers.fresh().e164(), ORIGIN)).status());
    Reply set = api.adminPut("/v1/properties/" + property + "/marketing", new JsonObject().put("reports",
        new JsonObject().put("url", "http://127.0.0.1:" + receiver.actualPort() + "/r").put("secret", SECRET)
            .put("every", "day").put("groupBy", "medium").put("model", "position")));
    assertEquals(200, set.status(), set.toString());
    assertEquals("position", set.json().getJsonObject("reports").getString("model"));
    Redis redis = RedisClientFactory.create(vertx, TestRedis.url());
    RedisConfigStore store = await(RedisConfigStore.create(vertx, redis));
    WebhookSender sender = new WebhookSender(vertx, clock, Duration.ofMillis(20), Duration.ofMillis(100), WebhookTargets.ANY);
    ScheduledReports reports = new ScheduledReports(vertx, store, new SettingsStore(redis),
        new RoiReporter(redis, new SpendStore(redis)), sender, redis, clock);
    clock.set(Instant.parse("2026-03-03T11:00:00Z")); // 06:00 in New York: 2 March is due
    assertEquals(List.of(property + "/day:2026-03-02"), mine(reports, property));
    Await.until(Duration.ofSeconds(30), () -> !bodies.isEmpty());
    JsonObject report = bodies.get(0).getJsonObject("report");
    assertEquals("position", report.getString("model"), report.encode());
    assertEquals("medium", report.getString("groupBy"));
    assertNull(report.getJsonObject("total").getValue("uniqueCallers"), "a credit report's figures only");
    assertEquals(0, new BigDecimal("0").compareTo(new BigDecimal(report.getJsonObject("total").getValue("calls").toString())));
  }

  @Test
  void aScheduleThatCannotBeSentIsRefused() {
    String property = TestRedis.uniqueId("sched");
    assertEquals(200, api.adminPut("/v1/properties/" + property, propertyBody(TestNumbers.fresh().e164(), ORIGIN)).status());
    for (JsonObject bad : List.of(
        new JsonObject().put("url", "ftp://example.com/r").put("secret", SECRET),
        new JsonObject().put("url", "https://example.com/r").put("secret", "short"),
        new JsonObject().put("url", "https://example.com/r").put("secret", SECRET).put("every", "fortnight"),
        new JsonObject().put("url", "https://example.com/r").put("secret", SECRET).put("groupBy", "colour"),
        new JsonObject().put("url", "https://example.com/r").put("secret", SECRET).put("hour", 24),
        new JsonObject().put("url", "https://example.com/r").put("secret", SECRET).put("groupBy", "keyword")
            .put("model", "linear"),
        new JsonObject().put("url", "https://example.com/r").put("secret", SECRET).put("model", "middle"))) {
      Reply r = api.adminPut("/v1/properties/" + property + "/marketing", new JsonObject().put("reports", bad));
      assertEquals(400, r.status(), bad + ": " + r);
      assertTrue(r.json().getString("detail").contains("reports"), r.toString());
    }
  }

  /**
   * The weeks every server was down through are sent once one is up again, oldest first, each once;
   * at most eight of them however long the outage; a schedule set afresh sends no history.
   */
  @Test
  void periodsEveryServerWasDownThroughAreSentLateOnceEach() {
    List<String> received = Collections.synchronizedList(new ArrayList<>());
    HttpServer receiver = await(vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      received.add(new JsonObject(b.toString()).getString("from"));
      req.response().setStatusCode(204).end();
    })).listen(0, "127.0.0.1"));
    String url = "http://127.0.0.1:" + receiver.actualPort() + "/weekly";
    String property = TestRedis.uniqueId("late");
    assertEquals(200, api.adminPut("/v1/properties/" + property, propertyBody(TestNumbers.fresh().e164(), ORIGIN)
        .put("timezone", "UTC")).status());
    assertEquals(200, api.adminPut("/v1/properties/" + property + "/marketing", new JsonObject().put("reports",
        new JsonObject().put("url", url).put("secret", SECRET).put("every", "week").put("hour", 6))).status());
    Redis redis = RedisClientFactory.create(vertx, TestRedis.url());
    RedisConfigStore store = await(RedisConfigStore.create(vertx, redis));
    WebhookSender sender = new WebhookSender(vertx, clock, Duration.ofMillis(20), Duration.ofMillis(100), WebhookTargets.ANY);
    ScheduledReports server = new ScheduledReports(vertx, store, new SettingsStore(redis),
        new RoiReporter(redis, new SpendStore(redis)), sender, redis, clock);

    // set on Wednesday 4 March: the week before (23 February) is the first sent, no older one
    clock.set(Instant.parse("2026-03-04T12:00:00Z"));
    assertEquals(List.of(property + "/week:2026-02-23"), mine(server, property));
    Await.until(Duration.ofSeconds(30), () -> deliveries(property).getInteger("delivered") == 1);
    // every server down from then until Wednesday 1 April: the weeks of 2, 9, 16 and 23 March
    clock.set(Instant.parse("2026-04-01T12:00:00Z"));
    assertEquals(List.of(property + "/week:2026-03-02", property + "/week:2026-03-09", property + "/week:2026-03-16",
        property + "/week:2026-03-23"), mine(server, property));
    assertEquals(List.of(), mine(server, property), "taken: not again");
    Await.until(Duration.ofSeconds(30), () -> deliveries(property).getInteger("delivered") == 5);
    assertEquals(List.of("2026-03-02", "2026-03-09", "2026-03-16", "2026-03-23"),
        received.subList(1, 5).stream().sorted().toList());
    // down for half a year: the latest eight weeks, not twenty-five
    clock.set(Instant.parse("2026-09-23T12:00:00Z"));
    List<String> late = mine(server, property);
    assertEquals(8, late.size(), late::toString);
    assertEquals(property + "/week:2026-07-27", late.get(0));
    assertEquals(property + "/week:2026-09-14", late.get(7));
    sender.close();
    await(store.close());
    redis.close();
    await(receiver.close());
  }

  private List<String> mine(ScheduledReports server, String property) {
    return await(server.deliverDue()).stream().filter(s -> s.startsWith(property + "/")).toList();
  }

  private JsonObject deliveries(String property) {
    return deliveries(property, "");
  }

  private JsonObject deliveries(String property, String range) {
    Reply r = api.adminGet("/v1/reports/deliveries?property=" + property + range);
    assertEquals(200, r.status(), r.toString());
    return r.json();
  }

  private static JsonObject rowOf(JsonObject report, String group) {
    JsonArray rows = report.getJsonArray("rows");
    for (int i = 0; i < rows.size(); i++) {
      if (group.equals(rows.getJsonObject(i).getString("source"))) {
        return rows.getJsonObject(i);
      }
    }
    throw new AssertionError("no row " + group + " in " + report.encode());
  }
}
