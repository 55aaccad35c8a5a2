package io.calltrack.sip;

import io.calltrack.core.calls.CallEvent;
import io.calltrack.core.calls.CallOutcome;
import io.calltrack.core.calls.CallPage;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.CallStore;
import io.calltrack.core.config.ConfigStore;
import io.calltrack.core.config.PoolConfig;
import io.calltrack.core.config.PropertyConfig;
import io.calltrack.core.config.RoutingTable;
import io.calltrack.core.config.StaticNumberConfig;
import io.calltrack.core.marketing.PropertySettings;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.core.pool.Assignment;
import io.calltrack.core.attribution.Attribution;
import io.calltrack.core.pool.Candidates;
import io.calltrack.core.pool.PoolEngine;
import io.calltrack.core.pool.PoolStatus;
import io.calltrack.core.pool.Resolution;
import io.calltrack.core.pool.Session;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Calls through a throwaway router before the real one listens (CALLTRACK_SIP_WARMUP_CALLS).
 *
 * <p>Why: a router that has never carried a call runs its first ones interpreted, loading and
 * initialising the classes of every step of a call, while the JIT compiles them. Started into 600 or
 * 1,000 calls/s, its call work queued past the overload limit in the first seconds and it refused
 * hundreds of INVITEs with 503 (in every cold start the benchmarks ever ran). With 2,000 calls carried
 * first (about 3.5 s on a 2-vCPU VM) it took 1,000 calls/s cleanly from the moment it listened (and
 * 1,500 in two starts of three)
 * (load-tests/README.md, "the router warms itself up before it listens"). The calls take the real
 * path (SIP stack, proxy, call policy, call objects and timers, the scoring of the number's visits,
 * journal) on a loopback port of the warm-up's own, with backends in memory: nothing reaches Redis, the
 * real router's meters or its spool.
 */
public final class RouterWarmUp {
  /** A number of the warm-up's own routing table only; never one of a real property. */
  static final String NUMBER = "+15550001000";
  private static final String PROPERTY = "calltrack-warm-up";
  private static final String POOL = "calltrack-warm-up";
  /** Longer than the journal's round (500 ms), so the last calls' records are written too. */
  private static final Duration JOURNAL_FLUSH = Duration.ofSeconds(2);

  /**
   * What the warm-up did: calls placed, calls answered and hung up, calls attributed to one of the
   * number's visits, and how long it took; its router, on a port of its own, is {@code closed} in the
   * background (the real router need not wait for it to listen).
   */
  public record Outcome(int calls, int completed, int attributed, Duration took, Future<Void> closed) {}

  private RouterWarmUp() {}

  /**
   * Places {@code calls} calls, {@code inFlight} at once, through a router of its own on loopback
   * {@code port} (free for UDP and TCP: JAIN-SIP cannot listen on port 0), then closes it; gives up on what is left after {@code within}. Its router keeps its spool in {@code dir}
   * (what a stopped warm-up left there is removed first; the directory is removed once it closes).
   * Blocks: not for an event loop.
   */
  public static Outcome run(Vertx vertx, int calls, int inFlight, Duration within, Clock clock, Path dir,
      int port) throws Exception {
    long start = System.nanoTime();
    remove(dir);
    Files.createDirectories(dir);
    SipRouter router = null;
    try (WarmUpLine line = new WarmUpLine(inFlight)) {
      // (the Redis address is never used: the backends are given; the options must name one)
      SipRouterOptions o = new SipRouterOptions("127.0.0.1", port, List.of("127.0.0.1/32"), "redis://127.0.0.1:1",
          dir, new SimpleMeterRegistry(), clock, Duration.ofSeconds(5), null,
          RouterLimits.DEFAULTS.withInviteRates(0, 0));
      DroppedCalls records = new DroppedCalls();
      long deadline = start + within.toNanos(); // one limit for all of it
      router = await(SipRouter.start(vertx, o, backends(line.lineUri(NUMBER), records)), left(deadline));
      int completed = line.place(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), NUMBER, calls,
          left(deadline));
      // the journal writes in rounds: its last one too
      Duration left = left(deadline);
      records.awaitEnded(completed, JOURNAL_FLUSH.compareTo(left) < 0 ? JOURNAL_FLUSH : left);
      return new Outcome(calls, completed, records.attributed(), Duration.ofNanos(System.nanoTime() - start),
          closeAndRemove(vertx, router, dir));
    } catch (Exception e) {
      closeAndRemove(vertx, router, dir);
      throw e;
    }
  }

  private static Future<Void> closeAndRemove(Vertx vertx, SipRouter router, Path dir) {
    Future<Void> closed = router == null ? Future.succeededFuture() : router.close();
    return closed.eventually(() -> vertx.executeBlocking(() -> {
      remove(dir);
      return null;
    }, false));
  }

  private static void remove(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private static Duration left(long deadline) {
    return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
  }

  private static <T> T await(Future<T> f, Duration within) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(within.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * The warm-up's backends: one property whose one pool number rings {@code lineUri}, with the number's
   * latest visits (so each call is scored and attributed, as a production call to a pool number is);
   * call events go to {@code records}, which counts and drops them.
   */
  static SipRouter.Backends backends(String lineUri, DroppedCalls records) {
    PhoneNumber number = PhoneNumber.parse(NUMBER);
    PropertyConfig property = new PropertyConfig(PROPERTY, PROPERTY, List.of(), List.of(number), number, lineUri,
        "UTC");
    RoutingTable table = new RoutingTable(Map.of(PROPERTY, property), Map.of(number, POOL), Map.of(),
        Map.of(number, PROPERTY));
    return new SipRouter.Backends(new TableOnly(table), change -> { }, new RecentVisits(number), records,
        id -> Future.succeededFuture(PropertySettings.DEFAULT), new io.calltrack.sip.callback.MissedCallStore() {
          @Override
          public Future<io.calltrack.core.callback.Callback> ask(io.calltrack.core.callback.Callback c, PropertyConfig p) {
            return notInAWarmUp();
          }

          @Override
          public Future<Integer> cancel(PropertyConfig p, String phone, String why) {
            return notInAWarmUp();
          }
        }, () -> { });
  }

  private static <T> Future<T> notInAWarmUp() {
    return Future.failedFuture(new UnsupportedOperationException("not in the router's warm-up"));
  }

  /** Configuration: the routing table and its property; nothing is written. */
  private record TableOnly(RoutingTable table) implements ConfigStore {
    @Override
    public Future<Void> putProperty(PropertyConfig property) {
      return notInAWarmUp();
    }

    @Override
    public Future<Optional<PropertyConfig>> updateProperty(String propertyId,
        java.util.function.UnaryOperator<PropertyConfig> change) {
      return notInAWarmUp();
    }

    @Override
    public Future<Optional<PropertyConfig>> property(String propertyId) {
      return Future.succeededFuture(Optional.ofNullable(table.properties().get(propertyId)));
    }

    @Override
    public Future<Void> putPool(PoolConfig pool) {
      return notInAWarmUp();
    }

    @Override
    public Future<Optional<PoolConfig>> pool(String poolId) {
      return Future.succeededFuture(Optional.empty());
    }

    @Override
    public Future<List<PoolConfig>> poolsOf(String propertyId) {
      return Future.succeededFuture(List.of());
    }

    @Override
    public Future<Void> putStaticNumber(StaticNumberConfig number) {
      return notInAWarmUp();
    }

    @Override
    public Future<Optional<StaticNumberConfig>> staticNumber(PhoneNumber number) {
      return Future.succeededFuture(Optional.empty());
    }

    @Override
    public Future<RoutingTable> routingTable() {
      return Future.succeededFuture(table);
    }
  }

  /**
   * The pool engine as a call sees it: the number is the warm-up pool's, and its latest visits, made up
   * at each call's instant, are one on the page now (leased), one in its hold and one long gone.
   */
  private record RecentVisits(PhoneNumber number) implements PoolEngine {
    private static final Attribution PAID = new Attribution("google", "cpc", "warm-up", "call tracking", null,
        "https://warm-up.invalid/landing", null, null, null, null, null, null);
    private static final Attribution DIRECT = new Attribution("(direct)", "(none)", null, null, null,
        "https://warm-up.invalid/", null, null, null, null, null, null);

    @Override
    public Future<Candidates> candidates(PhoneNumber dialled, Instant at) {
      return Future.succeededFuture(new Candidates(POOL, List.of(
          visit("leased", Session.State.LEASED, PAID, at.minusSeconds(120), at.plusSeconds(60), null),
          visit("holding", Session.State.HOLDING, DIRECT, at.minusSeconds(1_500), at.minusSeconds(600),
              at.minusSeconds(600)),
          visit("ended", Session.State.ENDED, PAID, at.minusSeconds(90_000), at.minusSeconds(88_000),
              at.minusSeconds(88_000))), null));
    }

    private Session visit(String id, Session.State state, Attribution a, Instant start, Instant leaseEnd,
        Instant released) {
      Instant ends = (released == null ? leaseEnd : released).plusSeconds(1_800);
      return new Session(POOL + "." + id, POOL, PROPERTY, "warm-up-" + id, number, a, state, start, leaseEnd,
          released, ends, ends, "America/New_York", null);
    }

    @Override
    public Future<Candidates> candidates(PhoneNumber dialled, String caller, Instant at) {
      return candidates(dialled, at);
    }

    @Override
    public Future<Resolution> resolve(PhoneNumber number, Instant at) {
      return notInAWarmUp();
    }

    @Override
    public Future<Assignment> assign(String propertyId, String visitorId, Attribution attribution) {
      return notInAWarmUp();
    }

    @Override
    public Future<Instant> heartbeat(String sessionId) {
      return notInAWarmUp();
    }

    @Override
    public Future<Void> release(String sessionId, Instant leaseExpiresAt) {
      return notInAWarmUp();
    }

    @Override
    public Future<PoolStatus> status(String poolId) {
      return notInAWarmUp();
    }

    @Override
    public Future<Optional<Session>> session(String sessionId) {
      return Future.succeededFuture(Optional.empty());
    }

    @Override
    public Future<Boolean> evidence(String sessionId, Session.Evidence.Kind kind) {
      return Future.succeededFuture(false);
    }

    @Override
    public Future<Void> countAttributed(String poolId, String confidence) {
      return Future.succeededFuture();
    }

    @Override
    public Future<Void> rememberCaller(String poolId, String caller, String visitorId) {
      return Future.succeededFuture();
    }

    @Override
    public Future<Integer> sweep() {
      return Future.succeededFuture(0);
    }
  }

  /**
   * Call events are taken (as Redis would) and dropped: a warm-up call is no call of a property's. Counts
   * the calls attributed to a visit.
   */
  static final class DroppedCalls implements CallStore {
    private final Set<String> attributed = ConcurrentHashMap.newKeySet();
    private final Set<String> ended = ConcurrentHashMap.newKeySet();

    @Override
    public Future<Boolean> apply(CallEvent event) {
      if (event.record().sessionId() != null) {
        attributed.add(event.callId());
      }
      if (event.type() == CallEvent.Type.ENDED) {
        synchronized (ended) {
          ended.add(event.callId());
          ended.notifyAll();
        }
      }
      return Future.succeededFuture(true);
    }

    int attributed() {
      return attributed.size();
    }

    /** Until the records of {@code calls} ended calls have come, or {@code within} has passed. */
    void awaitEnded(int calls, Duration within) throws InterruptedException {
      long deadline = System.nanoTime() + within.toNanos();
      synchronized (ended) {
        long left;
        while (ended.size() < calls && (left = deadline - System.nanoTime()) > 0) {
          TimeUnit.NANOSECONDS.timedWait(ended, left);
        }
      }
    }

    @Override
    public Future<Optional<CallRecord>> get(String callId) {
      return Future.succeededFuture(Optional.empty());
    }

    @Override
    public Future<CallPage> page(String property, Instant from, Instant to, int limit, String cursor) {
      return notInAWarmUp();
    }

    @Override
    public Future<CallRecord> setOutcome(String callId, CallOutcome outcome) {
      return notInAWarmUp();
    }

    @Override
    public Future<String> setOutcomeEvent(String callId, CallOutcome outcome) {
      return notInAWarmUp();
    }

    @Override
    public Future<List<String>> missing(List<String> callIds) {
      return Future.succeededFuture(List.of());
    }
  }
}
