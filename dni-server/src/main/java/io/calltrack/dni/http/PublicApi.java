package io.calltrack.dni.http;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.Objects;

/**
 * The routes anyone may call (the snippet's, the script, health, metrics, the dashboard's files):
 * the only way to add one. Each gets the public body limit, the request check against the OpenAPI document ({@link RequestChecks}) and the one
 * way to answer ({@link Respond}); store timeouts are the feature's own, because a visitor's page
 * waits on them ({@link Timeouts#publicStore}, {@link Timeouts#publicRemaining}).
 *
 * <p>There is deliberately no catch-all route on the main router after the admin sub-router: Vert.x
 * Web forgets a 405 (path known, method not) when a later catch-all route matches, and answers 404.
 * A handler for every request (a security header, say) goes on the main router with an order ahead of
 * the admin sub-routers' ({@link AdminApi#FIRST_ORDER}), as {@link HttpHardening#mount}'s does.
 */
public final class PublicApi {
  /** Largest public request body accepted (413 beyond): the snippet's bodies are small. */
  public static final long BODY_LIMIT = 16 * 1024;

  private final Router router;
  private final RequestChecks checks;
  private final BodyHandler body = BodyHandler.create(false).setBodyLimit(BODY_LIMIT);

  public PublicApi(Router router, RequestChecks checks) {
    this.router = router;
    this.checks = checks;
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
    var route = router.route(method, path);
    if (HttpMethod.GET.equals(method)) {
      route.method(HttpMethod.HEAD); // the same answer without its body (RFC 9110 9.3.2): monitors use it
    }
    if (hasBody(method)) {
      route.handler(ctx -> Bodies.readBytes(body, ctx));
    }
    route.handler(checks.forRoute(method, path)).handler(Respond.with(endpoint));
  }

  /**
   * Whether requests of {@code method} have a body to read. Vert.x's body handler fails on a GET or
   * OPTIONS that says its body is a form or multipart (IllegalStateException from setExpectMultipart),
   * which answered 500 before (found by the launcher's HttpFuzzTest): those methods skip it.
   */
  public static boolean hasBody(HttpMethod method) {
    return HttpMethod.POST.equals(method) || HttpMethod.PUT.equals(method) || HttpMethod.PATCH.equals(method)
        || HttpMethod.DELETE.equals(method);
  }
}
