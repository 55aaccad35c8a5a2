package io.calltrack.core.redis;

import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.RedisReplicas;
import io.vertx.redis.client.RedisRole;

/**
 * The one place Redis clients are made, so pool sizes and timeouts are the same everywhere, and every
 * command (servers, demo, simulator, bench tools) speaks to a standalone Redis, a Redis Cluster or a
 * Sentinel-watched master alike. Callers pass a {@link RedisTarget} or its one-string form.
 */
public final class RedisClientFactory {
  private RedisClientFactory() {}

  /** Options for {@code target}'s one-string form ({@link RedisTarget#parse}); a plain URL is standalone. */
  public static RedisOptions options(String target) {
    return options(RedisTarget.parse(target));
  }

  public static RedisOptions options(RedisTarget target) {
    RedisOptions o = new RedisOptions()
        // a connection is multiplexed by pipelining; a few of them keep both cores busy
        .setMaxPoolSize(8)
        .setMaxPoolWaiting(4096)
        .setMaxWaitingHandlers(16_384)
        .setPoolRecycleTimeout(15_000);
    target.urls().forEach(o::addConnectionString);
    switch (target.mode()) {
      case STANDALONE -> o.setType(RedisClientType.STANDALONE);
      case CLUSTER -> o.setType(RedisClientType.CLUSTER)
          // writes and the scripts' reads go to masters only: a replica may lag behind a lease
          .setUseReplicas(RedisReplicas.NEVER)
          // after a failover the slot map is re-read within this time (MOVED answers also refresh it)
          .setHashSlotCacheTTL(1_000)
          // cluster pools hold a connection per node; per node the same 8 as standalone
          .setMaxPoolSize(8 * 6);
      case SENTINEL -> o.setType(RedisClientType.SENTINEL)
          .setMasterName(target.master())
          .setRole(RedisRole.MASTER)
          // reconnect to whichever node the sentinels name master after a failover
          .setAutoFailover(true);
    }
    return o;
  }

  public static Redis create(Vertx vertx, String target) {
    return Redis.createClient(vertx, options(target));
  }

  public static Redis create(Vertx vertx, RedisTarget target) {
    return Redis.createClient(vertx, options(target));
  }

  public static RedisAPI api(Vertx vertx, String target) {
    return RedisAPI.api(create(vertx, target));
  }
}
