package io.calltrack.sip.routing;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Requests per second, as a token bucket holding one second's worth: {@link #tryTake} is false once a
 * key (a source address, or {@link #ALL}) has used its rate. Rate 0 means no limit. The clock
 * ({@code nanoTime}) is injected so tests need not wait.
 */
public final class TokenBucket {
  public static final String ALL = "*";
  /** Buckets kept before idle ones (full again) are dropped, so a spray of source addresses cannot grow the map. */
  private static final int PRUNE_AT = 10_000;

  private final double perSecond;
  private final LongSupplier nanoTime;
  private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

  private static final class Bucket {
    double tokens;
    long at;

    Bucket(double tokens, long at) {
      this.tokens = tokens;
      this.at = at;
    }
  }

  public TokenBucket(double perSecond, LongSupplier nanoTime) {
    this.perSecond = perSecond;
    this.nanoTime = nanoTime;
  }

  public boolean tryTake(String key) {
    if (perSecond <= 0) {
      return true;
    }
    long now = nanoTime.getAsLong();
    if (buckets.size() > PRUNE_AT) {
      prune(now);
    }
    Bucket b = buckets.computeIfAbsent(key, k -> new Bucket(perSecond, now));
    synchronized (b) {
      b.tokens = Math.min(perSecond, b.tokens + (now - b.at) / 1e9 * perSecond);
      b.at = now;
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return true;
      }
      return false;
    }
  }

  private void prune(long now) {
    buckets.entrySet().removeIf(e -> {
      synchronized (e.getValue()) {
        return now - e.getValue().at > 1_000_000_000L;
      }
    });
  }
}
