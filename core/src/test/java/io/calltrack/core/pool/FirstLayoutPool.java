package io.calltrack.core.pool;

import static io.calltrack.core.testing.Await.result;

import io.calltrack.core.attribution.Attribution;
import io.calltrack.core.attribution.AttributionModel;
import io.calltrack.core.config.PoolConfig;
import io.calltrack.core.redis.LuaScript;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a pool as calltrack wrote it before every key of its scripts was declared (up to commit
 * 3f8a594): a history zset per number, and scripts that set other sessions' state in their hashes.
 * That version's scripts are kept in test resources ({@code /first-layout}), unchanged, so a
 * migration test meets exactly what a live Redis holds after an upgrade.
 */
public final class FirstLayoutPool {
  private static final LuaScript ASSIGN = LuaScript.load("/first-layout/lib.lua", "/first-layout/assign.lua");
  private static final LuaScript RELEASE = LuaScript.load("/first-layout/lib.lua", "/first-layout/release.lua");

  /** The first layout's scripts: they name keys inside Lua, which no script of the product may. */
  public static java.util.Set<String> shas() {
    return java.util.Set.of(ASSIGN.sha(), RELEASE.sha());
  }

  private final RedisAPI redis;
  private final PoolConfig pool;
  private final Duration window;
  private final PoolKeys k;

  /** {@code pool} was just configured (so synced, and marked as in the current layout): it loses the mark. */
  public FirstLayoutPool(RedisAPI redis, PoolConfig pool, Duration window) {
    this.redis = redis;
    this.pool = pool;
    this.window = window;
    this.k = new PoolKeys(pool.id());
    result(redis.hdel(List.of(k.meta(), "layout")));
  }

  private List<String> keys() {
    return new ArrayList<>(List.of(k.meta(), k.numbers(), k.free(), k.leased(), k.holding(), k.owner(), k.visitors(),
        k.stats(), k.historyNumbers(), k.channel()));
  }

  /** The first layout's assign: {kind, session id, number, lease end} as it answered. */
  public Response assign(String visitor, Attribution attribution, Instant at) {
    long now = at.toEpochMilli();
    String sid = SessionIds.newSession(pool.id());
    List<String> keys = keys();
    keys.add(k.session(sid));
    keys.add(k.visitorSessions(visitor));
    List<String> pieces = SessionCodec.pieces(AttributionCodec.encode(attribution));
    List<String> args = new ArrayList<>(List.of(Long.toString(now), Long.toString(pool.leaseSeconds() * 1000L),
        Long.toString(pool.holdSeconds() * 1000L), pool.onExhausted().json(), "assign", visitor, sid, pool.id(),
        pool.property(), Integer.toString(pieces.size()), Long.toString(now - window.toMillis()),
        Channels.digest(attribution), "", Long.toString(window.toMillis()),
        Integer.toString(RedisPoolEngine.HISTORY_DEPTH), "", Double.toString(AttributionModel.AFTER_SCALE),
        Double.toString(AttributionModel.AFTER_MEDIAN_MIN), Double.toString(AttributionModel.AFTER_SIGMA),
        Double.toString(AttributionModel.ZONE_MISMATCH / AttributionModel.ZONE_MATCH)));
    args.addAll(pieces);
    args.add("");
    return result(ASSIGN.run(redis, keys, args));
  }

  /** The first layout's release. */
  public void release(String sessionId, Instant at) {
    List<String> keys = keys();
    keys.add(k.session(sessionId));
    result(RELEASE.run(redis, keys, List.of(Long.toString(at.toEpochMilli()),
        Long.toString(pool.holdSeconds() * 1000L), sessionId, Long.toString(window.toMillis()))));
  }

  /** A number's history zset of the first layout. */
  public String historyKey(String e164) {
    return k.firstLayoutHistory(e164);
  }
}
