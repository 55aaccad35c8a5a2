package io.calltrack.core.privacy;

import com.fasterxml.jackson.databind.JsonNode;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.json.JsonMapper;
import io.calltrack.core.webhooks.CallWebhookDispatcher;
import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The webhooks given up on ({@value CallWebhookDispatcher#DEAD_LETTERS}: each the JSON body that was
 * to be sent, the call record in it) hold caller numbers and attribution too: erasure removes a
 * person's, retention the ones whose event is older than their property keeps personal data.
 */
final class DeadLetterScrub {
  private static final int PAGE = 500;
  /** Entries looked at per retention step (the oldest; the list grows at its end). */
  static final int RETENTION_WINDOW = 1_000;

  private final RedisAPI redis;

  DeadLetterScrub(RedisAPI redis) {
    this.redis = redis;
  }

  /** Removes every dead letter whose call record {@code matches}; answers how many. */
  Future<Integer> erase(String rawHint, Predicate<CallRecord> matches) {
    return page(0, Integer.MAX_VALUE, body -> {
      JsonNode call = body.get("call");
      return call != null && call.isObject()
          && matches.test(JsonMapper.readStored(call.toString(), CallRecord.class));
    }, rawHint, 0);
  }

  /**
   * Removes the oldest dead letters whose event (the stream id in their {@code id}, Redis time) is older
   * than their property's cutoff ({@code cutoffMs} by property; a property not in it is left).
   */
  Future<Integer> expire(Map<String, Long> cutoffMs) {
    if (cutoffMs.isEmpty()) {
      return Future.succeededFuture(0);
    }
    return page(0, RETENTION_WINDOW, body -> {
      Long cutoff = cutoffMs.get(body.path("property").asText(""));
      String id = body.path("id").asText("");
      int colon = id.lastIndexOf(':');
      int dash = id.lastIndexOf('-');
      if (cutoff == null || colon < 0 || dash < colon) {
        return false;
      }
      try {
        return Long.parseLong(id.substring(colon + 1, dash)) < cutoff;
      } catch (NumberFormatException e) {
        return false;
      }
    }, null, 0);
  }

  private Future<Integer> page(int start, int limit, Predicate<JsonNode> doomed, String rawHint, int done) {
    int end = (int) Math.min((long) start + PAGE - 1, (long) limit - 1);
    return redis.lrange(CallWebhookDispatcher.DEAD_LETTERS, Integer.toString(start), Integer.toString(end))
        .compose(res -> {
          List<String> gone = new ArrayList<>();
          for (Response r : res) {
            String json = r.toString();
            if ((rawHint == null || json.contains(rawHint)) && doomed.test(JsonMapper.readStored(json, JsonNode.class))) {
              gone.add(json);
            }
          }
          Future<Integer> removed = Future.succeededFuture(0);
          for (String json : gone) {
            removed = removed.compose(n -> redis.lrem(CallWebhookDispatcher.DEAD_LETTERS, "1", json)
                .map(r -> n + r.toInteger()));
          }
          boolean more = res.size() == end - start + 1 && end + 1 < limit;
          return removed.compose(n -> more
              // removed entries shift the rest towards the head
              ? page(end + 1 - n, limit, doomed, rawHint, done + n)
              : Future.succeededFuture(done + n));
        });
  }
}
