package io.calltrack.core.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.marketing.SettingsStore;
import io.calltrack.core.redis.RedisClientFactory;
import io.calltrack.core.testing.Await;
import io.calltrack.core.testing.TestRedis;
import io.calltrack.localredis.EmbeddedRedis;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The GA4/Meta events' own cursors on a store written before they existed: a stream the webhooks had read
 * starts where they were (nothing sent twice, nothing skipped), once per deployment; a stream without a
 * cursor, or created later, is read from its start (a new property's first calls are not skipped while its
 * webhooks run ahead).
 */
class EventsCursorUpgradeTest {
  @Test
  void streamsReadBeforeStartWhereTheWebhooksWereAndLaterOnesFromTheirStart() {
    EmbeddedRedis own = TestRedis.dedicated(); // the marker is one per store: not on the shared one
    Vertx vertx = Vertx.vertx();
    try {
      Redis redis = RedisClientFactory.create(vertx, own.url());
      RedisAPI api = RedisAPI.api(redis);
      String read = "{calls:a}:events";
      String unread = "{calls:b}:events";
      Await.result(api.set(List.of(CallWebhookDispatcher.cursorKey(read), "1700000000000-3")));
      WebhookSender sender = new WebhookSender(vertx, Clock.systemUTC(), Duration.ofSeconds(1), Duration.ofSeconds(1));
      CallWebhookDispatcher d = new CallWebhookDispatcher(vertx, redis, new SettingsStore(redis), sender,
          () -> Future.succeededFuture(List.of(read, unread)));

      assertTrue(Await.result(d.initEventsCursors(List.of(read, unread))));
      assertEquals("1700000000000-3", Await.result(api.get(CallWebhookDispatcher.eventsCursorKey(read))).toString());
      assertNull(Await.result(api.get(CallWebhookDispatcher.eventsCursorKey(unread))));

      // a stream its webhooks read ahead of its events after the upgrade: its events start at its start
      String later = "{calls:c}:events";
      Await.result(api.set(List.of(CallWebhookDispatcher.cursorKey(later), "1800000000000-0")));
      assertFalse(Await.result(d.initEventsCursors(List.of(read, unread, later))));
      assertNull(Await.result(api.get(CallWebhookDispatcher.eventsCursorKey(later))));
      sender.close();
    } finally {
      Await.result(vertx.close());
      own.stop();
    }
  }
}
