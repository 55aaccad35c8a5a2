package io.calltrack.dni;

import static io.calltrack.dni.testing.DniClient.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.localredis.EmbeddedRedis;
import io.calltrack.core.redis.RedisClientFactory;
import io.calltrack.core.testing.TestRedis;
import io.calltrack.dni.http.Timeouts;
import io.calltrack.dni.testing.DniClient;
import io.calltrack.dni.testing.DniClient.Reply;
import io.calltrack.dni.testing.DniTestBase;
import io.calltrack.dni.testing.TestNumbers;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * With Redis gone a visitor of a known property still gets a page that works: 200, the default
 * number, {@code fallback: true}. The server runs on a Redis of its own that the test stops.
 */
class RedisDownTest extends DniTestBase {
  private EmbeddedRedis redis;

  /** This test is about the real timeout: the servers it starts wait the default second. */
  @Override
  protected DniServerOptions options(String redisUrl) {
    return super.options(redisUrl).withStoreTimeout(Timeouts.DEFAULT_PUBLIC);
  }

  @AfterEach
  void stopRedis() {
    if (redis != null) {
      redis.stop();
    }
  }

  @Test
  void assignFallsBackToTheLastKnownDefaultNumber() {
    redis = TestRedis.dedicated();
    DniServer s = extraServer(redis.url());
    DniClient c = clientFor(s, 4);
    Site site = site(c, 3, 120, 600, "fallback");
    JsonObject before = c.assign(assignBody(site.property(), "v1")).json();
    assertFalse(before.getBoolean("fallback"));

    redis.stop();
    for (int attempt = 0; attempt < 2; attempt++) {
      clock.advance(Duration.ofMinutes(5));
      Reply r = c.post("/v1/assign", assignBody(site.property(), "v2"), DniClient.headers("origin", ORIGIN));
      assertEquals(200, r.status(), r::toString);
      JsonObject a = r.json();
      assertTrue(a.getBoolean("fallback"));
      assertEquals(site.defaultNumber(), a.getString("number"));
      assertEquals(new JsonArray().add(site.defaultNumber()), a.getJsonArray("swap"));
      assertEquals("v2", a.getString("visitorId"));
      assertNull(a.getString("sessionId"));
      assertNull(a.getString("leaseExpiresAt"));
      assertEquals(ORIGIN, r.header("access-control-allow-origin"), "CORS from the last-known config too");
    }
    JsonObject anonymous = c.assign(assignBody(site.property(), null)).json();
    assertTrue(anonymous.getBoolean("fallback"));
    assertFalse(anonymous.getString("visitorId").isBlank(), "a new visitor still gets an id to keep");

    Reply stranger = c.post("/v1/assign", assignBody(site.property(), "v3"),
        DniClient.headers("origin", "https://copycat.example"));
    assertEquals(403, stranger.status(), "origins are still checked");

    Reply unknown = c.assign(assignBody(TestRedis.uniqueId("never-seen"), "v"));
    assertEquals(503, unknown.status(), "a property this server never saw cannot be answered");
    assertEquals("unavailable", unknown.error());

    Reply ready = c.get("/health/ready");
    assertEquals(503, ready.status());
    assertEquals(new JsonObject().put("status", "down").put("redis", "down"), ready.json());
    assertEquals(200, c.get("/health/live").status());

    Reply admin = c.adminGet("/v1/pools/" + site.poolId());
    assertEquals(503, admin.status(), admin::toString);
    assertEquals("unavailable", admin.error());
    Reply heartbeat = c.post("/v1/sessions/" + before.getString("sessionId") + "/heartbeat", null);
    assertEquals(503, heartbeat.status());
    assertEquals(200, c.get("/metrics").status(), "metrics are served from the last values");

    redis.start();
    Reply back = c.get("/health/ready");
    for (int i = 0; i < 100 && back.status() != 200; i++) {
      back = c.get("/health/ready"); // the client reconnects on its next request
    }
    assertEquals(200, back.status());
    // this Redis kept nothing on disk: configure again, and assigns lease numbers again
    Site again = site(c, 2, 120, 600, "fallback");
    JsonObject after = c.assign(assignBody(again.property(), "v4")).json();
    assertFalse(after.getBoolean("fallback"), after::encode);
  }

  @Test
  void aRedisThatDoesNotAnswerInTimeGivesAFallbackToo() {
    redis = TestRedis.dedicated();
    DniServer s = extraServer(redis.url());
    DniClient c = clientFor(s, 4);
    Site site = site(c, 3, 120, 600, "fallback");
    assertFalse(c.assign(assignBody(site.property(), "v1")).json().getBoolean("fallback"));

    // DEBUG SLEEP blocks the whole redis-server, as a stalled or overloaded Redis would
    Redis blocker = RedisClientFactory.create(vertx, redis.url());
    Redis prober = RedisClientFactory.create(vertx, redis.url());
    try {
      await(RedisAPI.api(blocker).ping(List.of()));
      await(RedisAPI.api(prober).ping(List.of()));
      var sleeping = RedisAPI.api(blocker).debug(List.of("SLEEP", "8"));
      assertTrue(redisStopsAnswering(RedisAPI.api(prober)), "DEBUG SLEEP took hold");
      Reply r = c.assign(assignBody(site.property(), "v2"));
      assertEquals(200, r.status(), r::toString);
      assertTrue(r.json().getBoolean("fallback"), r::toString);
      assertEquals(site.defaultNumber(), r.json().getString("number"));
      await(sleeping);
    } finally {
      blocker.close();
      prober.close();
    }
    assertFalse(c.assign(assignBody(site.property(), "v3")).json().getBoolean("fallback"), "and Redis is used again");
  }

  /** True once a PING goes unanswered for half a second (bounded: up to 50 tries). */
  private static boolean redisStopsAnswering(RedisAPI probe) {
    for (int i = 0; i < 50; i++) {
      try {
        probe.ping(List.of()).await(500, TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        return true;
      }
    }
    return false;
  }

  @Test
  void aServerStartsWhileRedisIsDownAndAnswersHealth() {
    redis = TestRedis.dedicated();
    redis.stop();
    DniServer s = extraServer(redis.url());
    DniClient c = clientFor(s, 2);
    assertEquals(200, c.get("/health/live").status());
    assertEquals(503, c.get("/health/ready").status());
    assertEquals(503, c.assign(assignBody("some-property", "v")).status());
    redis.start();
    Reply put = null;
    for (int i = 0; i < 100 && (put == null || put.status() != 200); i++) {
      put = c.adminPut("/v1/properties/" + TestRedis.uniqueId("prop"), propertyBody(TestNumbers.one(), ORIGIN));
    }
    assertEquals(200, put.status(), "the server works once Redis is there");
  }
}
