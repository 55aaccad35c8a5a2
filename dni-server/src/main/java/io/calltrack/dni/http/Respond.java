package io.calltrack.dni.http;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

/**
 * The one way dni-server answers: an {@link Endpoint}'s future becomes the response (a {@link Reply}
 * as it is, any other value as 200 JSON), and its failure, or an exception it throws, goes to the
 * router's failure handler ({@link ErrorHandler}), which writes the {@code {error, detail}} body.
 */
public final class Respond {
  private Respond() {}

  /** The route handler for {@code endpoint}. */
  public static Handler<RoutingContext> with(Endpoint endpoint) {
    return ctx -> {
      Future<?> answer;
      try {
        answer = endpoint.answer(ctx);
      } catch (RuntimeException e) {
        ctx.fail(e);
        return;
      }
      answer.onComplete(ar -> {
        if (ctx.response().ended() || ctx.response().closed()) {
          return; // the client went away, or an earlier failure already answered
        }
        if (ar.failed()) {
          ctx.fail(ar.cause());
        } else {
          write(ctx, ar.result() instanceof Reply r ? r : Reply.json(200, ar.result()));
        }
      });
    };
  }

  /** Writes {@code reply}; only this class and the failure handler write responses. */
  static void write(RoutingContext ctx, Reply reply) {
    HttpServerResponse response = ctx.response().setStatusCode(reply.status());
    response.headers().addAll(reply.headers());
    if (reply.contentType() != null) {
      response.putHeader("content-type", reply.contentType());
    }
    if (reply.body() == null) {
      response.end();
    } else {
      response.end(reply.body());
    }
  }

  /** The body of every error: {@code {"error": code, "detail": text}} (docs/contract.md). */
  public record ErrorBody(String error, String detail) {}

  static void error(RoutingContext ctx, int status, String code, String detail) {
    write(ctx, Reply.json(status, new ErrorBody(code, detail)));
  }
}
