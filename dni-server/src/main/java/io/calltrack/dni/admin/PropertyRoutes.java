package io.calltrack.dni.admin;

import io.calltrack.core.CalltrackException;
import io.calltrack.core.config.ConfigStore;
import io.calltrack.core.config.Ids;
import io.calltrack.core.config.PoolConfig;
import io.calltrack.core.config.PropertyConfig;
import io.calltrack.dni.config.PropertyDirectory;
import io.calltrack.dni.http.AdminAuth;
import io.calltrack.dni.http.Bodies;
import io.calltrack.dni.http.Responses;
import io.calltrack.dni.http.Timeouts;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Comparator;
import java.util.List;

/**
 * {@code PUT /v1/properties/{property}} creates or replaces a property and answers with what was
 * stored; {@code GET /v1/properties/{property}} reads it back. The URL names the property; an
 * {@code id} in the body is ignored. For admins also {@code GET /v1/properties} (every property) and
 * {@code GET /v1/properties/{property}/pools} (its pools' configuration).
 */
public final class PropertyRoutes {
  private final Timeouts timeouts;
  private final ConfigStore store;
  private final PropertyDirectory directory;
  private final AdminAuth auth;

  public PropertyRoutes(ConfigStore store, PropertyDirectory directory, AdminAuth auth, Timeouts timeouts) {
    this.timeouts = timeouts;
    this.store = store;
    this.directory = directory;
    this.auth = auth;
  }

  public void mount(Router router) {
    router.put("/v1/properties/:property").handler(auth).handler(this::put);
    router.get("/v1/properties/:property").handler(auth).handler(this::get);
    router.get("/v1/properties").handler(auth).handler(this::list);
    router.get("/v1/properties/:property/pools").handler(auth).handler(this::pools);
  }

  public record PropertyList(List<PropertyConfig> properties) {}

  public record PoolList(List<PoolConfig> pools) {}

  private void list(RoutingContext ctx) {
    Responses.respond(ctx, timeouts.admin(store.routingTable())
        .map(table -> new PropertyList(table.properties().values().stream()
            .sorted(Comparator.comparing(PropertyConfig::id))
            .toList())));
  }

  private void pools(RoutingContext ctx) {
    String id = Ids.require("property", ctx.pathParam("property"));
    Responses.respond(ctx, timeouts.admin(store.property(id))
        .compose(found -> found.isEmpty()
            ? Future.failedFuture(new CalltrackException.NotFound("unknown property '" + id + "'"))
            : timeouts.admin(store.poolsOf(id)))
        .map(pools -> new PoolList(pools.stream().sorted(Comparator.comparing(PoolConfig::id)).toList())));
  }

  private void put(RoutingContext ctx) {
    String id = Ids.require("property", ctx.pathParam("property"));
    PropertyConfig property = Bodies.readWithId(ctx, "id", id, PropertyConfig.class);
    Responses.respond(ctx, timeouts.admin(store.putProperty(property))
        .map(v -> {
          directory.remember(property);
          return property;
        }));
  }

  private void get(RoutingContext ctx) {
    String id = Ids.require("property", ctx.pathParam("property"));
    Responses.respond(ctx, timeouts.admin(store.property(id))
        .map(found -> found.orElseThrow(
            () -> new CalltrackException.NotFound("unknown property '" + id + "'"))));
  }
}
