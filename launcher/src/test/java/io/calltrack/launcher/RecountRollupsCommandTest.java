package io.calltrack.launcher;

import static io.calltrack.core.testing.Await.result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.attribution.Attribution;
import io.calltrack.core.calls.CallEvent;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.CallStatus;
import io.calltrack.core.calls.RedisCallStore;
import io.calltrack.core.config.PropertyConfig;
import io.calltrack.core.config.RedisConfigStore;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.core.redis.RedisClientFactory;
import io.calltrack.core.rollup.RollupKeys;
import io.calltrack.core.rollup.RollupStore;
import io.calltrack.core.testing.TestNumbers;
import io.calltrack.core.testing.TestRedis;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code calltrack recount-rollups} against a real Redis: calls rolled up before the rollups kept the
 * multi-touch models' credit get it, on the days named in the property's time zone only.
 */
class RecountRollupsCommandTest {
  Vertx vertx;
  Redis redis;
  RedisAPI api;
  RedisConfigStore config;
  String property;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    redis = RedisClientFactory.create(vertx, TestRedis.url());
    api = RedisAPI.api(redis);
    config = result(RedisConfigStore.create(vertx, redis));
    PhoneNumber business = TestNumbers.fresh();
    property = TestRedis.uniqueId("recount");
    result(config.putProperty(new PropertyConfig(property, null, List.of(), List.of(business), business, null,
        "America/Chicago")));
  }

  @AfterEach
  void tearDown() {
    result(config.close());
    result(vertx.close());
  }

  /** A call stored and rolled up as before credit was kept: its contribution without credit. */
  private CallRecord oldCall(Instant start, String source) {
    String id = TestRedis.uniqueId("call");
    CallRecord r = CallRecord.started(id, id + "@sip", TestNumbers.fresh(), "+13125550100", property, start)
        .withAttribution("lease", null, new Attribution(source, "cpc", null, null, null, "/", null, null, null, null,
            null, null), List.of());
    RedisCallStore calls = new RedisCallStore(redis);
    result(calls.apply(new CallEvent(id, 0, CallEvent.Type.STARTED, start, r)));
    r = r.ended(start.plusSeconds(20), CallStatus.MISSED, 408);
    result(calls.apply(new CallEvent(id, 1, CallEvent.Type.ENDED, r.endedAt(), r)));
    RollupStore rollups = new RollupStore(redis, config);
    result(rollups.refresh(property, id, "1-0"));
    RollupKeys k = new RollupKeys(property);
    JsonObject contribution = new JsonObject(result(api.get(k.contribution(id))).toString());
    contribution.remove("credit");
    result(api.set(List.of(k.contribution(id), contribution.encode())));
    return r;
  }

  private Map<String, String> credit(LocalDate day) {
    return io.calltrack.core.rollup.Hashes.toMap(result(api.hgetall(new RollupKeys(property).day(day, "source@linear"))));
  }

  private void dropCredit(LocalDate day) {
    result(api.del(List.of(new RollupKeys(property).day(day, "source@linear"))));
  }

  @Test
  void recountsTheNamedDaysInThePropertysTimeZone() {
    // 03:00 UTC on the 21st is the evening of the 20th in Chicago; 12:00 UTC on the 21st is the 21st
    oldCall(Instant.parse("2026-11-21T03:00:00Z"), "google");
    oldCall(Instant.parse("2026-11-21T12:00:00Z"), "bing");
    LocalDate d20 = LocalDate.parse("2026-11-20");
    LocalDate d21 = LocalDate.parse("2026-11-21");
    dropCredit(d20);
    dropCredit(d21);

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.recountRollups(Settings.fromEnv(Map.of("CALLTRACK_REDIS_URL", TestRedis.url())),
        List.of("--property", property, "--from", "2026-11-20", "--to", "2026-11-20"),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
    assertEquals("  " + property + ": 1 calls rolled up again\n", out.toString(StandardCharsets.UTF_8));
    assertEquals(Map.of("calls:google", "1000000"), credit(d20));
    assertEquals(Map.of(), credit(d21), "the 21st was not named");
  }

  @Test
  void badOptionsAreRefusedBeforeAnythingRuns() {
    for (List<String> bad : List.of(List.of("--from", "20-11-2026"), List.of("--property"), List.of("--since", "x"),
        List.of("--from", "2026-11-21", "--to", "2026-11-20"))) {
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int code = Main.recountRollups(Settings.fromEnv(Map.of("CALLTRACK_REDIS_URL", TestRedis.url())), bad,
          new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
      assertEquals(2, code, bad.toString());
      assertTrue(err.toString(StandardCharsets.UTF_8).contains("usage: calltrack recount-rollups"), err.toString());
    }
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    assertEquals(2, Main.recountRollups(Settings.fromEnv(Map.of()), List.of(),
        new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8)));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("CALLTRACK_REDIS_URL"), err.toString());
  }
}
