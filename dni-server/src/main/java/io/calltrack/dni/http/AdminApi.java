package io.calltrack.dni.http;

import io.calltrack.core.redis.ReplicationBarrier;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Duration;
import java.util.Objects;

/**
 * The admin API: one Vert.x sub-router (mounted at {@code /v1}) and the only way to add an admin
 * route. Every route added here gets, in this order and without the feature saying so: the bearer
 * token check ({@link AdminAuth}), its body limit (read only after the token is checked), the
 * request check against the OpenAPI document ({@link RequestChecks}), the admin store timeout ({@link Timeouts#admin},
 * a slow or unreachable Redis becomes a 503), and the one way to answer ({@link Respond}). A write
 * ({@code PUT}, {@code POST}, {@code DELETE}) that succeeded answers only once the replicas have it
 * ({@link ReplicationBarrier}, {@code CALLTRACK_REDIS_WAIT}; 503 {@code not_replicated} if they did not
 * confirm it): an operator told a change, an import or an erasure is done must not lose it in a failover.
 *
 * Who may call a route: the admin token always; an API key only where the route declares which
 * property the request names ({@link Route#scope}) and only for that key's property, and only
 * {@code GET} for a read key. A route without {@code scope} is the admin token's alone (fail closed).
 *
 * <pre>{@code admin.get("/v1/calls/:callId", this::get).scope(PropertyFrom.owner("callId", ...));
 * admin.put("/v1/spend", this::put).bodyLimit(UPLOAD_LIMIT).timeout(Timeouts.SLOW_ADMIN);}</pre>
 *
 * Auth is attached per route rather than on a catch-all of the sub-router so that a path that is no
 * admin route falls through to the main router, which answers 404, or 405 for a public path called
 * with the wrong method ({@code GET /v1/assign}).
 *
 * <p>The sub-router is one per first path segment ({@code /v1/properties}, {@code /v1/calls}, ...),
 * each mounted on its segment alone, so a request enters only the one that can hold its route. One
 * sub-router on all of {@code /v1} made every public request ({@code /v1/assign}, a heartbeat) try
 * every admin route first: a path concatenation or a regular-expression {@code Matcher} each, 15 % of
 * what dni-server allocated under the snippet's traffic.
 */
public final class AdminApi {
  /** Where the sub-router is mounted; admin paths are written in full ({@code /v1/...}) for grep. */
  public static final String PREFIX = "/v1";
  /** Body limit of an admin route unless it says otherwise. */
  public static final long DEFAULT_BODY_LIMIT = 16 * 1024;
  /** The context key under which a route's body limit is kept for the 413 message. */
  public static final String BODY_LIMIT_KEY = "calltrack.bodyLimit";

  private final Vertx vertx;
  /** Each first path segment's sub-router, in the order of their first routes. */
  private final java.util.Map<String, Router> bySegment = new java.util.LinkedHashMap<>();
  /** The main router once {@link #mountOn} was called (segments seen later are mounted as they come). */
  private Router main;
  private int mounted;
  private final AdminAuth auth;
  private final Timeouts timeouts;
  private final RequestChecks checks;
  private final ReplicationBarrier replicated;

  public AdminApi(Vertx vertx, AdminAuth auth, Timeouts timeouts, RequestChecks checks,
      ReplicationBarrier replicated) {
    this.vertx = vertx;
    this.auth = auth;
    this.timeouts = timeouts;
    this.checks = checks;
    this.replicated = Objects.requireNonNull(replicated, "replicated");
  }

  /** One admin route; its limits may be raised after it is added. */
  public final class Route {
    private long bodyLimit = DEFAULT_BODY_LIMIT;
    private BodyHandler body = BodyHandler.create(false).setBodyLimit(DEFAULT_BODY_LIMIT);
    private Duration timeout;
    private PropertyFrom scope;

    /**
     * Lets API keys of the property the request names call this route (reads for read keys, every
     * method for write keys). Without it only the admin token may.
     */
    public Route scope(PropertyFrom from) {
      this.scope = Objects.requireNonNull(from, "from");
      return this;
    }

    private void checkScope(RoutingContext ctx) {
      Principal who = Principal.of(ctx);
      if (who != null && who.isAdmin()) {
        ctx.next();
        return;
      }
      if (who == null || scope == null) {
        ctx.fail(new HttpStatusException.Forbidden("this endpoint needs the admin token"));
        return;
      }
      boolean write = ctx.request().method() != HttpMethod.GET && ctx.request().method() != HttpMethod.HEAD;
      if (!who.apiKey().scope().allows(write)) {
        ctx.fail(new HttpStatusException.Forbidden("this API key may only read"));
        return;
      }
      String own = who.apiKey().property();
      scope.properties(ctx).onComplete(named -> {
        if (named.failed()) {
          ctx.fail(named.cause());
        } else if (named.result().isEmpty() || !named.result().equals(java.util.Set.of(own))) {
          ctx.fail(new HttpStatusException.Forbidden("this API key opens property '" + own + "' only"));
        } else {
          ctx.next();
        }
      });
    }

    /** A larger body than {@value #DEFAULT_BODY_LIMIT} bytes (uploads, large pools). */
    public Route bodyLimit(long bytes) {
      this.bodyLimit = bytes;
      this.body = BodyHandler.create(false).setBodyLimit(bytes);
      return this;
    }

    /** A longer store timeout than the admin default (exports that page through many calls). */
    public Route timeout(Duration limit) {
      this.timeout = limit;
      return this;
    }

    private void readBody(RoutingContext ctx) {
      if (!PublicApi.hasBody(ctx.request().method())) {
        ctx.request().resume(); // paused while an API key was checked
        ctx.next(); // see PublicApi.hasBody
        return;
      }
      ctx.put(BODY_LIMIT_KEY, bodyLimit);
      Bodies.readBytes(body, ctx);
    }

    private Handler<RoutingContext> answer(HttpMethod method, Endpoint endpoint) {
      boolean read = method == HttpMethod.GET || method == HttpMethod.HEAD;
      Endpoint confirmed = read ? endpoint : ctx -> replicatedAnswer(endpoint.answer(ctx));
      return Respond.with(ctx -> timeout == null
          ? timeouts.admin(confirmed.answer(ctx))
          : Timeouts.store(confirmed.answer(ctx), timeout));
    }
  }

  /**
   * A write's answer once the barrier's replicas have every write it made: one marker and WAIT per
   * master after the last write, however many writes, connections and slots the change took.
   */
  private <T> Future<T> replicatedAnswer(Future<T> written) {
    return written.compose(out -> replicated.await().map(out));
  }

  public Route get(String path, Endpoint endpoint) {
    return add(HttpMethod.GET, path, endpoint);
  }

  public Route put(String path, Endpoint endpoint) {
    return add(HttpMethod.PUT, path, endpoint);
  }

  public Route post(String path, Endpoint endpoint) {
    return add(HttpMethod.POST, path, endpoint);
  }

  public Route delete(String path, Endpoint endpoint) {
    return add(HttpMethod.DELETE, path, endpoint);
  }

  public Route add(HttpMethod method, String path, Endpoint endpoint) {
    Objects.requireNonNull(endpoint, "endpoint");
    if (!path.startsWith(PREFIX + "/")) {
      throw new IllegalArgumentException("admin paths start with " + PREFIX + "/: " + path);
    }
    String rest = path.substring(PREFIX.length() + 1);
    int slash = rest.indexOf('/');
    String segment = slash < 0 ? rest : rest.substring(0, slash);
    if (segment.isEmpty() || segment.startsWith(":") || segment.contains("*")) {
      throw new IllegalArgumentException("admin paths start " + PREFIX + "/ with a fixed segment: " + path);
    }
    Route route = new Route();
    var mounted = segment(segment).route(method, slash < 0 ? "/" : rest.substring(slash));
    if (method == HttpMethod.GET) {
      mounted.method(HttpMethod.HEAD); // the same answer without its body (RFC 9110 9.3.2)
    }
    mounted
        .handler(auth)
        .handler(route::readBody)
        .handler(route::checkScope)
        .handler(checks.forRoute(method, path))
        .handler(route.answer(method, endpoint));
    return route;
  }

  /**
   * Mounts the admin sub-routers on {@code main}, ahead of the public routes (see above) whenever the
   * admin routes are added: a segment's sub-router mounted after a public route of the same segment
   * ({@code POST /v1/callbacks}) would turn that path's 405s into 404s.
   */
  public void mountOn(Router main) {
    if (this.main != null) {
      throw new IllegalStateException("the admin API is mounted already");
    }
    this.main = main;
    bySegment.forEach(this::mount);
  }

  private Router segment(String segment) {
    Router router = bySegment.get(segment);
    if (router == null) {
      router = Router.router(vertx);
      bySegment.put(segment, router);
      if (main != null) {
        mount(segment, router);
      }
    }
    return router;
  }

  /**
   * On {@code /v1/segment*}, not {@code /v1/segment/*}: a route {@code /} in a sub-router mounted on
   * a path that ends in a slash wants that slash, so {@code GET /v1/properties} found no route. The
   * mount also takes {@code /v1/segmentX}, where no route of the segment matches: 404 as before.
   */
  private void mount(String segment, Router router) {
    main.route(PREFIX + "/" + segment + "*").order(FIRST_ORDER + mounted++).subRouter(router);
  }

  /**
   * Where the mounts go in the main router's order: after its handlers for every request (HttpHardening's
   * at -10,000), before every route added in the order it came.
   */
  public static final int FIRST_ORDER = -5_000;
}
