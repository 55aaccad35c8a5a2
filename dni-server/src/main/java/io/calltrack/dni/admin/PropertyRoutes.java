package io.calltrack.dni.admin;

import io.calltrack.dni.http.PropertyFrom;
import io.calltrack.core.CalltrackException;
import io.calltrack.core.config.ConfigStore;
import io.calltrack.core.config.BusinessLines;
import io.calltrack.core.config.Ids;
import io.calltrack.core.config.PoolConfig;
import io.calltrack.core.config.PropertyConfig;
import io.calltrack.dni.config.PropertyDirectory;
import io.calltrack.dni.http.AdminApi;
import io.calltrack.dni.http.Bodies;
import io.calltrack.dni.http.HttpStatusException;
import io.calltrack.dni.http.Principal;
import io.vertx.core.Future;
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
  private final ConfigStore store;
  private final PropertyDirectory directory;
  private final BusinessLines lines;

  public PropertyRoutes(ConfigStore store, PropertyDirectory directory, BusinessLines lines) {
    this.store = store;
    this.directory = directory;
    this.lines = lines;
  }

  public void mount(AdminApi admin) {
    admin.put("/v1/properties/:property", this::put).scope(PropertyFrom.path("property"));
    admin.get("/v1/properties/:property", this::get).scope(PropertyFrom.path("property"));
    admin.get("/v1/properties", this::list); // every property: admin token only
    admin.get("/v1/properties/:property/pools", this::pools).scope(PropertyFrom.path("property"));
  }

  public record PropertyList(List<PropertyConfig> properties) {}

  public record PoolList(List<PoolConfig> pools) {}

  private Future<PropertyList> list(RoutingContext ctx) {
    return store.routingTable()
        .map(table -> new PropertyList(table.properties().values().stream()
            .sorted(Comparator.comparing(PropertyConfig::id))
            .toList()));
  }

  private Future<PoolList> pools(RoutingContext ctx) {
    String id = Ids.require("property", ctx.pathParam("property"));
    return store.property(id)
        .compose(found -> found.isEmpty()
            ? Future.failedFuture(new CalltrackException.NotFound("unknown property '" + id + "'"))
            : store.poolsOf(id))
        .map(pools -> new PoolList(pools.stream().sorted(Comparator.comparing(PoolConfig::id)).toList()));
  }

  private Future<PropertyConfig> put(RoutingContext ctx) {
    String id = Ids.require("property", ctx.pathParam("property"));
    PropertyConfig property = Bodies.readWithId(ctx, "id", id, PropertyConfig.class);
    property.requireBrowserOrigins();
    if (property.assignLimits() != null) {
      property.assignLimits().requireSoftBelowHard();
    }
    BusinessLines.requireSipUri(property.businessLine());
    BusinessLines.requireCallableNumber(property.businessLine(), property.defaultNumber().region());
    return lineSetByKey(ctx, id, property)
        .map(property::withLineSetByKey)
        .compose(stored -> store.putProperty(stored).map(stored))
        .onSuccess(directory::remember);
  }

  /**
   * Whether the property's line is to count as set by an API key ({@link PropertyConfig#lineSetByKey}:
   * the router then sends its calls only to public addresses). For the admin token, as its body says
   * (it may point a line anywhere; a property it read back and PUTs keeps the mark). For an API key: the
   * stored mark when it keeps the line as it is, else true once {@link BusinessLines} lets a key set the
   * new line (its host is resolved on a worker), 403 otherwise; a key cannot clear the mark.
   */
  private Future<Boolean> lineSetByKey(RoutingContext ctx, String id, PropertyConfig property) {
    String line = property.businessLine();
    if (Principal.of(ctx).isAdmin()) {
      return Future.succeededFuture(property.lineSetByKey());
    }
    if (line == null) {
      return Future.succeededFuture(false);
    }
    return store.property(id).compose(stored -> {
      if (stored.isPresent() && line.equals(stored.get().businessLine())) {
        return Future.succeededFuture(stored.get().lineSetByKey());
      }
      return ctx.vertx().<Boolean>executeBlocking(() -> {
        String refusal = lines.refusalForKey(line);
        if (refusal != null) {
          throw new HttpStatusException.Forbidden(refusal);
        }
        return true;
      }, false);
    });
  }

  private Future<PropertyConfig> get(RoutingContext ctx) {
    String id = Ids.require("property", ctx.pathParam("property"));
    return store.property(id)
        .map(found -> found.orElseThrow(
            () -> new CalltrackException.NotFound("unknown property '" + id + "'")));
  }
}
