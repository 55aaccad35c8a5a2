package io.calltrack.core.config;

import io.calltrack.core.Deadline;
import io.vertx.core.Future;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Configuration read results kept in memory, dropped whole on any change. It keeps the read's
 * future, so concurrent misses for one key share one Redis read (a burst of first visits would
 * otherwise read and parse the same pool thousands of times). It only caches while it is told
 * that change notifications arrive ({@link #enable()}); without them every read goes to Redis, so a
 * lost subscription can make reads slower but never stale. A generation counter keeps a read that
 * raced with an invalidation from staying in the cache.
 */
final class ConfigCache {
  /**
   * One counter per Vert.x instance (per process, in practice), shared by every store made on it: the
   * HTTP instances of one dni-server each have a store and a cache of their own, and a write through
   * one of them bumps this before it answers, so an assign served by a sibling right after reads the
   * write (without waiting for the change message). Weak keys: a closed Vert.x takes its counter along.
   */
  private static final Map<Object, AtomicLong> PROCESS_WRITES =
      java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

  private record Entry(Future<?> value, long processWrites) {}

  /** How long a shared read may take before it fails and the next read tries again. */
  static final long LOAD_TIMEOUT_MS = 5_000;

  private final Map<String, Entry> entries = new ConcurrentHashMap<>();
  private final AtomicLong generation = new AtomicLong();
  private final AtomicLong processWrites;
  private volatile boolean enabled;

  /** @param process what the process-wide write counter is kept for (the stores' Vert.x) */
  ConfigCache(Object process) {
    this.processWrites = PROCESS_WRITES.computeIfAbsent(process, p -> new AtomicLong());
  }

  <T> Future<T> get(String key, Supplier<Future<T>> load) {
    if (!enabled) {
      return Deadline.within(load.get(), LOAD_TIMEOUT_MS);
    }
    long written = processWrites.get();
    Entry hit = entries.get(key);
    if (hit != null) {
      if (hit.processWrites() == written) {
        @SuppressWarnings("unchecked")
        Future<T> value = (Future<T>) hit.value();
        return value;
      }
      entries.remove(key, hit); // a store of this process wrote since: read again
    }
    long gen = generation.get();
    // Bounded, here and above: a read sent on a connection to a frozen master (kept by the pool through
    // a failover) never answers, and every later read of the key would share it until the next change.
    Future<T> loading = Deadline.within(load.get(), LOAD_TIMEOUT_MS);
    Entry mine = new Entry(loading, written);
    Entry raced = entries.putIfAbsent(key, mine);
    if (raced != null && raced.processWrites() == written) {
      @SuppressWarnings("unchecked")
      Future<T> value = (Future<T>) raced.value();
      return value;
    }
    if (raced != null) {
      return loading;
    }
    // an invalidation since the read started must win: the read may have seen the old value
    if (generation.get() != gen || !enabled) {
      entries.remove(key, mine);
    }
    loading.onFailure(err -> entries.remove(key, mine));
    return loading;
  }

  void invalidate() {
    generation.incrementAndGet();
    entries.clear();
  }

  /** After a write through this process: every cache of the process reads again. */
  void written() {
    processWrites.incrementAndGet();
    invalidate();
  }

  void enable() {
    invalidate();
    enabled = true;
  }

  void disable() {
    enabled = false;
    invalidate();
  }

  boolean enabled() {
    return enabled;
  }
}
