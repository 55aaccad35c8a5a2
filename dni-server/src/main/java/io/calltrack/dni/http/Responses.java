package io.calltrack.dni.http;

import io.calltrack.core.json.JsonMapper;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;

/** Writes JSON answers the same way everywhere: one mapper, UTF-8, never cached by browsers. */
public final class Responses {
  public static final String JSON = "application/json; charset=utf-8";

  private Responses() {}

  public static void json(RoutingContext ctx, int status, Object body) {
    ctx.response()
        .setStatusCode(status)
        .putHeader("content-type", JSON)
        .putHeader("cache-control", "no-store")
        .end(JsonMapper.write(body));
  }

  public static void ok(RoutingContext ctx, Object body) {
    json(ctx, 200, body);
  }

  /** Answers 200 with the future's value as JSON, or hands its failure to the failure handler. */
  public static <T> void respond(RoutingContext ctx, Future<T> result) {
    result.onComplete(ar -> {
      if (ar.succeeded()) {
        ok(ctx, ar.result());
      } else {
        ctx.fail(ar.cause());
      }
    });
  }

  public static void noContent(RoutingContext ctx) {
    ctx.response().setStatusCode(204).putHeader("cache-control", "no-store").end();
  }

  /** The body of every error: DESIGN.md's {@code {"error": code, "detail": text}}. */
  public record ErrorBody(String error, String detail) {}

  public static void error(RoutingContext ctx, int status, String code, String detail) {
    json(ctx, status, new ErrorBody(code, detail));
  }
}
