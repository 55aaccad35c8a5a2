package io.calltrack.core.config;

import static io.calltrack.core.testing.Await.result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.auth.ApiKey;
import io.calltrack.core.auth.ApiKeys;
import io.calltrack.core.calls.RedisCallStore;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.core.pool.PoolKeys;
import io.calltrack.core.redis.LuaScript;
import io.calltrack.core.redis.RedisClientFactory;
import io.calltrack.core.testing.Await;
import io.calltrack.core.testing.TestNumbers;
import io.calltrack.core.testing.TestMonitor;
import io.calltrack.core.testing.TestRedis;
import io.calltrack.core.testing.TestReplicaPair;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Configuration and API-key writes with {@code CALLTRACK_REDIS_WAIT} on a real master and replica:
 * every write the store makes (the property, its call retention, the pool, the pool's runtime
 * numbers, a static number, a key's creation and revocation) is followed by a WAIT on its
 * connection and is on the replica when it answers; with the replica stopped a write fails as not
 * replicated instead of answering as if it were safe.
 */
class ReplicatedConfigWritesTest {
  static TestReplicaPair pair;
  static Vertx vertx;
  static Redis client;

  @BeforeAll
  static void start() {
    pair = TestReplicaPair.start();
    vertx = Vertx.vertx();
    client = RedisClientFactory.create(vertx, pair.masterUrl());
  }

  @AfterAll
  static void stop() {
    if (vertx != null) {
      result(vertx.close());
    }
    if (pair != null) {
      pair.close();
    }
  }

  static PropertyConfig property(String id) {
    PhoneNumber business = TestNumbers.fresh();
    return new PropertyConfig(id, "Site " + id, List.of("https://www.example.com"), List.of(business), business,
        null, "America/New_York", null, new Retention(30, 30, 30), null, null, null, null, null, null, null);
  }

  @Test
  void everyWriteIsOnTheReplicaWhenItAnswers() {
    RedisConfigStore store = result(RedisConfigStore.create(vertx, client, new LuaScript.Durability(1, Duration.ofSeconds(5))));
    String prop = TestRedis.uniqueId("prop");
    String poolId = TestRedis.uniqueId("pool");
    List<PhoneNumber> numbers = TestNumbers.fresh(2);
    PhoneNumber statik = TestNumbers.fresh();
    try (TestMonitor monitor = TestMonitor.on(pair.masterPort())) {
      result(store.putProperty(property(prop)));
      // no polling: the answer came after the replica confirmed, so it has every part already
      assertTrue(pair.cli(pair.replicaPort(), "HGET", "{cfg}:properties", prop).contains(prop));
      assertEquals(Long.toString(Duration.ofDays(30).toMillis()),
          pair.cli(pair.replicaPort(), "GET", RedisCallStore.retention(prop)));

      result(store.putPool(new PoolConfig(poolId, prop, numbers, 60, 300, PoolConfig.OnExhausted.FALLBACK, null)));
      assertTrue(pair.cli(pair.replicaPort(), "HGET", "{cfg}:pools", poolId).contains(poolId));
      assertEquals("2", pair.cli(pair.replicaPort(), "SCARD", new PoolKeys(poolId).numbers()));

      result(store.putStaticNumber(new StaticNumberConfig(statik, prop, "yellow-pages", "print", null, null)));
      assertTrue(pair.cli(pair.replicaPort(), "HGET", "{cfg}:statics", statik.e164()).contains(prop));

      ApiKeys keys = new ApiKeys(client, Clock.systemUTC(), new LuaScript.Durability(1, Duration.ofSeconds(5)));
      ApiKeys.Issued issued = result(keys.create(prop, ApiKey.Scope.read, "ci"));
      assertTrue(pair.cli(pair.replicaPort(), "HGET", ApiKeys.KEY, issued.record().id()).contains(prop));
      assertTrue(result(keys.revoke(issued.record().id())));
      assertEquals("", pair.cli(pair.replicaPort(), "HGET", ApiKeys.KEY, issued.record().id()));

      // what the clients sent, in order: every write is followed by a WAIT before the next write
      // (the scripts' own commands show as "[0 lua]" lines: only the client's count)
      Await.until(Duration.ofSeconds(10), () -> monitor.seen().lines().filter(l -> l.toUpperCase().contains("\"WAIT\"")).count() >= 7);
      List<String> sent = monitor.seen().lines()
          .filter(l -> !l.contains(" lua]") && !l.contains("\"INFO\"") && !l.contains("\"PING\""))
          .map(l -> l.replaceFirst("^[^\"]*\"", "\"").split(" ")[0].replace("\"", "").toUpperCase())
          .filter(c -> !c.equals("ROLE") && !c.startsWith("OK") && !c.equals("HGET") && !c.equals("SUBSCRIBE"))
          .toList();
      // a fresh master knows no script: the EVALSHA's batch (with its WAIT) answers NOSCRIPT and the
      // script goes again as EVAL, with a WAIT of its own; counted here as the one write it is
      List<String> writes = new java.util.ArrayList<>();
      for (String c : sent) {
        if (!c.equals("EVAL") && !(c.equals("WAIT") && !writes.isEmpty() && writes.get(writes.size() - 1).equals("WAIT"))) {
          writes.add(c);
        }
      }
      assertEquals(List.of("EVALSHA", "WAIT", "SET", "WAIT", // the property, its call retention
          "EVALSHA", "WAIT", "EVALSHA", "WAIT", // the pool, its runtime numbers
          "EVALSHA", "WAIT", // the static number
          "EVALSHA", "WAIT", "EVALSHA", "WAIT"), // the key's creation and its revocation
          writes, monitor.seen());
    } finally {
      result(store.close());
    }
  }

  @Test
  void aWriteTheReplicaDoesNotConfirmFailsAndWritingItAgainMakesIt() {
    // 2 s: long enough for a running replica on a busy host, every refused write waits it out
    LuaScript.Durability wait = new LuaScript.Durability(1, Duration.ofSeconds(2));
    RedisConfigStore store = result(RedisConfigStore.create(vertx, client, wait));
    ApiKeys keys = new ApiKeys(client, Clock.systemUTC(), wait);
    String prop = TestRedis.uniqueId("prop");
    PropertyConfig property = property(prop);
    ApiKeys.Issued kept = result(keys.create("other-" + prop, ApiKey.Scope.read, "ci"));
    pair.freezeReplica();
    try {
      assertNotReplicated(store.putProperty(property));
      assertNotReplicated(store.putPool(new PoolConfig(TestRedis.uniqueId("pool"), prop, TestNumbers.fresh(1), 60, 300,
          PoolConfig.OnExhausted.FALLBACK, null)));
      assertNotReplicated(keys.create(prop, ApiKey.Scope.read, "ci"));
      assertNotReplicated(keys.revoke(kept.record().id()));
    } finally {
      pair.thawReplica();
    }
    result(store.putProperty(property));
    assertTrue(pair.cli(pair.replicaPort(), "HGET", "{cfg}:properties", prop).contains(prop));
    assertTrue(result(store.property(prop)).isPresent());
    result(store.close());
  }

  private static void assertNotReplicated(Future<?> write) {
    Throwable err = Await.failure(write);
    LuaScript.NotReplicated nr = assertInstanceOf(LuaScript.NotReplicated.class, err);
    assertEquals(0, nr.acked());
    assertEquals(1, nr.wanted());
  }
}
