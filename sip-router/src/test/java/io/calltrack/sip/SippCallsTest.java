package io.calltrack.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.CallStatus;
import io.calltrack.core.calls.RedisCallStore;
import io.calltrack.core.config.PropertyConfig;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.core.redis.EmbeddedRedis;
import io.calltrack.core.redis.RedisClientFactory;
import io.calltrack.core.testing.TestRedis;
import io.calltrack.sip.testing.Sipp;
import io.calltrack.sip.testing.Wait;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** SIPp as the trunk and as the business line, through the router: checked by SIPp's exit codes and our records. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SippCallsTest {
  static final Duration SIPP_WAIT = Duration.ofSeconds(90);

  static Vertx vertx;
  static TestBackends config;
  static SipRouter router;
  static RedisCallStore calls;
  @TempDir static Path spool;

  @BeforeAll
  static void start() {
    Sipp.binary(); // fails at once, clearly, where sipp is missing
    vertx = Vertx.vertx();
    config = new TestBackends();
    calls = new RedisCallStore(RedisClientFactory.create(vertx, TestRedis.url()));
    router = Wait.result(SipRouter.start(vertx, new SipRouterOptions("127.0.0.1", EmbeddedRedis.freePort(),
        List.of("127.0.0.0/8"), TestRedis.url(), spool, new SimpleMeterRegistry(), Clock.systemUTC(),
        Duration.ofSeconds(10)), config.backends(vertx, TestRedis.url())));
  }

  @AfterAll
  static void stop() {
    try {
      if (router != null) {
        Wait.result(router.close());
      }
    } finally {
      Wait.result(vertx.close());
    }
  }

  static PhoneNumber property(int linePort, String transport) {
    PhoneNumber number = PhoneNumber.parse(String.format("+1555%07d", ThreadLocalRandom.current().nextInt(10_000_000)));
    String id = TestRedis.uniqueId("sipp");
    config.add(new PropertyConfig(id, id, List.of(), List.of(number), number,
        "sip:+15559990000@127.0.0.1:" + linePort + ("tcp".equals(transport) ? ";transport=tcp" : ""), "UTC"),
        List.of(number));
    router.refreshRoutingTable();
    Wait.until(Duration.ofSeconds(20), () -> router.routes(number));
    return number;
  }

  static List<CallRecord> finishedCallsTo(PhoneNumber number, int expected) {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    List<CallRecord> found = List.of();
    while (System.nanoTime() < deadline) {
      found = Wait.result(calls.page(Instant.now().minusSeconds(600), null, 500, null)).calls().stream()
          .filter(c -> number.equals(c.number())).toList();
      if (found.size() >= expected && found.stream().allMatch(c -> c.endedAt() != null)) {
        return found;
      }
      SipRouterTest.pause();
    }
    throw new AssertionError("expected " + expected + " finished calls to " + number + ", found " + found);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"udp", "tcp"})
  void answeredCall(String transport) {
    try (Sipp line = Sipp.uas("business-line-uas.xml", 1, transport)) {
      PhoneNumber number = property(line.port, transport);
      try (Sipp trunk = Sipp.uac("trunk-uac.xml", router.port(), number.e164(), 1, Duration.ofSeconds(2), transport)) {
        assertEquals(0, trunk.exitCode(SIPP_WAIT), () -> "trunk:\n" + trunk.output());
        assertEquals(0, line.exitCode(SIPP_WAIT), () -> "business line:\n" + line.output());
      }
      List<CallRecord> records = finishedCallsTo(number, 1);
      assertEquals(1, records.size(), records::toString);
      CallRecord r = records.get(0);
      assertEquals(CallStatus.ANSWERED, r.status());
      assertEquals("+15557770002", r.caller());
      assertTrue(Math.abs(r.durationSeconds() - 2) <= 1, "duration " + r.durationSeconds());
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"udp", "tcp"})
  void busyCall(String transport) {
    try (Sipp line = Sipp.uas("busy-uas.xml", 1, transport)) {
      PhoneNumber number = property(line.port, transport);
      try (Sipp trunk = Sipp.uac("trunk-uac-busy.xml", router.port(), number.digits(), 1, null, transport)) {
        assertEquals(0, trunk.exitCode(SIPP_WAIT), () -> "trunk:\n" + trunk.output());
        assertEquals(0, line.exitCode(SIPP_WAIT), () -> "business line:\n" + line.output());
      }
      CallRecord r = finishedCallsTo(number, 1).get(0);
      assertEquals(CallStatus.BUSY, r.status());
      assertEquals(486, r.finalCode());
    }
  }
}
