package io.calltrack.advisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.config.RedisConfigStore;
import io.calltrack.core.redis.RedisClientFactory;
import io.calltrack.core.testing.Await;
import io.calltrack.core.testing.TestRedis;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Small days on the real engine and Redis: a few seconds each. */
@Timeout(120)
class PoolSimulationTest {
  static Vertx vertx;
  static RedisConfigStore store;
  static PoolSimulation simulation;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    Redis client = RedisClientFactory.create(vertx, TestRedis.url());
    store = Await.result(RedisConfigStore.create(vertx, client));
    simulation = new PoolSimulation(vertx, client, store);
  }

  @AfterAll
  static void stop() {
    Await.result(store.close());
    Await.result(vertx.close());
  }

  static TrafficParams small() {
    return TrafficGeneratorTest.params(150, TrafficParams.DEFAULT_CURVE, 0.3, 0.5, 0.2, 1);
  }

  @Test
  void aPoolAsLargeAsTheDayNeverFallsBackNorMisattributes() {
    TrafficParams p = small();
    List<Visit> visits = TrafficGenerator.days(p, SizePool.DAY);
    SimResult r = simulation.run(p, visits, SizePool.DAY, 150);
    long callers = visits.stream().filter(v -> v.callAt() != null).count();
    long duringLease = visits.stream().filter(v -> v.callAt() != null && !v.callAt().isAfter(v.pageClosed())).count();
    assertEquals(callers, r.calls());
    assertEquals(0, r.fallbackVisits());
    assertEquals(0, r.count(CallOutcome.FALLBACK));
    // 150 numbers for 150 visits: none is ever reused, so every attributed call has one candidate
    assertEquals(0, r.wrong(CallOutcome.EXACT));
    assertEquals(0, r.wrong(CallOutcome.PROBABLE));
    assertEquals(0, r.count(CallOutcome.UNATTRIBUTED)); // soft holds: even calls after the hold find their visit
    assertTrue(r.count(CallOutcome.EXACT) >= duringLease * 8 / 10, r.toString());
    assertTrue(r.peakInUse() > 0 && r.peakInUse() <= 150);
    // the ceiling: one candidate per call, so the oracle is certain of every call, and right
    assertEquals(r.calls(), r.ceiling().calls());
    assertEquals(r.calls(), r.ceiling().exact());
    assertEquals(0, r.ceiling().exactWrong());
  }

  @Test
  void aTinyPoolRunsOutAndCallersOfTheDefaultNumberAreFallback() {
    TrafficParams p = small();
    List<Visit> visits = TrafficGenerator.days(p, SizePool.DAY);
    SimResult r = simulation.run(p, visits, SizePool.DAY, 2);
    assertTrue(r.fallbackVisits() > 0, r.toString());
    assertTrue(r.count(CallOutcome.FALLBACK) > 0, r.toString());
    assertTrue(r.peakInUse() <= 2);
    // calls shown the default number cannot be exact, not even for the oracle
    assertTrue(r.ceiling().exact() <= r.calls() - r.count(CallOutcome.FALLBACK), r.ceiling().toString());
    assertTrue(r.exact() < simulation.run(p, visits, SizePool.DAY, 150).exact());
  }

  @Test
  void theAdvisorFindsASizeAndWritesItsFiles(@TempDir Path out) throws Exception {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int code = SizePool.run(new String[] {"--redis-url", TestRedis.url(), "--visitors-per-day", "120",
        "--days", "1", "--call-share", "0.3", "--hold-seconds", "86400", "--target", "80", "--grid", "3",
        "--out", out.toString()}, new PrintStream(buf, true, StandardCharsets.UTF_8));
    String text = buf.toString(StandardCharsets.UTF_8);
    assertEquals(0, code, text);
    assertTrue(text.contains("smallest pool with >= 80.0% of calls exact"), text);
    assertTrue(text.contains("1 number per 20 daily visitors:                       6"), text);
    assertTrue(Files.size(out.resolve("exact-vs-pool-size.png")) > 1000);
    List<String> csv = Files.readAllLines(out.resolve("pool-sizes.csv"));
    assertTrue(csv.size() > 3, csv.toString());
    assertTrue(Files.readString(out.resolve("summary.json")).contains("\"smallestPool\""));
    assertTrue(Files.readString(out.resolve("table.txt")).contains("smallest pool with >= 80.0%"));
    assertTrue(text.contains("wrong-in-exact%"), text);
  }

  @Test
  void whenCallsComeLongAfterTheVisitNoPoolSizeHelpsAndTheSearchStopsEarly(@TempDir Path out) throws Exception {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int code = SizePool.run(new String[] {"--redis-url", TestRedis.url(), "--visitors-per-day", "100",
        "--days", "1", "--call-share", "0.5", "--call-after-leave-share", "1", "--hold-seconds", "0",
        "--call-delay-median-minutes", "600", "--on-exhausted", "fallback",
        "--tabs-left-open-share", "0", "--grid", "0", "--out", out.toString()},
        new PrintStream(buf, true, StandardCharsets.UTF_8));
    String text = buf.toString(StandardCharsets.UTF_8);
    assertEquals(1, code, text);
    assertTrue(text.contains("no pool size simulated reaches 99.0% exact"), text);
    int largest = Files.readAllLines(out.resolve("pool-sizes.csv")).stream().skip(1)
        .mapToInt(l -> Integer.parseInt(l.split(",")[0])).max().orElseThrow();
    assertTrue(largest <= 256, "searched up to " + largest + " numbers for 100 visitors:\n" + text);
  }

  @Test
  void fromRedisSizesAPoolFromItsOwnSessions(@TempDir Path out) throws Exception {
    io.calltrack.core.testing.MutableClock clock = io.calltrack.core.testing.MutableClock.at("2026-01-05T09:00:00Z");
    io.calltrack.core.pool.RedisPoolEngine engine = new io.calltrack.core.pool.RedisPoolEngine(vertx,
        RedisClientFactory.create(vertx, TestRedis.url()), store, clock);
    String propertyId = TestRedis.uniqueId("observed");
    io.calltrack.core.phone.PhoneNumber main = io.calltrack.core.testing.TestNumbers.fresh();
    Await.result(store.putProperty(new io.calltrack.core.config.PropertyConfig(propertyId, null, List.of(), List.of(main),
        main, null, null)));
    String poolId = TestRedis.uniqueId("observedpool");
    Await.result(store.putPool(new io.calltrack.core.config.PoolConfig(poolId, propertyId,
        io.calltrack.core.testing.TestNumbers.fresh(10), 60, 600, io.calltrack.core.config.PoolConfig.OnExhausted.FALLBACK, null)));
    for (int i = 0; i < 40; i++) { // 40 visits over 20 hours, each on the page 4 minutes then released
      var a = Await.result(engine.assign(propertyId, null, io.calltrack.core.attribution.Attribution.UNKNOWN, "America/Chicago"));
      for (int beat = 0; beat < 8; beat++) { // the page renews its 60 s lease every 30 s, as dni.js does
        clock.advance(java.time.Duration.ofSeconds(30));
        Await.result(engine.heartbeat(a.sessionId()));
      }
      Await.result(engine.release(a.sessionId()));
      clock.advance(java.time.Duration.ofMinutes(26));
    }
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int code = SizePool.run(new String[] {"--redis-url", TestRedis.url(), "--from-redis", poolId, "--sizes", "4",
        "--days", "1", "--out", out.toString()}, new PrintStream(buf, true, StandardCharsets.UTF_8));
    String text = buf.toString(StandardCharsets.UTF_8);
    assertTrue(code == 0 || code == 1, text);
    assertTrue(text.contains("from pool " + poolId + " in Redis: 40 sessions"), text);
    assertTrue(text.contains("100% in the most common zone"), text);
    assertTrue(text.contains("lease 60 s, hold 600 s, fallback"), text);
    assertTrue(text.contains("size-pool: 40 visitors/day"), text); // 40 sessions within a day
    assertTrue(text.contains("page time median 4.0 min"), text);
  }

  @Test
  void badFlagsAreAUsageError() {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    assertEquals(2, SizePool.run(new String[] {"--visitors-per-dya", "5"}, new PrintStream(buf, true, StandardCharsets.UTF_8)));
    assertTrue(buf.toString(StandardCharsets.UTF_8).contains("unknown setting"));
  }
}
