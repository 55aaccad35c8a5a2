package io.calltrack.dni.http;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Which properties an admin request touches, so that {@link AdminApi} can let an API key of one
 * property through (see {@link AdminApi.Route#scope}). The answer is the set of properties the request
 * names; a key passes only if the set is not empty and holds its own property alone. Anything this
 * cannot tell (no such pool, a body that is no JSON object) names nothing, so the key is refused.
 */
@FunctionalInterface
public interface PropertyFrom {
  Future<Set<String>> properties(RoutingContext ctx);

  /** The path parameter is the property id ({@code /v1/properties/:property}). */
  static PropertyFrom path(String param) {
    return ctx -> Future.succeededFuture(named(ctx.pathParam(param)));
  }

  /** A query parameter names the property ({@code ?property=P}). */
  static PropertyFrom query(String param) {
    return ctx -> Future.succeededFuture(named(ctx.request().getParam(param)));
  }

  /** A field of the JSON body names the property (read after the body, so creating a pool counts). */
  static PropertyFrom body(String field) {
    return ctx -> {
      try {
        JsonObject o = ctx.body() == null || ctx.body().buffer() == null ? null : ctx.body().asJsonObject();
        Object v = o == null ? null : o.getValue(field);
        return Future.succeededFuture(v instanceof String s ? named(s) : Set.of());
      } catch (RuntimeException notAnObject) {
        return Future.succeededFuture(Set.of());
      }
    };
  }

  /** The property that owns what a path parameter names (a pool, a number, a call). */
  static PropertyFrom owner(String param, Function<String, Future<Optional<String>>> ownerOf) {
    return ctx -> {
      String v = ctx.pathParam(param);
      if (v == null || v.isBlank()) {
        return Future.succeededFuture(Set.of());
      }
      try {
        return ownerOf.apply(v).map(o -> o.map(PropertyFrom::named).orElse(Set.of()));
      } catch (RuntimeException unparsable) {
        return Future.succeededFuture(Set.of());
      }
    };
  }

  /**
   * The key's own property: for a listing that answers each caller what it may see (the admin token
   * everything, a key its one property), so any key passes and the endpoint filters by {@link Principal}.
   */
  static PropertyFrom callersOwn() {
    return ctx -> {
      Principal p = Principal.of(ctx);
      return Future.succeededFuture(p == null || p.isAdmin() ? Set.of() : Set.of(p.apiKey().property()));
    };
  }

  /** Both: a request that moves a pool names its current and its new property. */
  default PropertyFrom and(PropertyFrom other) {
    return ctx -> properties(ctx).compose(a -> other.properties(ctx).map(b -> {
      Set<String> all = new HashSet<>(a);
      all.addAll(b);
      return all;
    }));
  }

  private static Set<String> named(String property) {
    return property == null || property.isBlank() ? Set.of() : Set.of(property.strip());
  }
}
