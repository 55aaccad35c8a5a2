package io.calltrack.core.alerts;

import static io.calltrack.core.testing.Await.result;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.redis.RedisClientFactory;
import io.calltrack.core.testing.TestRedis;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Alert episodes on a real Redis: once per episode, the hold time, and a stale check starts nothing. */
class AlertEpisodesTest {
  @Test
  void oncePerEpisodeAfterTheHoldAndNotFromFiguresReadBeforeItEnded() {
    Vertx vertx = Vertx.vertx();
    Redis redis = RedisClientFactory.create(vertx, TestRedis.url());
    try {
      AlertEpisodes e = new AlertEpisodes(redis);
      String p = TestRedis.uniqueId("ep");
      Instant t = Instant.parse("2026-12-01T10:00:00Z");
      Duration hold = Duration.ofMinutes(10);
      assertFalse(result(e.observe(p, "a", true, t, hold)), "not yet held for 10 minutes");
      assertFalse(result(e.observe(p, "a", true, t.plusSeconds(599), hold)));
      assertTrue(result(e.observe(p, "a", true, t.plusSeconds(600), hold)), "the episode starts");
      assertFalse(result(e.observe(p, "a", true, t.plusSeconds(630), hold)), "once per episode");
      assertFalse(result(e.observe(p, "a", false, t.plusSeconds(700), hold)), "it ends");
      // a slower server's check read its figures at +690 s, before the end was seen: it starts nothing
      assertFalse(result(e.observe(p, "a", true, t.plusSeconds(690), Duration.ZERO)));
      assertFalse(result(e.observe(p, "a", true, t.plusSeconds(700), hold)), "a new episode waits its hold");
      assertTrue(result(e.observe(p, "a", true, t.plusSeconds(1300), hold)), "a new episode");
      // without a hold: ends and starts again at the same moment
      assertTrue(result(e.observe(p, "b", true, t, Duration.ZERO)));
      assertFalse(result(e.observe(p, "b", false, t.plusSeconds(1), Duration.ZERO)));
      assertTrue(result(e.observe(p, "b", true, t.plusSeconds(1), Duration.ZERO)));
    } finally {
      redis.close();
      result(vertx.close());
    }
  }
}
