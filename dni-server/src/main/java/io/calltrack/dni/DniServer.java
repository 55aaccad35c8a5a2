package io.calltrack.dni;

import io.calltrack.core.calls.RedisCallStore;
import io.calltrack.core.config.ConfigFile;
import io.calltrack.core.config.ConfigStore;
import io.calltrack.core.config.RedisConfigStore;
import io.calltrack.core.pool.PoolEngine;
import io.calltrack.core.callback.RedisCallbackStore;
import io.calltrack.core.pool.RedisPoolEngine;
import io.calltrack.dni.callback.CallbackRoutes;
import io.calltrack.core.redis.RedisClientFactory;
import io.calltrack.dni.admin.NumberRoutes;
import io.calltrack.dni.admin.PoolRoutes;
import io.calltrack.dni.admin.PropertyRoutes;
import io.calltrack.dni.assign.AssignRoutes;
import io.calltrack.dni.assign.SessionRoutes;
import io.calltrack.dni.calls.CallRoutes;
import io.calltrack.dni.config.PropertyDirectory;
import io.calltrack.dni.health.HealthRoutes;
import io.calltrack.dni.http.AdminApi;
import io.calltrack.dni.http.AdminAuth;
import io.calltrack.dni.http.ErrorHandler;
import io.calltrack.dni.http.PublicApi;
import io.calltrack.dni.http.Timeouts;
import io.calltrack.dni.metrics.AssignMetrics;
import io.calltrack.dni.metrics.MetricsRoutes;
import io.calltrack.dni.metrics.PoolGauges;
import io.calltrack.dni.metrics.Sweeper;
import io.calltrack.dni.report.RoiFeature;
import io.calltrack.dni.snippet.SnippetRoutes;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import java.time.Clock;

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

  private DniServer(Redis redis, RedisConfigStore store, HttpServer http, Sweeper sweeper,
      AssignMetrics assignMetrics, PoolGauges poolGauges, PrometheusMeterRegistry ownRegistry, RoiFeature roi) {
    this.redis = redis;
    this.store = store;
    this.http = http;
    this.sweeper = sweeper;
    this.assignMetrics = assignMetrics;
    this.poolGauges = poolGauges;
    this.ownRegistry = ownRegistry;
    this.roi = roi;
  }

  /**
   * Connects to Redis, applies {@code configFile} (start fails if it is invalid or Redis cannot take
   * it), then listens. Without a config file the server starts even while Redis is down: assigns
   * answer with fallbacks and {@code /health/ready} says 503 until Redis is back.
   */
  public static Future<DniServer> start(Vertx vertx, DniServerOptions o) {
    Redis redis = RedisClientFactory.create(vertx, o.redisUrl());
    // never fails for Redis being down: the store then works uncached and subscribes when it can
    return RedisConfigStore.create(vertx, redis).compose(store -> {
      RedisAPI api = RedisAPI.api(redis);
      PoolEngine engine = new RedisPoolEngine(vertx, api, store, o.clock());
      Future<Void> configApplied = o.configFile() == null
          ? Future.succeededFuture()
          : vertx.executeBlocking(() -> ConfigFile.read(o.configFile())).compose(file -> file.applyTo(store));
      return compose(vertx, o, redis, api, store, engine, configApplied)
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
      Timeouts timeouts,
      PrometheusMeterRegistry registry,
      AssignMetrics assignMetrics,
      PoolGauges poolGauges,
      Clock clock) {}

  private static Future<DniServer> compose(Vertx vertx, DniServerOptions o, Redis redis, RedisAPI api,
      RedisConfigStore store, PoolEngine engine, Future<Void> configApplied) {
    PrometheusMeterRegistry ownRegistry =
        o.registry() == null ? new PrometheusMeterRegistry(PrometheusConfig.DEFAULT) : null;
    PrometheusMeterRegistry registry = o.registry() != null ? o.registry() : ownRegistry;
    Timeouts timeouts = new Timeouts(o.storeTimeout());
    PropertyDirectory directory = new PropertyDirectory(store, timeouts);
    AssignMetrics assignMetrics = new AssignMetrics(registry);
    if (engine instanceof RedisPoolEngine pools) {
      pools.onUnmatched(assignMetrics::unmatched);
    }
    PoolGauges poolGauges = new PoolGauges(registry, store, engine, timeouts);
    Sweeper sweeper = new Sweeper(vertx, engine, poolGauges, directory, timeouts);
    AdminAuth auth = new AdminAuth(o.adminToken());
    RoiFeature roi = new RoiFeature(vertx, redis, store, engine, o.clock());
    Parts parts = new Parts(vertx, api, store, engine, directory, auth, timeouts,
        registry, assignMetrics, poolGauges, o.clock());
    HttpServer http = vertx.createHttpServer(new HttpServerOptions().setHost(o.host()).setPort(o.port()))
        .requestHandler(router(parts, roi));

    return configApplied
        .compose(v -> directory.refreshAll().otherwiseEmpty())
        .compose(v -> http.listen())
        .map(listening -> {
          sweeper.start();
          roi.start();
          return new DniServer(redis, store, http, sweeper, assignMetrics, poolGauges, ownRegistry, roi);
        })
        .onFailure(err -> {
          roi.close();
          assignMetrics.close();
          poolGauges.close();
          redis.close();
          if (ownRegistry != null) {
            ownRegistry.close();
          }
        });
  }

  /**
   * The one router: each feature mounts its routes here, one line each, public ones on {@code api},
   * admin ones on {@code admin} (the sub-router on {@code /v1} that checks the token). Handlers for
   * every request go before {@code admin.mountOn} (see {@link PublicApi} for why).
   */
  static Router router(Parts p, RoiFeature roi) {
    Router router = Router.router(p.vertx());
    Handler<RoutingContext> validation = RoutingContext::next;
    AdminApi admin = new AdminApi(p.vertx(), p.auth(), p.timeouts(), validation);
    admin.mountOn(router);
    PublicApi api = new PublicApi(router, validation);

    new AssignRoutes(p.engine(), p.properties(), p.assignMetrics(), p.timeouts()).mount(api);
    new SessionRoutes(p.store(), p.engine(), p.properties(), p.timeouts()).mount(api);
    new HealthRoutes(p.redis(), p.timeouts()).mount(api);
    new MetricsRoutes(p.registry(), p.poolGauges()).mount(api);
    new SnippetRoutes().mount(api);
    new PropertyRoutes(p.store(), p.properties()).mount(admin);
    new PoolRoutes(p.store(), p.engine(), p.poolGauges()).mount(admin);
    new NumberRoutes(p.store()).mount(admin);
    new CallRoutes(new RedisCallStore(p.redis())).mount(admin);
    new CallbackRoutes(new RedisCallbackStore(p.redis(), p.clock(), RedisCallbackStore.Limits.DEFAULT),
        p.properties(), p.engine(), p.auth(), p.timeouts(), p.clock()).mount(api, admin);
    roi.mount(api, admin);

    ErrorHandler errors = new ErrorHandler(PublicApi.BODY_LIMIT);
    router.route().failureHandler(errors);
    router.errorHandler(404, errors);
    router.errorHandler(405, errors);
    router.errorHandler(500, errors);
    return router;
  }

  /** The port the server listens on (the real one when the options said 0). */
  public int port() {
    return http.actualPort();
  }

  /** Stops the sweeper, the HTTP server and the Redis client; leases stay in Redis. */
  public Future<Void> close() {
    sweeper.close();
    roi.close();
    return http.close()
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
