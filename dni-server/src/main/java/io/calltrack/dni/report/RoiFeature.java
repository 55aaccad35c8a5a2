package io.calltrack.dni.report;

import io.calltrack.core.callback.RedisCallbackStore;
import io.calltrack.core.redis.ReplicationBarrier;
import io.calltrack.core.calls.RedisCallStore;
import io.calltrack.core.config.ConfigStore;
import io.calltrack.core.pool.PoolEngine;
import io.calltrack.core.report.RoiReporter;
import io.calltrack.core.rollup.RollupConsumer;
import io.calltrack.core.rollup.RollupStore;
import io.calltrack.core.spend.SpendStore;
import io.calltrack.dni.dashboard.DashboardRoutes;
import io.calltrack.dni.dashboard.UtilizationHistory;
import io.calltrack.dni.export.OfflineConversionExportRoutes;
import io.calltrack.dni.http.AdminApi;
import io.calltrack.dni.http.PublicApi;
import io.calltrack.dni.outcome.ImportStats;
import io.calltrack.dni.outcome.OutcomeRoutes;
import io.calltrack.dni.spend.SpendRoutes;
import io.calltrack.core.alerts.AlertEpisodes;
import io.calltrack.core.marketing.SettingsStore;
import io.calltrack.core.webhooks.CallWebhookDispatcher;
import io.calltrack.core.webhooks.WebhookSender;
import io.calltrack.dni.alerts.AlertMonitor;
import io.calltrack.dni.marketing.DashboardUsage;
import io.calltrack.dni.marketing.MarketingRoutes;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import io.vertx.redis.client.Redis;
import java.time.Clock;

/**
 * Everything ROI in one dni-server: the rollup consumer (this server's member of the shared
 * consumer group on the calls stream), the pool utilization sampler, the CRM webhook dispatcher, the
 * alert monitor, and the routes for outcomes, spend, ROI reports, marketing settings and targets, the
 * ad platforms' conversion exports and the dashboard. DniServer mounts, starts and closes it.
 */
public final class RoiFeature implements AutoCloseable {
  /** Back-off of webhook retries: 1 s, doubled up to 5 minutes. */
  public static final Duration WEBHOOK_FIRST_RETRY = Duration.ofSeconds(1);
  public static final Duration WEBHOOK_MAX_RETRY = Duration.ofMinutes(5);

  private final RollupConsumer consumer;
  private final UtilizationHistory history;
  private final OutcomeRoutes outcomes;
  private final SpendRoutes spend;
  private final RoiRoutes reports;
  private final PortfolioRoutes portfolio;
  private final OfflineConversionExportRoutes export;
  private final io.calltrack.dni.export.CallLogExportRoutes callLog;
  private final io.calltrack.dni.conversation.ConversationRoutes conversations;
  private final DashboardRoutes dashboard;
  private final MarketingRoutes marketing;
  private final io.calltrack.dni.marketing.DeliveryTestRoutes deliveryTests;
  private final WebhookSender sender;
  private final CallWebhookDispatcher webhooks;
  private final AlertMonitor alerts;
  private final ScheduledReports scheduled;
  private final io.calltrack.dni.alerts.HealthRoutes health;
  private final io.calltrack.core.conversation.Transcriber transcriber;

  /** {@code replicated}: the rollup consumer acknowledges a call event once the replicas have its rollups. */
  public RoiFeature(Vertx vertx, Redis redis, ConfigStore store, PoolEngine engine, Clock clock,
      ReplicationBarrier replicated) {
    this(vertx, redis, store, engine, clock, replicated, null, null);
  }

  /**
   * {@code registry}: where webhook, GA4, Meta and transcription deliveries are counted
   * ({@code calltrack_deliveries_total}); {@code recordingsDir}: the call recordings the transcriber reads
   * (null: none kept here, nothing transcribed).
   */
  public RoiFeature(Vertx vertx, Redis redis, ConfigStore store, PoolEngine engine, Clock clock,
      ReplicationBarrier replicated, io.micrometer.core.instrument.MeterRegistry registry, java.nio.file.Path recordingsDir) {
    RedisCallStore calls = new RedisCallStore(redis);
    RollupStore rollups = new RollupStore(redis, store);
    SpendStore spendStore = new SpendStore(redis);
    SettingsStore settings = new SettingsStore(redis);
    RoiReporter reporter = new RoiReporter(redis, spendStore);
    this.consumer = new RollupConsumer(vertx, redis, rollups).confirmedBy(replicated);
    this.history = new UtilizationHistory(vertx, redis, store, engine, clock);
    this.outcomes = new OutcomeRoutes(vertx, calls, rollups, settings, new ImportStats(redis));
    this.spend = new SpendRoutes(vertx, store, spendStore, settings);
    this.reports = new RoiRoutes(vertx, store, reporter, clock);
    this.portfolio = new PortfolioRoutes(vertx, store, settings, reporter, clock);
    this.marketing = new MarketingRoutes(store, settings, reporter, clock, new DashboardUsage(redis));
    this.sender = new WebhookSender(vertx, clock, WEBHOOK_FIRST_RETRY, WEBHOOK_MAX_RETRY,
        io.calltrack.core.webhooks.WebhookTargets.fromEnvironment());
    this.deliveryTests = new io.calltrack.dni.marketing.DeliveryTestRoutes(store, settings, sender, clock);
    // the streams CRM webhooks follow: every shard's, found like the rollup consumer finds them
    this.webhooks = new CallWebhookDispatcher(vertx, redis, settings, sender,
        () -> calls.shards().map(shards -> shards.stream().map(RedisCallStore::eventsStream).toList()));
    io.calltrack.core.conversation.TranscriptionQueue transcriptions =
        new io.calltrack.core.conversation.TranscriptionQueue(io.vertx.redis.client.RedisAPI.api(redis), clock);
    this.conversations = new io.calltrack.dni.conversation.ConversationRoutes(vertx, store, calls,
        new io.calltrack.core.conversation.Transcripts(io.vertx.redis.client.RedisAPI.api(redis)), transcriptions,
        settings, clock);
    this.transcriber = new io.calltrack.core.conversation.Transcriber(vertx, settings, calls,
        new io.calltrack.core.conversation.Transcripts(io.vertx.redis.client.RedisAPI.api(redis)), transcriptions,
        new io.calltrack.core.conversation.SpeechToText(vertx, io.calltrack.core.webhooks.WebhookTargets.fromEnvironment()),
        recordingsDir, () -> calls.shards().map(shards -> shards.stream()
            .filter(shard -> !RedisCallStore.NO_PROPERTY.equals(shard)).toList()));
    webhooks.transcribedBy(transcriber);
    if (registry != null) {
      CallWebhookDispatcher.Deliveries counter = (to, result) -> io.micrometer.core.instrument.Counter
          .builder("calltrack.deliveries")
          .description("CRM webhooks, GA4 and Meta events and call transcriptions by where they went and how")
          .tag("to", to).tag("result", result).register(registry).increment();
      webhooks.countedBy(counter);
      transcriber.countedBy(counter::count);
    }
    this.alerts = new AlertMonitor(vertx, store, settings, engine, reporter, new AlertEpisodes(redis), sender, clock);
    this.export = new OfflineConversionExportRoutes(vertx, store, calls, settings, clock);
    this.callLog = new io.calltrack.dni.export.CallLogExportRoutes(vertx, store, calls, settings, clock);
    this.scheduled = new ScheduledReports(vertx, store, settings, reporter, sender, redis, clock);
    this.health = new io.calltrack.dni.alerts.HealthRoutes(store, settings, alerts, scheduled, clock);
    DashboardUsage usage = new DashboardUsage(redis);
    this.dashboard = new DashboardRoutes(store, engine, calls, rollups, history, clock, usage,
        new RedisCallbackStore(io.vertx.redis.client.RedisAPI.api(redis), clock, RedisCallbackStore.Limits.DEFAULT));
  }

  public void mount(PublicApi api, AdminApi admin) {
    outcomes.mount(admin);
    spend.mount(admin);
    reports.mount(admin);
    portfolio.mount(admin);
    scheduled.mount(admin);
    health.mount(admin);
    export.mount(admin);
    callLog.mount(admin);
    conversations.mount(admin);
    dashboard.mount(api, admin);
    marketing.mount(admin);
    deliveryTests.mount(admin);
  }

  /** Starts consuming the calls stream and sampling pool utilization (both on Vert.x timers). */
  public void start() {
    consumer.start();
    history.start();
    webhooks.start();
    alerts.start();
    scheduled.start();
    transcriber.start();
  }

  /**
   * Stops everything; completes once the webhook dispatcher's lock is given up (at most a second: a
   * Redis that does not answer lets it expire), so the Redis client may be closed after it.
   */
  public Future<Void> stop() {
    consumer.close();
    history.close();
    alerts.close();
    scheduled.close();
    transcriber.close();
    return io.calltrack.core.Deadline.within(webhooks.stop(), 1_000).otherwiseEmpty()
        .eventually(() -> {
          sender.close();
          return Future.succeededFuture();
        });
  }

  @Override
  public void close() {
    stop();
  }
}
