package io.calltrack.dni.report;

import io.calltrack.core.CalltrackException;
import io.calltrack.core.config.ConfigStore;
import io.calltrack.core.config.PropertyConfig;
import io.calltrack.core.json.JsonMapper;
import io.calltrack.core.marketing.PropertySettings;
import io.calltrack.core.marketing.SettingsStore;
import io.calltrack.core.report.CreditReport;
import io.calltrack.core.report.GroupBy;
import io.calltrack.core.report.RoiReport;
import io.calltrack.core.report.RoiReporter;
import io.calltrack.core.rollup.RollupKeys;
import io.calltrack.core.webhooks.WebhookSender;
import io.calltrack.dni.http.AdminApi;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scheduled reports ({@link PropertySettings.ReportSchedule}): once a property's day, week (Monday to
 * Sunday) or month is over and its hour has come the day after, its ROI report for that period is
 * sent to the property's URL, signed as every webhook, with up to {@value #ATTEMPTS} attempts, once
 * whichever dni-servers run: the one that takes the period's {@code report-sending} key sends it (a
 * server that dies sending lets it go after {@link #SENDING_LEASE}; the body's {@code id} is the same
 * each time, for a receiver that gets it twice). How each went is kept ({@code report-deliveries},
 * {@link #KEEP}) and read by {@code GET /v1/reports/deliveries}: a delivered rate over the periods
 * scheduled. A period every server was down through is sent late, once one is up again: every period
 * after the latest one recorded (delivered or failed) of the same kind, at most {@link #catchUp} of
 * them; a schedule with none recorded yet (just set, or changed to another kind) starts with the period
 * just over.
 *
 * <p>The body: {@code {id, type: "report", property, every, from, to, timezone, at, report}}, the
 * report being what {@code GET /v1/reports/roi?from&to&groupBy} answers.
 */
public final class ScheduledReports implements AutoCloseable {
  public static final Duration INTERVAL = Duration.ofMinutes(1);
  public static final int ATTEMPTS = 8;
  /** Longer than the sender's {@value #ATTEMPTS} attempts with their back-off. */
  public static final Duration SENDING_LEASE = Duration.ofHours(1);
  /** How long a delivery is remembered. */
  public static final Duration KEEP = Duration.ofDays(400);
  private static final Logger LOG = LoggerFactory.getLogger(ScheduledReports.class);

  private final Vertx vertx;
  private final ConfigStore store;
  private final SettingsStore settings;
  private final RoiReporter reporter;
  private final WebhookSender sender;
  private final RedisAPI redis;
  private final Clock clock;
  private final String me = UUID.randomUUID().toString();
  private final AtomicBoolean running = new AtomicBoolean();
  private long timer = -1;

  public ScheduledReports(Vertx vertx, ConfigStore store, SettingsStore settings, RoiReporter reporter,
      WebhookSender sender, Redis redis, Clock clock) {
    this.vertx = vertx;
    this.store = store;
    this.settings = settings;
    this.reporter = reporter;
    this.sender = sender;
    this.redis = RedisAPI.api(redis);
    this.clock = clock;
  }

  /** Periods sent late at most, by kind: a month of days, two months of weeks, a quarter of months. */
  static int catchUp(String every) {
    return switch (every) {
      case "day" -> 31;
      case "week" -> 8;
      default -> 3;
    };
  }

  /** A period of a schedule: its kind and its first and last day, in the property's time zone. */
  public record Period(String every, LocalDate from, LocalDate to) {
    /** The period of the same kind just before this one. */
    public Period previous() {
      return lastBefore(every, from);
    }

    /** When its report is due: {@code hour} (local) of the day after it. */
    Instant dueAt(int hour, java.time.ZoneId zone) {
      return to.plusDays(1).atTime(hour, 0).atZone(zone).toInstant();
    }

    /** The period of kind {@code every} over before {@code today} began. */
    public static Period lastBefore(String every, LocalDate today) {
      return switch (every) {
        case "day" -> new Period(every, today.minusDays(1), today.minusDays(1));
        case "week" -> {
          LocalDate monday = today.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)).minusWeeks(1);
          yield new Period(every, monday, monday.plusDays(6));
        }
        case "month" -> {
          LocalDate first = today.withDayOfMonth(1).minusMonths(1);
          yield new Period(every, first, first.with(TemporalAdjusters.lastDayOfMonth()));
        }
        default -> throw new IllegalArgumentException(every);
      };
    }

    /** Its field in {@code report-deliveries}: {@code week:2026-03-02}. */
    public String field() {
      return every + ":" + from;
    }
  }

  /** {@code GET /v1/reports/deliveries?property&from&to}: {@link #deliveries}; {@code from} defaults to {@link #KEEP} ago. */
  public void mount(AdminApi admin) {
    admin.get("/v1/reports/deliveries", ctx -> ReportParams.property(ctx, store).compose(p -> {
      LocalDate to = ReportParams.day(ctx, "to", p, clock);
      LocalDate from = ctx.request().getParam("from") == null || ctx.request().getParam("from").isBlank()
          ? clock.instant().minus(KEEP).atZone(p.zone()).toLocalDate()
          : ReportParams.day(ctx, "from", p, clock);
      if (to.isBefore(from)) {
        throw new CalltrackException.Invalid("to must not be before from");
      }
      return deliveries(p.id(), from, to);
    }));
  }

  public void start() {
    timer = vertx.setPeriodic(INTERVAL.toMillis(), id -> {
      if (running.compareAndSet(false, true)) {
        deliverDue().onFailure(err -> LOG.warn("scheduled reports: {}", err.toString()))
            .onComplete(ar -> running.set(false));
      }
    });
  }

  /**
   * Starts sending every property's report that is due now (the clock's) and not sent yet; returns
   * the deliveries this server took, as "property/every:from", each completing on its own.
   */
  public Future<List<String>> deliverDue() {
    return store.routingTable().compose(t -> {
      List<String> taken = new ArrayList<>();
      Future<Void> chain = Future.succeededFuture();
      for (PropertyConfig p : t.properties().values()) {
        chain = chain.compose(v -> deliverDue(p).map(fields -> {
          fields.forEach(field -> taken.add(p.id() + "/" + field));
          return (Void) null;
        }).otherwise(err -> {
          LOG.warn("scheduled report of {}: {}", p.id(), err.toString());
          return null;
        }));
      }
      return chain.map(v -> taken);
    });
  }

  /** Takes and starts sending the property's due periods not recorded yet; returns their fields. */
  private Future<List<String>> deliverDue(PropertyConfig p) {
    return settings.get(p.id()).compose(s -> {
      PropertySettings.ReportSchedule schedule = s.reports();
      if (schedule == null) {
        return Future.succeededFuture(List.of());
      }
      Instant now = clock.instant();
      Period last = Period.lastBefore(schedule.every(), now.atZone(p.zone()).toLocalDate());
      boolean lastDue = !now.isBefore(last.dueAt(schedule.hour(), p.zone()));
      RollupKeys k = new RollupKeys(p.id());
      return redis.hkeys(k.reportDeliveries()).compose(fields -> {
        java.util.Set<String> recorded = new java.util.HashSet<>();
        LocalDate latest = null;
        for (Response f : fields) {
          String field = f.toString();
          recorded.add(field);
          if (field.startsWith(schedule.every() + ":")) {
            LocalDate from = LocalDate.parse(field.substring(field.indexOf(':') + 1));
            latest = latest == null || from.isAfter(latest) ? from : latest;
          }
        }
        List<Period> due = new ArrayList<>();
        if (latest == null) {
          if (lastDue) {
            due.add(last); // a new schedule: no history sent
          }
        } else {
          // every period after the latest recorded one, oldest first (servers were down through some)
          for (Period q = lastDue ? last : last.previous(); q.from().isAfter(latest)
              && due.size() < catchUp(schedule.every()); q = q.previous()) {
            if (!recorded.contains(q.field())) {
              due.add(0, q);
            }
          }
        }
        Future<List<String>> chain = Future.succeededFuture(new ArrayList<>());
        for (Period q : due) {
          chain = chain.compose(taken -> take(p, schedule, q).map(field -> {
            if (field != null) {
              taken.add(field);
            }
            return taken;
          }));
        }
        return chain;
      });
    });
  }

  /** Takes {@code period} unless another server has (its sending key) and starts sending it. */
  private Future<String> take(PropertyConfig p, PropertySettings.ReportSchedule schedule, Period period) {
    return redis.set(List.of(new RollupKeys(p.id()).reportSending(period.field()), me, "NX", "PX",
        Long.toString(SENDING_LEASE.toMillis()))).map(r -> {
          if (r == null) { // another server is sending it
            return null;
          }
          send(p, schedule, period, period.dueAt(schedule.hour(), p.zone()));
          return period.field();
        });
  }

  /** Sends in the background (a receiver that is down must not hold up the other properties). */
  private void send(PropertyConfig p, PropertySettings.ReportSchedule schedule, Period period, Instant dueAt) {
    String id = p.id() + ":report:" + period.field();
    GroupBy grouping = schedule.grouping();
    Future<Map<String, Object>> built = grouping.model().multiTouch()
        ? reporter.credited(p.id(), p.zone(), period.from(), period.to(), grouping).map(CreditReport::toJson)
        : reporter.report(p.id(), p.zone(), period.from(), period.to(), grouping).map(RoiReport::toJson);
    built.onFailure(err -> {
      // the report could not be read (Redis away): not a failed delivery; the next check tries again
      LOG.warn("scheduled report {} not built: {}", id, err.toString());
      redis.del(List.of(new RollupKeys(p.id()).reportSending(period.field())));
    }).onSuccess(report -> {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("id", id);
      body.put("type", "report");
      body.put("property", p.id());
      body.put("every", period.every());
      body.put("from", period.from().toString());
      body.put("to", period.to().toString());
      body.put("timezone", p.timezone());
      body.put("at", clock.instant().toString());
      body.put("report", report);
      sender.post(schedule.url(), schedule.secret(), id, "report", JsonMapper.write(body), ATTEMPTS).transform(ar -> {
        if (ar.failed()) {
          LOG.warn("scheduled report {} not delivered: {}", id, ar.cause().toString());
        }
        return record(p.id(), period, dueAt, ar.succeeded(), ar.failed() ? ar.cause().getMessage() : null);
      });
    });
  }

  private Future<Void> record(String property, Period period, Instant dueAt, boolean delivered, String why) {
    RollupKeys k = new RollupKeys(property);
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("every", period.every());
    d.put("from", period.from().toString());
    d.put("to", period.to().toString());
    d.put("state", delivered ? "delivered" : "failed");
    d.put("dueAt", dueAt.toString());
    d.put("at", clock.instant().toString());
    if (why != null) {
      d.put("detail", why);
    }
    // the sending key stays until it expires: a server that read "not delivered" just before this
    // write cannot take the period again and send it twice
    return redis.hset(List.of(k.reportDeliveries(), period.field(), JsonMapper.write(d)))
        .compose(v -> forgetOld(property))
        .onFailure(err -> LOG.warn("scheduled report {} of {}: not recorded: {}", period.field(), property, err.toString()))
        .mapEmpty();
  }

  private Future<Void> forgetOld(String property) {
    RollupKeys k = new RollupKeys(property);
    LocalDate oldest = clock.instant().minus(KEEP).atZone(java.time.ZoneOffset.UTC).toLocalDate();
    return redis.hkeys(k.reportDeliveries()).compose(fields -> {
      List<String> old = new ArrayList<>(List.of(k.reportDeliveries()));
      for (Response f : fields) {
        String field = f.toString();
        if (LocalDate.parse(field.substring(field.indexOf(':') + 1)).isBefore(oldest)) {
          old.add(field);
        }
      }
      return old.size() == 1 ? Future.succeededFuture() : redis.hdel(old).mapEmpty();
    });
  }

  /**
   * {@code GET /v1/reports/deliveries}: the property's scheduled reports whose period began in
   * {@code [from, to]}, oldest first, with how many were delivered of those scheduled.
   */
  public Future<Map<String, Object>> deliveries(String property, LocalDate from, LocalDate to) {
    return redis.hvals(new RollupKeys(property).reportDeliveries()).map(values -> {
      List<Map<String, Object>> list = new ArrayList<>();
      for (Response v : values) {
        @SuppressWarnings("unchecked")
        Map<String, Object> d = JsonMapper.readStored(v.toString(), Map.class);
        LocalDate first = LocalDate.parse((String) d.get("from"));
        if (!first.isBefore(from) && !first.isAfter(to)) {
          list.add(d);
        }
      }
      list.sort(Comparator.comparing((Map<String, Object> d) -> (String) d.get("from"))
          .thenComparing(d -> (String) d.get("every")));
      long delivered = list.stream().filter(d -> "delivered".equals(d.get("state"))).count();
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("property", property);
      out.put("from", from.toString());
      out.put("to", to.toString());
      out.put("deliveries", list);
      out.put("scheduled", list.size());
      out.put("delivered", delivered);
      out.put("deliveryRate", list.isEmpty() ? null
          : BigDecimal.valueOf(delivered).divide(BigDecimal.valueOf(list.size()), 4, RoundingMode.HALF_UP));
      return out;
    });
  }

  @Override
  public void close() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }
}
