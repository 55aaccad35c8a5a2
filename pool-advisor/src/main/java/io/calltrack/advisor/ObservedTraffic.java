package io.calltrack.advisor;

import io.calltrack.core.config.PoolConfig;
import io.calltrack.core.config.RedisConfigStore;
import io.calltrack.core.pool.PoolKeys;
import io.calltrack.core.redis.RedisClientFactory;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code size-pool --from-redis POOL}: the traffic settings a pool's own sessions in Redis show —
 * visits a day, the hourly curve (UTC), how long pages stay (log-normal fit of lease end minus start, which
 * may add up to one lease after the last heartbeat), the share of visitors in the most common browser zone, the share of visits that
 * tapped the number — and the pool's lease, hold and policy. What sessions cannot show (call share,
 * calls after the visit, phones) keeps the profile's or the flags' values. Read-only: it scans the
 * pool's session keys (SCAN, never KEYS).
 */
final class ObservedTraffic {
  private ObservedTraffic() {}

  static void apply(String redisUrl, String poolId, ParamsReader reader, PrintStream out) {
    if (redisUrl == null || redisUrl.isBlank()) {
      throw new IllegalArgumentException("--from-redis needs --redis-url (or CALLTRACK_REDIS_URL): the Redis the pool lives in");
    }
    Vertx vertx = Vertx.vertx();
    try {
      Redis client = RedisClientFactory.create(vertx, redisUrl);
      RedisAPI redis = RedisAPI.api(client);
      RedisConfigStore store = PoolSimulation.await(RedisConfigStore.create(vertx, client));
      PoolConfig pool;
      try {
        pool = PoolSimulation.await(store.pool(poolId))
            .orElseThrow(() -> new IllegalArgumentException("no pool '" + poolId + "' in " + io.calltrack.core.redis.RedisTarget.redacted(redisUrl)));
      } finally {
        PoolSimulation.await(store.close());
      }
      PoolKeys k = new PoolKeys(poolId);
      String match = k.session("x.*").replace("\\", "");
      List<String> keys = new ArrayList<>();
      String cursor = "0";
      do {
        Response r = PoolSimulation.await(redis.scan(List.of(cursor, "MATCH", match, "COUNT", "1000")));
        cursor = r.get(0).toString();
        r.get(1).forEach(key -> keys.add(key.toString()));
      } while (!"0".equals(cursor) && keys.size() < 200_000);
      if (keys.size() < 20) {
        throw new IllegalArgumentException("pool '" + poolId + "' has " + keys.size() + " sessions in Redis: too few to size from");
      }
      double[] hours = new double[24];
      List<Double> lnMinutes = new ArrayList<>();
      Map<String, Integer> zones = new HashMap<>();
      long first = Long.MAX_VALUE;
      long last = Long.MIN_VALUE;
      int taps = 0;
      for (String key : keys) {
        Response s = PoolSimulation.await(redis.hmget(List.of(key, "t", "le", "tz", "ta")));
        if (s.get(0) == null || s.get(1) == null) {
          continue;
        }
        long t = s.get(0).toLong();
        long le = s.get(1).toLong();
        first = Math.min(first, t);
        last = Math.max(last, t);
        hours[Instant.ofEpochMilli(t).atZone(ZoneOffset.UTC).getHour()]++;
        double minutes = Math.max(0.1, (le - t) / 60_000.0);
        lnMinutes.add(Math.log(minutes));
        if (s.get(2) != null) {
          zones.merge(s.get(2).toString(), 1, Integer::sum);
        }
        if (s.get(3) != null) {
          taps++;
        }
      }
      int n = lnMinutes.size();
      double days = Math.max(1.0, (last - first) / 86_400_000.0);
      double mean = lnMinutes.stream().mapToDouble(Double::doubleValue).average().orElse(Math.log(3));
      double var = lnMinutes.stream().mapToDouble(x -> (x - mean) * (x - mean)).sum() / Math.max(1, n - 1);
      int withZone = zones.values().stream().mapToInt(Integer::intValue).sum();
      int topZone = zones.values().stream().mapToInt(Integer::intValue).max().orElse(0);
      StringBuilder curve = new StringBuilder();
      for (int h = 0; h < 24; h++) {
        curve.append(h == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.1f", hours[h] + 0.1));
      }
      reader.set("visitorsPerDay", Integer.toString((int) Math.max(1, Math.round(n / days))));
      reader.set("hourlyCurve", curve.toString());
      reader.set("sessionMedianMinutes", String.format(Locale.ROOT, "%.2f", Math.exp(mean)));
      reader.set("sessionSigma", String.format(Locale.ROOT, "%.2f", Math.max(0.1, Math.sqrt(var))));
      if (withZone > 0) {
        reader.set("localShare", String.format(Locale.ROOT, "%.2f", topZone / (double) withZone));
      }
      reader.set("leaseSeconds", Integer.toString(pool.leaseSeconds()));
      // the snippet renews a lease at half its length (dni.js), whatever the lease
      reader.set("heartbeatSeconds", Integer.toString(Math.max(1, pool.leaseSeconds() / 2)));
      reader.set("holdSeconds", Integer.toString(pool.holdSeconds()));
      reader.set("onExhausted", pool.onExhausted().json());
      out.printf("size-pool: from pool %s in Redis: %d sessions over %.1f days -> %d visits/day, page time median %.1f min "
              + "(sigma %.2f), %.0f%% in the most common zone, %.1f%% tapped the number; lease %d s, hold %d s, %s%n",
          poolId, n, days, Math.round(n / days), Math.exp(mean), Math.sqrt(var),
          withZone == 0 ? 0 : 100.0 * topZone / withZone, 100.0 * taps / n, pool.leaseSeconds(), pool.holdSeconds(),
          pool.onExhausted().json());
    } finally {
      PoolSimulation.await(vertx.close());
    }
  }
}
