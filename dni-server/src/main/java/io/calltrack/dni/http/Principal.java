package io.calltrack.dni.http;

import io.calltrack.core.auth.ApiKey;
import io.vertx.ext.web.RoutingContext;

/**
 * Who an admin request is from, as {@link AdminAuth} established it: the admin token (everything) or
 * an API key (one property, read or write; see {@link PropertyFrom} for how a route names its property).
 *
 * @param apiKey null for the admin token
 */
public record Principal(ApiKey apiKey) {
  static final String KEY = "calltrack.principal";
  static final Principal ADMIN = new Principal(null);

  public boolean isAdmin() {
    return apiKey == null;
  }

  public static Principal of(RoutingContext ctx) {
    return ctx.get(KEY);
  }
}
