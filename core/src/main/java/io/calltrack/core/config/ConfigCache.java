package io.calltrack.core.config;

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
  private final Map<String, Future<?>> entries = new ConcurrentHashMap<>();
  private final AtomicLong generation = new AtomicLong();
  private volatile boolean enabled;

  <T> Future<T> get(String key, Supplier<Future<T>> load) {
    if (!enabled) {
      return load.get();
    }
    @SuppressWarnings("unchecked")
    Future<T> hit = (Future<T>) entries.get(key);
    if (hit != null) {
      return hit;
    }
    long gen = generation.get();
    Future<T> loading = load.get();
    @SuppressWarnings("unchecked")
    Future<T> raced = (Future<T>) entries.putIfAbsent(key, loading);
    if (raced != null) {
      return raced;
    }
    // an invalidation since the read started must win: the read may have seen the old value
    if (generation.get() != gen || !enabled) {
      entries.remove(key, loading);
    }
    loading.onFailure(err -> entries.remove(key, loading));
    return loading;
  }

  void invalidate() {
    generation.incrementAndGet();
    entries.clear();
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
