package io.calltrack.core.calls;

import static io.calltrack.core.testing.Await.result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.json.JsonMapper;
import io.calltrack.core.redis.RedisClientFactory;
import io.calltrack.core.testing.TestNumbers;
import io.calltrack.core.testing.TestRedis;
import io.calltrack.localredis.EmbeddedRedis;
import io.vertx.core.Vertx;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Calls written under the old single {@code {calls}} tag are moved into their property's shard on a
 * real redis-server: found by id and by page, outcome and TTL kept, counted by the rollups' stream,
 * the old keys gone; a second run changes nothing; a shard copy newer than the old one is kept.
 */
class CallsMigrationTest {
  private EmbeddedRedis own;
  private Vertx vertx;
  private RedisAPI redis;

  @BeforeEach
  void start() {
    own = TestRedis.dedicated(); // the migration reads and deletes the old keys of the whole Redis
    vertx = Vertx.vertx();
    redis = RedisAPI.api(RedisClientFactory.create(vertx, own.url()));
  }

  @AfterEach
  void stop() {
    result(vertx.close());
    own.stop();
  }

  /** What the old store wrote for one call: its hash and its index entry. */
  private CallRecord writeOld(String callId, String property, Instant start, int seq, CallOutcome outcome) {
    CallRecord r = CallRecord.started(callId, "sip-" + callId, TestNumbers.fresh(), "+15550001111", property, start);
    String key = CallsMigration.oldKey(callId);
    result(redis.hset(List.of(key, "seq", Integer.toString(seq), "record", JsonMapper.write(r))));
    if (outcome != null) {
      result(redis.hset(List.of(key, "outcome", JsonMapper.write(outcome))));
    }
    result(redis.zadd(List.of(CallsMigration.OLD_INDEX, "0", RedisCallStore.indexMember(start, callId))));
    result(redis.xadd(List.of(CallsMigration.OLD_STREAM, "*", "callId", callId, "seq", Integer.toString(seq),
        "type", "started")));
    return r;
  }

  @Test
  void oldCallsMoveIntoTheirShardsOnceAndForAll() {
    Instant t0 = Instant.parse("2026-03-01T10:00:00Z");
    CallOutcome sale = new CallOutcome(true, true, new BigDecimal("120.00"), "USD");
    CallRecord a = writeOld("call-a", "shop", t0, 1, sale);
    CallRecord b = writeOld("call-b", "shop", t0.plusSeconds(60), 2, null);
    CallRecord c = writeOld("call-c", null, t0.plusSeconds(120), 1, null);
    result(redis.pexpire(List.of(CallsMigration.oldKey("call-b"), "86400000")));
    writeOld("call-d", "other", t0.plusSeconds(180), 1, null);
    // call-d went on after the upgrade: its shard copy (seq 3) is newer than the old one and stays
    RedisCallStore store = new RedisCallStore(redis);
    CallRecord dNow = CallRecord.started("call-d", "sip-call-d", TestNumbers.fresh(), "+15550002222", "other",
        t0.plusSeconds(180));
    assertTrue(result(store.apply(new CallEvent("call-d", 3, CallEvent.Type.STARTED, dNow.startedAt(), dNow))));
    // an index entry whose hash is gone (expired under the old layout)
    result(redis.zadd(List.of(CallsMigration.OLD_INDEX, "0", RedisCallStore.indexMember(t0, "call-gone"))));

    CallsMigration.Result first = result(new CallsMigration(redis).run());
    assertEquals(new CallsMigration.Result(3, 1, 1), first, "a, b, c copied; d's newer copy kept; one dangling entry");

    assertEquals(Optional.of(a.withOutcome(sale)), result(store.get("call-a")), "found by id, outcome kept");
    assertEquals(Optional.of(b), result(store.get("shop", "call-b")));
    assertEquals(Optional.of(c), result(store.get("call-c")), "a call without a property: the _ shard");
    assertEquals("+15550002222", result(store.get("call-d")).orElseThrow().caller(), "the newer copy stayed");
    long ttl = result(redis.pttl(RedisCallStore.key("shop", "call-b"))).toLong();
    assertTrue(ttl > 80_000_000 && ttl <= 86_400_000, "the old TTL carried over: " + ttl);
    assertEquals(-1, result(redis.pttl(RedisCallStore.key("shop", "call-a"))).toLong(), "no TTL stays none");

    Set<String> paged = new HashSet<>();
    for (CallRecord r : result(store.page(null, null, 100, null)).calls()) {
      paged.add(r.callId());
    }
    assertEquals(Set.of("call-a", "call-b", "call-c", "call-d"), paged, "every call pages from its shard");
    assertEquals(List.of("_", "other", "shop"), result(store.shards()));
    assertEquals(2, streamIds("shop").size(), "each copied call is on its shard's stream for the rollups");
    assertEquals(1, streamIds("_").size());

    assertEquals(0, result(redis.exists(List.of(CallsMigration.oldKey("call-a"), CallsMigration.oldKey("call-b"),
        CallsMigration.oldKey("call-c"), CallsMigration.oldKey("call-d"), CallsMigration.OLD_INDEX,
        CallsMigration.OLD_STREAM))).toInteger(), "the old keys are gone");

    CallsMigration.Result second = result(new CallsMigration(redis).run());
    assertEquals(new CallsMigration.Result(0, 0, 0), second, "a second run finds nothing to do");
    assertEquals(2, streamIds("shop").size(), "and adds nothing");
    assertEquals(Optional.of(a.withOutcome(sale)), result(store.get("call-a")));
  }

  @Test
  void aRunStoppedHalfWayIsFinishedByTheNext() {
    Instant t0 = Instant.parse("2026-03-01T10:00:00Z");
    CallRecord a = writeOld("call-a", "shop", t0, 1, null);
    // as if a run copied call-a and stopped before removing the old keys
    List<String> keys = List.of(RedisCallStore.key("shop", "call-a"), RedisCallStore.index("shop"),
        RedisCallStore.eventsStream("shop"));
    result(redis.sadd(List.of(RedisCallStore.SHARDS, "shop")));
    result(redis.hset(List.of(keys.get(0), "seq", "1", "record", JsonMapper.write(a))));
    result(redis.zadd(List.of(keys.get(1), "0", RedisCallStore.indexMember(t0, "call-a"))));

    assertEquals(new CallsMigration.Result(0, 1, 0), result(new CallsMigration(redis).run()));
    assertEquals(Optional.of(a), result(new RedisCallStore(redis).get("call-a")));
    assertEquals(0, result(redis.exists(List.of(CallsMigration.oldKey("call-a"), CallsMigration.OLD_INDEX)))
        .toInteger());
  }

  private List<String> streamIds(String shard) {
    Response r = result(redis.xrange(List.of(RedisCallStore.eventsStream(shard), "-", "+")));
    return r.stream().map(e -> e.get(0).toString()).toList();
  }
}
