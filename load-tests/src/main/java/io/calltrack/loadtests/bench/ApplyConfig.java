package io.calltrack.loadtests.bench;

import io.calltrack.core.config.ConfigFile;
import io.calltrack.core.config.RedisConfigStore;
import io.calltrack.core.redis.RedisClientFactory;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Writes a {@code CALLTRACK_CONFIG}-style JSON file (properties, pools, static numbers) into Redis
 * through the real config store, for benchmarks that run the SIP router without a dni-server.
 * {@code java ... ApplyConfig redis://127.0.0.1:6379 config.json}
 */
public final class ApplyConfig {
  private ApplyConfig() {}

  public static void main(String[] args) throws Exception {
    BenchMain.run("ApplyConfig", "REDIS_URL CONFIG.json", args, 2, vertx -> {
      var client = RedisClientFactory.create(vertx, args[0]);
      RedisConfigStore store = new RedisConfigStore(vertx, client);
      ConfigFile.read(Path.of(args[1])).applyTo(store)
          .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      System.out.println("applied " + args[1]);
      return true;
    });
  }
}
