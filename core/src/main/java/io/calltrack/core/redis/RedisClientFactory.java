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

  /**
   * Connections per Redis node, which is also the number of commands in flight: the client holds a
   * pooled connection for a command's whole round trip (it does not pipeline one connection's
   * commands across {@code send} calls). With 8, a router on a busy 2-core host, where each round
   * trip stretched to milliseconds, had its commands wait seconds for a connection, its call journal
   * timed out into the spool, and it never caught up (600 calls/s from a cold start: 8,700-21,800 of
   * 24,000-36,000 calls failed; with 64: 3,481 of 30,000, all in the first seconds, nothing spooled).
   */
  static final int CONNECTIONS = 64;

  /** Options for {@code target}'s one-string form ({@link RedisTarget#parse}); a plain URL is standalone. */
  public static RedisOptions options(String target) {
    return options(RedisTarget.parse(target));
  }

  public static RedisOptions options(RedisTarget target) {
    RedisOptions o = new RedisOptions()
        .setMaxPoolSize(CONNECTIONS)
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
          // cluster pools hold connections to every node; per node the same as standalone
          .setMaxPoolSize(CONNECTIONS * 6);
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
