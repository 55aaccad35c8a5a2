package io.calltrack.core.privacy;

import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.RedisCallStore;
import io.calltrack.core.json.JsonMapper;
import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Removes a person's entries from the calls streams ({@code {calls:P}:events}, docs/privacy.md). Stream
 * entries cannot be rewritten in place, so they are deleted (XDEL) — but only entries every reader
 * (each consumer group: rollups, webhooks) is done with: below the lowest last-delivered id and the
 * lowest pending id over all groups. The rollups count from the call records, not from these entries,
 * so deleting them changes no count. An entry not yet read is left; it goes with the stream's
 * retention trim.
 */
final class StreamScrub {
  private static final int PAGE = 500;
  /** {@link #readersDoneBefore} when no group reads the stream. */
  static final String NO_LIMIT = "+";

  private final RedisAPI redis;

  StreamScrub(RedisAPI redis) {
    this.redis = redis;
  }

  /** Every shard's stream: deletes the read entries whose record {@code matches}; answers how many. */
  Future<Integer> everyShard(String rawHint, Predicate<CallRecord> matches) {
    return redis.smembers(RedisCallStore.SHARDS).compose(shards -> {
      Future<Integer> chain = Future.succeededFuture(0);
      for (Response shard : shards) {
        String stream = RedisCallStore.eventsStream(shard.toString());
        chain = chain.compose(n -> scrub(stream, rawHint, matches).map(m -> n + m));
      }
      return chain;
    });
  }

  Future<Integer> scrub(String stream, String rawHint, Predicate<CallRecord> matches) {
    return readersDoneBefore(stream).compose(bound -> bound == null
        ? Future.succeededFuture(0)
        : page(stream, "-", bound, rawHint, matches, 0));
  }

  private Future<Integer> page(String stream, String from, String bound, String rawHint,
      Predicate<CallRecord> matches, int done) {
    String to = NO_LIMIT.equals(bound) ? "+" : "(" + bound;
    return redis.xrange(List.of(stream, from, to, "COUNT", Integer.toString(PAGE))).compose(res -> {
      List<String> doomed = new ArrayList<>();
      String last = null;
      int seen = 0;
      for (Response entry : res) {
        seen++;
        last = entry.get(0).toString();
        Response fields = entry.get(1);
        for (int i = 0; fields != null && i + 1 < fields.size(); i += 2) {
          if (!"record".equals(fields.get(i).toString())) {
            continue;
          }
          String raw = fields.get(i + 1).toString();
          if ((rawHint == null || raw.contains(rawHint)) && matches.test(JsonMapper.readStored(raw, CallRecord.class))) {
            doomed.add(last);
          }
        }
      }
      Future<Integer> deleted = doomed.isEmpty()
          ? Future.succeededFuture(0)
          : redis.xdel(concat(stream, doomed)).map(Response::toInteger);
      String next = last;
      boolean more = seen == PAGE;
      return deleted.compose(d -> more
          ? page(stream, "(" + next, bound, rawHint, matches, done + d)
          : Future.succeededFuture(done + d));
    });
  }

  private static List<String> concat(String first, List<String> rest) {
    List<String> out = new ArrayList<>(rest.size() + 1);
    out.add(first);
    out.addAll(rest);
    return out;
  }

  /**
   * The id below which every consumer group of {@code stream} is done (delivered and acknowledged),
   * exclusive; null for an empty stream, {@link #NO_LIMIT} for a stream no group reads.
   */
  Future<String> readersDoneBefore(String stream) {
    return redis.exists(List.of(stream)).compose(e -> e.toInteger() == 0
        ? Future.succeededFuture((String) null)
        : redis.xinfo(List.of("GROUPS", stream)).compose(groups -> {
          List<Future<String>> bounds = new ArrayList<>();
          for (Response g : groups) {
            String name = field(g, "name");
            String delivered = field(g, "last-delivered-id");
            long pending = Long.parseLong(field(g, "pending"));
            if (pending == 0) {
              bounds.add(Future.succeededFuture(successor(delivered)));
            } else {
              bounds.add(redis.xpending(List.of(stream, name)).map(p -> oldestPending(p, delivered)));
            }
          }
          return Future.all(bounds).map(all -> {
            String bound = null;
            for (Future<String> b : bounds) {
              bound = bound == null ? b.result() : lower(bound, b.result());
            }
            return bound == null ? NO_LIMIT : bound;
          });
        }));
  }

  /**
   * The bound an XPENDING summary gives: its oldest pending entry is not done. The reader may have
   * acknowledged everything since XINFO counted it pending (the summary then has no oldest); then
   * every entry it had been delivered by XINFO's time is done.
   */
  static String oldestPending(Response summary, String deliveredAtXinfo) {
    Response oldest = summary == null || summary.size() < 2 ? null : summary.get(1);
    return oldest == null ? successor(deliveredAtXinfo) : oldest.toString();
  }

  /** The id just above {@code id}, so an exclusive bound "(successor" includes {@code id} itself. */
  private static String successor(String id) {
    int dash = id.indexOf('-');
    long ms = Long.parseLong(id.substring(0, dash));
    long seq = Long.parseLong(id.substring(dash + 1));
    return ms + "-" + (seq + 1);
  }

  /** XINFO GROUPS answers maps (RESP3) or arrays of name/value pairs (RESP2). */
  private static String field(Response group, String name) {
    if (group.isMap()) {
      Response v = group.get(name);
      return v == null ? null : v.toString();
    }
    for (int i = 0; i + 1 < group.size(); i += 2) {
      if (name.equals(group.get(i).toString())) {
        Response v = group.get(i + 1);
        return v == null ? null : v.toString();
      }
    }
    return null;
  }

  static String lower(String a, String b) {
    return compare(a, b) <= 0 ? a : b;
  }

  static int compare(String a, String b) {
    int da = a.indexOf('-');
    int db = b.indexOf('-');
    int c = Long.compareUnsigned(Long.parseUnsignedLong(a.substring(0, da)), Long.parseUnsignedLong(b.substring(0, db)));
    return c != 0 ? c : Long.compareUnsigned(Long.parseUnsignedLong(a.substring(da + 1)),
        Long.parseUnsignedLong(b.substring(db + 1)));
  }
}
