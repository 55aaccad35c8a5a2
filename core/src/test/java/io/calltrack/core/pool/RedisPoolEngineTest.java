package io.calltrack.core.pool;

import static io.calltrack.core.testing.Await.failure;
import static io.calltrack.core.testing.Await.result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.CalltrackException;
import io.calltrack.core.attribution.Attribution;
import io.calltrack.core.config.PoolConfig;
import io.calltrack.core.config.PoolConfig.Match;
import io.calltrack.core.config.PoolConfig.OnExhausted;
import io.calltrack.core.config.PropertyConfig;
import io.calltrack.core.config.StaticNumberConfig;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.core.testing.MutableClock;
import io.calltrack.core.testing.TestNumbers;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RedisPoolEngineTest {
  private static final Attribution GOOGLE_CPC = attribution("google", "cpc");

  private MutableClock clock;
  private PoolFixture f;
  private RedisPoolEngine engine;

  static Attribution attribution(String source, String medium) {
    return new Attribution(source, medium, "spring", "plumber", null, "https://acme.example/", null,
        null, null, null, null, null);
  }

  @BeforeEach
  void start() {
    clock = MutableClock.at("2026-03-01T12:00:00Z");
    f = new PoolFixture(clock);
    engine = f.engine;
  }

  @AfterEach
  void stop() {
    f.close();
  }

  private Assignment assign(PropertyConfig p, String visitor) {
    return result(engine.assign(p.id(), visitor, GOOGLE_CPC));
  }

  private Session session(Assignment a) {
    return result(engine.session(a.sessionId())).orElseThrow();
  }

  private PoolStatus status(PoolConfig pool) {
    return result(engine.status(pool.id()));
  }

  /** A pool of two numbers on a Redis of the test's own, whose command counts are the test's alone. */
  private void onItsOwnRedis(java.util.function.BiConsumer<PoolFixture, PoolConfig> test) {
    io.calltrack.localredis.EmbeddedRedis own = io.calltrack.core.testing.TestRedis.dedicated();
    try (PoolFixture g = new PoolFixture(clock, RedisPoolEngine.DEFAULT_HISTORY_WINDOW, own.url())) {
      test.accept(g, g.newPool(g.newProperty(), 2, 60, 300, OnExhausted.FALLBACK, null));
    } finally {
      own.stop();
    }
  }

  @Test
  void aNumberWithoutHistoryCostsOneReadOnceThePoolsLayoutIsKnown() {
    onItsOwnRedis((g, pool) -> {
      PhoneNumber leased = result(g.engine.assign(pool.property(), "visitor-a", GOOGLE_CPC)).number();
      PhoneNumber quiet = pool.numbers().stream().filter(n -> !n.equals(leased)).findFirst().orElseThrow();
      assertEquals(1, result(g.engine.candidates(leased, clock.instant())).sessions().size());

      assertTrue(result(g.engine.candidates(quiet, clock.instant())).sessions().isEmpty());
      long before = hgets(g);
      assertTrue(result(g.engine.candidates(quiet, clock.instant())).sessions().isEmpty());
      assertEquals(1, hgets(g) - before, "the number's history alone, not the pool's layout again");
    });
  }

  @Test
  void aCallsCandidatesComeWithTheCallersPreviousVisitorInOneRead() {
    PropertyConfig p = f.newProperty();
    PoolConfig pool = f.newPool(p, 2, 60, 300, OnExhausted.FALLBACK, null);
    Assignment a = assign(p, "visitor-a");
    result(engine.rememberCaller(pool.id(), "+14155550123", "visitor-a"));

    Candidates known = result(engine.candidates(a.number(), "+14155550123", clock.instant()));
    assertEquals("visitor-a", known.previousVisitor());
    assertEquals(a.sessionId(), known.sessions().get(0).sessionId());
    assertNull(result(engine.candidates(a.number(), "+14155550999", clock.instant())).previousVisitor());
    assertNull(result(engine.candidates(a.number(), "anonymous", clock.instant())).previousVisitor());
    assertNull(result(engine.candidates(a.number(), clock.instant())).previousVisitor());
    // a number without history: still the caller's previous visitor
    PhoneNumber quiet = pool.numbers().stream().filter(n -> !n.equals(a.number())).findFirst().orElseThrow();
    Candidates none = result(engine.candidates(quiet, "+14155550123", clock.instant()));
    assertTrue(none.sessions().isEmpty());
    assertEquals("visitor-a", none.previousVisitor());
  }

  @Test
  void attributedCallsCountedTogetherGoToRedisAsOneAdditionPerConfidence() {
    onItsOwnRedis((g, pool) -> {
      result(g.engine.status(pool.id()));
      long before = calls(g, "hincrby");
      // counted in one task of the context, as a busy router counts: the counts' timer fires after it
      io.vertx.core.Promise<Void> counted = io.vertx.core.Promise.promise();
      g.vertx.runOnContext(v -> {
        for (int i = 0; i < 60; i++) {
          g.engine.countAttributed(pool.id(), i % 6 == 0 ? "probable" : "exact");
        }
        g.engine.countAttributed(pool.id(), "not-a-confidence");
        counted.complete();
      });
      result(counted.future());
      PoolStatus status = io.calltrack.core.testing.Await.until(java.time.Duration.ofSeconds(10),
          () -> result(g.engine.status(pool.id())), s -> s.calls("exact") + s.calls("probable") == 60);
      assertEquals(50, status.calls("exact"));
      assertEquals(10, status.calls("probable"));
      assertEquals(2, calls(g, "hincrby") - before, "one addition per confidence, not one per call");
    });
  }

  private static long calls(PoolFixture g, String command) {
    String stats = result(g.redis.info(List.of("commandstats"))).toString();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("cmdstat_" + command + ":calls=(\\d+)").matcher(stats);
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }

  private static long hgets(PoolFixture g) {
    return calls(g, "hget");
  }

  @Test
  void leasesAndSticksToTheSameVisitor() {
    PropertyConfig p = f.newProperty();
    PoolConfig pool = f.newPool(p, 3, 60, 300, OnExhausted.FALLBACK, null);
    Assignment a = assign(p, "visitor-a");
    assertFalse(a.fallback());
    assertEquals(pool.id(), a.poolId());
    assertTrue(a.sessionId().startsWith(pool.id() + "."));
    assertTrue(pool.numbers().contains(a.number()));
    assertEquals(p.swapNumbers(), a.swap());
    assertEquals(60, a.leaseSeconds());
    assertEquals(clock.instant().plusSeconds(60), a.leaseExpiresAt());

    Session s = session(a);
    assertEquals(Session.State.LEASED, s.state());
    assertEquals(GOOGLE_CPC, s.attribution());
    assertEquals("visitor-a", s.visitorId());
    assertEquals(clock.instant(), s.startedAt());
    assertEquals(clock.instant().plusSeconds(360), s.naturalEndsAt());

    clock.advance(Duration.ofSeconds(30));
    Assignment again = assign(p, "visitor-a");
    assertEquals(a.sessionId(), again.sessionId());
    assertEquals(a.number(), again.number());
    assertEquals(clock.instant().plusSeconds(60), again.leaseExpiresAt(), "lease renewed");

    Assignment b = assign(p, "visitor-b");
    assertNotEquals(a.number(), b.number());
    PoolStatus st = status(pool);
    assertEquals(3, st.size());
    assertEquals(2, st.leased());
    assertEquals(1, st.free());
    assertEquals(2 / 3.0, st.utilization(), 1e-9);
  }

  @Test
  void aNewVisitorGetsAnId() {
    PropertyConfig p = f.newProperty();
    f.newPool(p, 2, 60, 300, OnExhausted.FALLBACK, null);
    Assignment a = result(engine.assign(p.id(), null, null));
    Assignment b = result(engine.assign(p.id(), "", Attribution.UNKNOWN));
    assertNotNull(a.visitorId());
    assertTrue(a.visitorId().length() >= 22);
    assertNotEquals(a.visitorId(), b.visitorId());
    assertNotEquals(a.number(), b.number());
  }

  @Test
  void heartbeatExtendsOnlyALiveLease() {
    PropertyConfig p = f.newProperty();
    PoolConfig pool = f.newPool(p, 1, 60, 300, OnExhausted.FALLBACK, null);
    Assignment a = assign(p, "v");
    clock.advance(Duration.ofSeconds(50));
    Instant extended = result(engine.heartbeat(a.sessionId()));
    assertEquals(clock.instant().plusSeconds(60), extended);
    assertEquals(extended, session(a).leaseExpiresAt());
    clock.advance(Duration.ofSeconds(59));
    assertEquals(clock.instant().plusSeconds(60), result(engine.heartbeat(a.sessionId())));

    clock.advance(Duration.ofSeconds(60)); // exactly at expiry: over
    assertInstanceOf(CalltrackException.Gone.class, failure(engine.heartbeat(a.sessionId())));
    assertEquals(1, status(pool).holding(), "the expired lease went into its hold");
    assertInstanceOf(CalltrackException.Gone.class, failure(engine.heartbeat(a.sessionId())));
  }

  @Test
  void badSessionIdsAreRefusedCleanly() {
    PropertyConfig p = f.newProperty();
    PoolConfig pool = f.newPool(p, 1, 60, 300, OnExhausted.FALLBACK, null);
    for (String bad : new String[] {"", "nonsense", pool.id() + ".short", pool.id() + ".*AAAAAAAAAAAAAAAAAAAAA",
        "../" + pool.id() + ".AAAAAAAAAAAAAAAAAAAAAA", pool.id() + ".AAAAAAAAAAAAAAAAAAAAAA\n", "{pool}.AAAAAAAAAAAAAAAAAAAAAA"}) {
      assertInstanceOf(CalltrackException.Invalid.class, failure(engine.heartbeat(bad)), bad);
      assertInstanceOf(CalltrackException.Invalid.class, failure(engine.release(bad)), bad);
      assertEquals(Optional.empty(), result(engine.session(bad)));
    }
    assertInstanceOf(CalltrackException.Invalid.class, failure(engine.heartbeat(null)));
    String unknownInPool = pool.id() + ".AAAAAAAAAAAAAAAAAAAAAA";
    assertInstanceOf(CalltrackException.Gone.class, failure(engine.heartbeat(unknownInPool)),
        "the pool holds no such session: no lease, as for a lease that ended");
    assertInstanceOf(CalltrackException.NotFound.class, failure(engine.release(unknownInPool)));
    String unknownPool = "no-such-pool.AAAAAAAAAAAAAAAAAAAAAA";
    assertInstanceOf(CalltrackException.NotFound.class, failure(engine.heartbeat(unknownPool)));
    assertInstanceOf(CalltrackException.NotFound.class, failure(engine.status("no-such-pool")));
    assertInstanceOf(CalltrackException.NotFound.class, failure(engine.status("bad id!")));
    assertInstanceOf(CalltrackException.Invalid.class,
        failure(engine.assign(p.id(), "visitor with spaces", GOOGLE_CPC)));
    assertEquals(1, status(pool).free(), "nothing changed");
  }

  @Test
  void releaseStartsTheHoldThenTheNumberIsFree() {
    PropertyConfig p = f.newProperty();
    PoolConfig pool = f.newPool(p, 1, 60, 300, OnExhausted.FALLBACK, null);
    Assignment a = assign(p, "v");
    clock.advance(Duration.ofSeconds(10));
    Instant releasedAt = clock.instant();
    result(engine.release(a.sessionId()));
    result(engine.release(a.sessionId())); // harmless twice
    Session held = session(a);
    assertEquals(Session.State.HOLDING, held.state());
    assertEquals(releasedAt, held.releasedAt());
    assertEquals(releasedAt.plusSeconds(300), held.endsAt());
    assertInstanceOf(CalltrackException.Gone.class, failure(engine.heartbeat(a.sessionId())));

    PoolStatus st = status(pool);
    assertEquals(0, st.leased());
    assertEquals(1, st.holding());
    assertEquals(1.0, st.utilization());
    assertTrue(result(engine.assign(p.id(), "other", GOOGLE_CPC)).fallback(), "a held number is not free");

    clock.advance(Duration.ofSeconds(299));
    assertEquals(1, status(pool).holding());
    clock.advance(Duration.ofSeconds(1));
    st = status(pool);
    assertEquals(0, st.holding());
    assertEquals(1, st.free());
    assertEquals(Session.State.ENDED, session(a).state());
    result(engine.release(a.sessionId())); // still harmless once ended

    Assignment next = assign(p, "other");
    assertEquals(a.number(), next.number());
    assertNotEquals(a.sessionId(), next.sessionId());
    Assignment back = assign(p, "v");
    assertTrue(back.fallback(), "the first visitor's session is over: no stickiness any more");
  }

  @Test
  void anExpiredLeaseIsHeldThenFreed() {
    PropertyConfig p = f.newProperty();
    PoolConfig pool = f.newPool(p, 2, 60, 120, OnExhausted.FALLBACK, null);
    Assignment a = assign(p, "v");
    Instant expiry = a.leaseExpiresAt();
    clock.advance(Duration.ofSeconds(90));
    PoolStatus st = status(pool);
    assertEquals(0, st.leased());
    assertEquals(1, st.holding());
    Session s = session(a);
    assertEquals(Session.State.HOLDING, s.state());
    assertEquals(expiry, s.releasedAt());
    assertEquals(expiry.plusSeconds(120), s.endsAt());

    clock.advance(Duration.ofSeconds(90)); // hold ended at expiry + 120 s = t0 + 180 s
    assertEquals(2, status(pool).free());
    assertEquals(Session.State.ENDED, session(a).state());
  }

  @Test
  void aReturningVisitorInItsHoldGetsItsNumberBack() {
    PropertyConfig p = f.newProperty();
    PoolConfig pool = f.newPool(p, 2, 60, 600, OnExhausted.FALLBACK, null);
    Assignment a = assign(p, "v");
    clock.advance(Duration.ofSeconds(200)); // lease over, in hold
    assertEquals(1, status(pool).holding());
    Assignment back = assign(p, "v");
    assertEquals(a.sessionId(), back.sessionId());
    assertEquals(a.number(), back.number());
    Session s = session(back);
    assertEquals(Session.State.LEASED, s.state());
    assertNull(s.releasedAt());
    assertEquals(clock.instant().plusSeconds(60), s.leaseExpiresAt());
    PoolStatus st = status(pool);
    assertEquals(1, st.leased());
    assertEquals(0, st.holding());
    assertEquals(clock.instant().plusSeconds(60), result(engine.heartbeat(a.sessionId())));
  }

  @Test
  void aVisitorReturningThroughTheSameProcessIsAssignedInOneRun() {
    AtomicInteger lookups = new AtomicInteger();
    engine.onSessionLookup(lookups::incrementAndGet);
    PropertyConfig p = f.newProperty();
    f.newPool(p, 4, 60, 600, OnExhausted.FALLBACK, null);
    Assignment[] first = new Assignment[3];
    for (int i = 0; i < 3; i++) {
      first[i] = assign(p, "visitor-" + i);
    }
    for (int i = 0; i < 3; i++) {
      clock.advance(Duration.ofSeconds(10));
      assertEquals(first[i].sessionId(), assign(p, "visitor-" + i).sessionId());
    }
    assertEquals(0, lookups.get(), "every returning visitor's session was guessed right");
  }

  @Test
  void aSessionTheBrowserNamesSparesAnotherProcessTheLookup() {
    try (PoolFixture other = new PoolFixture(clock)) {
      AtomicInteger lookups = new AtomicInteger();
      other.engine.onSessionLookup(lookups::incrementAndGet);
      PropertyConfig p = f.newProperty();
      PoolConfig pool = f.newPool(p, 2, 60, 600, OnExhausted.FALLBACK, null);
      Assignment a = assign(p, "v");
      clock.advance(Duration.ofSeconds(30));
      Assignment back = result(other.engine.assign(p.id(), "v", GOOGLE_CPC, null, a.sessionId()));
      assertEquals(a.sessionId(), back.sessionId());
      assertEquals(clock.instant().plusSeconds(60), back.leaseExpiresAt());
      assertEquals(0, lookups.get(), "the named session was declared at once");
      assertEquals(1, status(pool).leased());
    }
  }

  @Test
  void aSessionNamedWronglyChangesNothingButTheLookup() {
    try (PoolFixture other = new PoolFixture(clock)) {
      PropertyConfig p = f.newProperty();
      PoolConfig pool = f.newPool(p, 3, 60, 600, OnExhausted.FALLBACK, null);
      Assignment mine = assign(p, "v");
      Assignment someoneElses = assign(p, "w");
      String theirKey = new PoolKeys(pool.id()).session(someoneElses.sessionId());
      result(f.redis.pexpire(List.of(theirKey, "100000")));
      clock.advance(Duration.ofSeconds(30));
      // another visitor's session, a session of another pool, and no session id at all
      for (String hint : List.of(someoneElses.sessionId(), "other-pool." + mine.sessionId().split("\\.")[1],
          "not a session id")) {
        Assignment back = result(other.engine.assign(p.id(), "v", GOOGLE_CPC, null, hint));
        assertEquals(mine.sessionId(), back.sessionId(), hint);
        assertEquals(mine.number(), back.number(), hint);
      }
      assertTrue(result(f.redis.pttl(theirKey)).toLong() <= 100000, "the other visitor's session was not renewed");
      assertEquals(someoneElses.leaseExpiresAt(), result(engine.session(someoneElses.sessionId())).orElseThrow()
          .leaseExpiresAt(), "nor its lease");
      assertEquals(2, status(pool).leased());
    }
  }

  @Test
  void aVisitorReturningThroughAnotherProcessKeepsItsSessionAndItsTtl() {
    // another process: its own Vert.x, so it never saw the visitor's session (the script tells it)
    try (PoolFixture other = new PoolFixture(clock)) {
      AtomicInteger lookups = new AtomicInteger();
      other.engine.onSessionLookup(lookups::incrementAndGet);
      PropertyConfig p = f.newProperty();
      PoolConfig pool = f.newPool(p, 2, 60, 600, OnExhausted.FALLBACK, null);
      Assignment a = assign(p, "v");
      String key = new PoolKeys(pool.id()).session(a.sessionId());
      result(f.redis.pexpire(List.of(key, "100000"))); // so the renewal shows
      clock.advance(Duration.ofSeconds(200)); // lease over, in hold
      Assignment back = result(other.engine.assign(p.id(), "v", GOOGLE_CPC));
      assertEquals(1, lookups.get(), "the other process could not know the session");
      assertEquals(a.sessionId(), back.sessionId());
      assertEquals(a.number(), back.number());
      assertEquals(clock.instant().plusSeconds(60), back.leaseExpiresAt());
      long ttl = result(f.redis.pttl(key)).toLong();
      assertTrue(ttl > RedisPoolEngine.DEFAULT_HISTORY_WINDOW.toMillis(), "the sticky renewal renewed the TTL: " + ttl);
      assertEquals(1, status(pool).leased());
      assertEquals(1, status(pool).free(), "no second session was started");
    }
  }

  @Test
  void theNumberIdleLongestGoesFirst() {
    PropertyConfig p = f.newProperty();
    List<PhoneNumber> numbers = TestNumbers.fresh(4);
    PoolConfig pool = f.newPool(p, numbers, 60, 0, OnExhausted.FALLBACK, null);
    Assignment[] first = new Assignment[3];
    for (int i = 0; i < 3; i++) {
      first[i] = assign(p, "first-" + i);
    }
    // released in the order 1, 2, 0, a second apart (no hold): idle longest is 1, then 2, then 0;
    // the fourth number was never used and goes before all of them
    int[] order = {1, 2, 0};
    for (int i : order) {
      clock.advance(Duration.ofSeconds(1));
      result(engine.release(first[i].sessionId()));
    }
    clock.advance(Duration.ofSeconds(1));
    assertEquals(4, status(pool).free());
    List<PhoneNumber> used = List.of(first[0].number(), first[1].number(), first[2].number());
    PhoneNumber neverUsed = numbers.stream().filter(n -> !used.contains(n)).findFirst().orElseThrow();
    assertEquals(neverUsed, assign(p, "next-a").number());
    assertEquals(first[1].number(), assign(p, "next-b").number());
    assertEquals(first[2].number(), assign(p, "next-c").number());
    assertEquals(first[0].number(), assign(p, "next-d").number());
  }

  @Test
  void theMostSpecificPoolWins() {
    PropertyConfig p = f.newProperty();
    PoolConfig any = f.newPool(p, 2, 60, 300, OnExhausted.FALLBACK, null);
    PoolConfig google = f.newPool(p, 2, 60, 300, OnExhausted.FALLBACK, new Match("google", null));
    PoolConfig cpc = f.newPool(p, 2, 60, 300, OnExhausted.FALLBACK, new Match("Google", "cpc"));
    PoolConfig cpcToo = f.newPool(p, 2, 60, 300, OnExhausted.FALLBACK, new Match("google", "cpc"));
    PoolConfig tieWinner = cpc.id().compareTo(cpcToo.id()) < 0 ? cpc : cpcToo;

    assertEquals(tieWinner.id(), result(engine.assign(p.id(), "v1", attribution("google", "cpc"))).poolId());
    assertEquals(google.id(), result(engine.assign(p.id(), "v2", attribution("GOOGLE", "organic"))).poolId());
    assertEquals(any.id(), result(engine.assign(p.id(), "v3", attribution("bing", "cpc"))).poolId());
    assertEquals(any.id(), result(engine.assign(p.id(), "v4", null)).poolId());
    assertEquals(1, status(tieWinner).leased());
  }

  @Test
  void aVisitorKeepsItsNumberAcrossThePropertysPools() {
    PropertyConfig p = f.newProperty();
    PoolConfig any = f.newPool(p, 2, 60, 300, OnExhausted.FALLBACK, null);
    f.newPool(p, 2, 60, 300, OnExhausted.FALLBACK, new Match("google", null));
    Assignment organic = result(engine.assign(p.id(), "v", attribution("duckduckgo", "organic")));
    assertEquals(any.id(), organic.poolId());
    clock.advance(Duration.ofSeconds(120)); // lease over, in hold
    Assignment paid = result(engine.assign(p.id(), "v", attribution("google", "cpc")));
    assertEquals(organic.sessionId(), paid.sessionId());
    assertEquals(organic.number(), paid.number());
    assertEquals(1, status(any).leased());
  }

  @Test
  void propertiesWithoutPoolsFallBackAndUnknownPropertiesAreNotFound() {
    PropertyConfig p = f.newProperty();
    Assignment a = result(engine.assign(p.id(), "v", GOOGLE_CPC));
    assertTrue(a.fallback());
    assertEquals(p.defaultNumber(), a.number());
    assertNull(a.sessionId());
    assertEquals("v", a.visitorId());
    assertInstanceOf(CalltrackException.NotFound.class, failure(engine.assign("no-such-property", "v", GOOGLE_CPC)));
    assertInstanceOf(CalltrackException.NotFound.class, failure(engine.assign("bad id!", "v", GOOGLE_CPC)));
  }

  @Test
  void exhaustionFallsBackAndCounts() {
    PropertyConfig p = f.newProperty();
    PoolConfig pool = f.newPool(p, 2, 60, 300, OnExhausted.FALLBACK, null);
    assign(p, "a");
    assign(p, "b");
    Assignment c = assign(p, "c");
    assertTrue(c.fallback());
    assertEquals(p.defaultNumber(), c.number());
    assertTrue(assign(p, "d").fallback());
    PoolStatus st = status(pool);
    assertEquals(2, st.exhausted());
    assertEquals(0, st.recycled());
    assertEquals(2, st.leased());
  }

  @Test
  void recycleOldestTakesTheOldestHoldAndSaysSo() {
    PropertyConfig p = f.newProperty();
    PoolConfig pool = f.newPool(p, 2, 60, 1800, OnExhausted.RECYCLE_OLDEST, null);
    Assignment a = assign(p, "a");
    clock.advance(Duration.ofSeconds(5));
    Assignment b = assign(p, "b");
    clock.advance(Duration.ofSeconds(5));
    result(engine.release(b.sessionId())); // b's hold ends at t+10+1800; a is leased: b's number goes first
    clock.advance(Duration.ofSeconds(5));
    Instant recycledAt = clock.instant();
    Assignment c = assign(p, "c");
    assertTrue(c.recycled());
    assertFalse(c.fallback());
    assertEquals(b.number(), c.number());
    Session old = session(b);
    assertEquals(Session.State.RECYCLED, old.state());
    assertEquals(recycledAt, old.endsAt());
    assertEquals(recycledAt.minusSeconds(5).plusSeconds(1800), old.naturalEndsAt());

    clock.advance(Duration.ofSeconds(5));
    Assignment d = assign(p, "d"); // no hold left: the lease that ends first (a's)
    assertEquals(a.number(), d.number());
    assertTrue(d.recycled());
    Session aOld = session(a);
    assertEquals(Session.State.RECYCLED, aOld.state());
    assertEquals(clock.instant(), aOld.leaseExpiresAt(), "its lease ended when it was recycled");
    assertInstanceOf(CalltrackException.Gone.class, failure(engine.heartbeat(a.sessionId())));

    PoolStatus st = status(pool);
    assertEquals(2, st.exhausted());
    assertEquals(2, st.recycled());
    assertEquals(2, st.leased());
    // b comes back: its session is over, it gets a new one (recycling again)
    Assignment bAgain = assign(p, "b");
    assertNotEquals(b.sessionId(), bAgain.sessionId());
  }

  /**
   * recycle-oldest with every number on a live page: the newest visit takes the oldest page's number,
   * and that page, told 410, asks again. It gets the default number rather than another live page's
   * (which would ask in turn: a chain of recycles for as long as the pool has nothing free or held);
   * a held number, whose visitor has left, it may still take.
   */
  @Test
  void aVisitorWhoseNumberWasRecycledFromItsPageDoesNotTakeAnotherPagesNumber() {
    PropertyConfig p = f.newProperty();
    PoolConfig pool = f.newPool(p, 2, 60, 1800, OnExhausted.RECYCLE_OLDEST, null);
    Assignment a = assign(p, "a");
    clock.advance(Duration.ofSeconds(5));
    Assignment b = assign(p, "b");
    clock.advance(Duration.ofSeconds(5));
    Assignment c = assign(p, "c");
    assertEquals(a.number(), c.number(), "the lease that ends first");
    assertInstanceOf(CalltrackException.Gone.class, failure(engine.heartbeat(a.sessionId())));

    Assignment aAgain = result(engine.assign(p.id(), "a", GOOGLE_CPC, null, a.sessionId()));
    assertTrue(aAgain.fallback(), "b's page keeps its number");
    assertEquals(Session.State.LEASED, session(b).state());
    assertEquals(clock.instant().plusSeconds(60), result(engine.heartbeat(b.sessionId())));
    assertEquals(1, status(pool).recycled());

    result(engine.release(b.sessionId())); // b leaves: its number is held, nobody's page shows it
    Assignment aThird = result(engine.assign(p.id(), "a", GOOGLE_CPC, null, a.sessionId()));
    assertFalse(aThird.fallback());
    assertEquals(b.number(), aThird.number());
    assertTrue(aThird.recycled());

    Assignment d = assign(p, "d"); // a new visit: recycle-oldest as ever, a live page's number if need be
    assertTrue(d.recycled());
  }

  @Test
  void resolvesPastInstants() {
    PropertyConfig p = f.newProperty();
    PoolConfig pool = f.newPool(p, 1, 60, 600, OnExhausted.FALLBACK, null);
    PhoneNumber n = pool.numbers().get(0);
    Instant t0 = clock.instant();
    Assignment a = assign(p, "a");
    clock.advance(Duration.ofSeconds(50));
    result(engine.heartbeat(a.sessionId())); // lease to t0+110
    clock.advance(Duration.ofSeconds(40));
    result(engine.release(a.sessionId())); // released at t0+90, hold to t0+690
    clock.advance(Duration.ofSeconds(700)); // t0+790: free again
    Assignment b = assign(p, "b");
    clock.advance(Duration.ofSeconds(30));

    Resolution duringLease = result(engine.resolve(n, t0.plusSeconds(80)));
    assertEquals(Resolution.Kind.LEASE, duringLease.kind());
    assertEquals(a.sessionId(), duringLease.session().sessionId());
    assertEquals(GOOGLE_CPC, duringLease.session().attribution());
    assertFalse(duringLease.ambiguous());

    Resolution duringHold = result(engine.resolve(n, t0.plusSeconds(600)));
    assertEquals(Resolution.Kind.HOLD, duringHold.kind());
    assertEquals(a.sessionId(), duringHold.session().sessionId());

    assertEquals(Resolution.Kind.UNATTRIBUTED, result(engine.resolve(n, t0.plusSeconds(700))).kind());
    assertEquals(Resolution.Kind.UNATTRIBUTED, result(engine.resolve(n, t0.minusSeconds(1))).kind());

    Resolution now = result(engine.resolve(n, clock.instant()));
    assertEquals(Resolution.Kind.LEASE, now.kind());
    assertEquals(b.sessionId(), now.session().sessionId());
    assertEquals(List.of(now.session()), now.candidates());

    StaticNumberConfig billboard = new StaticNumberConfig(TestNumbers.fresh(), p.id(), "billboard", "offline", "i-95");
    result(f.store.putStaticNumber(billboard));
    Resolution st = result(engine.resolve(billboard.number(), t0));
    assertEquals(Resolution.Kind.STATIC, st.kind());
    assertEquals(billboard, st.staticNumber());
    assertNull(st.session());

    assertEquals(Resolution.Kind.UNATTRIBUTED, result(engine.resolve(TestNumbers.fresh(), t0)).kind());
  }

  @Test
  void aCallJustAfterARecycleIsAmbiguous() {
    PropertyConfig p = f.newProperty();
    PoolConfig pool = f.newPool(p, 1, 60, 1800, OnExhausted.RECYCLE_OLDEST, null);
    Assignment a = assign(p, "a");
    clock.advance(Duration.ofSeconds(10));
    result(engine.release(a.sessionId()));
    clock.advance(Duration.ofSeconds(60));
    Instant recycle = clock.instant();
    Assignment b = assign(p, "b");
    assertTrue(b.recycled());

    Resolution r = result(engine.resolve(pool.numbers().get(0), recycle.plusSeconds(30)));
    assertEquals(Resolution.Kind.LEASE, r.kind());
    assertEquals(b.sessionId(), r.session().sessionId());
    assertTrue(r.ambiguous());
    assertEquals(List.of(b.sessionId(), a.sessionId()), r.candidates().stream().map(Session::sessionId).toList());

    Resolution before = result(engine.resolve(pool.numbers().get(0), recycle.minusSeconds(1)));
    assertEquals(Resolution.Kind.HOLD, before.kind());
    assertEquals(a.sessionId(), before.session().sessionId());
    assertFalse(before.ambiguous());
  }

  @Test
  void historyIsTrimmedAfterTheWindow() {
    try (PoolFixture shortMemory = new PoolFixture(clock, Duration.ofDays(1))) {
      RedisPoolEngine e = shortMemory.engine;
      PropertyConfig p = shortMemory.newProperty();
      PoolConfig pool = shortMemory.newPool(p, 2, 3600, 300, OnExhausted.FALLBACK, null);
      Instant t0 = clock.instant();
      Assignment a = result(e.assign(p.id(), "a", GOOGLE_CPC));
      Assignment live = result(e.assign(p.id(), "live", GOOGLE_CPC));
      result(e.release(a.sessionId()));
      assertEquals(Resolution.Kind.HOLD, result(e.resolve(a.number(), t0.plusSeconds(10))).kind());
      // the live visitor keeps coming back within its lease for two days: its session must survive any trimming
      for (int h = 0; h < 49; h++) {
        result(e.assign(p.id(), "live", GOOGLE_CPC));
        clock.advance(Duration.ofMinutes(59));
      }
      result(e.sweep());
      assertEquals(Optional.empty(), result(e.session(a.sessionId())), "trimmed with its history");
      assertEquals(Resolution.Kind.UNATTRIBUTED, result(e.resolve(a.number(), t0.plusSeconds(10))).kind());
      Session stillLive = result(e.session(live.sessionId())).orElseThrow();
      assertEquals(Session.State.LEASED, stillLive.state());
      assertEquals(t0, stillLive.startedAt());
      assertEquals(live.sessionId(), result(e.resolve(live.number(), clock.instant())).session().sessionId());
      assertEquals(1, result(e.status(pool.id())).free());
    }
  }

  @Test
  void historyIsTrimmedWhenTheNumberIsAssignedAgain() {
    try (PoolFixture shortMemory = new PoolFixture(clock, Duration.ofDays(1))) {
      RedisPoolEngine e = shortMemory.engine;
      PropertyConfig p = shortMemory.newProperty();
      shortMemory.newPool(p, 1, 60, 0, OnExhausted.FALLBACK, null);
      Assignment a = result(e.assign(p.id(), "a", GOOGLE_CPC));
      result(e.release(a.sessionId()));
      clock.advance(Duration.ofDays(2));
      Assignment b = result(e.assign(p.id(), "b", GOOGLE_CPC));
      assertEquals(a.number(), b.number());
      assertEquals(Optional.empty(), result(e.session(a.sessionId())));
      String history = result(shortMemory.redis.hget(new PoolKeys(b.poolId()).histories(),
          b.number().e164())).toString();
      List<SessionCodec.HistoryEntry> entries = SessionCodec.HistoryEntry.all(history);
      assertEquals(1, entries.size(), history);
      assertEquals(b.sessionId().substring(b.sessionId().indexOf('.') + 1), entries.get(0).random(), history);
      assertNull(entries.get(0).end(), "b may still be live: " + history);
    }
  }

  @Test
  void theSweepTrimsALargePoolsHistoryASliceAtATime() {
    try (PoolFixture shortMemory = new PoolFixture(clock, Duration.ofDays(1))) {
      PropertyConfig p = shortMemory.newProperty();
      shortMemory.newPool(p, 400, 60, 0, OnExhausted.FALLBACK, null);
      List<String> ended = new java.util.ArrayList<>();
      for (int i = 0; i < 400; i++) { // 400 numbers, each with one ended visit in its history
        ended.add(result(shortMemory.engine.assign(p.id(), "v" + i, GOOGLE_CPC)).sessionId());
        result(shortMemory.engine.release(ended.get(i)));
      }
      PoolKeys k = new PoolKeys(ended.get(0).substring(0, ended.get(0).indexOf('.')));
      clock.advance(Duration.ofDays(2));
      long left = sweepAndCount(shortMemory, k);
      assertTrue(left > 0 && left < 400, "one sweep trims a slice of the numbers, not all: " + left + " left");
      for (int run = 0; run < 12 && left > 0; run++) {
        left = sweepAndCount(shortMemory, k);
      }
      assertEquals(0, left, "the slices go round every number");
      assertEquals(0, result(shortMemory.redis.scard(k.historyNumbers())).toLong());
    }
  }

  @Test
  void enginesSweepingOnATimerShareOneSweepPerPoolPerGap() {
    Duration gap = Duration.ofSeconds(4);
    try (PoolFixture one = new PoolFixture(clock, Duration.ofDays(1));
        PoolFixture two = new PoolFixture(clock, Duration.ofDays(1))) {
      PropertyConfig p = one.newProperty();
      one.newPool(p, 300, 60, 0, OnExhausted.FALLBACK, null);
      String poolId = null;
      for (int i = 0; i < 300; i++) { // 300 numbers, each with one ended visit: each sweep trims a slice
        Assignment a = result(one.engine.assign(p.id(), "v" + i, GOOGLE_CPC));
        result(one.engine.release(a.sessionId()));
        poolId = a.poolId();
      }
      PoolKeys k = new PoolKeys(poolId);
      clock.advance(Duration.ofDays(2));
      long left = historiesAfter(one.engine.sweepUnlessSweptWithin(gap), one, k);
      assertTrue(left < 300, "the first engine's sweep is due: " + left);
      assertEquals(left, historiesAfter(two.engine.sweepUnlessSweptWithin(gap), two, k), "just swept by the other");
      clock.advance(Duration.ofSeconds(3));
      assertEquals(left, historiesAfter(two.engine.sweepUnlessSweptWithin(gap), two, k), "3 s later, still");
      long forced = historiesAfter(two.engine.sweep(), two, k);
      assertTrue(forced < left, "a sweep asked for runs whatever: " + forced + " of " + left);
      clock.advance(Duration.ofSeconds(3));
      assertEquals(forced, historiesAfter(one.engine.sweepUnlessSweptWithin(gap), one, k), "the gap counts from it");
      clock.advance(Duration.ofSeconds(1));
      assertTrue(historiesAfter(one.engine.sweepUnlessSweptWithin(gap), one, k) < forced, "due again after the gap");
    }
  }

  @Test
  void recycleMarksAreWalkedOnlyOnceOneMayBeOlderThanTheWindow() {
    try (PoolFixture shortMemory = new PoolFixture(clock, Duration.ofDays(1))) {
      RedisPoolEngine e = shortMemory.engine;
      PropertyConfig p = shortMemory.newProperty();
      shortMemory.newPool(p, 1, 60, 0, OnExhausted.RECYCLE_OLDEST, null);
      Instant t0 = clock.instant();
      String poolId = null;
      for (int i = 0; i < 40; i++) { // one number: each visit recycles the one before
        poolId = result(e.assign(p.id(), "v" + i, GOOGLE_CPC)).poolId();
        clock.advance(Duration.ofSeconds(1));
      }
      PoolKeys k = new PoolKeys(poolId);
      // 39 recycled sessions, the first 7 past the number's history depth (32): only a walk of the
      // marks drops theirs
      assertEquals(39, result(shortMemory.redis.hlen(k.recycled())).toLong());

      clock.advance(Duration.ofHours(1));
      for (int sweep = 0; sweep < 10 && result(shortMemory.redis.hget(k.meta(), "recycled-oldest")) == null; sweep++) {
        result(e.sweep());
      }
      assertEquals(Long.toString(t0.plusSeconds(1).toEpochMilli()), // the second visit's recycle
          String.valueOf(result(shortMemory.redis.hget(k.meta(), "recycled-oldest"))),
          "a whole walk sets the bound to the oldest mark it kept");
      // a mark planted behind the bound's back, already past the window: a walk would drop it, and
      // none runs while the bound says no mark can be due
      String planted = Long.toString(t0.minus(Duration.ofDays(2)).toEpochMilli());
      result(shortMemory.redis.hset(List.of(k.recycled(), "planted", planted)));
      result(e.sweep());
      assertEquals(planted, String.valueOf(result(shortMemory.redis.hget(k.recycled(), "planted"))),
          "no walk while the bound is inside the window");
      assertEquals(40, result(shortMemory.redis.hlen(k.recycled())).toLong());

      clock.advance(Duration.ofDays(2));
      for (int sweep = 0; sweep < 10 && result(shortMemory.redis.hlen(k.recycled())).toLong() > 0; sweep++) {
        result(e.sweep());
      }
      assertEquals(0, result(shortMemory.redis.hlen(k.recycled())).toLong(), "walked once past the window");
    }
  }

  /** How many numbers still have a history once {@code sweep} is done. */
  private static long historiesAfter(Future<Integer> sweep, PoolFixture f, PoolKeys k) {
    result(sweep);
    return result(f.redis.hlen(k.histories())).toLong();
  }

  /** Sweeps once; how many numbers still have a history (each had one session). */
  private static long sweepAndCount(PoolFixture f, PoolKeys k) {
    return historiesAfter(f.engine.sweep(), f, k);
  }

  @Test
  void numbersDroppedFromAPoolLeaveWhenTheirSessionEnds() {
    PropertyConfig p = f.newProperty();
    List<PhoneNumber> numbers = TestNumbers.fresh(2);
    PoolConfig pool = f.newPool(p, numbers, 60, 300, OnExhausted.FALLBACK, null);
    Assignment a = assign(p, "a"); // takes one of the two (both idle since 0: either)
    PhoneNumber kept = numbers.stream().filter(n -> !n.equals(a.number())).findFirst().orElseThrow();
    result(f.store.putPool(new PoolConfig(pool.id(), p.id(), List.of(kept), 60, 300, OnExhausted.FALLBACK, null)));
    PoolStatus st = status(pool);
    assertEquals(1, st.size());
    assertEquals(1, st.leaving(), "still with its session");
    assertEquals(0, st.leased(), "no longer the pool's: a shrunk pool is not shown fuller than it is");
    assertEquals(1, st.free());
    assertEquals(0.0, st.utilization());
    assertEquals(Session.State.LEASED, session(a).state());
    result(engine.release(a.sessionId()));
    st = status(pool);
    assertEquals(1, st.leaving(), "held now");
    assertEquals(0, st.holding());
    clock.advance(Duration.ofSeconds(301));
    st = status(pool);
    assertEquals(0, st.leaving(), "gone with its hold");
    assertEquals(0, st.holding());
    assertEquals(1, st.free());
    assertEquals(kept, assign(p, "b").number());
    assertTrue(assign(p, "c").fallback());
  }

  /**
   * A number taken out of a pool (to give back to the carrier, or to another pool) must leave the
   * open pages that show it: a heartbeat no longer renews its lease, so the page asks again and gets
   * one of the pool's, and the number leaves when that lease and its hold are over.
   */
  @Test
  void aNumberDroppedFromAPoolIsNotRenewedByHeartbeats() {
    PropertyConfig p = f.newProperty();
    List<PhoneNumber> numbers = TestNumbers.fresh(2);
    PoolConfig pool = f.newPool(p, numbers, 60, 300, OnExhausted.FALLBACK, null);
    Assignment a = assign(p, "a");
    PhoneNumber kept = numbers.stream().filter(n -> !n.equals(a.number())).findFirst().orElseThrow();
    clock.advance(Duration.ofSeconds(30));
    assertEquals(clock.instant().plusSeconds(60), result(engine.heartbeat(a.sessionId())), "renewed while in the pool");
    result(f.store.putPool(new PoolConfig(pool.id(), p.id(), List.of(kept), 60, 300, OnExhausted.FALLBACK, null)));

    clock.advance(Duration.ofSeconds(30));
    assertInstanceOf(CalltrackException.Gone.class, failure(engine.heartbeat(a.sessionId())));
    Assignment again = assign(p, "a");
    assertEquals(kept, again.number(), "asked again, the visitor gets the pool's number");
    for (int s = 0; s < 31 + 300; s += 50) { // the first lease's end, then its hold; the page heartbeats
      clock.advance(Duration.ofSeconds(50));
      result(engine.heartbeat(again.sessionId()));
    }
    PoolStatus st = status(pool);
    assertEquals(1, st.size());
    assertEquals(0, st.holding(), "the dropped number has left");
    assertEquals(1, st.leased(), "the visitor's new lease");
  }

  @Test
  void aPoolWhoseRuntimeKeysWereLostIsRepairedOnAssign() {
    PropertyConfig p = f.newProperty();
    PoolConfig pool = f.newPool(p, 2, 60, 300, OnExhausted.FALLBACK, null);
    PoolKeys k = new PoolKeys(pool.id());
    result(f.redis.del(List.of(k.meta(), k.numbers(), k.free()))); // as if the writer died after the config write
    Assignment a = assign(p, "a");
    assertFalse(a.fallback());
    assertEquals(2, status(pool).size());
  }

  @Test
  void leasesLiveInRedisAndSurviveAnEngineRestart() {
    PropertyConfig p = f.newProperty();
    PoolConfig pool = f.newPool(p, 2, 60, 300, OnExhausted.FALLBACK, null);
    Assignment a = assign(p, "a");
    f.close();
    f = new PoolFixture(clock); // a new process: its own Vert.x, Redis client, store and engine
    engine = f.engine;
    clock.advance(Duration.ofSeconds(30));
    assertEquals(clock.instant().plusSeconds(60), result(engine.heartbeat(a.sessionId())));
    assertEquals(a.number(), assign(p, "a").number());
    assertEquals(1, status(pool).leased());
  }

  /**
   * A visitor back through another campaign's ad while its visit still holds the number keeps the
   * number, and its visit's touch becomes the new one (with the first touch the snippet sends beside
   * it): a call now is the new campaign's under the last-touch model. Back through the same channel,
   * the visit's touch stays as it was.
   */
  @Test
  void aVisitorBackThroughAnotherChannelKeepsTheNumberAndTakesTheNewTouch() {
    PropertyConfig p = f.newProperty();
    f.newPool(p, 2, 60, 300, OnExhausted.FALLBACK, null);
    Attribution google = new Attribution("google", "cpc", "spring", "boilers", null,
        "/boilers?" + "x".repeat(600), null, "gclid-1", null, null, null, null); // more pieces than the next touch
    Assignment first = result(engine.assign(p.id(), "visitor-a", google));
    clock.advance(java.time.Duration.ofMinutes(1));
    Attribution facebook = new Attribution("facebook", "paid", "retarget", null, null, "/offer", null, null, null,
        null, null, "fbclid-1", null, null, google);
    Assignment back = result(engine.assign(p.id(), "visitor-a", facebook));
    assertEquals(first.sessionId(), back.sessionId(), "the same visit");
    assertEquals(first.number(), back.number(), "the same number");
    Attribution now = session(back).attribution();
    assertEquals("facebook", now.source());
    assertEquals("/offer", now.landingPage());
    assertEquals("fbclid-1", now.fbclid());
    assertNull(now.gclid(), "nothing of the old touch's pieces left: " + now);
    assertEquals("google", now.first().source());
    assertEquals("facebook", result(engine.resolve(back.number(), clock.instant())).session().attribution().source());

    clock.advance(java.time.Duration.ofMinutes(1));
    Attribution facebookAgain = new Attribution("facebook", "paid", "retarget", null, null, "/other-page", null,
        null, null, null, null, null, null, null, google);
    result(engine.assign(p.id(), "visitor-a", facebookAgain));
    assertEquals("/offer", session(back).attribution().landingPage(), "the same channel: the touch stays");
  }


  /**
   * The visitor's journey (every touch's channel and time) is kept with the visit and read back with
   * it by a call: with a journey that changes (a new channel on the same visit) and one of many touches.
   */
  @Test
  void aVisitsJourneyIsKeptAndResolvedWithItsCall() {
    PropertyConfig p = f.newProperty();
    f.newPool(p, 2, 60, 300, OnExhausted.FALLBACK, null);
    java.time.Instant t0 = java.time.Instant.parse("2026-11-02T09:00:00Z");
    List<io.calltrack.core.attribution.Touch> two = List.of(
        new io.calltrack.core.attribution.Touch("google", "organic", null, t0),
        new io.calltrack.core.attribution.Touch("google", "cpc", "spring", t0.plusSeconds(86_400)));
    Attribution first = new Attribution("google", "cpc", "spring", null, null, "/a", null, "g-1", null, null, null,
        null, null, null, new Attribution("google", "organic", null, null, null, "/", null, null, null, null, null,
            null), null, two);
    Assignment a = result(engine.assign(p.id(), "visitor-j", first));
    assertEquals(two, session(a).attribution().journey());

    clock.advance(java.time.Duration.ofMinutes(1));
    List<io.calltrack.core.attribution.Touch> three = new java.util.ArrayList<>(two);
    three.add(new io.calltrack.core.attribution.Touch("facebook", "paid", "retarget", t0.plusSeconds(90_000)));
    Attribution back = new Attribution("facebook", "paid", "retarget", null, null, "/b", null, null, null, null,
        null, null, null, null, first.firstTouch(), null, three);
    Assignment b = result(engine.assign(p.id(), "visitor-j", back));
    assertEquals(a.number(), b.number());
    Attribution resolved = result(engine.resolve(b.number(), clock.instant())).session().attribution();
    assertEquals(three, resolved.journey(), "the call reads the journey as it is now");
    assertEquals(3, resolved.touchpoints());

    List<io.calltrack.core.attribution.Touch> many = new java.util.ArrayList<>();
    for (int i = 0; i < 25; i++) {
      many.add(new io.calltrack.core.attribution.Touch("site-" + i, "referral", null, t0.plusSeconds(i)));
    }
    Attribution longJourney = new Attribution("site-24", "referral", null, null, null, "/c", null, null, null, null,
        null, null, null, null, null, null, many);
    Attribution kept = session(result(engine.assign(p.id(), "visitor-k", longJourney))).attribution();
    assertEquals(io.calltrack.core.attribution.Touch.MAX_TOUCHES, kept.journey().size());
    assertEquals("site-0", kept.journey().get(0).source(), "the first touch is kept");
    assertEquals("site-24", kept.journey().get(kept.journey().size() - 1).source(), "and the latest ones");
  }

  /**
   * An attribution longer than a session keeps (kilobyte channel names and click ids: what any client
   * may send) still gets its number, with its channel kept as far as it fits.
   */
  @Test
  void anAttributionTooLongToKeepWholeStillGetsItsNumber() {
    PropertyConfig p = f.newProperty();
    f.newPool(p, 2, 60, 300, OnExhausted.FALLBACK, null);
    String k = "\u00e9".repeat(2000); // two UTF-8 bytes each
    Attribution huge = new Attribution("src" + k, "med" + k, "camp" + k, k, k, "/" + k, null, "g" + k, "b" + k, "w" + k,
        "m" + k, "f" + k);
    Assignment a = result(engine.assign(p.id(), "visitor-h", huge));
    assertNotNull(a.number());
    assertTrue(session(a).attribution().source().startsWith("src\u00e9"), "the channel, cut");
  }
}
