package io.calltrack.dni.admin;

import io.calltrack.core.config.ConfigStore;
import io.calltrack.core.config.Ids;
import io.calltrack.core.config.PoolConfig;
import io.calltrack.core.pool.PoolEngine;
import io.calltrack.dni.http.AdminAuth;
import io.calltrack.dni.http.Bodies;
import io.calltrack.dni.http.Responses;
import io.calltrack.dni.http.Timeouts;
import io.calltrack.dni.metrics.PoolGauges;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code PUT /v1/pools/{poolId}} creates or replaces a pool and answers with what was stored;
 * {@code GET /v1/pools/{poolId}} answers its counts ({@link io.calltrack.core.pool.PoolStatus}).
 */
public final class PoolRoutes {
  private final Timeouts timeouts;
  private final ConfigStore store;
  private final PoolEngine engine;
  private final PoolGauges gauges;
  private final AdminAuth auth;

  public PoolRoutes(ConfigStore store, PoolEngine engine, PoolGauges gauges, AdminAuth auth, Timeouts timeouts) {
    this.timeouts = timeouts;
    this.store = store;
    this.engine = engine;
    this.gauges = gauges;
    this.auth = auth;
  }

  public void mount(Router router) {
    router.put("/v1/pools/:poolId").handler(auth).handler(this::put);
    router.get("/v1/pools/:poolId").handler(auth).handler(this::status);
  }

  private void put(RoutingContext ctx) {
    String id = Ids.require("pool", ctx.pathParam("poolId"));
    PoolConfig pool = Bodies.readWithId(ctx, "id", id, PoolConfig.class);
    Responses.respond(ctx, timeouts.admin(store.putPool(pool)).map(v -> pool));
  }

  private void status(RoutingContext ctx) {
    String id = Ids.require("pool", ctx.pathParam("poolId"));
    Responses.respond(ctx, timeouts.admin(engine.status(id)).onSuccess(gauges::update));
  }
}
