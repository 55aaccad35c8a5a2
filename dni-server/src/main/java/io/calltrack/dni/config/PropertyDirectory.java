package io.calltrack.dni.config;

import io.calltrack.core.CalltrackException;
import io.calltrack.core.config.ConfigStore;
import io.calltrack.core.config.PropertyConfig;
import io.calltrack.dni.http.HttpStatusException;
import io.calltrack.dni.http.Timeouts;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The properties this server has seen, kept in memory for two reasons: CORS checks and assigns
 * should not each cost a Redis round trip, and when Redis is down an assign for a known property
 * still gets an answer (its default number) from the last-known configuration. Entries are trusted
 * for {@link #FRESH}; older ones are reloaded, and kept if Redis does not answer. Changes made
 * through another dni-server are seen within that window. Freshness is measured on the server's
 * clock, so tests that move their clock see the cache age too.
 */
public final class PropertyDirectory {
  static final Duration FRESH = Duration.ofSeconds(2);

  private final ConfigStore store;
  private final Clock clock;
  private final Map<String, Entry> cache = new ConcurrentHashMap<>();

  private record Entry(PropertyConfig config, Instant loadedAt) {}

  public PropertyDirectory(ConfigStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  private boolean fresh(Entry e) {
    Instant now = clock.instant();
    return !now.isBefore(e.loadedAt()) && now.isBefore(e.loadedAt().plus(FRESH));
  }

  /**
   * The property: fresh from memory, else from Redis, else (Redis down) the last-known copy. Fails
   * with NotFound when Redis says it does not exist, Unavailable when Redis is down and it was never seen.
   */
  public Future<PropertyConfig> get(String propertyId) {
    Entry known = cache.get(propertyId);
    if (known != null && fresh(known)) {
      return Future.succeededFuture(known.config());
    }
    return Timeouts.bound(store.property(propertyId), Timeouts.PUBLIC).transform(ar -> {
      if (ar.succeeded()) {
        if (ar.result().isPresent()) {
          remember(ar.result().get());
          return Future.succeededFuture(ar.result().get());
        }
        cache.remove(propertyId);
        return Future.failedFuture(new CalltrackException.NotFound("unknown property '" + propertyId + "'"));
      }
      if (ar.cause() instanceof CalltrackException) {
        return Future.failedFuture(ar.cause());
      }
      if (known != null) {
        return Future.succeededFuture(known.config());
      }
      return Future.failedFuture(new HttpStatusException.Unavailable(
          "property '" + propertyId + "' is not known here and the store did not answer: "
              + Timeouts.describe(ar.cause())));
    });
  }

  /** The last-known copy, without asking Redis (null if never seen). */
  public PropertyConfig lastKnown(String propertyId) {
    Entry e = cache.get(propertyId);
    return e == null ? null : e.config();
  }

  public void remember(PropertyConfig property) {
    cache.put(property.id(), new Entry(property, clock.instant()));
  }

  /** Loads every property (at start and on each sweep), so fallbacks work for properties not yet asked for. */
  public Future<Void> refreshAll() {
    return Timeouts.bound(store.routingTable(), Timeouts.ADMIN)
        .map(table -> {
          table.properties().values().forEach(this::remember);
          return null;
        });
  }

  public Collection<PropertyConfig> known() {
    return cache.values().stream().map(Entry::config).toList();
  }
}
