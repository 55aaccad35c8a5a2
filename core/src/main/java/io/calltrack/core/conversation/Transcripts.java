package io.calltrack.core.conversation;

import io.calltrack.core.CalltrackException;
import io.calltrack.core.calls.RedisCallStore;
import io.calltrack.core.json.JsonMapper;
import io.calltrack.core.redis.LuaScript;
import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Call transcripts, kept in the call's own hash (field {@code transcript} of
 * {@code {calls:P}:call:<id>}, docs/architecture.md): they expire with the record at the property's
 * call-record retention and an erasure of the caller deletes them ({@code rewrite-call.lua}).
 */
public final class Transcripts {
  private static final LuaScript SET = LuaScript.load("/lua/conversation/set-transcript.lua");
  static final String FIELD = "transcript";

  private final RedisAPI redis;

  public Transcripts(RedisAPI redis) {
    this.redis = redis;
  }

  /**
   * Keeps {@code json} ({@link #write}: a transcript runs to megabytes, so it is written on a worker, not
   * the event loop) as the transcript of the call (replacing any) and announces it on the calls stream
   * (the CRM's {@code call.transcribed} webhook). NotFound if there is no such call in
   * {@code property}'s shard, Gone if its caller was erased.
   */
  public Future<Void> put(String property, String callId, String json) {
    return SET.run(redis, List.of(RedisCallStore.key(property, callId), RedisCallStore.eventsStream(property)),
            List.of(json, callId, Long.toString(RedisCallStore.STREAM_MAX_LEN)))
        .compose(r -> switch (r.toInteger()) {
          case 1 -> Future.<Void>succeededFuture();
          case 0 -> Future.failedFuture(new CalltrackException.NotFound("no call '" + callId + "'"));
          default -> Future.failedFuture(new CalltrackException.Gone(
              "the caller of call '" + callId + "' was erased; what they said is not kept"));
        });
  }

  /**
   * The stored transcripts of those of {@code callIds} that have one, as JSON (one HGET each, pipelined):
   * read them with {@link #read} on a worker thread, not on the event loop.
   */
  public Future<Map<String, String>> json(String property, List<String> callIds) {
    List<Future<Response>> reads = new ArrayList<>(callIds.size());
    for (String id : callIds) {
      reads.add(redis.hget(RedisCallStore.key(property, id), FIELD));
    }
    return Future.all(reads).map(done -> {
      Map<String, String> out = new HashMap<>();
      for (int i = 0; i < callIds.size(); i++) {
        Response r = reads.get(i).result();
        if (r != null) {
          out.put(callIds.get(i), r.toString());
        }
      }
      return out;
    });
  }

  /** A transcript as {@link #put} keeps it. */
  public static String write(Transcript t) {
    return JsonMapper.write(t);
  }

  /** A transcript as {@link #json} gives it. */
  public static Transcript read(String json) {
    return JsonMapper.readStored(json, Transcript.class);
  }
}
