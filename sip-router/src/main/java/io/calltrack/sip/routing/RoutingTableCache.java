package io.calltrack.sip.routing;

import io.calltrack.core.Deadline;
import io.calltrack.core.config.ConfigStore;
import io.calltrack.core.config.RoutingTable;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
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
  private final RoutingSnapshot snapshot;
  private final AtomicReference<RoutingTable> table = new AtomicReference<>(RoutingTable.EMPTY);
  private long periodicId = -1;
  private boolean refreshing;
  private boolean refreshAgain;
  private boolean closed;
  private final LineLocator lines;
  private final java.time.Clock clock;

  /** @param snapshot where the last good table is kept on disk, for a start while Redis is down */
  public RoutingTableCache(Vertx vertx, Context context, ConfigStore store, RoutingSnapshot snapshot,
      Duration period, Duration timeout) {
    this(vertx, context, store, snapshot, period, timeout, null, java.time.Clock.systemUTC());
  }

  /**
   * @param lines looked up (DNS) for every table installed and every {@code period}, on a worker, one
   *     lookup round at a time; null: none
   */
  public RoutingTableCache(Vertx vertx, Context context, ConfigStore store, RoutingSnapshot snapshot,
      Duration period, Duration timeout, LineLocator lines, java.time.Clock clock) {
    this.lines = lines;
    this.clock = clock;
    this.snapshot = snapshot;
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

  /**
   * Loads the table once; if Redis cannot give it, the snapshot on disk serves until a later refresh
   * (with neither, the table is empty and every call is 404 until Redis answers).
   */
  public Future<Void> start() {
    return Future.<Void>future(p -> context.runOnContext(v -> {
      // each refresh looks the lines up again (those looked up more than a minute ago), see load()
      periodicId = vertx.setPeriodic(period.toMillis(), id -> refresh());
      load().recover(err -> vertx.executeBlocking(snapshot::load, false).compose(saved -> {
        if (saved.isEmpty()) {
          LOG.warn("routing table not loaded at start ({}) and no snapshot; retrying every {}", err.toString(), period);
          return Future.<Void>succeededFuture();
        }
        RoutingTable t = saved.get();
        LOG.warn("Redis did not give the routing table at start ({}); routing {} numbers from the last snapshot",
            err.toString(), t.propertyOfNumber().size());
        return locatedFirst(t).onSuccess(x -> table.compareAndSet(RoutingTable.EMPTY, t)).<Void>mapEmpty();
      })).onComplete(ar -> p.complete());
    }));
  }

  /** How long a new table waits for its new business lines' lookups (after it, their calls go to the hosts as written). */
  static final Duration LOCATE_WAIT = Duration.ofSeconds(2);

  /**
   * {@code t} once its business lines are looked up (DNS; a line looked up within the last minute is
   * not asked again), or after {@link #LOCATE_WAIT}: a new property's first call goes where its line's
   * SRV records say.
   */
  private Future<RoutingTable> locatedFirst(RoutingTable t) {
    return locateLines(t).timeout(LOCATE_WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
        .transform(ar -> Future.succeededFuture(t));
  }

  /** Looks {@code t}'s business lines up, off the event loop, each round after the one before (on the context). */
  private Future<Void> locateLines(RoutingTable t) {
    if (lines == null) {
      return Future.succeededFuture();
    }
    List<String> all = t.properties().values().stream().flatMap(p -> p.lines().stream()).distinct().toList();
    locating = locating.transform(previous -> vertx.<Void>executeBlocking(() -> {
      lines.refresh(all, clock.millis());
      return null;
    }, false)).onFailure(err -> LOG.warn("business lines not looked up: {}", err.toString()));
    return locating;
  }

  /** The last lookup round asked for (on the context only). */
  private Future<Void> locating = Future.succeededFuture();

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
    return Deadline.within(store.routingTable(), timeout.toMillis())
        .compose(this::locatedFirst)
        .onSuccess(this::install)
        .<Void>mapEmpty()
        .onComplete(ar -> {
          refreshing = false;
          if (ar.failed()) {
            LOG.debug("routing table refresh failed: {}", ar.cause().toString());
            // Redis away: the table served keeps its lines looked up, unless a round is still at it
            // (a slow DNS server): none piled on it
            if (locating.isComplete()) {
              locateLines(table.get());
            }
          }
          if (refreshAgain && !closed) {
            refreshAgain = false;
            load();
          }
        });
  }

  private void install(RoutingTable fresh) {
    RoutingTable old = table.getAndSet(fresh);
    if (!fresh.equals(old)) {
      vertx.executeBlocking(() -> {
        snapshot.save(fresh);
        return null;
      }, true).onFailure(err -> LOG.warn("could not save the routing table snapshot: {}", err.toString()));
    }
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
