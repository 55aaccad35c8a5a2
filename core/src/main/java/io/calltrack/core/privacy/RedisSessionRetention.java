package io.calltrack.core.privacy;

import io.calltrack.core.pool.PoolKeys;
import io.calltrack.core.redis.LuaScript;
import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link SessionRetention} on the pool engine's session hashes and its per-visitor index (in the
 * pool's slot, so each step is one script over declared keys; assign.lua writes the index):
 * <pre>
 * {pool:ID}:visitor-sessions:&lt;visitorId&gt;   set  the visitor's session ids (TTL: the session retention)
 * </pre>
 */
public final class RedisSessionRetention implements SessionRetention {
  private static final LuaScript ERASE = LuaScript.load("/lua/privacy/erase-visitor.lua");

  private final RedisAPI redis;

  public RedisSessionRetention(RedisAPI redis) {
    this.redis = redis;
  }

  @Override
  public Future<List<String>> eraseVisitor(String poolId, String visitorId, String token) {
    PoolKeys k = new PoolKeys(poolId);
    String index = k.visitorSessions(visitorId);
    return redis.hget(k.visitors(), visitorId).compose(live -> redis.smembers(index).compose(members -> {
      List<String> sids = new ArrayList<>();
      for (Response m : members) {
        sids.add(m.toString());
      }
      if (live != null && !sids.contains(live.toString())) {
        sids.add(live.toString());
      }
      List<String> keys = new ArrayList<>(List.of(k.visitors(), k.live()));
      sids.forEach(sid -> keys.add(k.session(sid)));
      List<String> args = new ArrayList<>(List.of(visitorId, token));
      args.addAll(io.calltrack.core.attribution.LandingPage.CLICK_PARAMETERS);
      return ERASE.run(redis, keys, args).map(n -> sids);
    }));
  }

  @Override
  public Future<Void> forgetVisitor(String poolId, String visitorId) {
    return redis.del(List.of(new PoolKeys(poolId).visitorSessions(visitorId))).mapEmpty();
  }
}
