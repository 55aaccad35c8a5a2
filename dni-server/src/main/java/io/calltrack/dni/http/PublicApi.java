package io.calltrack.dni.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.Objects;

/**
 * The routes anyone may call (the snippet's, the script, health, metrics, the dashboard's files):
 * the only way to add one. Each gets the public body limit, the OpenAPI request check and the one
 * way to answer ({@link Respond}); store timeouts are the feature's own, because a visitor's page
 * waits on them ({@link Timeouts#publicStore}, {@link Timeouts#publicRemaining}).
 *
 * <p>There is deliberately no catch-all route on the main router after the admin sub-router: Vert.x
 * Web forgets a 405 (path known, method not) when a later catch-all route matches, and answers 404.
 * A handler for every request (a security header, say) goes on the main router before
 * {@link AdminApi#mountOn}.
 */
public final class PublicApi {
  /** Largest public request body accepted (413 beyond): the snippet's bodies are small. */
  public static final long BODY_LIMIT = 16 * 1024;

  private final Router router;
  private final Handler<RoutingContext> validation;
  private final BodyHandler body = BodyHandler.create(false).setBodyLimit(BODY_LIMIT);

  public PublicApi(Router router, Handler<RoutingContext> validation) {
    this.router = router;
    this.validation = validation;
  }

  public void get(String path, Endpoint endpoint) {
    add(HttpMethod.GET, path, endpoint);
  }

  public void post(String path, Endpoint endpoint) {
    add(HttpMethod.POST, path, endpoint);
  }

  /** A CORS preflight. */
  public void options(String path, Endpoint endpoint) {
    add(HttpMethod.OPTIONS, path, endpoint);
  }

  public void add(HttpMethod method, String path, Endpoint endpoint) {
    Objects.requireNonNull(endpoint, "endpoint");
    router.route(method, path)
        .handler(body)
        .handler(validation)
        .handler(Respond.with(endpoint));
  }
}
