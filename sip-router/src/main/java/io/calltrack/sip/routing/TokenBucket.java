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
  /** A bucket idle this long is full again; the map is walked at most once per this. */
  private static final long REFILL_NANOS = 1_000_000_000L;

  private final double perSecond;
  private final LongSupplier nanoTime;
  private final ConcurrentHashMap<String, RequestBudget> buckets = new ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.AtomicLong lastPrune;
  private final java.util.concurrent.atomic.AtomicLong prunes = new java.util.concurrent.atomic.AtomicLong();

  public TokenBucket(double perSecond, LongSupplier nanoTime) {
    this.perSecond = perSecond;
    this.nanoTime = nanoTime;
    this.lastPrune = new java.util.concurrent.atomic.AtomicLong(nanoTime.getAsLong());
  }

  public boolean tryTake(String key) {
    if (perSecond <= 0) {
      return true;
    }
    long now = nanoTime.getAsLong();
    long last = lastPrune.get();
    // more than PRUNE_AT sources within one second: the walk would drop none of them, and one per
    // request would make a spray of addresses cost the square of its size
    if (buckets.size() > PRUNE_AT && now - last >= REFILL_NANOS && lastPrune.compareAndSet(last, now)) {
      prune(now);
    }
    RequestBudget b = buckets.computeIfAbsent(key, k -> new RequestBudget(perSecond, perSecond, now));
    synchronized (b) { // a key's requests come from any thread
      return b.tryTake(now);
    }
  }

  private void prune(long now) {
    prunes.incrementAndGet();
    buckets.entrySet().removeIf(e -> {
      synchronized (e.getValue()) {
        return now - e.getValue().lastAsked() >= REFILL_NANOS;
      }
    });
  }

  /** How many keys have a bucket now. */
  int size() {
    return buckets.size();
  }

  /** How many times the map was walked for idle buckets. */
  long prunes() {
    return prunes.get();
  }
}
