package io.calltrack.core.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import io.calltrack.core.calls.RedisCallStore;
import io.calltrack.core.marketing.PropertySettings;
import io.calltrack.core.redis.LuaScript;
import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a property's calls to its GA4 data stream ({@link PropertySettings.Analytics}) as the webhook
 * dispatcher reads them off the calls stream ({@link CallAnalyticsEvents}). Each event is claimed in
 * Redis before it goes ({@code claim-analytics-event.lua}), so it is sent at most once per call even
 * when the stream entry is read again, and its sending does not hold up the CRM webhooks behind it: it
 * is retried for about {@value #ATTEMPTS} attempts (a few minutes), then given up with a warning. A
 * GA4 endpoint unreachable for longer loses those events (GA4 drops events dated over 72 hours back
 * anyway); the CRM webhooks are the channel delivered at least once.
 */
public final class CallAnalyticsForwarder {
  public static final int ATTEMPTS = 8;
  /** How long a call's sent events are remembered: outcomes usually come within this. */
  public static final Duration REMEMBER = Duration.ofDays(90);
  private static final LuaScript CLAIM = LuaScript.load("/lua/webhooks/claim-analytics-event.lua");
  private static final Logger LOG = LoggerFactory.getLogger(CallAnalyticsForwarder.class);

  private final RedisAPI redis;
  private final WebhookSender sender;

  public CallAnalyticsForwarder(RedisAPI redis, WebhookSender sender) {
    this.redis = redis;
    this.sender = sender;
  }

  /**
   * Starts sending the GA4 events of one stream entry of {@code property}'s call; completes once they are
   * claimed (the sending goes on by itself).
   */
  public Future<Void> forward(PropertySettings settings, String property, String callId, String entryType,
      JsonNode record, JsonNode outcome) {
    PropertySettings.Analytics ga = settings.analytics();
    if (ga == null || callId == null) {
      return Future.succeededFuture();
    }
    List<CallAnalyticsEvents.Event> events = CallAnalyticsEvents.of(entryType, record, outcome, settings.currency());
    Future<Void> chain = Future.succeededFuture();
    for (CallAnalyticsEvents.Event e : events) {
      chain = chain.compose(v -> CLAIM.run(redis, List.of(RedisCallStore.analyticsSent(property, callId)),
          List.of(e.once(), Long.toString(REMEMBER.toMillis()))).map(claimed -> {
            if (claimed.toInteger() == 1) {
              sender.post(ga.collectUrl(), null, callId + ":" + e.once(), e.once(), e.body(), ATTEMPTS)
                  .onFailure(err -> LOG.warn("GA4 event {} of call {} given up after {} attempts: {}", e.once(),
                      callId, ATTEMPTS, err.getMessage()));
            }
            return null;
          }));
    }
    return chain;
  }
}
