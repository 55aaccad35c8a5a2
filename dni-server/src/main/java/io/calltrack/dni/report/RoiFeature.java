package io.calltrack.dni.report;

import io.calltrack.core.calls.RedisCallStore;
import io.calltrack.core.config.ConfigStore;
import io.calltrack.core.pool.PoolEngine;
import io.calltrack.core.report.RoiReporter;
import io.calltrack.core.rollup.RollupConsumer;
import io.calltrack.core.rollup.RollupStore;
import io.calltrack.core.spend.SpendStore;
import io.calltrack.dni.dashboard.DashboardRoutes;
import io.calltrack.dni.dashboard.UtilizationHistory;
import io.calltrack.dni.export.GoogleAdsExportRoutes;
import io.calltrack.dni.http.AdminApi;
import io.calltrack.dni.http.PublicApi;
import io.calltrack.dni.outcome.OutcomeRoutes;
import io.calltrack.dni.spend.SpendRoutes;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import java.time.Clock;

/**
 * Everything ROI in one dni-server: the rollup consumer (this server's member of the shared
 * consumer group on the calls stream), the pool utilization sampler, and the routes for outcomes,
 * spend, ROI reports, the Google Ads export and the dashboard. DniServer mounts, starts and closes it.
 */
public final class RoiFeature implements AutoCloseable {
  private final RollupConsumer consumer;
  private final UtilizationHistory history;
  private final OutcomeRoutes outcomes;
  private final SpendRoutes spend;
  private final RoiRoutes reports;
  private final GoogleAdsExportRoutes export;
  private final DashboardRoutes dashboard;

  public RoiFeature(Vertx vertx, Redis redis, ConfigStore store, PoolEngine engine, Clock clock) {
    RedisCallStore calls = new RedisCallStore(redis);
    RollupStore rollups = new RollupStore(redis, store);
    SpendStore spendStore = new SpendStore(redis);
    this.consumer = new RollupConsumer(vertx, redis, rollups);
    this.history = new UtilizationHistory(vertx, redis, store, engine, clock);
    this.outcomes = new OutcomeRoutes(vertx, calls, rollups);
    this.spend = new SpendRoutes(vertx, store, spendStore);
    this.reports = new RoiRoutes(vertx, store, new RoiReporter(redis, spendStore), clock);
    this.export = new GoogleAdsExportRoutes(vertx, store, calls, clock);
    this.dashboard = new DashboardRoutes(store, engine, calls, rollups, history, clock);
  }

  public void mount(PublicApi api, AdminApi admin) {
    outcomes.mount(admin);
    spend.mount(admin);
    reports.mount(admin);
    export.mount(admin);
    dashboard.mount(api, admin);
  }

  /** Starts consuming the calls stream and sampling pool utilization (both on Vert.x timers). */
  public void start() {
    consumer.start();
    history.start();
  }

  @Override
  public void close() {
    consumer.close();
    history.close();
  }
}
