package io.calltrack.dni.admin;

import io.calltrack.core.CalltrackException;
import io.calltrack.core.config.ConfigStore;
import io.calltrack.core.config.Ids;
import io.calltrack.core.config.PoolConfig;
import io.calltrack.core.pool.PoolEngine;
import io.calltrack.core.pool.PoolStatus;
import io.calltrack.dni.http.AdminApi;
import io.calltrack.dni.http.Bodies;
import io.calltrack.dni.http.Principal;
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
    PoolConfig pool = Bodies.readWithId(ctx, "id", id, PoolConfig.class);
    Principal principal = Principal.of(ctx);
    return store.putPool(pool).map(v -> pool).recover(err -> principal != null && !principal.isAdmin()
        && err instanceof CalltrackException.Conflict c ? forKey(c, pool) : Future.failedFuture(err));
  }

  private static final java.util.regex.Pattern OWNER = java.util.regex.Pattern.compile("^(\\S+) belongs to pool (\\S+)$");

  /**
   * A conflict as an API key of one property may read it: a number in another property's pool is
   * named as taken, not with that pool (another tenant's names are not this key's business).
   */
  private <T> Future<T> forKey(CalltrackException.Conflict c, PoolConfig pool) {
    java.util.regex.Matcher m = OWNER.matcher(c.getMessage() == null ? "" : c.getMessage());
    if (!m.matches()) {
      return Future.failedFuture(c);
    }
    return store.pool(m.group(2)).compose(owner -> owner.isPresent() && owner.get().property().equals(pool.property())
        ? Future.failedFuture(c)
        : Future.failedFuture(new CalltrackException.Conflict(m.group(1) + " is in use by another property")));
  }

  private Future<PoolStatus> status(RoutingContext ctx) {
    String id = Ids.require("pool", ctx.pathParam("poolId"));
    return engine.status(id).onSuccess(gauges::update);
  }
}
