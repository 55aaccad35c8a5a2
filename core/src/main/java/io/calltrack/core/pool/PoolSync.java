package io.calltrack.core.pool;

import io.calltrack.core.config.PoolConfig;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.core.redis.LuaScript;
import io.vertx.core.Future;
import io.vertx.redis.client.Redis;
import java.util.ArrayList;
import java.util.List;

/**
 * The runtime half of a pool write: copies a pool's configured numbers into its {@code {pool:<id>}}
 * keys. Configuration lives under {@code {cfg}} and runtime state under {@code {pool:<id>}}, two
 * Redis Cluster slots, so this is a second script after the configuration write. It is idempotent and
 * guarded by the configuration revision, so it can be re-run at any time (every config store re-runs
 * it for every pool when it starts, which repairs a crash between the two writes).
 */
public final class PoolSync {
  private static final LuaScript SYNC = LuaScript.load("/lua/pool/sync.lua");

  private PoolSync() {}

  /**
   * Applies {@code pool}'s number list unless a newer revision was applied already, WAIT-backed with
   * {@code durability}.
   */
  public static Future<Void> sync(Redis redis, PoolConfig pool, long revision, LuaScript.Durability durability) {
    PoolKeys k = new PoolKeys(pool.id());
    List<String> args = new ArrayList<>(pool.numbers().size() + 2);
    args.add(Long.toString(revision));
    args.add(pool.property());
    for (PhoneNumber n : pool.numbers()) {
      args.add(n.e164());
    }
    return SYNC.runReplicated(redis, List.of(k.meta(), k.numbers(), k.free(), k.leased(), k.holding()), args,
        durability).mapEmpty();
  }
}
