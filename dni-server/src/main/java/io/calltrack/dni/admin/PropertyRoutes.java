package io.calltrack.dni.admin;

import io.calltrack.core.CalltrackException;
import io.calltrack.core.config.ConfigStore;
import io.calltrack.core.config.Ids;
import io.calltrack.core.config.PropertyConfig;
import io.calltrack.dni.config.PropertyDirectory;
import io.calltrack.dni.http.AdminAuth;
import io.calltrack.dni.http.Bodies;
import io.calltrack.dni.http.Responses;
import io.calltrack.dni.http.Timeouts;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code PUT /v1/properties/{property}} creates or replaces a property and answers with what was
 * stored; {@code GET /v1/properties/{property}} reads it back. The URL names the property; an
 * {@code id} in the body is ignored.
 */
public final class PropertyRoutes {
  private final ConfigStore store;
  private final PropertyDirectory directory;
  private final AdminAuth auth;

  public PropertyRoutes(ConfigStore store, PropertyDirectory directory, AdminAuth auth) {
    this.store = store;
    this.directory = directory;
    this.auth = auth;
  }

  public void mount(Router router) {
    router.put("/v1/properties/:property").handler(auth).handler(this::put);
    router.get("/v1/properties/:property").handler(auth).handler(this::get);
  }

  private void put(RoutingContext ctx) {
    String id = Ids.require("property", ctx.pathParam("property"));
    PropertyConfig property = Bodies.readWithId(ctx, "id", id, PropertyConfig.class);
    Responses.respond(ctx, Timeouts.store(store.putProperty(property), Timeouts.ADMIN)
        .map(v -> {
          directory.remember(property);
          return property;
        }));
  }

  private void get(RoutingContext ctx) {
    String id = Ids.require("property", ctx.pathParam("property"));
    Responses.respond(ctx, Timeouts.store(store.property(id), Timeouts.ADMIN)
        .map(found -> found.orElseThrow(
            () -> new CalltrackException.NotFound("unknown property '" + id + "'"))));
  }
}
