package io.calltrack.core.pool;

import static io.calltrack.core.testing.Await.result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.attribution.Attribution;
import io.calltrack.core.config.PoolConfig;
import io.calltrack.core.config.PoolConfig.OnExhausted;
import io.calltrack.core.config.PropertyConfig;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.core.testing.MutableClock;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The pool contract under contention: 2,000 visitors at once on a 500-number pool, through one
 * engine and through three engines (each its own Vert.x and Redis client, as three dni-server
 * processes would be) sharing one Redis.
 */
class PoolConcurrencyTest {
  private static final int VISITORS = 2000;
  private static final int NUMBERS = 500;
  private static final Attribution ATTRIBUTION =
      new Attribution("google", "cpc", "spring", null, null, null, null, null, null, null, null, null);

  private MutableClock clock;
  private final List<PoolFixture> engines = new ArrayList<>();

  @BeforeEach
  void start() {
    clock = MutableClock.at("2026-03-01T12:00:00Z");
  }

  @AfterEach
  void stop() {
    engines.forEach(PoolFixture::close);
    engines.clear();
  }

  /** The Redis the engines share (a subclass runs the same contract on a Redis Cluster). */
  String redisTarget() {
    return io.calltrack.core.testing.TestRedis.url();
  }

  private List<PoolFixture> engines(int count) {
    for (int i = 0; i < count; i++) {
      engines.add(new PoolFixture(clock, RedisPoolEngine.DEFAULT_HISTORY_WINDOW, redisTarget()));
    }
    return engines;
  }

  /** Fires every assign at once, spread round-robin over the engines, and waits for all. */
  private List<Assignment> assignAll(List<PoolFixture> fixtures, PropertyConfig property) {
    List<Future<Assignment>> futures = new ArrayList<>(VISITORS);
    for (int i = 0; i < VISITORS; i++) {
      futures.add(fixtures.get(i % fixtures.size()).engine.assign(property.id(), "visitor-" + i, ATTRIBUTION));
    }
    result(Future.all(futures));
    return futures.stream().map(Future::result).toList();
  }

  private void fallbackContract(List<PoolFixture> fixtures) {
    PoolFixture admin = fixtures.get(0);
    PropertyConfig property = admin.newProperty();
    PoolConfig pool = admin.newPool(property, NUMBERS, 120, 1800, OnExhausted.FALLBACK, null);

    List<Assignment> all = assignAll(fixtures, property);

    List<Assignment> leased = all.stream().filter(a -> !a.fallback()).toList();
    List<Assignment> fallbacks = all.stream().filter(Assignment::fallback).toList();
    assertEquals(NUMBERS, leased.size());
    assertEquals(VISITORS - NUMBERS, fallbacks.size());
    Set<PhoneNumber> distinct = leased.stream().map(Assignment::number).collect(Collectors.toSet());
    assertEquals(NUMBERS, distinct.size(), "no number leased twice");
    assertEquals(new HashSet<>(pool.numbers()), distinct);
    assertTrue(fallbacks.stream().allMatch(a -> a.number().equals(property.defaultNumber()) && a.sessionId() == null));
    assertEquals(VISITORS, all.stream().map(Assignment::visitorId).distinct().count());

    PoolStatus status = result(admin.engine.status(pool.id()));
    assertEquals(NUMBERS, status.leased());
    assertEquals(0, status.free());
    assertEquals(0, status.holding());
    assertEquals(VISITORS - NUMBERS, status.exhausted());
    assertEquals(1.0, status.utilization());
    for (Assignment a : leased) {
      Session s = result(admin.engine.session(a.sessionId())).orElseThrow();
      assertEquals(Session.State.LEASED, s.state());
      assertEquals(a.number(), s.number());
    }
  }

  private void recycleContract(List<PoolFixture> fixtures) {
    PoolFixture admin = fixtures.get(0);
    PropertyConfig property = admin.newProperty();
    PoolConfig pool = admin.newPool(property, NUMBERS, 120, 1800, OnExhausted.RECYCLE_OLDEST, null);

    List<Assignment> all = assignAll(fixtures, property);

    assertTrue(all.stream().noneMatch(Assignment::fallback), "every assign gets a number");
    assertEquals(VISITORS, all.stream().map(Assignment::sessionId).distinct().count());
    assertEquals(VISITORS - NUMBERS, all.stream().filter(Assignment::recycled).count());
    PoolStatus status = result(admin.engine.status(pool.id()));
    assertEquals(NUMBERS, status.leased());
    assertEquals(VISITORS - NUMBERS, status.exhausted());
    assertEquals(VISITORS - NUMBERS, status.recycled());

    // at the end each number is leased by exactly one session; every other session on it was recycled
    Map<PhoneNumber, Integer> liveByNumber = new HashMap<>();
    for (Assignment a : all) {
      Session s = result(admin.engine.session(a.sessionId())).orElseThrow();
      assertEquals(a.number(), s.number());
      if (s.state() == Session.State.LEASED) {
        liveByNumber.merge(s.number(), 1, Integer::sum);
      } else {
        assertEquals(Session.State.RECYCLED, s.state());
      }
    }
    assertEquals(NUMBERS, liveByNumber.size());
    assertTrue(liveByNumber.values().stream().allMatch(c -> c == 1), "never one number leased twice at once");
  }

  @Test
  void oneEngineFallback() {
    fallbackContract(engines(1));
  }

  @Test
  void oneEngineRecycleOldest() {
    recycleContract(engines(1));
  }

  @Test
  void threeEnginesFallback() {
    fallbackContract(engines(3));
  }

  @Test
  void threeEnginesRecycleOldest() {
    recycleContract(engines(3));
  }

  @Test
  void everyNumberComesBackAfterLeaseAndHold() {
    List<PoolFixture> fixtures = engines(3);
    PoolFixture admin = fixtures.get(0);
    PropertyConfig property = admin.newProperty();
    PoolConfig pool = admin.newPool(property, 50, 60, 600, OnExhausted.FALLBACK, null);
    List<Future<Assignment>> futures = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      futures.add(fixtures.get(i % 3).engine.assign(property.id(), "v" + i, ATTRIBUTION));
    }
    result(Future.all(futures));
    assertEquals(50, futures.stream().map(Future::result).filter(a -> !a.fallback()).count());
    Assignment repeat = futures.stream().map(Future::result).filter(a -> !a.fallback()).findFirst().orElseThrow();
    assertEquals(repeat.number(), result(fixtures.get(2).engine.assign(property.id(), repeat.visitorId(), ATTRIBUTION)).number());
    assertEquals(50, result(admin.engine.status(pool.id())).leased());
    clock.advance(java.time.Duration.ofSeconds(60 + 600));
    PoolStatus after = result(fixtures.get(1).engine.status(pool.id()));
    assertEquals(50, after.free());
    assertEquals(0, after.leased() + after.holding());
    assertFalse(result(fixtures.get(1).engine.assign(property.id(), "late", ATTRIBUTION)).fallback());
  }
}
