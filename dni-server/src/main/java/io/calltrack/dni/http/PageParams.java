package io.calltrack.dni.http;

import io.calltrack.core.CalltrackException;
import io.vertx.ext.web.RoutingContext;

/** The query parameters of a list read a page at a time: {@code limit} and {@code cursor}. */
public final class PageParams {
  private PageParams() {}

  /** {@code limit}, or {@code otherwise} when it is absent or blank; the store checks its range. */
  public static int limit(RoutingContext ctx, int otherwise) {
    String v = ctx.request().getParam("limit");
    if (v == null || v.isBlank()) {
      return otherwise;
    }
    try {
      return Integer.parseInt(v.strip());
    } catch (NumberFormatException e) {
      throw new CalltrackException.Invalid("limit must be a whole number: '" + v + "'");
    }
  }

  /** {@code cursor} (a previous page's {@code next}), or null for the first page. */
  public static String cursor(RoutingContext ctx) {
    String v = ctx.request().getParam("cursor");
    return v == null || v.isBlank() ? null : v;
  }
}
