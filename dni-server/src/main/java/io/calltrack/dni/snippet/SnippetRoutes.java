package io.calltrack.dni.snippet;

import io.calltrack.dni.http.PublicApi;
import io.calltrack.dni.http.Reply;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;

/**
 * {@code GET /dni.js}: the snippet that sites embed, gzipped for clients that accept it, with a
 * strong ETag (304 on a matching {@code If-None-Match}) and a short public cache lifetime, so that a
 * new snippet reaches every site within minutes while repeat views cost a revalidation at most.
 */
public final class SnippetRoutes {
  /** Five minutes fresh, then revalidated by ETag; served stale for a day if we are unreachable. */
  static final String CACHE_CONTROL = "public, max-age=300, stale-if-error=86400";
  static final String CONTENT_TYPE = "application/javascript; charset=utf-8";

  private final Snippet snippet;

  public SnippetRoutes() {
    this(Snippet.built());
  }

  public SnippetRoutes(Snippet snippet) {
    this.snippet = snippet;
  }

  public void mount(PublicApi api) {
    api.get("/dni.js", this::serve);
  }

  private Future<Reply> serve(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    boolean gzip = acceptsGzip(request.getHeader(HttpHeaders.ACCEPT_ENCODING));
    String etag = gzip ? snippet.gzipEtag() : snippet.etag();
    Reply reply = matches(request.getHeader(HttpHeaders.IF_NONE_MATCH), etag)
        ? Reply.status(304)
        : Reply.of(CONTENT_TYPE, gzip ? snippet.gzipped() : snippet.plain())
            // the body is already what the client should get: no further encoding by the server
            .header(HttpHeaders.CONTENT_ENCODING.toString(), gzip ? "gzip" : "identity");
    return Future.succeededFuture(reply
        .header(HttpHeaders.ETAG.toString(), etag)
        .header(HttpHeaders.CACHE_CONTROL.toString(), CACHE_CONTROL)
        .header(HttpHeaders.VARY.toString(), "Accept-Encoding")
        // a public script: lets sites load it with crossorigin="anonymous" (e.g. for SRI)
        .header(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN.toString(), "*"));
  }

  /** True when the Accept-Encoding header lists gzip (or *) without q=0. */
  static boolean acceptsGzip(String acceptEncoding) {
    if (acceptEncoding == null) {
      return false;
    }
    for (String part : acceptEncoding.split(",")) {
      String[] pieces = part.split(";");
      String coding = pieces[0].strip().toLowerCase(Locale.ROOT);
      if (!coding.equals("gzip") && !coding.equals("*")) {
        continue;
      }
      boolean refused = false;
      for (int i = 1; i < pieces.length; i++) {
        String param = pieces[i].strip().toLowerCase(Locale.ROOT);
        if (param.startsWith("q=")) {
          try {
            refused = Double.parseDouble(param.substring(2)) <= 0;
          } catch (NumberFormatException e) {
            refused = true;
          }
        }
      }
      if (!refused) {
        return true;
      }
    }
    return false;
  }

  /** If-None-Match uses the weak comparison (RFC 9110 13.1.2): a W/ prefix does not matter. */
  static boolean matches(String ifNoneMatch, String etag) {
    if (ifNoneMatch == null) {
      return false;
    }
    for (String candidate : ifNoneMatch.split(",")) {
      String c = candidate.strip();
      if (c.equals("*")) {
        return true;
      }
      if (c.startsWith("W/")) {
        c = c.substring(2);
      }
      if (c.equals(etag)) {
        return true;
      }
    }
    return false;
  }
}
