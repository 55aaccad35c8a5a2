package io.calltrack.core.calls;

import io.calltrack.core.json.JsonMapper;
import io.calltrack.core.redis.LuaScript;
import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;

/**
 * Moves calls stored under the old single {@code {calls}} tag (before calls were sharded by
 * property: {@code {calls}:call:<id>}, {@code {calls}:by-start}, {@code {calls}:events}) into their
 * property's shard ({@link RedisCallStore}), so an upgraded install still finds, pages and reports
 * them. Run at every start (nothing to do costs one ZRANGE) and by {@code calltrack migrate-calls}.
 *
 * <p>Idempotent and safe to run from several processes at once: each call is copied by one script in
 * its new slot (a shard copy as new or newer wins: the call went on after the upgrade) and only then
 * removed from the old keys by one script in the old slot (only if unchanged since the copy). A run
 * that stops half way leaves each call in the old keys, the new ones, or both: the next run finishes.
 * Each copied call also gets an entry on its shard's stream, so the rollups count it (they count a
 * call once however often it comes). The old stream is deleted once the old index is empty: what it
 * held is re-derived from the records.
 */
public final class CallsMigration {
  public static final String OLD_INDEX = "{calls}:by-start";
  public static final String OLD_STREAM = "{calls}:events";
  private static final int BATCH = 200;
  private static final LuaScript MIGRATE = LuaScript.load("/lua/calls/migrate-call.lua");
  private static final LuaScript DROP = LuaScript.load("/lua/calls/drop-migrated-call.lua");

  /** What a run did. */
  public record Result(int copied, int alreadyThere, int unreadable) {
    public int total() {
      return copied + alreadyThere + unreadable;
    }
  }

  private final RedisAPI redis;

  public CallsMigration(RedisAPI redis) {
    this.redis = redis;
  }

  public static String oldKey(String callId) {
    return "{calls}:call:" + callId;
  }

  /** Migrates every call of the old layout. */
  public Future<Result> run() {
    return next(new int[3]);
  }

  private Future<Result> next(int[] counts) {
    return redis.zrange(List.of(OLD_INDEX, "0", Integer.toString(BATCH - 1))).compose(members -> {
      if (members == null || members.size() == 0) {
        return redis.del(List.of(OLD_STREAM)).map(v -> new Result(counts[0], counts[1], counts[2]));
      }
      Future<Void> chain = Future.succeededFuture();
      for (Response m : members) {
        String member = m.toString();
        chain = chain.compose(v -> one(member, counts));
      }
      return chain.compose(v -> next(counts));
    });
  }

  /** One index member {@code <13-digit start ms>|<callId>}: copy its call, then drop the old one. */
  private Future<Void> one(String member, int[] counts) {
    int bar = member.indexOf('|');
    String callId = bar < 0 ? member : member.substring(bar + 1);
    String old = oldKey(callId);
    return redis.hgetall(old).compose(hash -> {
      String seq = field(hash, "seq");
      String record = field(hash, "record");
      if (seq == null || record == null) {
        counts[2]++; // the index names a call whose hash expired or never was: only the entry goes
        return drop(old, member, "");
      }
      CallRecord call;
      try {
        call = JsonMapper.readStored(record, CallRecord.class);
      } catch (RuntimeException unreadable) {
        // no property to copy it by: its hash stays where it is (reported), its entry leaves the index
        counts[2]++;
        return redis.zrem(List.of(OLD_INDEX, member)).mapEmpty();
      }
      String outcome = field(hash, "outcome");
      String property = call.property();
      String shard = RedisCallStore.shard(property);
      return redis.pttl(old).compose(ttl -> {
        long ms = ttl == null ? -1 : ttl.toLong();
        List<String> args = new ArrayList<>(List.of(seq, record, outcome == null ? "" : outcome, member, callId,
            Long.toString(RedisCallStore.STREAM_MAX_LEN), ms > 0 ? Long.toString(ms) : ""));
        return redis.sadd(List.of(RedisCallStore.SHARDS, shard))
            .compose(v -> MIGRATE.run(redis, List.of(RedisCallStore.key(property, callId),
                RedisCallStore.index(property), RedisCallStore.eventsStream(property)), args))
            .compose(copied -> {
              if (copied.toInteger() == 1) {
                counts[0]++;
              } else {
                counts[1]++;
              }
              return drop(old, member, seq);
            });
      });
    });
  }

  private Future<Void> drop(String oldKey, String member, String seq) {
    return DROP.run(redis, List.of(oldKey, OLD_INDEX), List.of(member, seq)).mapEmpty();
  }

  private static String field(Response hash, String name) {
    if (hash == null) {
      return null;
    }
    // RESP3 answers a map, RESP2 a flat array
    try {
      if (hash.getKeys() != null && !hash.getKeys().isEmpty()) {
        Response v = hash.get(name);
        return v == null ? null : v.toString();
      }
    } catch (RuntimeException notAMap) {
      // a flat array: below
    }
    for (int i = 0; i + 1 < hash.size(); i += 2) {
      if (name.equals(String.valueOf(hash.get(i)))) {
        return String.valueOf(hash.get(i + 1));
      }
    }
    return null;
  }
}
