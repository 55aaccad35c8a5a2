package io.calltrack.dni.calls;

import io.calltrack.core.CalltrackException;
import io.calltrack.core.calls.CallStore;
import io.calltrack.core.json.JsonMapper;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.concurrent.TimeUnit;

/**
 * Call records written by the SIP router (admin API):
 * <ul>
 *   <li>{@code GET /v1/calls?from&to&limit&cursor} → {@code {calls: [...], next}}: calls that started in
 *       {@code [from, to)} (ISO-8601 instants; both optional), newest first, {@code limit} per page
 *       (default 50, at most 500); {@code next} is the {@code cursor} of the next page, null on the last.</li>
 *   <li>{@code GET /v1/calls/{callId}} → the call record, 404 if unknown.</li>
 * </ul>
 * Failures go to the router's failure handler ({@link CalltrackException}s become 4xx JSON errors).
 */
public final class CallRoutes {
  public static final int DEFAULT_LIMIT = 50;
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private final CallStore calls;
  private final Handler<RoutingContext> auth;

  /** @param auth the admin bearer-token check, run first on every route */
  public CallRoutes(CallStore calls, Handler<RoutingContext> auth) {
    this.calls = calls;
    this.auth = auth;
  }

  public void mount(Router router) {
    router.get("/v1/calls").handler(auth).handler(this::list);
    router.get("/v1/calls/:callId").handler(auth).handler(this::get);
  }

  private void list(RoutingContext ctx) {
    Instant from = instant(ctx, "from");
    Instant to = instant(ctx, "to");
    int limit = limit(ctx);
    String cursor = ctx.request().getParam("cursor");
    respond(ctx, calls.page(from, to, limit, cursor == null || cursor.isBlank() ? null : cursor));
  }

  private void get(RoutingContext ctx) {
    String callId = ctx.pathParam("callId");
    if (callId == null || callId.isBlank() || callId.length() > 256) {
      throw new CalltrackException.Invalid("callId is missing or too long");
    }
    respond(ctx, calls.get(callId).map(found -> found.orElseThrow(
        () -> new CalltrackException.NotFound("no call '" + callId + "'"))));
  }

  private static Instant instant(RoutingContext ctx, String name) {
    String v = ctx.request().getParam(name);
    if (v == null || v.isBlank()) {
      return null;
    }
    try {
      return Instant.parse(v.strip());
    } catch (DateTimeParseException e) {
      throw new CalltrackException.Invalid(name + " must be an ISO-8601 instant like 2026-01-31T00:00:00Z: '" + v + "'");
    }
  }

  private static int limit(RoutingContext ctx) {
    String v = ctx.request().getParam("limit");
    if (v == null || v.isBlank()) {
      return DEFAULT_LIMIT;
    }
    try {
      return Integer.parseInt(v.strip());
    } catch (NumberFormatException e) {
      throw new CalltrackException.Invalid("limit must be a whole number: '" + v + "'");
    }
  }

  private static <T> void respond(RoutingContext ctx, Future<T> result) {
    result.timeout(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).onComplete(ar -> {
      if (ar.succeeded()) {
        ctx.response().setStatusCode(200)
            .putHeader("content-type", "application/json; charset=utf-8")
            .putHeader("cache-control", "no-store")
            .end(JsonMapper.write(ar.result()));
      } else {
        ctx.fail(ar.cause());
      }
    });
  }
}
