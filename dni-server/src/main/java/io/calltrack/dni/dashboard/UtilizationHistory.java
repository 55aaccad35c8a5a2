package io.calltrack.dni.dashboard;

import io.calltrack.core.config.ConfigStore;
import io.calltrack.core.pool.PoolEngine;
import io.calltrack.core.pool.PoolStatus;
import io.calltrack.core.redis.LuaScript;
import io.calltrack.core.rollup.Hashes;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A short per-pool history of counts for the dashboard's utilization chart: one sample per minute
 * (of the injected clock) in {@code {pool:<id>}:util-history}, kept for {@link #WINDOW}. Samples are
 * taken once a minute by a timer for every pool, and whenever the dashboard reads a pool's status,
 * so any server that is up (or anyone looking) keeps the history going. Counts, not ratios: the
 * utilization is worked out when read.
 */
public final class UtilizationHistory implements AutoCloseable {
  public static final Duration WINDOW = Duration.ofMinutes(90);
  public static final Duration INTERVAL = Duration.ofMinutes(1);
  private static final LuaScript SAMPLE = LuaScript.load("/lua/dashboard/util-sample.lua");

  private final Vertx vertx;
  private final RedisAPI api;
  private final ConfigStore store;
  private final PoolEngine engine;
  private final Clock clock;
  private final AtomicBoolean running = new AtomicBoolean();
  private long timerId = -1;

  /** One minute's counts; {@code at} is the minute's start. */
  public record Sample(Instant at, int leased, int holding, int size, long exhausted) {
    /** (leased + holding) / size as a percentage with one decimal, in tenths (no floating point). */
    public long utilizationPermille() {
      return size == 0 ? 0 : (1000L * (leased + holding) + size / 2) / size;
    }
  }

  public UtilizationHistory(Vertx vertx, Redis redis, ConfigStore store, PoolEngine engine, Clock clock) {
    this.vertx = vertx;
    this.api = RedisAPI.api(redis);
    this.store = store;
    this.engine = engine;
    this.clock = clock;
  }

  static String key(String poolId) {
    return "{pool:" + poolId + "}:util-history";
  }

  public void start() {
    timerId = vertx.setPeriodic(INTERVAL.toMillis(), id -> sampleAll());
  }

  /** Samples every pool that has numbers (from the routing table). */
  public Future<Void> sampleAll() {
    if (!running.compareAndSet(false, true)) {
      return Future.succeededFuture();
    }
    return store.routingTable()
        .compose(t -> {
          Future<Void> chain = Future.succeededFuture();
          for (String poolId : new HashSet<>(t.poolOfNumber().values())) {
            chain = chain.compose(v -> engine.status(poolId).compose(this::record).otherwiseEmpty());
          }
          return chain;
        })
        .otherwiseEmpty()
        .eventually(() -> {
          running.set(false);
          return Future.succeededFuture();
        });
  }

  /** Records {@code s} as the current minute's sample. */
  public Future<Void> record(PoolStatus s) {
    long minute = clock.instant().getEpochSecond() / 60;
    long oldest = minute - WINDOW.toMinutes();
    String sample = s.leased() + " " + s.holding() + " " + s.size() + " " + s.exhausted();
    return SAMPLE.run(api, List.of(key(s.poolId())), List.of(Long.toString(minute), sample, Long.toString(oldest)))
        .mapEmpty();
  }

  /** Samples of the last {@code span}, oldest first. */
  public Future<List<Sample>> history(String poolId, Duration span) {
    long from = clock.instant().minus(span).getEpochSecond() / 60;
    return api.hgetall(key(poolId)).map(res -> {
      List<Sample> out = new ArrayList<>();
      for (Map.Entry<String, String> e : Hashes.toMap(res).entrySet()) {
        long minute = Long.parseLong(e.getKey());
        if (minute < from) {
          continue;
        }
        String[] p = e.getValue().split(" ");
        out.add(new Sample(Instant.ofEpochSecond(minute * 60), Integer.parseInt(p[0]), Integer.parseInt(p[1]),
            Integer.parseInt(p[2]), Long.parseLong(p[3])));
      }
      out.sort(java.util.Comparator.comparing(Sample::at));
      return out;
    });
  }

  @Override
  public void close() {
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
      timerId = -1;
    }
  }
}
