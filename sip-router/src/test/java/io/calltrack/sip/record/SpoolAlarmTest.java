package io.calltrack.sip.record;

import static io.calltrack.core.testing.Await.result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.calls.CallEvent;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.marketing.PropertySettings;
import io.calltrack.core.marketing.SettingsStore;
import io.calltrack.core.redis.RedisClientFactory;
import io.calltrack.core.testing.Await;
import io.calltrack.core.testing.MutableClock;
import io.calltrack.core.testing.TestRedis;
import io.calltrack.core.webhooks.WebhookSender;
import io.calltrack.core.webhooks.WebhookSigner;
import io.calltrack.localredis.EmbeddedRedis;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The router's spool-depth alert against a real local HTTP receiver that fails first: sent once per
 * episode after the hold time (injected clock), signed, retried with back-off under the same key; a
 * new episode after the spool drained; and sent from the last settings read while Redis is down.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SpoolAlarmTest {
  static final String SECRET = "receiver-shared-secret-0123";
  @TempDir Path dir;

  record Received(long atNanos, String key, boolean signed, JsonObject body) {}

  private static CallEvent event(int i) {
    Instant at = Instant.parse("2026-12-01T10:00:00Z").plusSeconds(i);
    return new CallEvent("c" + i, 0, CallEvent.Type.STARTED, at,
        CallRecord.started("c" + i, "sip-c" + i, io.calltrack.core.testing.TestNumbers.fresh(), "+15557770002", "p", at));
  }

  @Test
  void spoolDepthAlertOncePerEpisodeSignedRetriedAndWithRedisDown() {
    Vertx vertx = Vertx.vertx();
    EmbeddedRedis server = TestRedis.dedicated();
    Redis redis = RedisClientFactory.create(vertx, server.url());
    List<Received> received = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger requests = new AtomicInteger();
    HttpServer receiver = result(vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      String body = b.toString();
      received.add(new Received(System.nanoTime(), req.getHeader("Idempotency-Key"),
          WebhookSigner.verify(SECRET, req.getHeader(WebhookSigner.HEADER), body), new JsonObject(body)));
      // the first two attempts fail: the sender must come back, later each time
      req.response().setStatusCode(requests.incrementAndGet() <= 2 ? 503 : 204).end();
    })).listen(0, "127.0.0.1"));
    MutableClock clock = MutableClock.at("2026-12-01T10:00:00Z");
    WebhookSender sender = new WebhookSender(vertx, clock, Duration.ofMillis(300), Duration.ofSeconds(2), io.calltrack.core.webhooks.WebhookTargets.ANY);
    String alerted = TestRedis.uniqueId("spool");
    String quiet = TestRedis.uniqueId("spool");
    SettingsStore settings = new SettingsStore(redis);
    result(settings.put(alerted, new PropertySettings(null, null, null, null, new PropertySettings.Alerts(
        "http://127.0.0.1:" + receiver.actualPort() + "/alerts", SECRET, null, null, null, null, null, 5, 5))));
    try (Spool spool = Spool.open(dir)) {
      SpoolAlarm alarm = new SpoolAlarm(vertx, "router-a:5060", spool::depth, () -> List.of(alerted, quiet),
          settings::get, sender, clock);
      for (int i = 0; i < 5; i++) {
        spool.append(event(i));
      }
      assertEquals(List.of(), result(alarm.check()), "5 waiting is not above 5");
      spool.append(event(5));
      assertEquals(List.of(), result(alarm.check()), "above the threshold, not yet for 5 minutes");
      clock.advance(Duration.ofMinutes(4));
      assertEquals(List.of(), result(alarm.check()));
      clock.advance(Duration.ofMinutes(1));
      assertEquals(List.of(alerted), result(alarm.check()), "5 minutes above: the episode starts");
      clock.advance(Duration.ofMinutes(1));
      spool.append(event(6));
      assertEquals(List.of(), result(alarm.check()), "same episode: not again");

      Await.until(Duration.ofSeconds(30), () -> received.size() == 3);
      List<Received> first = List.copyOf(received);
      assertEquals(1, first.stream().map(Received::key).distinct().count(), "retries keep the key");
      for (Received r : first) {
        assertTrue(r.signed(), r.toString());
        assertEquals("router.spoolDepth:router-a:5060", r.body().getString("alert"));
        assertEquals(alerted, r.body().getString("property"));
        assertEquals(6, r.body().getJsonObject("detail").getInteger("depth"));
        assertEquals(5, r.body().getJsonObject("detail").getInteger("threshold"));
      }
      // back-off: at least 300 ms before the 2nd attempt, at least 600 ms before the 3rd
      assertTrue(first.get(1).atNanos() - first.get(0).atNanos() >= TimeUnit.MILLISECONDS.toNanos(300));
      assertTrue(first.get(2).atNanos() - first.get(1).atNanos() >= TimeUnit.MILLISECONDS.toNanos(600));

      // the spool drains into Redis: the episode ends
      while (!spool.isEmpty()) {
        spool.ack();
      }
      assertEquals(List.of(), result(alarm.check()));
      // Redis goes away and the spool fills again: the settings read before still say where to alert
      server.stop();
      for (int i = 10; i < 20; i++) {
        spool.append(event(i));
      }
      assertEquals(List.of(), result(alarm.check()));
      clock.advance(Duration.ofMinutes(5));
      assertEquals(List.of(alerted), result(alarm.check()), "a new episode, with Redis down");
      Await.until(Duration.ofSeconds(30), () -> received.size() == 4);
      Received again = received.get(3);
      assertTrue(again.signed());
      assertTrue(!again.key().equals(first.get(0).key()), "a new episode has a key of its own");
      assertEquals(10, again.body().getJsonObject("detail").getInteger("depth"));
      alarm.close();
    } finally {
      sender.close();
      redis.close();
      server.stop();
      result(receiver.close());
      result(vertx.close());
    }
  }
}
