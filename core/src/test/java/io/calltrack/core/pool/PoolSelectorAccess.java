package io.calltrack.core.pool;

import io.calltrack.core.attribution.Attribution;
import io.calltrack.core.config.PoolConfig;
import java.util.List;
import java.util.Optional;

/** Lets tests of other packages ask the package-private selector. */
public final class PoolSelectorAccess {
  private PoolSelectorAccess() {}

  public static Optional<PoolConfig> choose(List<PoolConfig> pools, Attribution a) {
    return PoolSelector.choose(pools, a);
  }
}
