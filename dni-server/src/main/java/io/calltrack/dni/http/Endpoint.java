package io.calltrack.dni.http;

import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;

/**
 * What a route does: reads the request and returns its answer as a future. The value becomes the
 * response through {@link Respond} (a {@link Reply} as it is, anything else as 200 JSON); a failure,
 * thrown or in the future, goes to the one failure handler ({@link ErrorHandler}). A route never
 * writes to the response itself.
 */
@FunctionalInterface
public interface Endpoint {
  Future<?> answer(RoutingContext ctx);
}
