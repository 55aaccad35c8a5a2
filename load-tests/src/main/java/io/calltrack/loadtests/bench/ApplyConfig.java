package io.calltrack.loadtests.bench;

import io.calltrack.core.config.ConfigFile;
import io.calltrack.core.config.RedisConfigStore;
import io.calltrack.core.redis.RedisClientFactory;
import io.vertx.core.Vertx;
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
    if (args.length != 2) {
      System.err.println("usage: ApplyConfig REDIS_URL CONFIG.json");
      System.exit(2);
    }
    Vertx vertx = Vertx.vertx();
    int code = 0;
    try {
      var client = RedisClientFactory.create(vertx, args[0]);
      RedisConfigStore store = new RedisConfigStore(vertx, client);
      ConfigFile.read(Path.of(args[1])).applyTo(store)
          .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      System.out.println("applied " + args[1]);
    } catch (Exception e) {
      System.err.println("ApplyConfig failed: " + (e.getCause() != null ? e.getCause() : e));
      code = 1;
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    System.exit(code);
  }
}
