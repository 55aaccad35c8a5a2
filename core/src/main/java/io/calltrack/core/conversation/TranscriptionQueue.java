package io.calltrack.core.conversation;

import io.calltrack.core.calls.RedisCallStore;
import io.calltrack.core.redis.LuaScript;
import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The recorded calls of a property's shard waiting for their transcript, in Redis ({@code
 * {calls:P}:transcriptions}): queued once when the call's recording is in, leased to one transcriber at a
 * time, retried with a doubling delay, given up after {@link #MAX_ATTEMPTS}. One Lua script per change.
 */
public final class TranscriptionQueue {
  private static final LuaScript ENQUEUE = LuaScript.load("/lua/conversation/enqueue-transcription.lua");
  private static final LuaScript CLAIM = LuaScript.load("/lua/conversation/claim-transcriptions.lua");
  private static final LuaScript RETRY = LuaScript.load("/lua/conversation/retry-transcription.lua");
  private static final LuaScript FINISH = LuaScript.load("/lua/conversation/finish-transcription.lua");
  /** How long a transcriber has a call before another may take it (a long call takes a while to transcribe). */
  public static final Duration LEASE = Duration.ofMinutes(15);
  public static final Duration FIRST_RETRY = Duration.ofMinutes(1);
  /** 1 + 2 + 4 + 8 + 16 minutes of retries: a service down for half an hour loses no call. */
  public static final int MAX_ATTEMPTS = 6;

  private final RedisAPI redis;
  private final Clock clock;

  public TranscriptionQueue(RedisAPI redis, Clock clock) {
    this.redis = redis;
    this.clock = clock;
  }

  /** Queues the call unless it has a transcript or is queued; true when queued. */
  public Future<Boolean> offer(String property, String callId) {
    return ENQUEUE.run(redis, List.of(RedisCallStore.transcriptionQueue(property), RedisCallStore.key(property, callId)),
        List.of(callId, Long.toString(clock.millis()))).map(r -> r.toInteger() == 1);
  }

  /** Up to {@code n} calls due now, leased for {@link #LEASE}. */
  public Future<List<String>> claim(String property, int n) {
    return CLAIM.run(redis, List.of(RedisCallStore.transcriptionQueue(property)),
        List.of(Long.toString(clock.millis()), Long.toString(LEASE.toMillis()), Integer.toString(n))).map(r -> {
          List<String> ids = new ArrayList<>();
          for (Response id : r) {
            ids.add(id.toString());
          }
          return ids;
        });
  }

  /**
   * A failed attempt ({@code why}): true when the call will be tried again, false when it was given up
   * (then {@code why} is kept with the call for {@link #status}).
   */
  public Future<Boolean> retry(String property, String callId, String why) {
    List<String> keys = List.of(RedisCallStore.transcriptionQueue(property), RedisCallStore.transcriptionAttempts(property),
        RedisCallStore.key(property, callId));
    return RETRY.run(redis, keys, List.of(callId, Long.toString(clock.millis()),
        Long.toString(FIRST_RETRY.toMillis()), Integer.toString(MAX_ATTEMPTS), why == null ? "" : why))
        .map(r -> r.toLong() > 0);
  }

  /**
   * Why a call has no transcript, in the client's terms: waiting in the queue, or given up (and the last
   * failure); null when neither.
   */
  public Future<String> status(String property, String callId) {
    return redis.zscore(RedisCallStore.transcriptionQueue(property), callId).compose(queued -> queued != null
        ? Future.succeededFuture("it is waiting to be transcribed")
        : redis.hget(RedisCallStore.key(property, callId), "transcription-failed").map(failed -> failed == null ? null
            : "its transcription was given up after " + MAX_ATTEMPTS + " attempts: " + failed));
  }

  /** The call is done with: out of the queue. */
  public Future<Void> finish(String property, String callId) {
    return FINISH.run(redis, keys(property), List.of(callId)).mapEmpty();
  }

  /** How many calls of the shard are queued (due or leased). */
  public Future<Long> size(String property) {
    return redis.zcard(RedisCallStore.transcriptionQueue(property)).map(Response::toLong);
  }

  private static List<String> keys(String property) {
    return List.of(RedisCallStore.transcriptionQueue(property), RedisCallStore.transcriptionAttempts(property));
  }
}
