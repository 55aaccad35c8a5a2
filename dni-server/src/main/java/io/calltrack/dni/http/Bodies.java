package io.calltrack.dni.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.calltrack.core.CalltrackException;
import io.calltrack.core.json.JsonMapper;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;

/**
 * Reads request bodies into records through the one mapper. The content type is not checked: the
 * snippet may send JSON as {@code text/plain} (a CORS "simple request", no preflight) and
 * {@code sendBeacon} always does.
 */
public final class Bodies {
  private Bodies() {}

  public static <T> T read(RoutingContext ctx, Class<T> type) {
    return JsonMapper.read(buffer(ctx), type);
  }

  /**
   * Reads a JSON object whose id comes from the URL: the URL's value replaces whatever the body
   * says in {@code idField}, so the records' own validation sees the id that will be stored.
   */
  public static <T> T readWithId(RoutingContext ctx, String idField, String id, Class<T> type) {
    Buffer body = buffer(ctx);
    if (body == null || body.length() == 0) {
      throw new CalltrackException.Invalid("request body is empty; expected a JSON object");
    }
    JsonNode node = JsonMapper.tree(body);
    if (!(node instanceof ObjectNode object)) {
      throw new CalltrackException.Invalid("expected a JSON object");
    }
    object.put(idField, id);
    return JsonMapper.read(object.toString(), type);
  }

  /**
   * Runs Vert.x's body handler so that it keeps the body's bytes whatever its label. Endpoints read
   * JSON or CSV, never a form ({@code curl -d} labels JSON {@code application/x-www-form-urlencoded}),
   * but the body handler decodes a body labelled as a form: a '%' that is no escape ({@code "50% off"})
   * failed the request with a bare 400, a multipart body was swallowed, and form fields were merged into
   * the query parameters. The label is taken off the request first, so no body is read as a form.
   */
  public static void readBytes(io.vertx.ext.web.handler.BodyHandler handler, RoutingContext ctx) {
    String type = ctx.request().getHeader("content-type");
    if (type != null) {
      String t = type.strip().toLowerCase(java.util.Locale.ROOT);
      if (t.startsWith("application/x-www-form-urlencoded") || t.startsWith("multipart/")) {
        ctx.request().headers().remove("content-type");
      }
    }
    handler.handle(ctx);
  }

  private static Buffer buffer(RoutingContext ctx) {
    return ctx.body() == null ? null : ctx.body().buffer();
  }
}
