package io.calltrack.core.config;

import io.calltrack.core.CalltrackException;
import io.calltrack.core.json.JsonMapper;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.core.pool.PoolSync;
import io.calltrack.core.redis.LuaScript;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * {@link ConfigStore} on Redis. Every key carries the hash tag {@code {cfg}}, so each write is one
 * single-slot Lua script that validates before it writes (a refused write changes nothing) and
 * publishes on {@link ConfigStore#CHANGES_CHANNEL}:
 * <pre>
 * {cfg}:properties             hash  property id -> PropertyConfig JSON
 * {cfg}:pools                  hash  pool id -> PoolConfig JSON
 * {cfg}:property-pools:&lt;prop&gt;  set   the property's pool ids
 * {cfg}:numbers                hash  E.164 -> "pool:&lt;id&gt;" | "static"  (a number belongs to one place)
 * {cfg}:statics                hash  E.164 -> StaticNumberConfig JSON
 * {cfg}:pool-rev               hash  pool id -> revision of its last write ({@link PoolSync} guard)
 * {cfg}:revision               counter behind pool-rev
 * </pre>
 * Reads are cached in memory while this store is subscribed to the change channel (any change drops
 * the whole cache: configuration changes are rare), and not at all while it is not. A write through
 * this store drops the cache as soon as it succeeds, and so do the other stores of this process (the
 * other HTTP instances of a dni-server: {@link ConfigCache}), before the write answers, so an
 * assign through any instance after the write reads it. Stores of other processes see it when the
 * change message arrives: milliseconds, and at most {@code ConfigChangeListener}'s probe period plus
 * timeout (6 s) if their subscription broke silently, after which they read uncached until it is back.
 *
 * <p>After a pool's configuration is written, {@link PoolSync} copies its numbers into the pool's
 * runtime keys (another slot). {@link #start()} re-runs that for every pool, revision-guarded, which
 * repairs a process that died between the two writes.
 */
public final class RedisConfigStore implements ConfigStore {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RedisConfigStore.class);
  static final String PROPERTIES = "{cfg}:properties";
  static final String POOLS = "{cfg}:pools";
  static final String NUMBERS = "{cfg}:numbers";
  static final String STATICS = "{cfg}:statics";
  static final String POOL_REV = "{cfg}:pool-rev";
  static final String REVISION = "{cfg}:revision";

  private static final LuaScript PUT_PROPERTY = LuaScript.load("/lua/config/put_property.lua");
  private static final LuaScript PUT_POOL = LuaScript.load("/lua/config/put_pool.lua");
  private static final LuaScript PUT_STATIC = LuaScript.load("/lua/config/put_static.lua");
  private static final LuaScript POOLS_OF = LuaScript.load("/lua/config/pools_of.lua");
  private static final LuaScript READ_ALL = LuaScript.load("/lua/config/read_all.lua");

  private final Vertx vertx;
  private final Redis client;
  private final RedisAPI redis;
  private final LuaScript.Durability writes;
  private final ConfigCache cache;
  private final ConfigChangeListener listener;
  private final List<Runnable> changeListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** A store on {@code redis}; call {@link #start()} before use to enable caching and repair pools. */
  public RedisConfigStore(Vertx vertx, Redis redis) {
    this(vertx, redis, LuaScript.Durability.NONE);
  }

  /**
   * A store whose every write (a property, a pool and its runtime numbers, a static number, a
   * property's call retention) answers only once {@code writes} replicas have it ({@code
   * CALLTRACK_REDIS_WAIT}): a failover right after cannot lose a change the caller was told is made.
   * One that fewer replicas confirmed in time fails with {@link LuaScript.NotReplicated}; it may
   * still be on the master, and writing it again is harmless (every write is a whole replacement).
   */
  public RedisConfigStore(Vertx vertx, Redis redis, LuaScript.Durability writes) {
    this.vertx = vertx;
    this.client = redis;
    this.redis = RedisAPI.api(redis);
    this.writes = writes;
    this.cache = new ConfigCache(vertx);
    this.listener = new ConfigChangeListener(vertx, redis, this::changed, this::resubscribed, cache::disable);
  }

  /**
   * Calls {@code listener} after every configuration change announced on the channel (by any store,
   * this one included) and after the subscription comes back from an outage (changes may have been
   * missed), e.g. for the SIP router to rebuild its routing table. Runs on a Vert.x event loop:
   * it must not block.
   */
  public void onChange(Runnable listener) {
    changeListeners.add(listener);
  }

  private void changed() {
    cache.invalidate();
    changeListeners.forEach(RedisConfigStore::runQuietly);
  }

  private void resubscribed() {
    cache.enable();
    changeListeners.forEach(RedisConfigStore::runQuietly);
  }

  private static void runQuietly(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      LOG.warn("configuration change listener failed", e);
    }
  }

  /** Creates and starts a store. */
  public static Future<RedisConfigStore> create(Vertx vertx, Redis redis) {
    return create(vertx, redis, LuaScript.Durability.NONE);
  }

  /** Creates and starts a store whose writes wait for {@code writes} replicas. */
  public static Future<RedisConfigStore> create(Vertx vertx, Redis redis, LuaScript.Durability writes) {
    RedisConfigStore store = new RedisConfigStore(vertx, redis, writes);
    return store.start().map(store);
  }

  /**
   * Subscribes to configuration changes (retried in the background while Redis is away: the store
   * works uncached meanwhile) and re-syncs every pool's runtime keys. Never fails for Redis being
   * down, so a server can start without it.
   */
  public Future<Void> start() {
    return listener.start()
        .compose(v -> resyncPools())
        .recover(err -> {
          LOG.warn("cannot re-sync pools at start (Redis unreachable?): {}", err.getMessage());
          return Future.succeededFuture();
        });
  }

  /** Stops listening for changes; the store still works, uncached. */
  public Future<Void> close() {
    cache.disable();
    return listener.close();
  }

  /** True while change notifications arrive (and reads are therefore cached). */
  public boolean listening() {
    return listener.subscribed() && cache.enabled();
  }

  /** Copies every pool's configured numbers into its runtime keys (idempotent, revision-guarded). */
  public Future<Void> resyncPools() {
    return readAll().compose(snapshot -> {
      Future<Void> chain = Future.succeededFuture();
      for (PoolConfig pool : snapshot.pools().values()) {
        long rev = snapshot.revisions().getOrDefault(pool.id(), 0L);
        chain = chain.compose(v -> PoolSync.sync(client, pool, rev, writes));
      }
      return chain;
    });
  }

  @Override
  public Future<Void> putProperty(PropertyConfig property) {
    return PUT_PROPERTY.runReplicated(client, List.of(PROPERTIES),
            List.of(property.id(), JsonMapper.write(property), CHANGES_CHANNEL), writes)
        .compose(RedisConfigStore::outcome)
        .compose(r -> syncRetention(property))
        .onComplete(ar -> cache.written());
  }

  /** Tries of {@link #updateProperty} before it gives up with Conflict (each lost to another write). */
  private static final int UPDATE_TRIES = 5;

  @Override
  public Future<Optional<PropertyConfig>> updateProperty(String propertyId, UnaryOperator<PropertyConfig> change) {
    return updateProperty(propertyId, change, UPDATE_TRIES);
  }

  private Future<Optional<PropertyConfig>> updateProperty(String id, UnaryOperator<PropertyConfig> change, int tries) {
    return redis.hget(PROPERTIES, id).compose(raw -> {
      if (raw == null) {
        return Future.succeededFuture(Optional.empty());
      }
      String stored = raw.toString();
      PropertyConfig before = JsonMapper.readStored(stored, PropertyConfig.class);
      PropertyConfig after = change.apply(before);
      if (after == before) {
        return Future.succeededFuture(Optional.of(before));
      }
      if (!after.id().equals(id)) {
        throw new IllegalArgumentException("a change may not rename property " + id);
      }
      return PUT_PROPERTY.runReplicated(client, List.of(PROPERTIES),
              List.of(id, JsonMapper.write(after), CHANGES_CHANNEL, stored), writes)
          .compose(r -> {
            if (!"overtaken".equals(r.get(0).toString())) {
              return outcome(r).compose(ok -> syncRetention(after)).map(Optional.of(after));
            }
            return tries > 1 ? updateProperty(id, change, tries - 1)
                : Future.<Optional<PropertyConfig>>failedFuture(new CalltrackException.Conflict(
                    "property '" + id + "' kept changing while it was being updated: try again"));
          })
          .onComplete(ar -> cache.written());
    });
  }

  /**
   * The call store's copy of a written property's retention (its scripts live in another slot),
   * written after the property so a failure here is repaired by writing the property again.
   */
  private Future<Void> syncRetention(PropertyConfig property) {
    return io.calltrack.core.calls.CallRetention.sync(client, property, writes).mapEmpty();
  }

  @Override
  public Future<Optional<PropertyConfig>> property(String propertyId) {
    if (!Ids.valid(propertyId)) {
      return Future.succeededFuture(Optional.empty());
    }
    return cache.get("property:" + propertyId, () -> redis.hget(PROPERTIES, propertyId)
        .map(r -> Optional.ofNullable(r).map(json -> JsonMapper.readStored(json.toString(), PropertyConfig.class))));
  }

  @Override
  public Future<Void> putPool(PoolConfig pool) {
    List<String> args = new ArrayList<>(pool.numbers().size() + 4);
    args.add(pool.id());
    args.add(pool.property());
    args.add(JsonMapper.write(pool));
    args.add(CHANGES_CHANNEL);
    pool.numbers().forEach(n -> args.add(n.e164()));
    List<String> keys = List.of(PROPERTIES, POOLS, NUMBERS,
        propertyPools(pool.property()), POOL_REV, REVISION);
    return PUT_POOL.runReplicated(client, keys, args, writes)
        .compose(RedisConfigStore::outcome)
        .onComplete(ar -> cache.written())
        .compose(r -> PoolSync.sync(client, pool, r.get(1).toLong(), writes))
        .mapEmpty();
  }

  @Override
  public Future<Optional<PoolConfig>> pool(String poolId) {
    if (!Ids.valid(poolId)) {
      return Future.succeededFuture(Optional.empty());
    }
    return cache.get("pool:" + poolId, () -> redis.hget(POOLS, poolId)
        .compose(r -> r == null ? Future.succeededFuture(Optional.<PoolConfig>empty())
            : read(r.toString(), PoolConfig.class).map(Optional::of)));
  }

  /** JSON past which a read is parsed on a worker: a pool of ~1,000 numbers and up (10,000 took 25-50 ms). */
  static final int INLINE_JSON = 32 * 1024;

  /** {@code json} read as {@code type}: small ones at once, large ones (big pools) off the event loop. */
  private <T> Future<T> read(String json, Class<T> type) {
    if (json.length() <= INLINE_JSON) {
      return Future.succeededFuture(JsonMapper.readStored(json, type));
    }
    return vertx.executeBlocking(() -> JsonMapper.readStored(json, type), false);
  }

  /** The property's pools, in pool id order. */
  @Override
  public Future<List<PoolConfig>> poolsOf(String propertyId) {
    if (!Ids.valid(propertyId)) {
      return Future.succeededFuture(List.of());
    }
    return cache.get("pools-of:" + propertyId, () ->
        POOLS_OF.run(redis, List.of(propertyPools(propertyId), POOLS), List.of()).compose(r -> {
          List<Future<PoolConfig>> reads = new ArrayList<>(r.size());
          for (Response json : r) {
            reads.add(read(json.toString(), PoolConfig.class)); // a big pool off the event loop, as pool() does
          }
          return Future.all(reads).map(all -> {
            List<PoolConfig> pools = new ArrayList<>(reads.size());
            reads.forEach(f -> pools.add(f.result()));
            pools.sort(Comparator.comparing(PoolConfig::id));
            return List.copyOf(pools);
          });
        }));
  }

  @Override
  public Future<Void> putStaticNumber(StaticNumberConfig number) {
    return PUT_STATIC.runReplicated(client, List.of(PROPERTIES, NUMBERS, STATICS),
            List.of(number.number().e164(), number.property(), JsonMapper.write(number), CHANGES_CHANNEL), writes)
        .compose(RedisConfigStore::outcome)
        .onComplete(ar -> cache.written())
        .mapEmpty();
  }

  @Override
  public Future<Optional<StaticNumberConfig>> staticNumber(PhoneNumber number) {
    return cache.get("static:" + number.e164(), () -> redis.hget(STATICS, number.e164())
        .map(r -> Optional.ofNullable(r).map(json -> JsonMapper.readStored(json.toString(), StaticNumberConfig.class))));
  }

  @Override
  public Future<RoutingTable> routingTable() {
    return cache.get("routing-table", () -> readAll().map(Snapshot::routingTable));
  }

  /** Every property, pool and static number, read off the event loop (every pool's numbers: large). */
  private Future<Snapshot> readAll() {
    return READ_ALL.run(redis, List.of(PROPERTIES, POOLS, STATICS, POOL_REV), List.of())
        .compose(r -> vertx.executeBlocking(() -> snapshot(r), false));
  }

  private static Snapshot snapshot(Response r) {
    Map<String, PropertyConfig> properties = new HashMap<>();
    pairs(r.get(0), (k, v) -> properties.put(k, JsonMapper.readStored(v, PropertyConfig.class)));
    Map<String, PoolConfig> pools = new HashMap<>();
    pairs(r.get(1), (k, v) -> pools.put(k, JsonMapper.readStored(v, PoolConfig.class)));
    Map<PhoneNumber, StaticNumberConfig> statics = new HashMap<>();
    pairs(r.get(2), (k, v) -> {
      StaticNumberConfig s = JsonMapper.readStored(v, StaticNumberConfig.class);
      statics.put(s.number(), s);
    });
    Map<String, Long> revisions = new HashMap<>();
    pairs(r.get(3), (k, v) -> revisions.put(k, Long.parseLong(v)));
    return new Snapshot(properties, pools, statics, revisions);
  }

  private record Snapshot(Map<String, PropertyConfig> properties, Map<String, PoolConfig> pools,
      Map<PhoneNumber, StaticNumberConfig> statics, Map<String, Long> revisions) {
    RoutingTable routingTable() {
      Map<PhoneNumber, String> poolOfNumber = new HashMap<>();
      Map<PhoneNumber, String> propertyOfNumber = new HashMap<>();
      for (PoolConfig pool : pools.values()) {
        for (PhoneNumber n : pool.numbers()) {
          poolOfNumber.put(n, pool.id());
          propertyOfNumber.put(n, pool.property());
        }
      }
      statics.values().forEach(s -> propertyOfNumber.put(s.number(), s.property()));
      return new RoutingTable(properties, poolOfNumber, statics, propertyOfNumber);
    }
  }

  /** HGETALL inside a script always answers a flat key, value, key, value... array. */
  private static void pairs(Response r, java.util.function.BiConsumer<String, String> each) {
    for (int i = 0; r != null && i + 1 < r.size(); i += 2) {
      each.accept(r.get(i).toString(), r.get(i + 1).toString());
    }
  }

  /** Turns a write script's {@code {status, detail}} answer into success or the matching exception. */
  private static Future<Response> outcome(Response r) {
    String status = r.get(0).toString();
    return switch (status) {
      case "ok" -> Future.succeededFuture(r);
      case "not_found" -> Future.failedFuture(new CalltrackException.NotFound(r.get(1).toString()));
      case "conflict" -> Future.failedFuture(new CalltrackException.Conflict(r.get(1).toString()));
      default -> Future.failedFuture(new IllegalStateException("unexpected script answer " + r));
    };
  }

  static String propertyPools(String propertyId) {
    return "{cfg}:property-pools:" + propertyId;
  }
}
