package io.calltrack.dni.http;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * What every request and connection of the dni-server gets before any feature sees it:
 * <ul>
 *   <li>connection deadlines ({@link ServerHardening}): a connection with no traffic is closed after
 *       the idle timeout (Vert.x's own); once a request's headers are in, the request must be answered
 *       within the request timeout (a body trickled a byte at a time is never idle), and a kept-alive
 *       connection must start its next request within the idle timeout of the last answer. Not
 *       covered: headers trickled a byte at a time before the first request (Vert.x gives no hook
 *       before the headers are complete); Netty's 8 KiB header limit bounds them;</li>
 *   <li>a query string that is not valid percent-encoding is a 400, not a parser failure later;</li>
 *   <li>{@code Date} (RFC 9110 6.6.1: an origin server with a clock sends one) and
 *       {@code X-Content-Type-Options: nosniff} on every answer, and on the dashboard a
 *       Content-Security-Policy (only its own scripts and styles, nothing inline, no framing),
 *       {@code X-Frame-Options: DENY} and {@code Referrer-Policy: no-referrer}.</li>
 * </ul>
 */
public final class HttpHardening {
  /** The dashboard loads its own script, style and JSON: nothing else, and nothing inline. */
  public static final String DASHBOARD_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; "
      + "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  private final Vertx vertx;
  private final ServerHardening settings;
  /** Per open connection: the timer that closes it if the next deadline passes. */
  private final Map<HttpConnection, ScheduledFuture<?>> deadlines = new ConcurrentHashMap<>();

  public HttpHardening(Vertx vertx, ServerHardening settings) {
    this.vertx = vertx;
    this.settings = settings;
  }

  /**
   * The idle timeout on the server's options, and no HTTP/2 over cleartext: to tell HTTP/2's preface
   * from HTTP/1, Vert.x holds a new connection back until its first bytes and announces it
   * ({@link #connectionHandler}) only when the connection ends, so the header deadline could not be set.
   * HTTP/2 clients use HTTP/1.1 instead (TLS, and HTTP/2 with it, is the reverse proxy's, README).
   */
  public HttpServerOptions configure(HttpServerOptions options) {
    return options.setIdleTimeout((int) settings.idleTimeout().toMillis()).setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
        .setHttp2ClearTextEnabled(false);
  }

  /**
   * For {@code HttpServer.connectionHandler}: a new connection must have sent its first request's
   * headers within the header timeout, sending nothing or trickling them (slow-loris); the idle timeout
   * is longer (it also bounds kept-alive connections between requests). Needs {@link #configure}'s
   * options: with HTTP/2 over cleartext on, Vert.x calls this too late.
   */
  public Handler<HttpConnection> connectionHandler() {
    return conn -> {
      if (conn instanceof io.vertx.core.net.impl.ConnectionBase base && !deadlines.containsKey(conn)) {
        base.channel().closeFuture().addListener(f -> disarm(conn));
        arm(conn, settings.headerTimeout().toMillis());
      }
    };
  }

  /** Wraps the router: headers are in, so the request deadline replaces the header deadline. */
  public Handler<HttpServerRequest> requestHandler(Handler<HttpServerRequest> next) {
    return req -> {
      HttpConnection conn = req.connection();
      if (conn instanceof io.vertx.core.net.impl.ConnectionBase base && !deadlines.containsKey(conn)) {
        base.channel().closeFuture().addListener(f -> disarm(conn));
      }
      if (conn != null) {
        arm(conn, settings.requestTimeout().toMillis());
        // the next request on a kept-alive connection must start within the idle timeout
        req.response().endHandler(v -> arm(conn, settings.idleTimeout().toMillis()));
      }
      next.handle(req);
    };
  }

  private void arm(HttpConnection conn, long millis) {
    // scheduled on the connection's own Netty event loop: no Vert.x context involved, and the
    // deadline task runs on the thread that owns the channel
    if (!(conn instanceof io.vertx.core.net.impl.ConnectionBase base)) {
      return;
    }
    io.netty.channel.Channel channel = base.channel();
    ScheduledFuture<?> task = channel.eventLoop().schedule(() -> {
      channel.close();
    }, millis, TimeUnit.MILLISECONDS);
    ScheduledFuture<?> old = deadlines.put(conn, task);
    if (old != null) {
      old.cancel(false);
    }
  }

  private void disarm(HttpConnection conn) {
    ScheduledFuture<?> old = deadlines.remove(conn);
    if (old != null) {
      old.cancel(false);
    }
  }

  /**
   * For {@code HttpServer.invalidRequestHandler}: a request Netty could not read (a request line past
   * 4 KiB, headers past 8 KiB, a malformed line) is answered like any other error, {@code {error,
   * detail}} JSON, where Vert.x's own answer has no body; the connection closes after it, since what
   * follows on it cannot be trusted to start a request.
   */
  public Handler<HttpServerRequest> invalidRequestHandler() {
    return req -> {
      Throwable cause = req.decoderResult() == null ? null : req.decoderResult().cause();
      int status;
      String detail;
      if (cause instanceof io.netty.handler.codec.http.TooLongHttpLineException) {
        status = 414;
        detail = "the request line is too long (at most " + HttpServerOptions.DEFAULT_MAX_INITIAL_LINE_LENGTH
            + " bytes): send long parameters in the body";
      } else if (cause instanceof io.netty.handler.codec.http.TooLongHttpHeaderException) {
        status = 431;
        detail = "the request's headers are too large (at most " + HttpServerOptions.DEFAULT_MAX_HEADER_SIZE
            + " bytes)";
      } else {
        status = 400;
        detail = "not a well-formed HTTP request";
      }
      String error = status == 400 ? "invalid_request" : status == 414 ? "uri_too_long" : "headers_too_large";
      req.response().setStatusCode(status).putHeader("content-type", "application/json; charset=utf-8")
          .putHeader("connection", "close")
          .end(new io.vertx.core.json.JsonObject().put("error", error).put("detail", detail).encode())
          .onComplete(v -> req.connection().close());
    };
  }

  /** Open connections being watched (for tests and metrics). */
  public int watched() {
    return deadlines.size();
  }

  /** Mount first on the main router: query check and security headers. */
  public void mount(Router router) {
    router.route().order(-10_000).handler(HttpHardening::checkAndHeaders);
  }

  static void checkAndHeaders(RoutingContext ctx) {
    // an answer sent before the request's body has all arrived (a refused token, a bad query, a body too
    // large): the connection is closed after the answer, and says so, or a client that keeps connections
    // alive sends its next request on one that is closing. A request without a body (a GET, a preflight)
    // is not "ended" yet while its handler answers at once, but nothing of it is left to come: its
    // connection stays open, or every fetch of the snippet would cost the page a new connection.
    ctx.addHeadersEndHandler(v -> {
      if (!ctx.request().isEnded() && announcesBody(ctx.request())) {
        ctx.response().putHeader("connection", "close");
      }
    });
    try {
      ctx.request().params();
    } catch (IllegalArgumentException e) {
      ctx.fail(new HttpStatusException.BadQuery());
      return;
    }
    var headers = ctx.response().headers();
    headers.set("date", HttpDate.now());
    headers.set("x-content-type-options", "nosniff");
    String path = ctx.request().path();
    if (path != null && (path.equals("/dashboard") || path.startsWith("/dashboard/"))) {
      headers.set("content-security-policy", DASHBOARD_CSP);
      headers.set("x-frame-options", "DENY");
      headers.set("referrer-policy", "no-referrer");
    }
    ctx.next();
  }

  /** Whether the request says a body follows (RFC 9112 6.3: a Transfer-Encoding, or a Content-Length above 0). */
  static boolean announcesBody(HttpServerRequest request) {
    if (request.headers().contains("transfer-encoding")) {
      return true;
    }
    String length = request.getHeader("content-length");
    return length != null && !length.strip().matches("0+");
  }
}
