package io.calltrack.core.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import io.calltrack.core.calls.RedisCallStore;
import io.calltrack.core.marketing.PropertySettings;
import io.calltrack.core.redis.LuaScript;
import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a property's calls to its GA4 data stream ({@link CallAnalyticsEvents}) and Meta's Conversions
 * API ({@link CallMetaEvents}) as the webhook dispatcher reads them off the calls stream. Each event is
 * claimed in Redis before it goes ({@code claim-call-event.lua}), so it is sent at most once per call
 * even when the stream entry is read again (GA4 cannot drop a repeat), and its sending does not hold up
 * the CRM webhooks behind it: it is retried for {@value #ATTEMPTS} attempts (a few minutes), then
 * given up with a warning. An endpoint unreachable for longer loses those events (GA4 drops events
 * dated over 72 hours back, Meta over 7 days, anyway); the CRM webhooks are the channel delivered at
 * least once. Each attempt first asks whether the event is still to go: one whose caller was erased
 * meanwhile (Meta's event may carry the caller's number, hashed) is dropped.
 */
public final class CallEventForwarder {
  public static final int ATTEMPTS = 8;
  /** How long a call's sent events are remembered: outcomes usually come within this. */
  public static final Duration REMEMBER = Duration.ofDays(90);
  private static final LuaScript CLAIM = LuaScript.load("/lua/webhooks/claim-call-event.lua");
  private static final Logger LOG = LoggerFactory.getLogger(CallEventForwarder.class);

  /** One request to a platform ({@code body} to {@code url}), sent at most once per call under {@code once}. */
  public record Event(String once, String url, String body) {}

  private final RedisAPI redis;
  private final WebhookSender sender;
  private volatile CallWebhookDispatcher.Deliveries deliveries = (to, result) -> { };

  public CallEventForwarder(RedisAPI redis, WebhookSender sender) {
    this.redis = redis;
    this.sender = sender;
  }

  /** Counts each event sent or given up, as {@code ga4} or {@code meta}. */
  void countedBy(CallWebhookDispatcher.Deliveries counter) {
    this.deliveries = counter;
  }

  /**
   * Starts sending the events of one stream entry ({@code entryType}, written at {@code entryAt}) of
   * {@code property}'s call; completes once they are claimed (the sending goes on by itself).
   * {@code wanted}: asked before each attempt whether the entry is still there (not erased since).
   */
  public Future<Void> forward(PropertySettings settings, String property, String callId, String entryType,
      JsonNode record, JsonNode outcome, Instant entryAt, Supplier<Future<Boolean>> wanted) {
    if (callId == null || (settings.analytics() == null && settings.meta() == null)) {
      return Future.succeededFuture();
    }
    List<Event> events = new ArrayList<>();
    try {
      if (settings.analytics() != null) {
        events.addAll(CallAnalyticsEvents.of(settings.analytics(), entryType, record, outcome, settings.currency()));
      }
      if (settings.meta() != null) {
        events.addAll(CallMetaEvents.of(settings.meta(), entryType, record, outcome, settings.currency(), entryAt));
      }
    } catch (RuntimeException e) {
      // a record these cannot read must not stall the CRM webhooks behind it (the dispatcher retries a
      // failed entry at every poll): the call is not sent to the platforms, and says so
      LOG.warn("call {}: not sent to GA4 or Meta: {}", callId, e.toString());
      return Future.succeededFuture();
    }
    Future<Void> chain = Future.succeededFuture();
    for (Event e : events) {
      chain = chain.compose(v -> CLAIM.run(redis, List.of(RedisCallStore.callEventsSent(property, callId)),
          List.of(e.once(), Long.toString(REMEMBER.toMillis()))).map(claimed -> {
            if (claimed.toInteger() == 1) {
              String to = e.once().startsWith("meta:") ? "meta" : "ga4";
              sender.post(e.url(), null, callId + ":" + e.once(), e.once(), e.body(), ATTEMPTS, wanted)
                  .onSuccess(sent -> deliveries.count(to, sent ? "sent" : "erased"))
                  .onFailure(err -> deliveries.count(to, "given-up"))
                  .onFailure(err -> LOG.warn("{} of call {} given up after {} attempts: {}", e.once(), callId,
                      ATTEMPTS, err.getMessage()));
            }
            return null;
          }));
    }
    return chain;
  }
}
