package io.calltrack.sip.record;

import io.calltrack.core.json.JsonMapper;
import io.calltrack.core.marketing.PropertySettings;
import io.calltrack.core.webhooks.WebhookSender;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The spool-depth webhook alert, sent by the router itself: its spool fills while Redis does not take
 * call events, so dni-server (which reads Redis) cannot see it in time. For every property the router
 * routes whose marketing settings name an alerts URL: more than {@code alerts.spoolDepth} events waiting
 * for {@code alerts.spoolMinutes} minutes starts an episode, sent once, signed, retried with back-off
 * ({@link WebhookSender}); the episode ends when the depth is seen at or below the threshold.
 *
 * <p>Episodes are kept in this router's memory, not in Redis (Redis is the thing that is away): each
 * router alerts about its own spool, and a router restarted during an episode alerts again once the
 * hold time has passed. The settings are read from Redis when it answers and the last ones read are
 * used while it does not.
 */
public final class SpoolAlarm implements AutoCloseable {
  public static final String ALERT = "router.spoolDepth";
  public static final int ATTEMPTS = 8;
  private static final Logger LOG = LoggerFactory.getLogger(SpoolAlarm.class);

  private final Vertx vertx;
  private final String router;
  private final IntSupplier depth;
  private final Supplier<Collection<String>> properties;
  private final Function<String, Future<PropertySettings>> settings;
  private final WebhookSender sender;
  private final Clock clock;
  private final Map<String, PropertySettings.Alerts> lastKnown = new ConcurrentHashMap<>();
  private final Map<String, Instant> since = new ConcurrentHashMap<>();
  private final Map<String, Instant> sent = new ConcurrentHashMap<>();
  private final AtomicBoolean running = new AtomicBoolean();
  private long timer = -1;

  /**
   * @param router     how the alert names this router (its advertised host:port)
   * @param depth      call events waiting in the spool now
   * @param properties the properties the router routes now
   * @param settings   a property's marketing settings (from Redis)
   */
  public SpoolAlarm(Vertx vertx, String router, IntSupplier depth, Supplier<Collection<String>> properties,
      Function<String, Future<PropertySettings>> settings, WebhookSender sender, Clock clock) {
    this.vertx = vertx;
    this.router = router;
    this.depth = depth;
    this.properties = properties;
    this.settings = settings;
    this.sender = sender;
    this.clock = clock;
  }

  public void start(Duration period) {
    timer = vertx.setPeriodic(period.toMillis(), id -> {
      if (running.compareAndSet(false, true)) {
        check().onFailure(err -> LOG.warn("spool alarm: {}", err.toString())).onComplete(ar -> running.set(false));
      }
    });
  }

  /** Observes the depth now (the clock's now); returns the properties an episode was sent to. */
  public Future<List<String>> check() {
    Instant now = clock.instant();
    int n = depth.getAsInt();
    List<String> alerted = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    for (String property : properties.get()) {
      chain = chain.compose(v -> alerts(property)).map(a -> {
        if (a != null && observe(property, a, n, now)) {
          alerted.add(property);
          send(property, a, n, now);
        }
        return null;
      });
    }
    return chain.map(v -> alerted);
  }

  /** The property's alert settings from Redis, or the last ones read while Redis does not answer. */
  private Future<PropertySettings.Alerts> alerts(String property) {
    return settings.apply(property).map(s -> {
      if (s.alerts() == null) {
        lastKnown.remove(property);
      } else {
        lastKnown.put(property, s.alerts());
      }
      return s.alerts();
    }).otherwise(err -> lastKnown.get(property));
  }

  /** True if this observation starts an episode for {@code property}. */
  private boolean observe(String property, PropertySettings.Alerts a, int n, Instant now) {
    if (n <= a.spoolDepth()) {
      since.remove(property);
      sent.remove(property);
      return false;
    }
    Instant start = since.computeIfAbsent(property, p -> now);
    if (Duration.between(start, now).compareTo(Duration.ofMinutes(a.spoolMinutes())) < 0) {
      return false;
    }
    return sent.putIfAbsent(property, start) == null;
  }

  private void send(String property, PropertySettings.Alerts a, int n, Instant now) {
    String key = property + ":" + ALERT + ":" + router + ":" + since.get(property).toEpochMilli();
    Map<String, Object> detail = new LinkedHashMap<>();
    detail.put("router", router);
    detail.put("depth", n);
    detail.put("threshold", a.spoolDepth());
    detail.put("minutes", a.spoolMinutes());
    detail.put("since", since.get(property).toString());
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("id", key);
    body.put("type", "alert");
    body.put("alert", ALERT + ":" + router);
    body.put("property", property);
    body.put("at", now.toString());
    body.put("detail", detail);
    // delivery goes on in the background: a receiver that is down must not hold up the next checks
    sender.post(a.url(), a.secret(), key, "alert", JsonMapper.write(body), ATTEMPTS)
        .onFailure(err -> LOG.warn("spool alert for {} not delivered: {}", property, err.toString()));
  }

  @Override
  public void close() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }
}
