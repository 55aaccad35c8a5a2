package io.calltrack.core.callback;

import static io.calltrack.core.testing.Await.result;

import io.calltrack.core.redis.RedisClientFactory;
import io.calltrack.core.testing.MutableClock;
import io.calltrack.core.testing.TestRedis;
import io.vertx.core.Vertx;
import io.vertx.redis.client.RedisAPI;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** A {@link RedisCallbackStore} on the test Redis with a hand-moved clock, one per test class. */
abstract class CallbackStoreTestBase {
  static Vertx vertx;
  static RedisAPI redis;
  static MutableClock clock;
  static RedisCallbackStore store;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    redis = RedisAPI.api(RedisClientFactory.create(vertx, TestRedis.url()));
    clock = new MutableClock(Instant.parse("2026-03-02T15:00:00Z"));
    store = new RedisCallbackStore(redis, clock, RedisCallbackStore.Limits.DEFAULT);
  }

  @AfterAll
  static void stop() {
    result(vertx.close());
  }
}
