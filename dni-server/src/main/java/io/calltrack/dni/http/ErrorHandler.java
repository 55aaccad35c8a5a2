package io.calltrack.dni.http;

import io.calltrack.core.CalltrackException;
import io.vertx.core.Handler;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place failures become HTTP answers: {@link CalltrackException} subclasses map to their
 * status, Vert.x Web's own failures (no route, wrong method, body too large) to theirs, anything
 * else to a 500 whose body says nothing about the internals (the stack trace goes to the log).
 */
public final class ErrorHandler implements Handler<RoutingContext> {
  private static final Logger LOG = LoggerFactory.getLogger(ErrorHandler.class);

  private final long defaultBodyLimit;
  private final Router router;
  /** The router's routes, read at the first 405 (every route is mounted by then). */
  private volatile RouteTable routes;

  /**
   * @param router the router whose routes a 405's {@code Allow} names
   * @param defaultBodyLimit the body limit of routes that do not set their own ({@link AdminApi#BODY_LIMIT_KEY})
   */
  private ErrorHandler(Router router, long defaultBodyLimit) {
    this.router = router;
    this.defaultBodyLimit = defaultBodyLimit;
  }

  /** The router's failure handler and its 404, 405 and 500 handler: every error it answers goes through here. */
  public static void install(Router router, long defaultBodyLimit) {
    ErrorHandler errors = new ErrorHandler(router, defaultBodyLimit);
    router.route().failureHandler(errors);
    router.errorHandler(400, errors::badRequest); // the router's own: a path it cannot decode
    router.errorHandler(404, errors);
    router.errorHandler(405, errors);
    router.errorHandler(500, errors);
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (ctx.response().headWritten()) {
      // too late for a JSON error: the answer is half out; cutting the connection is all that is honest
      LOG.warn("failure after the response started on {} {}", ctx.request().method(), ctx.request().path(),
          ctx.failure());
      ctx.response().reset();
      return;
    }
    Throwable failure = ctx.failure();
    if (failure instanceof CalltrackException ce) {
      Respond.error(ctx, statusOf(ce), ce.code(), ce.getMessage());
      return;
    }
    int status = failure instanceof HttpException he ? he.getStatusCode() : ctx.statusCode();
    switch (status) {
      case 400 -> badRequest(ctx);
      case 401 -> Respond.error(ctx, 401, "unauthorized", "missing or wrong bearer token");
      case 403 -> Respond.error(ctx, 403, "forbidden", "forbidden");
      case 404 -> Respond.error(ctx, 404, "not_found", "no such resource: " + ctx.request().path());
      case 405 -> {
        String allow = allowOn(ctx.request().path());
        if (allow != null) {
          ctx.response().putHeader("allow", allow);
        }
        Respond.error(ctx, 405, "method_not_allowed", ctx.request().method() + " is not allowed on "
            + ctx.request().path() + (allow == null ? "" : "; allowed: " + allow));
      }
      case 413 -> Respond.error(ctx, 413, "payload_too_large",
          "request body is larger than " + ctx.<Long>get(AdminApi.BODY_LIMIT_KEY, defaultBodyLimit) + " bytes");
      case 415 -> Respond.error(ctx, 415, "unsupported_media_type", "unsupported content type");
      default -> {
        LOG.error("unexpected failure on {} {}", ctx.request().method(), ctx.request().path(), failure);
        Respond.error(ctx, 500, "internal", "internal error");
      }
    }
  }

  /** A 400 of Vert.x's own (no {@link CalltrackException} says why). */
  private void badRequest(RoutingContext ctx) {
    Respond.error(ctx, 400, "invalid_request", percentEncoded(ctx.request().path()) ? "bad request"
        : "the path is not valid percent-encoding (a '%' must be followed by two hex digits)");
  }

  /** Whether every '%' in {@code raw} starts an escape ({@code %2F}); the router refuses a path where one does not. */
  static boolean percentEncoded(String raw) {
    if (raw == null) {
      return true;
    }
    for (int i = raw.indexOf('%'); i >= 0; i = raw.indexOf('%', i + 1)) {
      if (i + 2 >= raw.length() || Character.digit(raw.charAt(i + 1), 16) < 0 || Character.digit(raw.charAt(i + 2), 16) < 0) {
        return false;
      }
    }
    return true;
  }

  private String allowOn(String path) {
    RouteTable table = routes;
    if (table == null) {
      routes = table = RouteTable.of(router);
    }
    return path == null ? null : table.allowOn(path);
  }

  static int statusOf(CalltrackException e) {
    if (e instanceof HttpStatusException hs) {
      return hs.status();
    }
    if (e instanceof CalltrackException.NotFound) {
      return 404;
    }
    if (e instanceof CalltrackException.Conflict) {
      return 409;
    }
    if (e instanceof CalltrackException.Gone) {
      return 410;
    }
    if (e instanceof CalltrackException.TooMany) {
      return 429;
    }
    return 400; // Invalid, and any later subclass that is the caller's fault
  }
}
