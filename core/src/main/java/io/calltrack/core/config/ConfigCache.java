package io.calltrack.core.config;

import io.vertx.core.Future;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Configuration read results kept in memory, dropped whole on any change. It only caches while it is
 * told that change notifications arrive ({@link #enable()}); without them every read goes to Redis,
 * so a lost subscription can make reads slower but never stale. A generation counter keeps a read
 * that raced with an invalidation from storing its (possibly old) answer.
 */
final class ConfigCache {
  private final Map<String, Object> entries = new ConcurrentHashMap<>();
  private final AtomicLong generation = new AtomicLong();
  private volatile boolean enabled;

  <T> Future<T> get(String key, Supplier<Future<T>> load) {
    if (!enabled) {
      return load.get();
    }
    @SuppressWarnings("unchecked")
    T hit = (T) entries.get(key);
    if (hit != null) {
      return Future.succeededFuture(hit);
    }
    long gen = generation.get();
    return load.get().onSuccess(value -> {
      if (value != null && enabled && generation.get() == gen) {
        entries.put(key, value);
        // an invalidation between the check and the put must still win
        if (generation.get() != gen || !enabled) {
          entries.remove(key, value);
        }
      }
    });
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
