package io.calltrack.dni.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;

/**
 * Gives each route the handler that checks its requests against the API contract (the OpenAPI
 * document), before the endpoint runs. {@link AdminApi} and {@link PublicApi} ask for it once per
 * route, when the route is added.
 */
@FunctionalInterface
public interface RequestChecks {
  /** The check of requests to {@code method path} (a Vert.x path, {@code /v1/pools/:poolId}). */
  Handler<RoutingContext> forRoute(HttpMethod method, String path);

  /** No checks (a router without a contract: the sip-router's metrics port). */
  static RequestChecks none() {
    return (method, path) -> RoutingContext::next;
  }
}
