package io.calltrack.launcher;

import io.calltrack.localredis.EmbeddedRedis;
import java.nio.file.Path;

/**
 * Gives the servers a Redis: the one at {@code CALLTRACK_REDIS_URL}, or an embedded redis-server
 * child process that keeps its data under the data directory (so leases survive a restart) and is
 * stopped with the launcher.
 */
final class RedisSupervisor implements AutoCloseable {
  private final String url;
  private final EmbeddedRedis embedded;

  private RedisSupervisor(String url, EmbeddedRedis embedded) {
    this.url = url;
    this.embedded = embedded;
  }

  static RedisSupervisor start(Settings settings) {
    if (settings.redisUrl() != null) {
      return new RedisSupervisor(settings.redisUrl(), null);
    }
    // stopped by the launcher's shutdown, after the servers that use it (see Engine.stop)
    EmbeddedRedis redis = EmbeddedRedis.start(0, settings.dataDir().resolve("redis"), false);
    return new RedisSupervisor(redis.url(), redis);
  }

  String url() {
    return url;
  }

  boolean embedded() {
    return embedded != null;
  }

  @Override
  public void close() {
    if (embedded != null) {
      embedded.stop();
    }
  }

  static Path dataDir(Settings s) {
    return s.dataDir();
  }
}
