package io.calltrack.dni.admin;

import io.calltrack.core.config.ConfigStore;
import io.calltrack.core.config.Ids;
import io.calltrack.core.config.PoolConfig;
import io.calltrack.core.pool.PoolEngine;
import io.calltrack.core.pool.PoolStatus;
import io.calltrack.dni.http.AdminApi;
import io.calltrack.dni.http.Bodies;
import io.calltrack.dni.http.PropertyFrom;
import io.calltrack.dni.metrics.PoolGauges;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code PUT /v1/pools/{poolId}} creates or replaces a pool and answers with what was stored;
 * {@code GET /v1/pools/{poolId}} answers its counts ({@link io.calltrack.core.pool.PoolStatus}).
 */
public final class PoolRoutes {
  /** {@code PUT /v1/pools/{id}} only: a pool may hold 10,000 numbers, about 170 KB of JSON. */
  public static final long POOL_BODY_LIMIT = 256 * 1024;

  private final ConfigStore store;
  private final PoolEngine engine;
  private final PoolGauges gauges;

  public PoolRoutes(ConfigStore store, PoolEngine engine, PoolGauges gauges) {
    this.store = store;
    this.engine = engine;
    this.gauges = gauges;
  }

  public void mount(AdminApi admin) {
    // a pool's property: the one it has now and, when changed, the one the body gives it
    PropertyFrom owner = PropertyFrom.owner("poolId", id -> store.pool(id).map(p -> p.map(PoolConfig::property)));
    admin.put("/v1/pools/:poolId", this::put).bodyLimit(POOL_BODY_LIMIT)
        .scope(owner.and(PropertyFrom.body("property")));
    admin.get("/v1/pools/:poolId", this::status).scope(owner);
  }

  private Future<PoolConfig> put(RoutingContext ctx) {
    String id = Ids.require("pool", ctx.pathParam("poolId"));
    // 10,000 numbers take tens of milliseconds to read and check: on a worker, not the event loop
    return ctx.vertx().executeBlocking(() -> Bodies.readWithId(ctx, "id", id, PoolConfig.class), false)
        .compose(pool -> store.putPool(pool).map(v -> pool)
            .recover(err -> TakenNumbers.asTheCallerMaySee(ctx, store, pool.property(), err)));
  }

  private Future<PoolStatus> status(RoutingContext ctx) {
    String id = Ids.require("pool", ctx.pathParam("poolId"));
    return engine.status(id).onSuccess(gauges::update);
  }
}
