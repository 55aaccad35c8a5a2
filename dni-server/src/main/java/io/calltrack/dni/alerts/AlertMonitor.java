package io.calltrack.dni.alerts;

import io.calltrack.core.alerts.AlertEpisodes;
import io.calltrack.core.config.ConfigStore;
import io.calltrack.core.config.PropertyConfig;
import io.calltrack.core.json.JsonMapper;
import io.calltrack.core.marketing.PropertySettings;
import io.calltrack.core.marketing.SettingsStore;
import io.calltrack.core.pool.PoolEngine;
import io.calltrack.core.pool.PoolStatus;
import io.calltrack.core.report.GroupBy;
import io.calltrack.core.report.RoiReport;
import io.calltrack.core.report.RoiReporter;
import io.calltrack.core.report.RoiRow;
import io.calltrack.core.report.TimeBucket;
import io.calltrack.core.rollup.Dimension;
import io.calltrack.core.webhooks.WebhookSender;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Webhook alerts, checked every {@link #INTERVAL} for each property whose settings name an alerts URL
 * ({@link PropertySettings.Alerts}). Each condition is an episode ({@link AlertEpisodes}): sent once
 * when it starts (after its hold time), again only after it has cleared. Alerts:
 * <ul>
 *   <li>{@code pool.utilization:<pool>} — above poolUtilizationPercent for poolMinutes minutes</li>
 *   <li>{@code pool.exhausted:<pool>} — no free number</li>
 *   <li>{@code calls.failedRate} — today's share of failed calls above failedCallRate (10+ ended calls)</li>
 *   <li>{@code calls.belowTrailingAverage} — yesterday's calls below trailingPercent % of the average of
 *       the trailingDays days before</li>
 *   <li>{@code roi.belowTrailingAverage} — yesterday's return on spend (ROAS, revenue / cost) below
 *       trailingPercent % of the trailingDays days before taken together (both with spend)</li>
 *   <li>{@code target.<n>.calls} / {@code target.<n>.roi} — month to date (through yesterday) behind the
 *       n-th target's call pace (target × days gone / days in month), or ROI below its roiPercent</li>
 * </ul>
 * The body: {@code {id, type: "alert", alert, property, at, detail}} signed like every webhook; sent
 * with up to {@value #ATTEMPTS} attempts. The router's spool depth is alerted by each router itself
 * (sip-router {@code SpoolAlarm}: its spool fills while Redis, which this monitor reads, is away).
 */
public final class AlertMonitor implements AutoCloseable {
  public static final Duration INTERVAL = Duration.ofSeconds(30);
  public static final int ATTEMPTS = 8;
  static final long MIN_CALLS_FOR_RATE = 10;
  private static final Logger LOG = LoggerFactory.getLogger(AlertMonitor.class);

  private final Vertx vertx;
  private final ConfigStore store;
  private final SettingsStore settings;
  private final PoolEngine engine;
  private final RoiReporter reporter;
  private final AlertEpisodes episodes;
  private final WebhookSender sender;
  private final Clock clock;
  private final AtomicBoolean running = new AtomicBoolean();
  private long timer = -1;

  public AlertMonitor(Vertx vertx, ConfigStore store, SettingsStore settings, PoolEngine engine,
      RoiReporter reporter, AlertEpisodes episodes, WebhookSender sender, Clock clock) {
    this.vertx = vertx;
    this.store = store;
    this.settings = settings;
    this.engine = engine;
    this.reporter = reporter;
    this.episodes = episodes;
    this.sender = sender;
    this.clock = clock;
  }

  public void start() {
    timer = vertx.setPeriodic(INTERVAL.toMillis(), id -> {
      if (running.compareAndSet(false, true)) {
        checkAll().onFailure(err -> LOG.warn("alerts: {}", err.toString())).onComplete(ar -> running.set(false));
      }
    });
  }

  /** Checks every property now (the clock's now); returns the alerts sent, as "property/alert". */
  public Future<List<String>> checkAll() {
    return store.routingTable().compose(t -> {
      List<String> sent = new ArrayList<>();
      Future<Void> chain = Future.succeededFuture();
      for (PropertyConfig p : t.properties().values()) {
        chain = chain.compose(v -> check(p).map(list -> {
          sent.addAll(list);
          return null;
        }));
      }
      return chain.map(v -> sent);
    });
  }

  /** One property's alerts: its own pools' statuses only (not every pool's, for each property). */
  private Future<List<String>> check(PropertyConfig p) {
    return settings.get(p.id()).compose(s -> {
      if (s.alerts() == null) {
        return Future.succeededFuture(List.of());
      }
      Instant now = clock.instant();
      return store.poolsOf(p.id()).map(pools -> pools.stream().map(io.calltrack.core.config.PoolConfig::id).toList())
          .compose(pools -> conditions(p, s, Thresholds.of(s.alerts()), pools)).compose(conditions -> {
        List<String> sent = new ArrayList<>();
        Future<Void> chain = Future.succeededFuture();
        for (Condition c : conditions) {
          chain = chain.compose(x -> episodes.observe(p.id(), c.alert(), c.active(), now, c.hold()))
              .compose(start -> {
                if (!start) {
                  return Future.succeededFuture();
                }
                sent.add(p.id() + "/" + c.alert());
                return send(p.id(), s.alerts(), c, now);
              });
        }
        return chain.map(x -> sent);
      });
    });
  }

  /**
   * One alert condition as judged now: {@code active} when it is wrong; an alert is sent once it has
   * been active for {@code hold}.
   */
  public record Condition(String alert, boolean active, Duration hold, Map<String, Object> detail) {}

  /** What the conditions are judged by: the property's {@code alerts} settings, or their defaults. */
  public record Thresholds(int poolUtilizationPercent, int poolMinutes, BigDecimal failedCallRate, int trailingDays,
      int trailingPercent) {
    public static final Thresholds DEFAULTS = new Thresholds(PropertySettings.Alerts.POOL_UTILIZATION_PERCENT,
        PropertySettings.Alerts.POOL_MINUTES, PropertySettings.Alerts.FAILED_CALL_RATE,
        PropertySettings.Alerts.TRAILING_DAYS, PropertySettings.Alerts.TRAILING_PERCENT);

    public static Thresholds of(PropertySettings.Alerts a) {
      return a == null ? DEFAULTS : new Thresholds(a.poolUtilizationPercent(), a.poolMinutes(), a.failedCallRate(),
          a.trailingDays(), a.trailingPercent());
    }
  }

  /**
   * Every condition of property {@code p} as it stands now, judged by {@code a}: each of its pools'
   * utilization and exhaustion (of {@code pools}, those whose status names {@code p}), today's
   * failed calls, yesterday's calls and ROI against the trailing days', and its targets' pace.
   */
  public Future<List<Condition>> conditions(PropertyConfig p, PropertySettings s, Thresholds a,
      java.util.Collection<String> pools) {
    List<Condition> conditions = new ArrayList<>();
    return poolConditions(p, a, new HashSet<>(pools), conditions)
        .compose(v -> reportConditions(p, s, a, conditions))
        .map(v -> conditions);
  }

  private Future<Void> poolConditions(PropertyConfig p, Thresholds a, java.util.Set<String> pools,
      List<Condition> out) {
    Future<Void> chain = Future.succeededFuture();
    for (String poolId : pools) {
      chain = chain.compose(v -> engine.status(poolId).map(st -> {
        if (p.id().equals(st.property())) {
          out.add(new Condition("pool.utilization:" + poolId,
              st.utilization() * 100 > a.poolUtilizationPercent(), Duration.ofMinutes(a.poolMinutes()), pool(st)));
          out.add(new Condition("pool.exhausted:" + poolId, st.size() > 0 && st.free() == 0, Duration.ZERO, pool(st)));
        }
        return (Void) null;
      }).otherwiseEmpty());
    }
    return chain;
  }

  private static Map<String, Object> pool(PoolStatus st) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("poolId", st.poolId());
    d.put("size", st.size());
    d.put("leased", st.leased());
    d.put("holding", st.holding());
    d.put("free", st.free());
    d.put("utilization", st.utilization());
    return d;
  }

  private Future<Void> reportConditions(PropertyConfig p, PropertySettings s, Thresholds a, List<Condition> out) {
    LocalDate today = clock.instant().atZone(p.zone()).toLocalDate();
    LocalDate yesterday = today.minusDays(1);
    Future<RoiReport> todays = reporter.report(p.id(), p.zone(), today, today, GroupBy.of(Dimension.SOURCE));
    Future<RoiReport> trailing = reporter.report(p.id(), p.zone(), yesterday.minusDays(a.trailingDays()), yesterday,
        new GroupBy(null, TimeBucket.DAY));
    YearMonth month = YearMonth.from(today);
    boolean monthStarted = today.getDayOfMonth() > 1;
    Future<RoiReport> mtdSource = monthStarted
        ? reporter.report(p.id(), p.zone(), month.atDay(1), yesterday, GroupBy.of(Dimension.SOURCE))
        : Future.succeededFuture();
    Future<RoiReport> mtdCampaign = monthStarted
        ? reporter.report(p.id(), p.zone(), month.atDay(1), yesterday, GroupBy.of(Dimension.CAMPAIGN))
        : Future.succeededFuture();
    return Future.all(todays, trailing, mtdSource, mtdCampaign).map(all -> {
      RoiRow t = todays.result().total();
      long finished = t.counts().metric("finished");
      long failed = t.counts().metric("failed");
      BigDecimal rate = finished == 0 ? BigDecimal.ZERO
          : BigDecimal.valueOf(failed).divide(BigDecimal.valueOf(finished), 4, java.math.RoundingMode.HALF_UP);
      out.add(new Condition("calls.failedRate", finished >= MIN_CALLS_FOR_RATE && rate.compareTo(a.failedCallRate()) > 0,
          Duration.ZERO, Map.of("date", today.toString(), "failed", failed, "ended", finished, "rate", rate,
              "threshold", a.failedCallRate())));

      List<RoiRow> days = trailing.result().rows();
      long last = days.get(days.size() - 1).counts().calls();
      long before = days.subList(0, days.size() - 1).stream().mapToLong(r -> r.counts().calls()).sum();
      BigDecimal average = BigDecimal.valueOf(before).divide(BigDecimal.valueOf(a.trailingDays()), 2,
          java.math.RoundingMode.HALF_UP);
      boolean low = before > 0 && BigDecimal.valueOf(last).multiply(BigDecimal.valueOf(100))
          .compareTo(average.multiply(BigDecimal.valueOf(a.trailingPercent()))) < 0;
      out.add(new Condition("calls.belowTrailingAverage", low, Duration.ZERO, Map.of("date", yesterday.toString(),
          "calls", last, "trailingAverage", average, "trailingDays", a.trailingDays(),
          "trailingPercent", a.trailingPercent())));

      // ROI against the trailing days', compared as ROAS (revenue / cost, never negative): yesterday's
      // below trailingPercent % of the trailing days' together; only when both had spend
      RoiRow lastDay = days.get(days.size() - 1);
      long revenueBefore = 0;
      long costBefore = 0;
      for (RoiRow r : days.subList(0, days.size() - 1)) {
        revenueBefore += r.counts().revenueMinor();
        costBefore += r.counts().costMinor() == null ? 0 : r.counts().costMinor();
      }
      Long lastCost = lastDay.counts().costMinor();
      if (costBefore > 0 && lastCost != null && lastCost > 0) {
        // last revenue / last cost < percent/100 x before revenue / before cost, cross-multiplied exactly
        boolean roiLow = java.math.BigInteger.valueOf(lastDay.counts().revenueMinor())
            .multiply(java.math.BigInteger.valueOf(costBefore)).multiply(java.math.BigInteger.valueOf(100))
            .compareTo(java.math.BigInteger.valueOf(revenueBefore).multiply(java.math.BigInteger.valueOf(lastCost))
                .multiply(java.math.BigInteger.valueOf(a.trailingPercent()))) < 0;
        BigDecimal trailingRoas = BigDecimal.valueOf(revenueBefore).divide(BigDecimal.valueOf(costBefore), 3,
            java.math.RoundingMode.HALF_UP);
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("date", yesterday.toString());
        d.put("roas", lastDay.roas());
        d.put("roiPercent", lastDay.roiPercent());
        d.put("trailingRoas", trailingRoas);
        d.put("trailingDays", a.trailingDays());
        d.put("trailingPercent", a.trailingPercent());
        out.add(new Condition("roi.belowTrailingAverage", roiLow, Duration.ZERO, d));
      } else {
        out.add(new Condition("roi.belowTrailingAverage", false, Duration.ZERO, Map.of()));
      }

      for (int i = 0; i < s.targets().size() && monthStarted; i++) {
        PropertySettings.Target target = s.targets().get(i);
        RoiRow row = target.campaign() != null ? find(mtdCampaign.result(), target.campaign())
            : target.source() != null ? find(mtdSource.result(), target.source()) : mtdSource.result().total();
        int gone = yesterday.getDayOfMonth();
        if (target.calls() != null) {
          BigDecimal pace = BigDecimal.valueOf(target.calls()).multiply(BigDecimal.valueOf(gone))
              .divide(BigDecimal.valueOf(month.lengthOfMonth()), 2, java.math.RoundingMode.HALF_UP);
          out.add(new Condition("target." + i + ".calls", BigDecimal.valueOf(row.counts().calls()).compareTo(pace) < 0,
              Duration.ZERO, detail(target, "calls", row.counts().calls(), pace)));
        }
        if (target.roiPercent() != null && row.roiPercent() != null) {
          out.add(new Condition("target." + i + ".roi", row.roiPercent().compareTo(target.roiPercent()) < 0,
              Duration.ZERO, detail(target, "roiPercent", row.roiPercent(), target.roiPercent())));
        }
      }
      return null;
    });
  }

  private static Map<String, Object> detail(PropertySettings.Target t, String measure, Object actual, Object expected) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("source", t.source());
    d.put("campaign", t.campaign());
    d.put("measure", measure);
    d.put("actual", actual);
    d.put("expected", expected);
    return d;
  }

  private static RoiRow find(RoiReport report, String value) {
    return report.rows().stream().filter(r -> value.equals(r.group())).findFirst()
        .orElse(new RoiRow(value, io.calltrack.core.report.RoiCounts.ZERO));
  }

  private Future<Void> send(String property, PropertySettings.Alerts a, Condition c, Instant now) {
    String key = property + ":" + c.alert() + ":" + now.toEpochMilli();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("id", key);
    body.put("type", "alert");
    body.put("alert", c.alert());
    body.put("property", property);
    body.put("at", now.toString());
    body.put("detail", c.detail());
    // delivery goes on in the background: a receiver that is down must not hold up the other checks
    sender.post(a.url(), a.secret(), key, "alert", JsonMapper.write(body), ATTEMPTS)
        .onFailure(err -> LOG.warn("alert {} for {} not delivered: {}", c.alert(), property, err.toString()));
    return Future.succeededFuture();
  }

  @Override
  public void close() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }
}
