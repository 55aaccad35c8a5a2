package io.calltrack.dni.metrics;

import io.calltrack.core.pool.PoolEngine;
import io.calltrack.core.privacy.RetentionSweep;
import io.calltrack.dni.config.PropertyDirectory;
import io.calltrack.dni.http.Timeouts;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every few seconds: reclaims expired leases and holds ({@link PoolEngine#sweep()}; assign does it
 * inline too, this keeps idle pools' gauges true), refreshes the pool gauges and the last-known
 * properties, and runs the retention steps (calls streams trimmed, caller numbers past their
 * retention anonymised). A Vert.x timer, not a thread; a tick is skipped while the previous one still runs.
 * Every server and every HTTP instance runs one; the pool sweep is shared ({@link #SHARED_GAP}), the
 * rest is each one's own.
 */
public final class Sweeper implements AutoCloseable {
  private final Timeouts timeouts;
  public static final Duration INTERVAL = Duration.ofSeconds(5);
  private static final Logger LOG = LoggerFactory.getLogger(Sweeper.class);

  private final Vertx vertx;
  private final PoolEngine engine;
  private final PoolGauges gauges;
  private final PropertyDirectory properties;
  private final RetentionSweep retention;
  private final AtomicBoolean running = new AtomicBoolean();
  private long timerId = -1;
  private long lastWarning;

  public Sweeper(Vertx vertx, PoolEngine engine, PoolGauges gauges, PropertyDirectory properties, Timeouts timeouts) {
    this(vertx, engine, gauges, properties, timeouts, null);
  }

  /** A sweeper that also runs the retention steps no key TTL does ({@link RetentionSweep}), when given. */
  public Sweeper(Vertx vertx, PoolEngine engine, PoolGauges gauges, PropertyDirectory properties, Timeouts timeouts,
      RetentionSweep retention) {
    this.retention = retention;
    this.timeouts = timeouts;
    this.vertx = vertx;
    this.engine = engine;
    this.gauges = gauges;
    this.properties = properties;
  }

  public void start() {
    timerId = vertx.setPeriodic(INTERVAL.toMillis(), id -> sweep(() -> engine.sweepUnlessSweptWithin(SHARED_GAP)));
  }

  /**
   * A pool that any server (or another HTTP instance of this one) swept less than this long ago is
   * left to that sweep: the interval less a fifth, so that the timer's own jitter never makes a server
   * skip the pools it swept itself one interval before.
   */
  static final Duration SHARED_GAP = INTERVAL.minus(INTERVAL.dividedBy(5));

  /** One sweep now, of every pool; completes when done (or at once if one is already under way). */
  public Future<Void> tick() {
    return sweep(engine::sweep);
  }

  private Future<Void> sweep(Supplier<Future<Integer>> pools) {
    if (!running.compareAndSet(false, true)) {
      return Future.succeededFuture();
    }
    return timeouts.adminBound(pools.get())
        .compose(reclaimed -> gauges.refresh())
        .compose(v -> properties.refreshAll())
        .compose(v -> retention == null ? Future.succeededFuture() : retention.sweep(properties.known()))
        .onFailure(this::warn)
        .otherwiseEmpty()
        .eventually(() -> {
          running.set(false);
          return Future.succeededFuture();
        });
  }

  private void warn(Throwable err) {
    long now = System.nanoTime();
    // Redis down means a failure every tick: say so once a minute, not every five seconds
    if (lastWarning == 0 || now - lastWarning > Duration.ofMinutes(1).toNanos()) {
      lastWarning = now;
      LOG.warn("pool sweep failed: {}", Timeouts.describe(err));
    }
  }

  @Override
  public void close() {
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
      timerId = -1;
    }
  }
}
