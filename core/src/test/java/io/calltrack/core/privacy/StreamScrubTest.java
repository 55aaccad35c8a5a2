package io.calltrack.core.privacy;

import static io.calltrack.core.testing.Await.result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.testing.TestRedis;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Erasure deletes a calls stream's entries only where every reader is done with them, on a real Redis:
 * below the oldest entry a group still has pending, and up to what it was delivered when it has none.
 */
class StreamScrubTest {
  static Vertx vertx;
  static RedisAPI redis;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    redis = RedisAPI.api(Redis.createClient(vertx, TestRedis.url()));
  }

  @AfterAll
  static void stop() {
    result(vertx.close());
  }

  @Test
  void onlyEntriesEveryGroupIsDoneWithAreDeleted() {
    String stream = TestRedis.uniqueId("scrub") + ":events";
    List<String> ids = add(stream, 4);
    result(redis.xgroup(List.of("CREATE", stream, "rollups", "0")));
    result(redis.xgroup(List.of("CREATE", stream, "webhooks", "0")));
    // rollups: read three, acknowledged the first; webhooks: read and acknowledged all four
    result(redis.xreadgroup(List.of("GROUP", "rollups", "c", "COUNT", "3", "STREAMS", stream, ">")));
    result(redis.xack(List.of(stream, "rollups", ids.get(0))));
    result(redis.xreadgroup(List.of("GROUP", "webhooks", "c", "STREAMS", stream, ">")));
    result(redis.xack(List.of(stream, "webhooks", ids.get(0), ids.get(1), ids.get(2), ids.get(3))));

    assertEquals(ids.get(1), result(new StreamScrub(redis).readersDoneBefore(stream)));
    assertEquals(1, result(new StreamScrub(redis).scrub(stream, null, r -> true)));
    assertEquals(ids.subList(1, 4), entries(stream));

    // rollups acknowledges the rest: the entries it was delivered are done, the fourth it never read is not
    result(redis.xack(List.of(stream, "rollups", ids.get(1), ids.get(2))));
    assertEquals(2, result(new StreamScrub(redis).scrub(stream, null, r -> true)));
    assertEquals(ids.subList(3, 4), entries(stream));
  }

  @Test
  void aGroupThatAcknowledgedEverythingSinceItWasCountedIsDoneUpToWhatItWasDelivered() {
    // XINFO GROUPS counted entries pending, then the reader acknowledged them before XPENDING ran:
    // XPENDING's summary then has no oldest entry
    String stream = TestRedis.uniqueId("scrub") + ":events";
    List<String> ids = add(stream, 2);
    result(redis.xgroup(List.of("CREATE", stream, "rollups", "0")));
    result(redis.xreadgroup(List.of("GROUP", "rollups", "c", "COUNT", "1", "STREAMS", stream, ">")));
    result(redis.xack(List.of(stream, "rollups", ids.get(0))));
    Response summary = result(redis.xpending(List.of(stream, "rollups")));

    assertNull(summary.get(1), "the summary names no oldest pending entry: " + summary);

    String bound = StreamScrub.oldestPending(summary, ids.get(0));
    assertTrue(StreamScrub.compare(ids.get(0), bound) < 0, "above the delivered entry: " + bound);
    assertTrue(StreamScrub.compare(bound, ids.get(1)) <= 0, "not above the undelivered one: " + bound);
  }

  private static List<String> add(String stream, int n) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add(result(redis.xadd(List.of(stream, "*", "record", "{\"callId\":\"c" + i + "\",\"startedAt\":\"2026-12-01T00:00:00Z\"}"))).toString());
    }
    return ids;
  }

  private static List<String> entries(String stream) {
    List<String> ids = new ArrayList<>();
    for (Response e : result(redis.xrange(List.of(stream, "-", "+")))) {
      ids.add(e.get(0).toString());
    }
    return ids;
  }
}
