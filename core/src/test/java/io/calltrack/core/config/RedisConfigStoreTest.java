package io.calltrack.core.config;

import static io.calltrack.core.testing.Await.failure;
import static io.calltrack.core.testing.Await.result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.CalltrackException;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.core.pool.PoolKeys;
import io.calltrack.core.redis.RedisClientFactory;
import io.calltrack.core.testing.Await;
import io.calltrack.core.testing.TestNumbers;
import io.calltrack.core.testing.TestRedis;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RedisConfigStoreTest {
  private static Vertx vertx;
  private static Redis client;
  private static RedisAPI redis;
  private static RedisConfigStore store;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    client = RedisClientFactory.create(vertx, TestRedis.url());
    redis = RedisAPI.api(client);
    store = result(RedisConfigStore.create(vertx, client));
  }

  @AfterAll
  static void stop() {
    result(store.close());
    result(vertx.close());
  }

  static PropertyConfig property(String id) {
    PhoneNumber business = TestNumbers.fresh();
    return new PropertyConfig(id, "Site " + id, List.of("https://www.example.com"), List.of(business), business,
        "sip:+15559990000@127.0.0.1:5070", "America/New_York");
  }

  static PoolConfig pool(String id, String property, List<PhoneNumber> numbers) {
    return new PoolConfig(id, property, numbers, 60, 300, PoolConfig.OnExhausted.FALLBACK, null);
  }

  private static String newProperty() {
    String id = TestRedis.uniqueId("prop");
    result(store.putProperty(property(id)));
    return id;
  }

  @Test
  void propertiesRoundTrip() {
    String id = TestRedis.uniqueId("prop");
    assertEquals(Optional.empty(), result(store.property(id)));
    PropertyConfig p = property(id);
    result(store.putProperty(p));
    assertEquals(Optional.of(p), result(store.property(id)));
    assertEquals(Optional.empty(), result(store.property("no such id!")), "malformed ids are simply unknown");
  }

  /**
   * A read-modify-write another write overtakes is made again on that write's result: neither is lost.
   * The other writer is another process's store (its own Vert.x), writing while the change is computed.
   */
  @Test
  void anUpdateOvertakenByAnotherWriteIsAppliedToItAgain() {
    String id = TestRedis.uniqueId("prop");
    result(store.putProperty(property(id).withBlockedCallers(List.of("+13125550101", "+13125550102"))));
    Vertx other = Vertx.vertx();
    try {
      RedisConfigStore otherStore = result(RedisConfigStore.create(other, RedisClientFactory.create(other, TestRedis.url())));
      List<List<String>> seen = new ArrayList<>();
      PropertyConfig updated = result(store.updateProperty(id, p -> {
        seen.add(p.blockedCallers());
        if (seen.size() == 1) { // the operator blocks one more number meanwhile
          result(otherStore.putProperty(p.withBlockedCallers(List.of("+13125550101", "+13125550102", "+13125550103"))));
        }
        return p.withBlockedCallers(p.blockedCallers().stream().filter(n -> !n.equals("+13125550101")).toList());
      })).orElseThrow();
      assertEquals(List.of(List.of("+13125550101", "+13125550102"),
          List.of("+13125550101", "+13125550102", "+13125550103")), seen);
      assertEquals(List.of("+13125550102", "+13125550103"), updated.blockedCallers());
      assertEquals(updated, result(otherStore.property(id)).orElseThrow());
      // nothing to change: nothing written; no such property: empty
      PropertyConfig same = result(store.updateProperty(id, p -> p)).orElseThrow();
      assertEquals(updated, same);
      assertEquals(Optional.empty(), result(store.updateProperty(TestRedis.uniqueId("none"), p -> p)));
    } finally {
      result(other.close());
    }
  }

  @Test
  void onlyIdsOfLettersDigitsDashAndUnderscoreUpTo64AreLookedUp() {
    String unique = TestRedis.uniqueId("Az09");
    String longest = unique + "_" + "z".repeat(63 - unique.length());
    String marks = unique + "_-";
    result(store.putProperty(property(longest)));
    result(store.putProperty(property(marks)));
    assertEquals(64, longest.length());
    assertEquals(longest, result(store.property(longest)).orElseThrow().id());
    assertEquals(marks, result(store.property(marks)).orElseThrow().id());
    assertEquals(Optional.empty(), result(store.property(longest + "z")), "65 characters is not an id");
    for (String malformed : new String[] {"", "a.b", "a b", "é", "a/b", "a:b"}) {
      assertEquals(Optional.empty(), result(store.property(malformed)), "'" + malformed + "' is not an id");
      assertEquals(Optional.empty(), result(store.pool(malformed)), "'" + malformed + "' is not an id");
    }
  }

  @Test
  void poolsAreStoredListedAndRouted() {
    String prop = newProperty();
    String b = TestRedis.uniqueId("pool-b");
    String a = TestRedis.uniqueId("pool-a");
    PoolConfig poolB = pool(b, prop, TestNumbers.fresh(3));
    PoolConfig poolA = new PoolConfig(a, prop, TestNumbers.fresh(2), 30, 0, PoolConfig.OnExhausted.RECYCLE_OLDEST,
        new PoolConfig.Match("google", "cpc"));
    result(store.putPool(poolB));
    result(store.putPool(poolA));

    assertEquals(Optional.of(poolA), result(store.pool(a)));
    assertEquals(List.of(poolA, poolB), result(store.poolsOf(prop)), "in pool id order");
    assertEquals(List.of(), result(store.poolsOf(TestRedis.uniqueId("nobody"))));

    RoutingTable table = result(store.routingTable());
    for (PhoneNumber n : poolB.numbers()) {
      assertEquals(b, table.poolOfNumber().get(n));
      assertEquals(prop, table.propertyOf(n).orElseThrow().id());
    }
  }

  @Test
  void unknownPropertyChangesNothing() {
    String poolId = TestRedis.uniqueId("pool");
    List<PhoneNumber> numbers = TestNumbers.fresh(2);
    Throwable e = failure(store.putPool(pool(poolId, TestRedis.uniqueId("ghost"), numbers)));
    assertInstanceOf(CalltrackException.NotFound.class, e);
    assertEquals(Optional.empty(), result(store.pool(poolId)));
    assertNull(result(redis.hget(RedisConfigStore.NUMBERS, numbers.get(0).e164())));
    assertEquals(0, result(redis.zcard(new PoolKeys(poolId).free())).toInteger());

    Throwable s = failure(store.putStaticNumber(
        new StaticNumberConfig(numbers.get(0), TestRedis.uniqueId("ghost"), "print", "offline", null)));
    assertInstanceOf(CalltrackException.NotFound.class, s);
    assertEquals(Optional.empty(), result(store.staticNumber(numbers.get(0))));
  }

  @Test
  void aNumberBelongsToOnePlaceAndConflictsChangeNothing() {
    String prop = newProperty();
    List<PhoneNumber> numbers = TestNumbers.fresh(4);
    String first = TestRedis.uniqueId("pool");
    PoolConfig original = pool(first, prop, numbers.subList(0, 2));
    result(store.putPool(original));
    PhoneNumber staticNumber = numbers.get(3);
    StaticNumberConfig billboard = new StaticNumberConfig(staticNumber, prop, "billboard", "offline", "i-95");
    result(store.putStaticNumber(billboard));
    assertEquals(Optional.of(billboard), result(store.staticNumber(staticNumber)));

    // a second pool wanting a number of the first
    String second = TestRedis.uniqueId("pool");
    Throwable e = failure(store.putPool(pool(second, prop, List.of(numbers.get(2), numbers.get(1)))));
    assertInstanceOf(CalltrackException.Conflict.class, e);
    assertTrue(e.getMessage().contains(numbers.get(1).e164()) && e.getMessage().contains(first), e.getMessage());
    assertEquals(Optional.empty(), result(store.pool(second)));
    assertNull(result(redis.hget(RedisConfigStore.NUMBERS, numbers.get(2).e164())), "nothing half-written");

    // the first pool trying to take the static number
    Throwable s = failure(store.putPool(pool(first, prop, List.of(numbers.get(0), staticNumber))));
    assertInstanceOf(CalltrackException.Conflict.class, s);
    assertEquals(Optional.of(original), result(store.pool(first)), "the pool is unchanged");
    assertEquals("pool:" + first, result(redis.hget(RedisConfigStore.NUMBERS, numbers.get(1).e164())).toString());

    // a static number over a pool number
    Throwable t = failure(store.putStaticNumber(new StaticNumberConfig(numbers.get(0), prop, "radio", null, null)));
    assertInstanceOf(CalltrackException.Conflict.class, t);
    assertEquals(Optional.empty(), result(store.staticNumber(numbers.get(0))));

    // a pool cannot move to another property
    String other = newProperty();
    Throwable m = failure(store.putPool(pool(first, other, numbers.subList(0, 2))));
    assertInstanceOf(CalltrackException.Conflict.class, m);
    assertEquals(List.of(), result(store.poolsOf(other)));
  }

  @Test
  void numbersDroppedFromAPoolAreFreeForAnother() {
    String prop = newProperty();
    List<PhoneNumber> numbers = TestNumbers.fresh(3);
    String first = TestRedis.uniqueId("pool");
    result(store.putPool(pool(first, prop, numbers)));
    PoolKeys keys = new PoolKeys(first);
    assertEquals(3, result(redis.zcard(keys.free())).toInteger());
    assertEquals(0.0, result(redis.zscore(keys.free(), numbers.get(2).e164())).toDouble(), "new numbers idle longest");

    result(store.putPool(pool(first, prop, numbers.subList(0, 2))));
    assertEquals(2, result(redis.zcard(keys.free())).toInteger(), "a free dropped number leaves the pool at once");
    assertEquals(2, result(redis.scard(keys.numbers())).toInteger());

    String second = TestRedis.uniqueId("pool");
    result(store.putPool(pool(second, prop, List.of(numbers.get(2)))));
    assertEquals(second, result(store.routingTable()).poolOfNumber().get(numbers.get(2)));
  }

  @Test
  void staleSyncNeverRollsAPoolBack() {
    String prop = newProperty();
    List<PhoneNumber> numbers = TestNumbers.fresh(3);
    String id = TestRedis.uniqueId("pool");
    result(store.putPool(pool(id, prop, numbers.subList(0, 1))));
    PoolConfig latest = pool(id, prop, numbers);
    result(store.putPool(latest));
    // a sync carrying revision 0 (older than any write) is ignored; a re-sync of all pools is harmless
    result(io.calltrack.core.pool.PoolSync.sync(client, pool(id, prop, numbers.subList(0, 1)), 0, io.calltrack.core.redis.LuaScript.Durability.NONE));
    assertEquals(3, result(redis.scard(new PoolKeys(id).numbers())).toInteger());
    result(store.resyncPools());
    assertEquals(3, result(redis.zcard(new PoolKeys(id).free())).toInteger());
  }

  @Test
  void aStoreReadsItsOwnWritesAtOnceAndOthersSoon() {
    // another process: its own Vert.x, so only the change message tells it
    Vertx otherProcess = Vertx.vertx();
    RedisConfigStore other = result(RedisConfigStore.create(otherProcess,
        RedisClientFactory.create(otherProcess, TestRedis.url())));
    try {
      assertTrue(store.listening() && other.listening(), "both subscribed");
      java.util.concurrent.atomic.AtomicInteger notified = new java.util.concurrent.atomic.AtomicInteger();
      other.onChange(notified::incrementAndGet);
      String prop = newProperty();
      String id = TestRedis.uniqueId("pool");
      List<PhoneNumber> numbers = TestNumbers.fresh(3);
      PoolConfig v1 = pool(id, prop, numbers.subList(0, 1));
      result(store.putPool(v1));
      // prime both caches
      assertEquals(Optional.of(v1), result(store.pool(id)));
      assertEquals(Optional.of(v1), Await.until(Duration.ofSeconds(10), () -> result(other.pool(id)),
          v -> v.equals(Optional.of(v1))));
      assertEquals(List.of(v1), result(other.poolsOf(prop)));

      PoolConfig v2 = pool(id, prop, numbers);
      result(store.putPool(v2));
      assertEquals(Optional.of(v2), result(store.pool(id)), "own write visible immediately");
      Await.until(Duration.ofSeconds(10), () -> notified.get() >= 2);
      Await.until(Duration.ofSeconds(10), () -> result(other.pool(id)).equals(Optional.of(v2))
          && result(other.poolsOf(prop)).equals(List.of(v2))
          && result(other.routingTable()).poolOfNumber().containsKey(numbers.get(2)));

      // a change from a writer outside any store (e.g. another process) also drops the cache
      PropertyConfig renamed = new PropertyConfig(prop, "Renamed", List.of(), List.of(numbers.get(0)),
          numbers.get(0), null, null);
      assertFalse(result(other.property(prop)).orElseThrow().name().equals("Renamed"));
      result(store.putProperty(renamed));
      Await.until(Duration.ofSeconds(10), () -> result(other.property(prop)).equals(Optional.of(renamed)));
    } finally {
      result(other.close());
      result(otherProcess.close());
    }
  }

  /**
   * The HTTP instances of one dni-server each have a store (and cache) on the same Vert.x: a write
   * through one is read by the others as soon as it has answered, not when the change message comes.
   */
  @Test
  void storesOfOneProcessReadEachOthersWritesAtOnce() {
    RedisConfigStore sibling = result(RedisConfigStore.create(vertx, RedisClientFactory.create(vertx, TestRedis.url())));
    try {
      assertTrue(sibling.listening(), "the sibling caches");
      String prop = newProperty();
      List<PhoneNumber> numbers = TestNumbers.fresh(1);
      for (int i = 0; i < 30; i++) {
        assertTrue(result(sibling.property(prop)).isPresent()); // cached before the write
        PropertyConfig renamed = new PropertyConfig(prop, "Name " + i, List.of(), numbers, numbers.get(0), null, null);
        result(store.putProperty(renamed));
        assertEquals(Optional.of(renamed), result(sibling.property(prop)), "write " + i + " read at once");
      }
      String id = TestRedis.uniqueId("pool");
      assertEquals(List.of(), result(sibling.poolsOf(prop)));
      PoolConfig pool = pool(id, prop, TestNumbers.fresh(2));
      result(store.putPool(pool));
      assertEquals(List.of(pool), result(sibling.poolsOf(prop)), "a new pool read at once");
      assertTrue(sibling.listening(), "still caching: the reads were fresh because of the write, not uncached");
    } finally {
      result(sibling.close());
    }
  }

  @Test
  void largePoolsWriteInOneGo() {
    String prop = newProperty();
    List<PhoneNumber> numbers = TestNumbers.fresh(PoolConfig.MAX_NUMBERS);
    String id = TestRedis.uniqueId("pool");
    result(store.putPool(pool(id, prop, numbers)));
    assertEquals(PoolConfig.MAX_NUMBERS, result(redis.zcard(new PoolKeys(id).free())).toInteger());
    Set<PhoneNumber> routed = result(store.routingTable()).poolOfNumber().entrySet().stream()
        .filter(e -> e.getValue().equals(id)).map(java.util.Map.Entry::getKey).collect(Collectors.toSet());
    assertEquals(new java.util.HashSet<>(numbers), routed);
    List<PhoneNumber> fewer = new ArrayList<>(numbers.subList(0, 10));
    result(store.putPool(pool(id, prop, fewer)));
    assertEquals(10, result(redis.zcard(new PoolKeys(id).free())).toInteger());
  }

  @Test
  void cachingResumesAfterRedisComesBack() {
    io.calltrack.localredis.EmbeddedRedis own = TestRedis.dedicated();
    Vertx v = Vertx.vertx();
    try {
      RedisConfigStore writer = result(RedisConfigStore.create(v, RedisClientFactory.create(v, own.url())));
      RedisConfigStore reader = result(RedisConfigStore.create(v, RedisClientFactory.create(v, own.url())));
      assertTrue(reader.listening());
      String id = TestRedis.uniqueId("prop");
      result(writer.putProperty(property(id)));
      assertTrue(Await.until(Duration.ofSeconds(10), () -> result(reader.property(id)), Optional::isPresent).isPresent());

      own.stop();
      Await.until(Duration.ofSeconds(20), () -> !reader.listening());
      own.start(); // empty again: this Redis keeps nothing on disk
      Await.until(Duration.ofSeconds(30), reader::listening);
      assertEquals(Optional.empty(), result(reader.property(id)), "nothing stale survived the outage");

      PropertyConfig again = property(id);
      Await.until(Duration.ofSeconds(30), () -> writer.putProperty(again).toCompletionStage()
          .toCompletableFuture().handle((ok, err) -> err == null).join());
      Await.until(Duration.ofSeconds(10), () -> result(reader.property(id)).equals(Optional.of(again)));
      result(writer.close());
      result(reader.close());
    } finally {
      result(v.close());
      own.stop();
    }
  }
}
