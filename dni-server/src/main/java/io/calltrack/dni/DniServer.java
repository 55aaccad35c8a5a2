package io.calltrack.dni;

import io.calltrack.core.calls.RedisCallStore;
import io.calltrack.core.config.ConfigFile;
import io.calltrack.core.config.ConfigStore;
import io.calltrack.core.config.RedisConfigStore;
import io.calltrack.core.pool.PoolEngine;
import io.calltrack.core.callback.RedisCallbackStore;
import io.calltrack.core.pool.RedisPoolEngine;
import io.calltrack.dni.callback.CallbackRoutes;
import io.calltrack.core.redis.LuaScript;
import io.calltrack.core.redis.RedisClientFactory;
import io.calltrack.core.redis.RedisTarget;
import io.calltrack.core.redis.ReplicationBarrier;
import io.calltrack.dni.admin.NumberRoutes;
import io.calltrack.dni.admin.PoolRoutes;
import io.calltrack.dni.admin.PropertyRoutes;
import io.calltrack.core.abuse.AssignLimiter;
import io.calltrack.core.privacy.Eraser;
import io.calltrack.core.privacy.RedisSessionRetention;
import io.calltrack.dni.assign.AbuseGuard;
import io.calltrack.dni.assign.AssignRoutes;
import io.calltrack.dni.privacy.PrivacyRoutes;
import io.calltrack.dni.auth.ApiKeyRoutes;
import io.calltrack.core.auth.ApiKeys;
import io.calltrack.dni.assign.SessionRoutes;
import java.nio.file.Path;
import io.calltrack.dni.calls.CallRoutes;
import io.calltrack.dni.calls.RecordingRoutes;
import io.calltrack.dni.calls.RecordingSweeper;
import io.calltrack.dni.config.PropertyDirectory;
import io.calltrack.dni.health.HealthRoutes;
import io.calltrack.dni.http.AdminApi;
import io.calltrack.dni.http.AdminAuth;
import io.calltrack.dni.http.ErrorHandler;
import io.calltrack.dni.http.ClientAddress;
import io.calltrack.dni.http.HttpHardening;
import io.calltrack.dni.http.ServerHardening;
import io.calltrack.dni.http.PublicApi;
import io.calltrack.dni.http.RouteTable;
import io.calltrack.dni.http.Timeouts;
import io.calltrack.dni.metrics.AssignMetrics;
import io.calltrack.dni.metrics.MetricsRoutes;
import io.calltrack.dni.metrics.PoolGauges;
import io.calltrack.dni.metrics.Sweeper;
import io.calltrack.dni.openapi.ApiContract;
import io.calltrack.dni.openapi.OpenApiRoutes;
import io.calltrack.dni.openapi.RequestCheck;
import io.calltrack.dni.report.RoiFeature;
import io.calltrack.dni.snippet.SnippetRoutes;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The DNI HTTP server: snippet endpoints, admin API, health and metrics on one Vert.x Web router.
 * Each feature mounts its own routes in one line of {@link #router}: public routes on the main
 * router, admin routes on the {@link AdminApi} sub-router, which attaches auth, body limits and store
 * timeouts itself (docs/architecture.md, "Adding a route"). All state is in Redis, so several servers
 * can share one Redis and a restarted server carries on where the last one stopped.
 */
public final class DniServer {
  private final Redis redis;
  private final RedisConfigStore store;
  private final HttpServer http;
  private final Sweeper sweeper;
  private final AssignMetrics assignMetrics;
  private final PoolGauges poolGauges;
  private final PrometheusMeterRegistry ownRegistry;
  private final RoiFeature roi;
  private HttpServer metricsHttp;
  private RecordingSweeper recordingSweeper;
  private final Routes routes;
  /** How long a close waits for the requests in progress: no request may take longer anyway. */
  private Duration closeGrace = ServerHardening.DEFAULT_REQUEST_TIMEOUT;
  /** Set on the first instance of a multi-instance server. */
  private volatile Deployments deployments;

  private DniServer(Redis redis, RedisConfigStore store, HttpServer http, Sweeper sweeper,
      AssignMetrics assignMetrics, PoolGauges poolGauges, PrometheusMeterRegistry ownRegistry, RoiFeature roi,
      Routes routes) {
    this.redis = redis;
    this.store = store;
    this.http = http;
    this.sweeper = sweeper;
    this.assignMetrics = assignMetrics;
    this.poolGauges = poolGauges;
    this.ownRegistry = ownRegistry;
    this.roi = roi;
    this.routes = routes;
  }

  /**
   * Connects to Redis, applies {@code configFile} (start fails if it is invalid or Redis cannot take
   * it), then listens. Without a config file the server starts even while Redis is down: assigns
   * answer with fallbacks and {@code /health/ready} says 503 until Redis is back.
   */
  public static Future<DniServer> start(Vertx vertx, DniServerOptions o) {
    return o.instances() <= 1 ? startOne(vertx, o) : startInstances(vertx, o);
  }

  /**
   * {@code o.instances()} HTTP verticles on one port, each a whole server of its own (Redis client,
   * stores, engine, router, sweeper, rollup consumer) on its own event loop: nothing is shared but
   * the metrics registry, and Vert.x hands each new connection to the next verticle. One verticle
   * applies the config file. The server returned is one of them; closing it undeploys them all.
   */
  private static Future<DniServer> startInstances(Vertx vertx, DniServerOptions o) {
    PrometheusMeterRegistry shared = o.registry() == null ? new PrometheusMeterRegistry(PrometheusConfig.DEFAULT) : null;
    // servers share a port only when they ask for the same one: "any free port" is chosen here, once
    DniServerOptions each = (shared == null ? o : o.withRegistry(shared)).withPort(o.port() == 0 ? freePort() : o.port());
    List<DniServer> servers = new CopyOnWriteArrayList<>();
    java.util.concurrent.atomic.AtomicBoolean configGiven = new java.util.concurrent.atomic.AtomicBoolean();
    return vertx.deployVerticle(() -> new HttpInstance(configGiven.compareAndSet(false, true) ? each
                : each.withConfigFile(null), servers), new DeploymentOptions().setInstances(o.instances()))
        .map(id -> {
          DniServer front = servers.get(0);
          front.deployments = new Deployments(vertx, List.of(id), shared, servers.size());
          return front;
        })
        .onFailure(err -> {
          if (shared != null) {
            shared.close();
          }
        });
  }

  private static int freePort() {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      return s.getLocalPort();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** One HTTP verticle: a whole server started on the verticle's own event loop. */
  private static final class HttpInstance extends VerticleBase {
    private final DniServerOptions options;
    private final List<DniServer> started;
    private DniServer server;

    HttpInstance(DniServerOptions options, List<DniServer> started) {
      this.options = options;
      this.started = started;
    }

    @Override
    public Future<?> start() {
      return startOne(vertx, options).onSuccess(s -> {
        server = s;
        started.add(s);
      });
    }

    @Override
    public Future<?> stop() {
      return server == null ? Future.succeededFuture() : server.closeThis();
    }
  }

  /** The verticles of a multi-instance server, undeployed by {@link #close()}. */
  private record Deployments(Vertx vertx, List<String> ids, PrometheusMeterRegistry sharedRegistry, int count) {}

  private static Future<DniServer> startOne(Vertx vertx, DniServerOptions o) {
    Redis redis = RedisClientFactory.create(vertx, o.redisUrl());
    // never fails for Redis being down: the store then works uncached and subscribes when it can
    // CALLTRACK_REDIS_WAIT: assigns and every admin write (configuration, API keys, outcomes, spend,
    // erasures) answer once a replica has them, and the rollup consumer acknowledges call events once
    // a replica has their rollups (a failover cannot lose them)
    RedisTarget target = RedisTarget.parse(o.redisUrl());
    LuaScript.Durability writes = target.writes();
    return RedisConfigStore.create(vertx, redis, writes).compose(store -> {
      RedisAPI api = RedisAPI.api(redis);
      PoolEngine engine = new RedisPoolEngine(vertx, redis, store, o.clock()).withReplicatedAssigns(writes);
      Future<Void> configApplied = o.configFile() == null
          ? Future.succeededFuture()
          : vertx.executeBlocking(() -> ConfigFile.read(o.configFile())).compose(file -> file.applyTo(store));
      return ApiContract.load(vertx)
          .compose(contract -> compose(vertx, o, redis, api, store, engine, contract, configApplied, writes,
              new ReplicationBarrier(redis, target.mode(), writes)))
          .onFailure(err -> store.close());
    }, err -> {
      redis.close();
      return Future.failedFuture(err);
    });
  }

  /**
   * What the features are built from. A new feature takes what it needs from here in its one line
   * in {@link #router}.
   */
  record Parts(
      Vertx vertx,
      RedisAPI redis,
      ConfigStore store,
      PoolEngine engine,
      PropertyDirectory properties,
      AdminAuth auth,
      ApiKeys apiKeys,
      ReplicationBarrier replicated,
      Timeouts timeouts,
      PrometheusMeterRegistry registry,
      AssignMetrics assignMetrics,
      PoolGauges poolGauges,
      ApiContract contract,
      Clock clock,
      HttpHardening hardening,
      ServerHardening settings,
      Path recordingsDir,
      RecordingSweeper recordings) {}

  /** The router, and what the suite checks of it: its routes against openapi.json. */
  record Routes(Router router, RequestCheck checks) {}

  private static Future<DniServer> compose(Vertx vertx, DniServerOptions o, Redis redis, RedisAPI api,
      RedisConfigStore store, PoolEngine engine, ApiContract contract, Future<Void> configApplied,
      LuaScript.Durability writes, ReplicationBarrier replicated) {
    PrometheusMeterRegistry ownRegistry =
        o.registry() == null ? new PrometheusMeterRegistry(PrometheusConfig.DEFAULT) : null;
    PrometheusMeterRegistry registry = o.registry() != null ? o.registry() : ownRegistry;
    Timeouts timeouts = new Timeouts(o.storeTimeout());
    PropertyDirectory directory = new PropertyDirectory(store, timeouts);
    AssignMetrics assignMetrics = new AssignMetrics(registry);
    if (engine instanceof RedisPoolEngine pools) {
      pools.onUnmatched(assignMetrics::unmatched);
      pools.onSessionLookup(assignMetrics::sessionLookup);
    }
    PoolGauges poolGauges = new PoolGauges(registry, store, engine, timeouts);
    Sweeper sweeper = new Sweeper(vertx, engine, poolGauges, directory, timeouts,
        new io.calltrack.core.privacy.RetentionSweep(api, o.clock()));
    ApiKeys apiKeys = new ApiKeys(redis, o.clock(), writes);
    AdminAuth auth = new AdminAuth(o.adminToken(), apiKeys);
    RoiFeature roi = new RoiFeature(vertx, redis, store, engine, o.clock(), replicated, registry, o.recordingsDir());
    HttpHardening hardening = new HttpHardening(vertx, o.hardening());
    RecordingSweeper recordings = new RecordingSweeper(vertx, new RedisCallStore(api), o.recordingsDir(), o.clock());
    Parts parts = new Parts(vertx, api, store, engine, directory, auth, apiKeys, replicated, timeouts,
        registry, assignMetrics, poolGauges, contract, o.clock(), hardening, o.hardening(), o.recordingsDir(),
        recordings);
    Routes routes = routes(parts, roi);
    HttpServer http = listener(parts, o.host(), o.port(), routes.router());
    HttpServer metricsHttp = o.hardening().separateMetrics()
        ? listener(parts, o.hardening().metricsHost(), o.hardening().metricsPort(), metricsRouter(parts))
        : null;

    return configApplied
        .compose(v -> directory.refreshAll().otherwiseEmpty())
        .compose(v -> http.listen())
        .compose(v -> metricsHttp == null ? Future.succeededFuture(v) : metricsHttp.listen())
        .map(listening -> {
          sweeper.start();
          recordings.start();
          roi.start();
          DniServer server = new DniServer(redis, store, http, sweeper, assignMetrics, poolGauges, ownRegistry, roi,
              routes);
          server.metricsHttp = metricsHttp;
          server.recordingSweeper = recordings;
          server.closeGrace = o.hardening().requestTimeout();
          return server;
        })
        .onFailure(err -> {
          http.close();
          if (metricsHttp != null) {
            metricsHttp.close();
          }
          roi.close();
          assignMetrics.close();
          poolGauges.close();
          redis.close();
          if (ownRegistry != null) {
            ownRegistry.close();
          }
        });
  }

  /** An HTTP listener with the connection deadlines of {@link HttpHardening}. */
  private static HttpServer listener(Parts p, String host, int port, Router router) {
    return p.vertx().createHttpServer(p.hardening().configure(new HttpServerOptions().setHost(host).setPort(port)))
        .connectionHandler(p.hardening().connectionHandler())
        .invalidRequestHandler(p.hardening().invalidRequestHandler())
        .requestHandler(p.hardening().requestHandler(router));
  }

  /** {@code /metrics} alone, for the separate metrics address. */
  private static Router metricsRouter(Parts p) {
    Router router = Router.router(p.vertx());
    p.hardening().mount(router);
    new MetricsRoutes(p.registry(), p.poolGauges(), p.settings().metricsToken())
        .mount(new PublicApi(router, io.calltrack.dni.http.RequestChecks.none()));
    ErrorHandler.install(router, PublicApi.BODY_LIMIT);
    return router;
  }

  /**
   * The one router: each feature mounts its routes here, one line each, public ones on {@code api},
   * admin ones on {@code admin} (the sub-routers on {@code /v1} that check the token). A handler for
   * every request goes ahead of the admin sub-routers in the router's order (see {@link PublicApi} for
   * why), as {@link HttpHardening#mount} does.
   */
  static Routes routes(Parts p, RoiFeature roi) {
    Router router = Router.router(p.vertx());
    p.hardening().mount(router);
    RequestCheck checks = new RequestCheck(p.contract());
    AdminApi admin = new AdminApi(p.vertx(), p.auth(), p.timeouts(), checks, p.replicated());
    admin.mountOn(router);
    PublicApi api = new PublicApi(router, checks);

    ClientAddress clients = new ClientAddress(p.settings().trustedProxies());
    AbuseGuard guard = new AbuseGuard(new AssignLimiter(p.redis(), p.clock()), p.store(), clients,
        p.settings().assignLimits());
    new AssignRoutes(p.engine(), p.properties(), p.assignMetrics(), p.timeouts(), guard).mount(api);
    new SessionRoutes(p.store(), p.engine(), p.properties(), p.timeouts(), guard).mount(api);
    new HealthRoutes(p.redis(), p.timeouts()).mount(api);
    if (!p.settings().separateMetrics()) {
      new MetricsRoutes(p.registry(), p.poolGauges(), p.settings().metricsToken()).mount(api);
    }
    new SnippetRoutes().mount(api);
    new OpenApiRoutes(p.contract()).mount(api);
    new PropertyRoutes(p.store(), p.properties(), io.calltrack.core.config.BusinessLines.fromEnvironment()).mount(admin);
    new PoolRoutes(p.store(), p.engine(), p.poolGauges()).mount(admin);
    new NumberRoutes(p.store()).mount(admin);
    new CallRoutes(new RedisCallStore(p.redis()), p.store()).mount(admin);
    new RecordingRoutes(p.vertx(), new RedisCallStore(p.redis()), p.recordingsDir()).mount(admin);
    RedisCallbackStore callbacks = new RedisCallbackStore(p.redis(), p.clock(), RedisCallbackStore.Limits.DEFAULT);
    Eraser eraser = new Eraser(p.redis(), new RedisCallStore(p.redis()), p.store(),
        new RedisSessionRetention(p.redis()), callbacks);
    new PrivacyRoutes(eraser, p.recordings()::sweep, p.store(),
        new io.calltrack.core.privacy.RetentionSweep(p.redis(), p.clock())).mount(admin);
    new CallbackRoutes(callbacks, p.properties(), p.engine(), p.auth(), p.timeouts(), p.clock(), clients, p.registry())
        .mount(api, admin);
    new ApiKeyRoutes(p.apiKeys(), p.store(), p.clock()).mount(admin);
    roi.mount(api, admin);

    ErrorHandler.install(router, PublicApi.BODY_LIMIT);
    return new Routes(router, checks);
  }

  /**
   * Every route mounted, as "METHOD /v1/path/:param" (the suite compares them with openapi.json). HEAD,
   * which every GET route takes too ({@link PublicApi}, {@link AdminApi}), is left out: it is no
   * operation of its own.
   */
  public java.util.List<String> routes() {
    return RouteTable.of(routes.router()).entries().stream()
        .filter(e -> e.method() != io.vertx.core.http.HttpMethod.HEAD)
        .map(e -> e.method().name() + " " + e.path())
        .toList();
  }

  /** Routes mounted without an operation in openapi.json: none, or the suite fails. */
  public java.util.Set<String> undocumentedRoutes() {
    return routes.checks().undocumented();
  }

  /** One sweep now (leases, gauges, retention), as the timer does every few seconds; for tests. */
  public Future<Void> sweepNow() {
    return sweeper == null ? Future.succeededFuture() : sweeper.tick();
  }

  /** The port the server listens on (the real one when the options said 0). */
  public int port() {
    return http.actualPort();
  }

  /** The port of the separate metrics listener, or -1 when {@code /metrics} is on the main port. */
  public int metricsPort() {
    return metricsHttp == null ? -1 : metricsHttp.actualPort();
  }

  /** How many HTTP verticles serve this server's port. */
  public int instances() {
    Deployments d = deployments;
    return d == null ? 1 : d.count();
  }

  /**
   * Stops the sweeper, the HTTP server and the Redis client (of every instance); leases stay in
   * Redis.
   */
  public Future<Void> close() {
    Deployments d = deployments;
    if (d == null) {
      return closeThis();
    }
    Future<Void> all = Future.succeededFuture();
    for (String id : d.ids()) {
      all = all.eventually(() -> d.vertx().undeploy(id));
    }
    return all.eventually(() -> {
      if (d.sharedRegistry() != null) {
        d.sharedRegistry().close();
      }
      return Future.succeededFuture();
    });
  }

  /**
   * Stops taking connections, answers the requests in progress (up to the request timeout; idle
   * kept-alive connections close at once), and only then closes what they use: an assign in progress
   * during a rolling deploy gets its number, not a fallback from a Redis client closed under it.
   */
  private Future<Void> closeThis() {
    sweeper.close();
    if (recordingSweeper != null) {
      recordingSweeper.close();
    }
    long graceMs = closeGrace.toMillis();
    Future<Void> metricsClosed = metricsHttp == null ? Future.succeededFuture()
        : metricsHttp.shutdown(graceMs, TimeUnit.MILLISECONDS);
    return Future.join(metricsClosed, http.shutdown(graceMs, TimeUnit.MILLISECONDS))
        .<Void>mapEmpty()
        .eventually(roi::stop)
        .eventually(store::close)
        .eventually(() -> {
          redis.close();
          assignMetrics.close();
          poolGauges.close();
          if (ownRegistry != null) {
            ownRegistry.close();
          }
          return Future.succeededFuture();
        });
  }
}
