package io.calltrack.core.rollup;

import io.calltrack.core.calls.RedisCallStore;
import io.calltrack.core.redis.LuaScript;
import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Rolls a property's calls up again from their records, as they stand: after an upgrade whose rollups
 * count something new (the multi-touch models' credit, the direction dimension, customers' lifetime
 * revenue), the calls rolled up before it count there too, not only once they change again. A call
 * already counted as it stands changes nothing but its new figures: its contribution is replaced by the
 * difference, like any change ({@link RollupStore}).
 *
 * <p>Each call is applied under an entry id just below the stream's clock when its page was read: the
 * last id the previous millisecond can have. Every call event written after that has a greater id and
 * is applied after; one written before it is in the record read (or already applied, then the recount
 * changes that call by nothing). So a recount running beside live traffic loses no change and counts
 * none twice. The clock is the one the stream's entries are named by: TIME on the node that holds the
 * stream ({@code rollup/stream-clock.lua}).
 */
public final class RollupRecount {
  /** Calls read from the index per page. */
  static final int PAGE = 500;
  private static final LuaScript STREAM_CLOCK = LuaScript.load("/lua/rollup/stream-clock.lua");
  /** The greatest sequence number a stream entry id can have. */
  private static final String LAST_SEQUENCE = "18446744073709551615";

  private final RedisAPI api;
  private final RollupStore rollups;

  public RollupRecount(RedisAPI api, RollupStore rollups) {
    this.api = api;
    this.rollups = rollups;
  }

  /** What a recount did: the calls it rolled up again. */
  public record Result(long calls) {}

  /**
   * Rolls up again the calls of {@code property} that started in [{@code from}, {@code to}) (null: no
   * bound), oldest first.
   */
  public Future<Result> run(String property, Instant from, Instant to) {
    String min = from == null ? "-" : "[" + RedisCallStore.millis13(Math.max(0, from.toEpochMilli()));
    String max = to == null ? "+" : "(" + RedisCallStore.millis13(Math.max(0, to.toEpochMilli()));
    return page(property, min, max, new Result(0));
  }

  private Future<Result> page(String property, String min, String max, Result sofar) {
    return api.zrange(List.of(RedisCallStore.index(property), min, max, "BYLEX", "LIMIT", "0", Integer.toString(PAGE)))
        .compose(res -> {
          List<String> members = new ArrayList<>();
          for (Response m : res) {
            members.add(m.toString());
          }
          if (members.isEmpty()) {
            return Future.succeededFuture(sofar);
          }
          return STREAM_CLOCK.run(api, List.of(RedisCallStore.eventsStream(property)), List.of()).compose(time -> {
            // taken before any of these records is read: the previous millisecond's last possible id,
            // below every entry written from now on (one written this millisecond has "<now>-0" or more)
            long now = time.get(0).toLong() * 1000 + time.get(1).toLong() / 1000;
            String entry = (now - 1) + "-" + LAST_SEQUENCE;
            Future<Boolean> applied = Future.succeededFuture();
            for (String member : members) {
              applied = applied.compose(x -> rollups.refresh(property, RedisCallStore.callIdOf(member), entry));
            }
            return applied;
          }).compose(x -> {
            Result next = new Result(sofar.calls() + members.size());
            return members.size() < PAGE ? Future.succeededFuture(next)
                : page(property, "(" + members.get(members.size() - 1), max, next);
          });
        });
  }
}
