package io.calltrack.dni.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.calltrack.core.pool.PoolStatus;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The HTTP instances of one dni-server each have their own {@link PoolGauges} on the one registry:
 * a pool's gauges are registered once and show whichever instance read the pool last, and they stay
 * until the last instance closes. (Pure logic: the registry is Micrometer's in-memory one.)
 */
class PoolGaugesTest {
  private static PoolStatus status(int leased) {
    return new PoolStatus("p1", "shop", 10, leased, 0, 10 - leased, 3, leased / 10.0, 0, 0, 0, Map.of("exact", 3L));
  }

  @Test
  void instancesOnOneRegistryShareEachPoolsMeters() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    PoolGauges first = new PoolGauges(registry, null, null, null);
    PoolGauges second = new PoolGauges(registry, null, null, null);
    first.update(status(2));
    second.update(status(7));
    assertEquals(1, registry.find("calltrack.pool.leased").gauges().size());
    assertEquals(7.0, registry.get("calltrack.pool.leased").tag("pool", "p1").gauge().value());
    first.update(status(4));
    assertEquals(4.0, registry.get("calltrack.pool.leased").tag("pool", "p1").gauge().value());
    assertEquals(3.0, registry.get("calltrack.pool.leaving").tag("pool", "p1").gauge().value(),
        "numbers taken out of the pool still held: when 0, they can go back to the carrier");

    first.close();
    second.update(status(5));
    assertEquals(5.0, registry.get("calltrack.pool.leased").tag("pool", "p1").gauge().value());
    second.close();
    Gauge gone = registry.find("calltrack.pool.leased").gauge();
    assertNull(gone);
    assertNull(registry.find("calltrack.pool.calls").functionCounter());

    // a server started again on the same registry registers them afresh
    PoolGauges again = new PoolGauges(registry, null, null, null);
    again.update(status(1));
    assertEquals(1.0, registry.get("calltrack.pool.leased").tag("pool", "p1").gauge().value());
    again.close();
  }
}
