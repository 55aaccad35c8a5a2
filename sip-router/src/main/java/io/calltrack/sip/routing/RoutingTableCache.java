package io.calltrack.sip.routing;

import io.calltrack.core.config.ConfigStore;
import io.calltrack.core.config.RoutingTable;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The router's routing table, served from memory so that a slow or down Redis never delays or
 * refuses a call. Refreshed from {@link ConfigStore#routingTable()} at start, whenever a
 * {@link ConfigStore#CHANGES_CHANNEL} message arrives, and every {@code period} (which also covers
 * messages missed while the subscription was down). A failed refresh keeps the last good table.
 * Runs on the router's Vert.x context.
 */
public final class RoutingTableCache implements Supplier<RoutingTable> {
  private static final Logger LOG = LoggerFactory.getLogger(RoutingTableCache.class);

  private final Vertx vertx;
  private final Context context;
  private final ConfigStore store;
  private final Duration period;
  private final Duration timeout;
  private final AtomicReference<RoutingTable> table = new AtomicReference<>(RoutingTable.EMPTY);
  private long periodicId = -1;
  private boolean refreshing;
  private boolean refreshAgain;
  private boolean closed;

  public RoutingTableCache(Vertx vertx, Context context, ConfigStore store, Duration period, Duration timeout) {
    this.vertx = vertx;
    this.context = context;
    this.store = store;
    this.period = period;
    this.timeout = timeout;
  }

  @Override
  public RoutingTable get() {
    return table.get();
  }

  /** Loads the table once (an unreachable Redis leaves it empty until a later refresh). */
  public Future<Void> start() {
    return Future.<Void>future(p -> context.runOnContext(v -> {
      periodicId = vertx.setPeriodic(period.toMillis(), id -> refresh());
      load().onComplete(ar -> {
        if (ar.failed()) {
          LOG.warn("routing table not loaded at start ({}); retrying every {}", ar.cause().toString(), period);
        }
        p.complete();
      });
    }));
  }

  /** Asks for a fresh table; refreshes that overlap are merged into one more after the current. */
  public void refresh() {
    context.runOnContext(v -> {
      if (refreshing) {
        refreshAgain = true;
        return;
      }
      load();
    });
  }

  private Future<Void> load() {
    refreshing = true;
    return store.routingTable()
        .timeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .onSuccess(table::set)
        .<Void>mapEmpty()
        .onComplete(ar -> {
          refreshing = false;
          if (ar.failed()) {
            LOG.debug("routing table refresh failed: {}", ar.cause().toString());
          }
          if (refreshAgain && !closed) {
            refreshAgain = false;
            load();
          }
        });
  }

  public Future<Void> close() {
    return Future.<Void>future(p -> context.runOnContext(v -> {
      closed = true;
      if (periodicId >= 0) {
        vertx.cancelTimer(periodicId);
      }
      p.complete();
    }));
  }
}
