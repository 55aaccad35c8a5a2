package io.calltrack.core.calls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.CalltrackException;
import io.calltrack.core.attribution.Attribution;
import io.calltrack.core.json.JsonMapper;
import io.calltrack.core.redis.RedisClientFactory;
import io.calltrack.core.testing.Await;
import io.calltrack.core.testing.TestNumbers;
import io.calltrack.core.testing.TestRedis;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RedisCallStoreTest {
  static Vertx vertx;
  static Redis redis;
  static RedisCallStore store;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    redis = RedisClientFactory.create(vertx, TestRedis.url());
    store = new RedisCallStore(redis);
  }

  @AfterAll
  static void stop() {
    Await.result(vertx.close());
  }

  static CallRecord started(String id, Instant at) {
    return startedIn(id, "prop", at);
  }

  static CallRecord startedIn(String id, String property, Instant at) {
    return CallRecord.started(id, id + "@sip", TestNumbers.fresh(), "+15557770001", property, at)
        .withAttribution("lease", "s1", new Attribution("google", "cpc", null, "emergency plumber", null,
            "/plumbing", null, null, null, null, null, null), List.of());
  }

  @Test
  void eventsAreAppliedOnceEvenWhenReplayed() {
    String id = TestRedis.uniqueId("call");
    Instant t0 = Instant.parse("2031-01-01T10:00:00Z");
    CallRecord r0 = started(id, t0);
    CallRecord r1 = r0.answered(t0.plusSeconds(3), 200);
    CallRecord r2 = r1.ended(t0.plusSeconds(63), CallStatus.ANSWERED, null);
    long before = streamLength();
    assertTrue(Await.result(store.apply(new CallEvent(id, 0, CallEvent.Type.STARTED, t0, r0))));
    assertTrue(Await.result(store.apply(new CallEvent(id, 1, CallEvent.Type.ANSWERED, t0, r1))));
    assertTrue(Await.result(store.apply(new CallEvent(id, 2, CallEvent.Type.ENDED, t0, r2))));
    // a replay of any of them, e.g. from the router's spool, changes nothing
    assertFalse(Await.result(store.apply(new CallEvent(id, 1, CallEvent.Type.ANSWERED, t0, r1))));
    assertFalse(Await.result(store.apply(new CallEvent(id, 2, CallEvent.Type.ENDED, t0, r2))));
    assertEquals(before + 3, streamLength());

    CallRecord stored = Await.result(store.get(id)).orElseThrow();
    assertEquals(CallStatus.ANSWERED, stored.status());
    assertEquals(60L, stored.durationSeconds());
    assertEquals("emergency plumber", stored.attribution().keyword());
    assertEquals(r2, stored);
  }

  @Test
  void eventsAppliedTogetherAreAnsweredEachInOrderAcrossShards() {
    String a = TestRedis.uniqueId("shard-a");
    String b = TestRedis.uniqueId("shard-b");
    Instant t0 = Instant.parse("2031-01-02T10:00:00Z");
    String c1 = TestRedis.uniqueId("call");
    String c2 = TestRedis.uniqueId("call");
    String c3 = TestRedis.uniqueId("call");
    CallRecord r1 = startedIn(c1, a, t0);
    assertTrue(Await.result(store.apply(new CallEvent(c1, 0, CallEvent.Type.STARTED, t0, r1))));

    CallRecord r1answered = r1.answered(t0.plusSeconds(2), 200);
    List<Boolean> applied = Await.result(store.applyAll(List.of(
        new CallEvent(c1, 0, CallEvent.Type.STARTED, t0, r1), // a replay: changes nothing
        new CallEvent(c2, 0, CallEvent.Type.STARTED, t0, startedIn(c2, b, t0)),
        new CallEvent(c1, 1, CallEvent.Type.ANSWERED, t0.plusSeconds(2), r1answered),
        new CallEvent(c3, 0, CallEvent.Type.STARTED, t0, startedIn(c3, a, t0)))));

    assertEquals(List.of(false, true, true, true), applied);
    assertEquals(r1answered, Await.result(store.get(a, c1)).orElseThrow());
    assertEquals(b, Await.result(store.get(b, c2)).orElseThrow().property());
    assertEquals(3, Await.result(RedisAPI.api(redis).xlen(RedisCallStore.eventsStream(a))).toLong());
    assertEquals(1, Await.result(RedisAPI.api(redis).xlen(RedisCallStore.eventsStream(b))).toLong());
  }

  @Test
  void eventsAppliedTogetherAfterRedisLostItsScriptsAreEachSentAgainInOrder() {
    io.calltrack.localredis.EmbeddedRedis own = TestRedis.dedicated(); // SCRIPT FLUSH: not on the shared one
    try {
      RedisCallStore fresh = new RedisCallStore(RedisClientFactory.create(vertx, own.url()));
      Instant t0 = Instant.parse("2031-01-03T10:00:00Z");
      String c1 = TestRedis.uniqueId("call");
      String c2 = TestRedis.uniqueId("call");
      assertTrue(Await.result(fresh.apply(new CallEvent(c1, 0, CallEvent.Type.STARTED, t0, started(c1, t0)))));
      // as after a Redis restart: the batch's EVALSHAs all answer NOSCRIPT
      Await.result(RedisAPI.api(RedisClientFactory.create(vertx, own.url())).script(List.of("FLUSH")));

      CallRecord answered = started(c1, t0).answered(t0.plusSeconds(2), 200);
      CallRecord ended = answered.ended(t0.plusSeconds(9), CallStatus.ANSWERED, null);
      List<Boolean> applied = Await.result(fresh.applyAll(List.of(
          new CallEvent(c1, 1, CallEvent.Type.ANSWERED, t0.plusSeconds(2), answered),
          new CallEvent(c2, 0, CallEvent.Type.STARTED, t0, started(c2, t0)),
          new CallEvent(c1, 2, CallEvent.Type.ENDED, t0.plusSeconds(9), ended))));

      assertEquals(List.of(true, true, true), applied, "each sent again, a call's in the batch's order");
      assertEquals(ended, Await.result(fresh.get(c1)).orElseThrow());
      assertTrue(Await.result(fresh.get(c2)).isPresent());
    } finally {
      own.stop();
    }
  }

  @Test
  void pagesNewestFirstWithinTheWindow() {
    Instant base = Instant.parse("2032-03-0" + (1 + (int) (Math.random() * 8)) + "T00:00:00Z")
        .plusSeconds((long) (Math.random() * 80_000));
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      String id = TestRedis.uniqueId("page");
      ids.add(id);
      // two calls share a millisecond: the cursor must still neither skip nor repeat one
      Instant at = base.plusMillis(i == 4 ? 3000 : i * 1000L);
      Await.result(store.apply(new CallEvent(id, 0, CallEvent.Type.STARTED, at, started(id, at))));
    }
    Instant from = base;
    Instant to = base.plusSeconds(7);
    List<String> seen = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      CallPage page = Await.result(store.page(from, to, 3, cursor));
      page.calls().forEach(c -> seen.add(c.callId()));
      cursor = page.next();
      pages++;
    } while (cursor != null && pages < 10);
    assertEquals(7, seen.size(), seen::toString);
    assertEquals(7, seen.stream().distinct().count());
    for (int i = 1; i < seen.size(); i++) {
      Instant a = Await.result(store.get(seen.get(i - 1))).orElseThrow().startedAt();
      Instant b = Await.result(store.get(seen.get(i))).orElseThrow().startedAt();
      assertFalse(a.isBefore(b), "newest first");
    }
    // `to` is exclusive, `from` inclusive
    assertEquals(1, Await.result(store.page(base, base.plusSeconds(1), 10, null)).calls().size());
    assertNull(Await.result(store.page(base, base.plusSeconds(1), 10, null)).next());
  }

  @Test
  void outcomeIsKeptApartFromTheRoutersWrites() {
    String id = TestRedis.uniqueId("outcome");
    Instant t0 = Instant.parse("2031-02-01T10:00:00Z");
    CallRecord r0 = started(id, t0);
    Await.result(store.apply(new CallEvent(id, 0, CallEvent.Type.STARTED, t0, r0)));
    CallRecord withOutcome = Await.result(store.setOutcome(id, new CallOutcome(true, true, new BigDecimal("1234.50"), "USD")));
    assertEquals(new BigDecimal("1234.50"), withOutcome.outcome().value());
    assertTrue(JsonMapper.write(withOutcome).contains("\"value\":\"1234.50\""), "money is a decimal string");
    // a later router event (the call ending) keeps the outcome
    Await.result(store.apply(new CallEvent(id, 1, CallEvent.Type.ENDED, t0, r0.ended(t0.plusSeconds(5), CallStatus.MISSED, 408))));
    CallRecord after = Await.result(store.get(id)).orElseThrow();
    assertEquals(CallStatus.MISSED, after.status());
    assertEquals(Boolean.TRUE, after.outcome().converted());
    assertInstanceOf(CalltrackException.NotFound.class,
        Await.failure(store.setOutcome("no-such-call", new CallOutcome(false, false, null, null))));
  }

  @Test
  void refusesBadPagingInput() {
    assertThrows(CalltrackException.Invalid.class, () -> store.page(null, null, 0, null));
    assertThrows(CalltrackException.Invalid.class, () -> store.page(null, null, 10, "not-a-cursor"));
    Instant t = Instant.now();
    assertThrows(CalltrackException.Invalid.class, () -> store.page(t, t, 10, null));
  }

  private static long streamLength() {
    return Await.result(RedisAPI.api(redis).xlen(RedisCallStore.eventsStream("prop"))).toLong();
  }
}
