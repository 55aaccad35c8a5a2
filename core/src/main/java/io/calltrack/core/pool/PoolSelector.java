package io.calltrack.core.pool;

import io.calltrack.core.attribution.Attribution;
import io.calltrack.core.config.PoolConfig;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** Picks the pool for a visit: among the pools whose match fits, the most specific; ties by pool id. */
final class PoolSelector {
  private PoolSelector() {}

  static Optional<PoolConfig> choose(List<PoolConfig> pools, Attribution attribution) {
    Attribution a = attribution == null ? Attribution.UNKNOWN : attribution;
    return pools.stream()
        .filter(p -> p.match().matches(a))
        .min(Comparator.comparingInt((PoolConfig p) -> -p.match().specificity()).thenComparing(PoolConfig::id));
  }
}
