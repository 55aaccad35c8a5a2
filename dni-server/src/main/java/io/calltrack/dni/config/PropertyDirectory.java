package io.calltrack.dni.config;

import io.calltrack.core.CalltrackException;
import io.calltrack.core.config.ConfigStore;
import io.calltrack.core.config.PropertyConfig;
import io.calltrack.dni.http.HttpStatusException;
import io.calltrack.dni.http.Timeouts;
import io.vertx.core.Future;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The last-known copy of every property this server has seen. Reads go to the {@link ConfigStore}
 * (which caches and is told of changes by every server), so a change is seen at once; the copy here
 * is what answers when Redis is down or slow: an assign for a known property then still gets its
 * default number and its CORS check.
 */
public final class PropertyDirectory {
  private final Timeouts timeouts;
  private final ConfigStore store;
  private final Map<String, PropertyConfig> lastKnown = new ConcurrentHashMap<>();

  public PropertyDirectory(ConfigStore store, Timeouts timeouts) {
    this.timeouts = timeouts;
    this.store = store;
  }

  /**
   * The property from the store, or (store down or slow) the last-known copy. Fails with NotFound
   * when the store says it does not exist, Unavailable when the store is down and it was never seen.
   */
  public Future<PropertyConfig> get(String propertyId) {
    return timeouts.publicBound(store.property(propertyId)).transform(ar -> {
      if (ar.succeeded()) {
        if (ar.result().isPresent()) {
          remember(ar.result().get());
          return Future.succeededFuture(ar.result().get());
        }
        lastKnown.remove(propertyId);
        return Future.failedFuture(new CalltrackException.NotFound("unknown property '" + propertyId + "'"));
      }
      if (ar.cause() instanceof CalltrackException) {
        return Future.failedFuture(ar.cause());
      }
      PropertyConfig known = lastKnown.get(propertyId);
      if (known != null) {
        return Future.succeededFuture(known);
      }
      return Future.failedFuture(new HttpStatusException.Unavailable(
          "property '" + propertyId + "' is not known here and the store did not answer: "
              + Timeouts.describe(ar.cause())));
    });
  }

  public void remember(PropertyConfig property) {
    lastKnown.put(property.id(), property);
  }

  /** Loads every property (at start and on each sweep), so fallbacks work for properties not yet asked for. */
  public Future<Void> refreshAll() {
    return timeouts.adminBound(store.routingTable())
        .map(table -> {
          table.properties().values().forEach(this::remember);
          return null;
        });
  }

  public Collection<PropertyConfig> known() {
    return List.copyOf(lastKnown.values());
  }
}
