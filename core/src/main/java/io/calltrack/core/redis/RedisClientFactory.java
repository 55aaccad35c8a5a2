package io.calltrack.core.redis;

import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;

/** The one place Redis clients are made, so pool sizes and timeouts are the same everywhere. */
public final class RedisClientFactory {
  private RedisClientFactory() {}

  /** Options for a standalone Redis at {@code url} ({@code redis://host:port[/db]}). */
  public static RedisOptions options(String url) {
    return new RedisOptions()
        .setType(RedisClientType.STANDALONE)
        .setConnectionString(url)
        // a connection is multiplexed by pipelining; a few of them keep both cores busy
        .setMaxPoolSize(8)
        .setMaxPoolWaiting(4096)
        .setMaxWaitingHandlers(16_384)
        .setPoolRecycleTimeout(15_000);
  }

  public static Redis create(Vertx vertx, String url) {
    return Redis.createClient(vertx, options(url));
  }

  public static RedisAPI api(Vertx vertx, String url) {
    return RedisAPI.api(create(vertx, url));
  }
}
