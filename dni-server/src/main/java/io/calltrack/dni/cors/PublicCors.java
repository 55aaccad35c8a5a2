package io.calltrack.dni.cors;

import io.calltrack.core.config.PropertyConfig;
import io.calltrack.dni.http.HttpStatusException;
import io.calltrack.dni.http.Reply;
import io.vertx.ext.web.RoutingContext;
import java.util.Collection;
import java.util.Locale;

/**
 * CORS for the snippet's endpoints, decided per property: only origins in the property's
 * {@code allowedOrigins} (or {@code "*"}) get CORS headers. A request from another origin is refused
 * with 403 before anything changes, so a site that copies the snippet cannot drain a pool.
 * Requests without an {@code Origin} header are not browsers' cross-origin requests and pass.
 */
public final class PublicCors {
  static final String ALLOWED_HEADERS = "Content-Type";
  static final String MAX_AGE_SECONDS = "600";

  private PublicCors() {}

  public static boolean allows(PropertyConfig property, String origin) {
    if (origin == null) {
      return true;
    }
    String o = normalise(origin);
    for (String allowed : property.allowedOrigins()) {
      if ("*".equals(allowed) || normalise(allowed).equals(o)) {
        return true;
      }
    }
    return false;
  }

  public static boolean anyAllows(Collection<PropertyConfig> properties, String origin) {
    return properties.stream().anyMatch(p -> origin != null && allows(p, origin));
  }

  /** Checks the request's origin against the property and adds the CORS headers, or fails with 403. */
  public static void admit(RoutingContext ctx, PropertyConfig property) {
    String origin = ctx.request().getHeader("origin");
    ctx.response().headers().add("vary", "Origin");
    if (origin == null) {
      return;
    }
    if (!allows(property, origin)) {
      throw new HttpStatusException.ForbiddenOrigin(origin);
    }
    ctx.response().putHeader("access-control-allow-origin", origin);
  }

  /**
   * {@link #admit} for the snippet's beacons (release, evidence: {@code navigator.sendBeacon} with a
   * text/plain body, a no-cors request whose answer the page never reads). On a page whose
   * {@code Referrer-Policy} is {@code no-referrer} the Fetch standard sends such a request with
   * {@code Origin: null}; that says no more than a request without the header, which passes, so it
   * passes too (refused, the page's release and its tap evidence were lost, in browsers that follow it).
   */
  public static void admitBeacon(RoutingContext ctx, PropertyConfig property) {
    if ("null".equals(ctx.request().getHeader("origin"))) {
      ctx.response().headers().add("vary", "Origin");
      return;
    }
    admit(ctx, property);
  }

  /** A preflight's answer: 204 with the CORS headers when {@code allowed}, else 403 without them. */
  public static Reply preflight(RoutingContext ctx, boolean allowed) {
    String origin = ctx.request().getHeader("origin");
    ctx.response().headers().add("vary", "Origin");
    if (origin == null || !allowed) {
      throw new HttpStatusException.ForbiddenOrigin(origin);
    }
    return Reply.status(204)
        .header("access-control-allow-origin", origin)
        .header("access-control-allow-methods", "POST, OPTIONS")
        .header("access-control-allow-headers", ALLOWED_HEADERS)
        .header("access-control-max-age", MAX_AGE_SECONDS);
  }

  private static String normalise(String origin) {
    String o = origin.strip().toLowerCase(Locale.ROOT);
    return o.endsWith("/") ? o.substring(0, o.length() - 1) : o;
  }
}
