package io.calltrack.dni.metrics;

import io.calltrack.core.config.ConfigStore;
import io.calltrack.core.pool.PoolEngine;
import io.calltrack.core.pool.PoolStatus;
import io.calltrack.dni.http.Timeouts;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToDoubleFunction;

/**
 * Per-pool gauges ({@code calltrack_pool_size}, {@code _leased}, {@code _holding}, {@code _free},
 * {@code _utilization}) and counters ({@code calltrack_pool_exhausted_total},
 * {@code calltrack_pool_recycled_total}), tagged {@code pool} and {@code property}. The values are
 * the last {@link PoolStatus} read from Redis, so every server reports the same pool-wide numbers
 * (the counters count since the pool was created, across all servers). The HTTP instances of one
 * server share one set of meters.
 */
public final class PoolGauges implements AutoCloseable {
  /**
   * The meters of one registry, shared by every {@code PoolGauges} on it: the HTTP instances of one
   * dni-server share its registry, and a gauge is registered once (Micrometer keeps the first and
   * warns about the rest), so they must all feed the one holder each pool's gauges read.
   */
  private static final Map<MeterRegistry, Shared> SHARED = new WeakHashMap<>();

  private static final class Shared {
    final Map<String, AtomicReference<PoolStatus>> latest = new ConcurrentHashMap<>();
    final List<Meter> meters = new ArrayList<>();
    int users;
  }

  private final Timeouts timeouts;
  private final MeterRegistry registry;
  private final ConfigStore config;
  private final PoolEngine engine;
  private final Shared shared;
  private boolean closed;

  public PoolGauges(MeterRegistry registry, ConfigStore config, PoolEngine engine, Timeouts timeouts) {
    this.timeouts = timeouts;
    this.registry = registry;
    this.config = config;
    this.engine = engine;
    synchronized (SHARED) {
      this.shared = SHARED.computeIfAbsent(registry, r -> new Shared());
      shared.users++;
    }
  }

  /** Reads every pool's status from Redis and updates its meters (registering new pools' meters). */
  public Future<Void> refresh() {
    return timeouts.adminBound(config.routingTable())
        .compose(table -> {
          List<Future<PoolStatus>> reads = table.poolOfNumber().values().stream().distinct()
              .map(poolId -> timeouts.adminBound(engine.status(poolId))
                  .onSuccess(this::update))
              .toList();
          return Future.join(reads);
        })
        .mapEmpty();
  }

  /** Records one pool's status (also called by the pool endpoint, which reads it anyway). */
  public void update(PoolStatus status) {
    AtomicReference<PoolStatus> ref = shared.latest.computeIfAbsent(status.poolId(), id -> {
      AtomicReference<PoolStatus> created = new AtomicReference<>(status);
      register(created, Tags.of("pool", id, "property", status.property()));
      return created;
    });
    ref.set(status);
  }

  private void register(AtomicReference<PoolStatus> ref, Tags tags) {
    synchronized (SHARED) {
      gauge("calltrack.pool.size", "Numbers in the pool", ref, tags, s -> s.size());
      gauge("calltrack.pool.leased", "Numbers leased to open visits", ref, tags, s -> s.leased());
      gauge("calltrack.pool.holding", "Numbers held after a visit ended", ref, tags, s -> s.holding());
      gauge("calltrack.pool.free", "Numbers free to lease", ref, tags, s -> s.free());
      gauge("calltrack.pool.leaving", "Numbers taken out of the pool that a session still holds (0: all gone)",
          ref, tags, s -> s.leaving());
      gauge("calltrack.pool.utilization", "Share of the pool leased or held (0..1)", ref, tags,
          s -> s.utilization());
      shared.meters.add(FunctionCounter.builder("calltrack.pool.exhausted", ref, r -> r.get().exhausted())
          .description("Assigns that found no free number (fallbacks and recycles)")
          .tags(tags)
          .register(registry));
      shared.meters.add(FunctionCounter.builder("calltrack.pool.recycled", ref, r -> r.get().recycled())
          .description("Assigns that took the oldest leased or held number")
          .tags(tags)
          .register(registry));
      shared.meters.add(FunctionCounter.builder("calltrack.pool.shared", ref, r -> r.get().shared())
          .description("Assigns that shared a number with a live visit of the same channel (share-channel)")
          .tags(tags)
          .register(registry));
      for (String confidence : PoolStatus.CONFIDENCES) {
        shared.meters.add(FunctionCounter.builder("calltrack.pool.calls", ref, r -> r.get().calls(confidence))
            .description("Calls to the pool's numbers by attribution confidence")
            .tags(tags.and("confidence", confidence))
            .register(registry));
      }
    }
  }

  private void gauge(String name, String description, AtomicReference<PoolStatus> ref, Tags tags,
      ToDoubleFunction<PoolStatus> value) {
    shared.meters.add(Gauge.builder(name, ref, r -> value.applyAsDouble(r.get()))
        .description(description)
        .tags(tags)
        .strongReference(true)
        .register(registry));
  }

  /** The pools' meters leave the registry when the last {@code PoolGauges} on it closes. */
  @Override
  public void close() {
    synchronized (SHARED) {
      if (closed) {
        return;
      }
      closed = true;
      if (--shared.users == 0) {
        shared.meters.forEach(registry::remove);
        shared.meters.clear();
        shared.latest.clear();
        SHARED.remove(registry);
      }
    }
  }
}
