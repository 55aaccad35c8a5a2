package io.calltrack.dni;

import static io.calltrack.dni.testing.DniClient.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.calltrack.core.testing.TestRedis;
import io.calltrack.dni.testing.DniClient;
import io.calltrack.dni.testing.DniTestBase;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;

/**
 * The periodic sweeper (a Vert.x timer) reclaims expired leases and refreshes the pool gauges on
 * its own, with nobody scraping {@code /metrics} or asking for the pool. Waits by bounded polling
 * of the registry the server was given.
 */
class SweeperTest extends DniTestBase {

  @Test
  void gaugesFollowThePoolWithoutAScrape() throws InterruptedException {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    DniServer s = await(DniServer.start(vertx, options(TestRedis.url()).withRegistry(registry)));
    try (DniClient c = new DniClient(vertx, s.port(), TOKEN)) {
      Site site = site(c, 4, 60, 120, "fallback");
      assertFalse(c.assign(assignBody(site.property(), "a")).json().getBoolean("fallback"));
      assertFalse(c.assign(assignBody(site.property(), "b")).json().getBoolean("fallback"));

      awaitValue(2.0, () -> gauge(registry, "calltrack.pool.leased", site.poolId()));
      assertEquals(4.0, gauge(registry, "calltrack.pool.size", site.poolId()));
      assertEquals(2.0, gauge(registry, "calltrack.pool.free", site.poolId()));

      clock.advance(Duration.ofSeconds(60 + 120 + 1));
      awaitValue(4.0, () -> gauge(registry, "calltrack.pool.free", site.poolId()));
      assertEquals(0.0, gauge(registry, "calltrack.pool.leased", site.poolId()));
    } finally {
      await(s.close());
    }
    assertEquals(null, registry.find("calltrack.pool.size").tag("pool", "x").gauge());
    assertEquals(0, registry.find("calltrack.pool.size").gauges().size(), "a closed server leaves no gauges behind");
    registry.close();
  }

  private static double gauge(PrometheusMeterRegistry registry, String name, String pool) {
    Gauge g = registry.find(name).tag("pool", pool).gauge();
    return g == null ? Double.NaN : g.value();
  }

  /** Polls for up to a minute: the sweeper runs every five seconds. */
  private static void awaitValue(double expected, DoubleSupplier actual) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (actual.getAsDouble() != expected && System.nanoTime() < deadline) {
      Thread.sleep(100); // polling an asynchronous event with a bound, not letting lease time pass
    }
    assertEquals(expected, actual.getAsDouble());
  }
}
