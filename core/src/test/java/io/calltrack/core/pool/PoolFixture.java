package io.calltrack.core.pool;

import static io.calltrack.core.testing.Await.result;

import io.calltrack.core.config.PoolConfig;
import io.calltrack.core.config.PropertyConfig;
import io.calltrack.core.config.RedisConfigStore;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.core.redis.RedisClientFactory;
import io.calltrack.core.testing.MutableClock;
import io.calltrack.core.testing.TestNumbers;
import io.calltrack.core.testing.TestRedis;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import java.time.Duration;
import java.util.List;

/** One engine "process": its own Vert.x, Redis client, config store and engine, on the shared test Redis. */
final class PoolFixture implements AutoCloseable {
  final Vertx vertx;
  final RedisAPI redis;
  final RedisConfigStore store;
  final RedisPoolEngine engine;

  PoolFixture(MutableClock clock, Duration historyWindow) {
    this(clock, historyWindow, TestRedis.url());
  }

  /** On the Redis of {@code redisTarget} (a URL, or a cluster's or Sentinel's one-string form). */
  PoolFixture(MutableClock clock, Duration historyWindow, String redisTarget) {
    vertx = Vertx.vertx();
    Redis client = RedisClientFactory.create(vertx, redisTarget);
    redis = RedisAPI.api(client);
    store = result(RedisConfigStore.create(vertx, client));
    engine = new RedisPoolEngine(vertx, client, store, clock, historyWindow);
  }

  PoolFixture(MutableClock clock) {
    this(clock, RedisPoolEngine.DEFAULT_HISTORY_WINDOW);
  }

  PropertyConfig newProperty() {
    PhoneNumber business = TestNumbers.fresh();
    PropertyConfig p = new PropertyConfig(TestRedis.uniqueId("prop"), null, List.of(), List.of(business), business,
        null, null);
    result(store.putProperty(p));
    return p;
  }

  PoolConfig newPool(PropertyConfig property, int size, int leaseSeconds, int holdSeconds,
      PoolConfig.OnExhausted policy, PoolConfig.Match match) {
    return newPool(property, TestNumbers.fresh(size), leaseSeconds, holdSeconds, policy, match);
  }

  PoolConfig newPool(PropertyConfig property, List<PhoneNumber> numbers, int leaseSeconds, int holdSeconds,
      PoolConfig.OnExhausted policy, PoolConfig.Match match) {
    PoolConfig pool = new PoolConfig(TestRedis.uniqueId("pool"), property.id(), numbers, leaseSeconds, holdSeconds,
        policy, match);
    result(store.putPool(pool));
    return pool;
  }

  @Override
  public void close() {
    result(store.close());
    result(vertx.close());
  }
}
