package io.calltrack.loadtests.bench;

import io.calltrack.core.attribution.Attribution;
import io.calltrack.core.config.RedisConfigStore;
import io.calltrack.core.pool.RedisPoolEngine;
import io.calltrack.core.redis.RedisClientFactory;
import java.time.Clock;
import java.util.concurrent.TimeUnit;

/**
 * Gives a property's pool a history of visits through the real engine, one assign after another, so
 * that calls to its numbers are attributed as in production (each resolves against the latest visits
 * of its number) instead of finding no history. Use with a pool whose numbers are fewer than the
 * visits and whose {@code onExhausted} is {@code recycle-oldest}: each visit then takes a number from
 * the one before.
 * {@code java ... SeedVisits redis://127.0.0.1:6379 PROPERTY VISITS}
 */
public final class SeedVisits {
  private SeedVisits() {}

  public static void main(String[] args) throws Exception {
    BenchMain.run("SeedVisits", "REDIS_URL PROPERTY VISITS", args, 3, vertx -> {
      var client = RedisClientFactory.create(vertx, args[0]);
      RedisPoolEngine engine = new RedisPoolEngine(vertx, client, new RedisConfigStore(vertx, client), Clock.systemUTC());
      Attribution paid = new Attribution("google", "cpc", "bench", "plumber near me", null, "/landing",
          "https://www.google.com/", null, null, null, null, null);
      int visits = Integer.parseInt(args[2]);
      int leased = 0;
      for (int i = 0; i < visits; i++) {
        var a = engine.assign(args[1], "bench-visitor-" + i, paid, "America/New_York")
            .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        leased += a.fallback() ? 0 : 1;
      }
      System.out.println("seeded " + leased + " of " + visits + " visits of " + args[1]);
      return leased == visits;
    });
  }
}
