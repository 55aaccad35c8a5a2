package io.calltrack.core.privacy;

import static io.calltrack.core.testing.Await.result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.calltrack.core.calls.CallEvent;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.RedisCallStore;
import io.calltrack.core.config.PropertyConfig;
import io.calltrack.core.config.Retention;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.core.redis.RedisClientFactory;
import io.calltrack.core.testing.TestNumbers;
import io.calltrack.core.testing.TestRedis;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How far a property keeps its caller-number retention, against a real Redis: calls past it that the
 * sweep has not reached are overdue, none once it has, and a property without the retention has no rate.
 */
class RetentionComplianceTest {
  static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
  Vertx vertx;
  Redis redis;
  RedisAPI api;
  RetentionSweep sweep;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    redis = RedisClientFactory.create(vertx, TestRedis.url());
    api = RedisAPI.api(redis);
    sweep = new RetentionSweep(api, Clock.fixed(NOW, ZoneOffset.UTC));
  }

  @AfterEach
  void tearDown() {
    result(vertx.close());
  }

  private PropertyConfig property(Integer callerNumbersDays) {
    PhoneNumber business = TestNumbers.fresh();
    return new PropertyConfig(TestRedis.uniqueId("retain"), null, List.of(), List.of(business), business, null, "UTC",
        null, callerNumbersDays == null ? null : new Retention(null, callerNumbersDays, null));
  }

  private void call(PropertyConfig p, String caller, Instant start) {
    String id = TestRedis.uniqueId("call");
    CallRecord r = CallRecord.started(id, id + "@sip", TestNumbers.fresh(), caller, p.id(), start);
    result(new RedisCallStore(redis).apply(new CallEvent(id, 0, CallEvent.Type.STARTED, start, r)));
  }

  @Test
  void callsPastTheRetentionAreOverdueUntilTheSweepReachesThem() {
    PropertyConfig p = property(30);
    call(p, "+14155550301", NOW.minus(Duration.ofDays(45)));
    call(p, "+14155550302", NOW.minus(Duration.ofDays(31)));
    call(p, "+14155550303", NOW.minus(Duration.ofDays(29)));
    RetentionSweep.Compliance before = result(sweep.compliance(p));
    assertEquals(30, before.callerNumbersDays());
    assertEquals(2, before.callsPastCallerRetention());
    assertEquals(2, before.callerNumbersOverdue());
    assertEquals(NOW.minus(Duration.ofDays(45)), before.oldestOverdueCallStartedAt());
    assertEquals(0, BigDecimal.ZERO.compareTo(before.privacyComplianceRate()));

    result(sweep.expireCallers(p.id(), NOW.minus(Duration.ofDays(30)).toEpochMilli(), 1));
    RetentionSweep.Compliance after = result(sweep.compliance(p));
    assertEquals(2, after.callsPastCallerRetention());
    assertEquals(0, after.callerNumbersOverdue());
    assertNull(after.oldestOverdueCallStartedAt());
    assertEquals(new BigDecimal("1.0000"), after.privacyComplianceRate());

    // a day later the third call is past the retention too, and overdue until the next sweep
    RetentionSweep tomorrow = new RetentionSweep(api, Clock.fixed(NOW.plus(Duration.ofDays(2)), ZoneOffset.UTC));
    RetentionSweep.Compliance later = result(tomorrow.compliance(p));
    assertEquals(3, later.callsPastCallerRetention());
    assertEquals(1, later.callerNumbersOverdue());
    assertEquals(new BigDecimal("0.6667"), later.privacyComplianceRate());
  }

  @Test
  void withoutCallsPastItOrWithoutTheRetentionThereIsNoRate() {
    PropertyConfig recent = property(30);
    call(recent, "+14155550304", NOW.minus(Duration.ofDays(1)));
    RetentionSweep.Compliance c = result(sweep.compliance(recent));
    assertEquals(0, c.callsPastCallerRetention());
    assertNull(c.privacyComplianceRate());

    PropertyConfig forever = property(null);
    call(forever, "+14155550305", NOW.minus(Duration.ofDays(400)));
    RetentionSweep.Compliance none = result(sweep.compliance(forever));
    assertNull(none.callerNumbersDays());
    assertEquals(0, none.callerNumbersOverdue());
    assertNull(none.privacyComplianceRate(), "numbers kept until erased: no retention to comply with");
  }
}
