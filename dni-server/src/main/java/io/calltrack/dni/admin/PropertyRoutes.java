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
import java.util.Map;

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
    property.lineFields().forEach((line, field) -> {
      BusinessLines.requireSipUri(field, line);
      BusinessLines.requireCallableNumber(field, line, property.defaultNumber().region());
    });
    return linesSetByKey(ctx, id, property)
        .map(property::withLinesSetByKey)
        .compose(stored -> store.putProperty(stored).map(stored))
        .onSuccess(directory::remember);
  }

  /**
   * Which of the property's lines are to count as set by an API key ({@link PropertyConfig#setByKey}:
   * the router sends calls to those only at public addresses). For the admin token, as its body says
   * (it may point a line anywhere; a property it read back and PUTs keeps the marks). For an API key:
   * the lines the property had keep their mark (a key cannot clear one), and each new line is marked
   * once {@link BusinessLines} lets a key set it (its host is resolved on a worker), 403 otherwise.
   */
  private Future<List<String>> linesSetByKey(RoutingContext ctx, String id, PropertyConfig property) {
    Map<String, String> wanted = property.lineFields(); // line: the field naming it
    if (Principal.of(ctx).isAdmin()) {
      return Future.succeededFuture(wanted.keySet().stream().filter(property::setByKey).toList());
    }
    if (wanted.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return store.property(id).compose(found -> {
      List<String> had = found.map(PropertyConfig::lines).orElse(List.of());
      List<String> byKey = new java.util.ArrayList<>();
      List<java.util.Map.Entry<String, String>> fresh = new java.util.ArrayList<>(); // field, line
      for (var named : wanted.entrySet()) {
        String line = named.getKey();
        if (!had.contains(line)) {
          fresh.add(java.util.Map.entry(named.getValue(), line));
          byKey.add(line);
        } else if (found.get().setByKey(line)) {
          byKey.add(line);
        }
      }
      if (fresh.isEmpty()) {
        return Future.succeededFuture(List.copyOf(byKey));
      }
      return ctx.vertx().<List<String>>executeBlocking(() -> {
        for (var line : fresh) {
          String refusal = lines.refusalForKey(line.getKey(), line.getValue());
          if (refusal != null) {
            throw new HttpStatusException.Forbidden(refusal);
          }
        }
        return List.copyOf(byKey);
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
