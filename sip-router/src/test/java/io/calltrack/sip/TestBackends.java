package io.calltrack.sip;

import io.calltrack.core.attribution.Attribution;
import io.calltrack.core.calls.RedisCallStore;
import io.calltrack.core.config.ConfigStore;
import io.calltrack.core.config.PoolConfig;
import io.calltrack.core.config.PropertyConfig;
import io.calltrack.core.config.RoutingTable;
import io.calltrack.core.config.StaticNumberConfig;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.core.pool.Assignment;
import io.calltrack.core.pool.PoolEngine;
import io.calltrack.core.pool.PoolStatus;
import io.calltrack.core.pool.Resolution;
import io.calltrack.core.pool.Session;
import io.calltrack.core.redis.RedisClientFactory;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** TEMPORARY until RedisConfigStore / RedisPoolEngine are on main: configuration held in memory. */
final class TestBackends implements ConfigStore, PoolEngine {
  private final Map<String, PropertyConfig> properties = new HashMap<>();
  private final Map<PhoneNumber, String> propertyOfNumber = new HashMap<>();

  synchronized void add(PropertyConfig property, List<PhoneNumber> numbers) {
    properties.put(property.id(), property);
    numbers.forEach(n -> propertyOfNumber.put(n, property.id()));
  }

  SipRouter.Backends backends(Vertx vertx, String redisUrl) {
    Redis redis = RedisClientFactory.create(vertx, redisUrl);
    return new SipRouter.Backends(this, this, new RedisCallStore(redis), redis::close);
  }

  @Override
  public synchronized Future<RoutingTable> routingTable() {
    return Future.succeededFuture(new RoutingTable(properties, Map.of(), Map.of(), propertyOfNumber));
  }

  @Override
  public Future<Resolution> resolve(PhoneNumber number, Instant at) {
    return Future.succeededFuture(Resolution.unattributed());
  }

  @Override public Future<Void> putProperty(PropertyConfig property) { throw new UnsupportedOperationException(); }
  @Override public Future<Optional<PropertyConfig>> property(String propertyId) { throw new UnsupportedOperationException(); }
  @Override public Future<Void> putPool(PoolConfig pool) { throw new UnsupportedOperationException(); }
  @Override public Future<Optional<PoolConfig>> pool(String poolId) { throw new UnsupportedOperationException(); }
  @Override public Future<List<PoolConfig>> poolsOf(String propertyId) { throw new UnsupportedOperationException(); }
  @Override public Future<Void> putStaticNumber(StaticNumberConfig number) { throw new UnsupportedOperationException(); }
  @Override public Future<Optional<StaticNumberConfig>> staticNumber(PhoneNumber number) { throw new UnsupportedOperationException(); }
  @Override public Future<Assignment> assign(String propertyId, String visitorId, Attribution attribution) { throw new UnsupportedOperationException(); }
  @Override public Future<Instant> heartbeat(String sessionId) { throw new UnsupportedOperationException(); }
  @Override public Future<Void> release(String sessionId) { throw new UnsupportedOperationException(); }
  @Override public Future<PoolStatus> status(String poolId) { throw new UnsupportedOperationException(); }
  @Override public Future<Optional<Session>> session(String sessionId) { throw new UnsupportedOperationException(); }
  @Override public Future<Integer> sweep() { throw new UnsupportedOperationException(); }
}
