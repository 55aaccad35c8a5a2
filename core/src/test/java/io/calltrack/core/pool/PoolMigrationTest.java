package io.calltrack.core.pool;

import static io.calltrack.core.testing.Await.failure;
import static io.calltrack.core.testing.Await.result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.CalltrackException;
import io.calltrack.core.attribution.Attribution;
import io.calltrack.core.config.PoolConfig;
import io.calltrack.core.config.PoolConfig.OnExhausted;
import io.calltrack.core.config.PropertyConfig;
import io.calltrack.core.testing.MutableClock;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A pool written by the first key layout's scripts (see {@link FirstLayoutPool}) keeps working after
 * the upgrade: the first engine call that meets it migrates it, calls resolve to the same visits,
 * live sessions stay live and sticky, recycled ones stay recycled, and the old keys are gone.
 */
class PoolMigrationTest {
  private static final Attribution GOOGLE =
      new Attribution("google", "cpc", "spring", "plumber", null, "https://acme.example/", null, null, null, null,
          null, null);

  private MutableClock clock;
  private PoolFixture f;

  @BeforeEach
  void start() {
    clock = MutableClock.at("2026-03-01T12:00:00Z");
    f = new PoolFixture(clock);
  }

  @AfterEach
  void stop() {
    f.close();
  }

  /** Three numbers: a and c leased, b released and then recycled for d; all by the first layout. */
  private record Written(PoolConfig pool, PropertyConfig property, FirstLayoutPool old, Instant t0,
      Response a, Response b, Response c, Response d) {}

  private Written firstLayoutPool() {
    PropertyConfig property = f.newProperty();
    PoolConfig pool = f.newPool(property, 3, 60, 600, OnExhausted.RECYCLE_OLDEST, null);
    FirstLayoutPool old = new FirstLayoutPool(f.redis, pool, RedisPoolEngine.DEFAULT_HISTORY_WINDOW);
    Instant t0 = clock.instant();
    Response a = old.assign("visitor-a", GOOGLE, t0);
    Response b = old.assign("visitor-b", GOOGLE, t0.plusSeconds(1));
    Response c = old.assign("visitor-c", GOOGLE, t0.plusSeconds(2));
    old.release(b.get(1).toString(), t0.plusSeconds(10));
    Response d = old.assign("visitor-d", GOOGLE, t0.plusSeconds(20));
    assertEquals("recycled", d.get(0).toString(), "the first layout recycled b's number");
    assertEquals(b.get(2).toString(), d.get(2).toString());
    clock.set(t0.plusSeconds(30));
    return new Written(pool, property, old, t0, a, b, c, d);
  }

  private static String sid(Response r) {
    return r.get(1).toString();
  }

  private static io.calltrack.core.phone.PhoneNumber number(Response r) {
    return io.calltrack.core.phone.PhoneNumber.parse(r.get(2).toString());
  }

  @Test
  void aResolveMigratesThePoolAndFindsTheSameVisits() {
    Written w = firstLayoutPool();
    RedisPoolEngine e = f.engine;
    // before any script ran: the resolve meets the old layout and migrates it
    Resolution early = result(e.resolve(number(w.b()), w.t0().plusSeconds(5)));
    assertEquals(Resolution.Kind.LEASE, early.kind());
    assertEquals(sid(w.b()), early.session().sessionId());
    Resolution later = result(e.resolve(number(w.b()), w.t0().plusSeconds(25)));
    assertEquals(sid(w.d()), later.session().sessionId());
    assertEquals(2, later.candidates().size(), "b is still a candidate in its natural hold");
    assertEquals(sid(w.a()), result(e.resolve(number(w.a()), w.t0().plusSeconds(25))).session().sessionId());

    PoolKeys k = new PoolKeys(w.pool().id());
    assertEquals("2", result(f.redis.hget(k.meta(), "layout")).toString());
    for (Response r : List.of(w.a(), w.b(), w.c())) {
      assertEquals(0, result(f.redis.exists(List.of(w.old().historyKey(r.get(2).toString())))).toInteger(),
          "the old history zset of " + r.get(2) + " is gone");
    }
  }

  @Test
  void sessionsKeepTheirStatesAndLiveOnesKeepWorking() {
    Written w = firstLayoutPool();
    RedisPoolEngine e = f.engine;
    // the first script run on the pool (a heartbeat) migrates it
    assertEquals(clock.instant().plusSeconds(60), result(e.heartbeat(sid(w.c()))));
    Session b = result(e.session(sid(w.b()))).orElseThrow();
    assertEquals(Session.State.RECYCLED, b.state());
    assertEquals(w.t0().plusSeconds(20), b.endsAt());
    assertEquals(w.t0().plusSeconds(10), b.leaseExpiresAt(), "its release ended its lease");
    assertInstanceOf(CalltrackException.Gone.class, failure(e.heartbeat(sid(w.b()))));
    assertEquals(Session.State.LEASED, result(e.session(sid(w.a()))).orElseThrow().state());

    // a returning visitor keeps its live session and number (the engine never saw it: one retry)
    Assignment again = result(e.assign(w.property().id(), "visitor-a", GOOGLE));
    assertEquals(sid(w.a()), again.sessionId());
    assertEquals(number(w.a()), again.number());

    // d releases; once every hold ran out the numbers are free again and the sessions ended
    result(e.release(sid(w.d())));
    clock.advance(Duration.ofHours(1));
    result(e.sweep());
    PoolStatus status = result(e.status(w.pool().id()));
    assertEquals(3, status.free());
    for (Response r : List.of(w.a(), w.c(), w.d())) {
      assertEquals(Session.State.ENDED, result(e.session(sid(r))).orElseThrow().state(), sid(r));
    }
    PoolKeys k = new PoolKeys(w.pool().id());
    assertEquals(0, result(f.redis.hlen(k.live())).toInteger(), "no live session is left");
    assertEquals(0, result(f.redis.hlen(k.visitors())).toInteger(), "no visitor holds a session");

    // and the pool hands numbers out as any other
    Assignment fresh = result(e.assign(w.property().id(), "visitor-e", GOOGLE));
    assertTrue(!fresh.fallback() && !fresh.recycled(), fresh.toString());
  }

  @Test
  void anAssignMigratesAndThenRecyclesAsBefore() {
    Written w = firstLayoutPool();
    Assignment e5 = result(f.engine.assign(w.property().id(), "visitor-e", GOOGLE));
    assertTrue(e5.recycled(), "all three numbers are still leased: the oldest is recycled");
    assertEquals(Session.State.RECYCLED,
        result(f.engine.session(sid(w.a()))).orElseThrow().state(), "a had the oldest lease");
    assertEquals(number(w.a()), e5.number());
  }
}
