package io.calltrack.sip;

import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.RedisCallStore;
import io.calltrack.core.config.PoolConfig;
import io.calltrack.core.config.PropertyConfig;
import io.calltrack.core.config.RedisConfigStore;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.localredis.EmbeddedRedis;
import io.calltrack.core.redis.RedisClientFactory;
import io.calltrack.core.testing.Await;
import io.calltrack.core.testing.TestNumbers;
import io.calltrack.core.testing.TestRedis;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Vert.x, the real Redis stores, and routers started through the public entry point, for the SIP tests. */
final class RouterFixture implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(30);

  final Vertx vertx = Vertx.vertx();
  final String redisUrl;
  final Redis redis;
  final RedisConfigStore config;
  final RedisCallStore calls;
  private final Path spoolRoot;
  private final List<SipRouter> routers = new ArrayList<>();

  RouterFixture(String redisUrl, Path spoolRoot) {
    this.redisUrl = redisUrl;
    this.spoolRoot = spoolRoot;
    this.redis = RedisClientFactory.create(vertx, redisUrl);
    this.config = Await.result(RedisConfigStore.create(vertx, redis));
    this.calls = new RedisCallStore(redis);
  }

  RouterFixture(Path spoolRoot) {
    this(TestRedis.url(), spoolRoot);
  }

  SipRouter router(List<String> trunks, Duration answerTimeout) {
    return router(trunks, answerTimeout, new SimpleMeterRegistry());
  }

  SipRouter router(List<String> trunks, Duration answerTimeout, MeterRegistry registry) {
    int port = EmbeddedRedis.freePort();
    return router(port, trunks, answerTimeout, registry, spoolRoot.resolve("spool-" + port));
  }

  SipRouter router(int port, List<String> trunks, Duration answerTimeout, MeterRegistry registry, Path spoolDir) {
    return router(port, trunks, answerTimeout, registry, spoolDir, Clock.systemUTC(), null);
  }

  SipRouter router(int port, List<String> trunks, Duration answerTimeout, MeterRegistry registry, Path spoolDir,
      Clock clock) {
    return router(port, trunks, answerTimeout, registry, spoolDir, clock, null);
  }

  /** A router that writes {@code advertise} ({@code host[:port]}) into Record-Route and Via. */
  SipRouter router(int port, List<String> trunks, Duration answerTimeout, MeterRegistry registry, Path spoolDir,
      String advertise) {
    return router(port, trunks, answerTimeout, registry, spoolDir, Clock.systemUTC(), advertise);
  }

  SipRouter router(int port, List<String> trunks, Duration answerTimeout, MeterRegistry registry, Path spoolDir,
      Clock clock, String advertise) {
    return start(new SipRouterOptions("127.0.0.1", port, trunks, redisUrl, spoolDir, registry, clock, answerTimeout,
        advertise));
  }

  /** A router with {@code limits} (rates, drain time, TCP) instead of the defaults. */
  SipRouter router(List<String> trunks, Duration answerTimeout, RouterLimits limits) {
    return router(trunks, answerTimeout, new SimpleMeterRegistry(), limits);
  }

  SipRouter router(List<String> trunks, Duration answerTimeout, MeterRegistry registry, RouterLimits limits) {
    int port = EmbeddedRedis.freePort();
    return start(new SipRouterOptions("127.0.0.1", port, trunks, redisUrl, spoolRoot.resolve("spool-" + port),
        registry, Clock.systemUTC(), answerTimeout, null, limits));
  }

  /** A router whose calls' media go through the rtpengine at {@code ngAddress}, recordings kept in {@code recordings}. */
  SipRouter routerWithMedia(List<String> trunks, Duration answerTimeout, MeterRegistry registry, String ngAddress,
      Path recordings) {
    int port = EmbeddedRedis.freePort();
    return start(new SipRouterOptions("127.0.0.1", port, trunks, redisUrl, spoolRoot.resolve("spool-" + port),
        registry, Clock.systemUTC(), answerTimeout, null, null).withMedia(ngAddress, recordings));
  }

  /** A router that locates business lines by SRV through the DNS servers {@code dns} ({@code host:port}). */
  SipRouter routerWithDns(List<String> trunks, Duration answerTimeout, List<String> dns) {
    int port = EmbeddedRedis.freePort();
    return start(new SipRouterOptions("127.0.0.1", port, trunks, redisUrl, spoolRoot.resolve("spool-" + port),
        new SimpleMeterRegistry(), Clock.systemUTC(), answerTimeout, null, null).withDns(dns));
  }

  private SipRouter start(SipRouterOptions options) {
    SipRouter router = Await.result(SipRouter.start(vertx, options));
    routers.add(router);
    return router;
  }

  /** Closes a router before the fixture ends (closing it again at the end is harmless). */
  void close(SipRouter router) {
    Await.result(router.close());
    routers.remove(router);
  }

  /** A property with one tracking number (its pool) whose calls go to {@code businessLine}; waits until {@code router} routes it. */
  PhoneNumber property(String businessLine, SipRouter... routersToWaitFor) {
    return property(businessLine, false, routersToWaitFor);
  }

  /** As {@link #property(String, SipRouter...)}; {@code record}: the property records its calls. */
  PhoneNumber property(String businessLine, boolean record, SipRouter... routersToWaitFor) {
    return property(TestNumbers.fresh(), businessLine, record, routersToWaitFor);
  }

  /** As {@link #property(String, boolean, SipRouter...)}, for a number chosen by the test. */
  PhoneNumber property(PhoneNumber number, String businessLine, boolean record, SipRouter... routersToWaitFor) {
    return property(number, businessLine, p -> p.withRecording(record), routersToWaitFor);
  }

  /** As {@link #property(String, SipRouter...)}, the property as {@code shape} makes it. */
  PhoneNumber property(PhoneNumber number, String businessLine, java.util.function.UnaryOperator<PropertyConfig> shape,
      SipRouter... routersToWaitFor) {
    String id = TestRedis.uniqueId("prop");
    Await.result(config.putProperty(shape.apply(
        new PropertyConfig(id, id, List.of(), List.of(number), number, businessLine, "UTC"))));
    Await.result(config.putPool(new PoolConfig(TestRedis.uniqueId("pool"), id, List.of(number), null, null, null, null)));
    for (SipRouter r : routersToWaitFor) {
      Await.until(WAIT, () -> r.routes(number)); // the change message refreshes the router's table
    }
    return number;
  }

  /** Call records that started in the last 10 minutes and match {@code filter}. */
  List<CallRecord> records(Predicate<CallRecord> filter) {
    return Await.result(calls.page(Instant.now().minusSeconds(600), null, 500, null)).calls().stream()
        .filter(filter).toList();
  }

  /** Waits until exactly the records matching {@code filter} are {@code expected} many and all finished. */
  List<CallRecord> awaitFinished(Predicate<CallRecord> filter, int expected) {
    List<CallRecord> found = new ArrayList<>();
    try {
      Await.until(WAIT, () -> {
        found.clear();
        found.addAll(records(filter));
        return found.size() == expected && found.stream().allMatch(CallRecord::finished);
      });
    } catch (AssertionError e) {
      throw new AssertionError("expected " + expected + " finished call records, found " + found, e);
    }
    return found;
  }

  CallRecord awaitFinished(String sipCallId) {
    return awaitFinished(c -> sipCallId.equals(c.sipCallId()), 1).get(0);
  }

  @Override
  public void close() {
    try {
      for (SipRouter r : routers) {
        Await.result(r.close());
      }
      Await.result(config.close());
    } finally {
      Await.result(vertx.close());
    }
  }
}
