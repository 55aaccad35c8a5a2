package io.calltrack.dni.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Assign latency and fallbacks as this server saw them. {@code calltrack_assign_seconds} is a
 * Prometheus histogram (buckets from 1 ms to 5 s; percentiles with {@code histogram_quantile});
 * its {@code outcome} tag is {@code leased}, {@code fallback} (pool exhausted or no
 * pool), {@code unavailable} (Redis down or slow: last-known default number) or {@code error}.
 */
public final class AssignMetrics implements AutoCloseable {
  public enum Outcome { LEASED, FALLBACK, UNAVAILABLE, ERROR }

  private final MeterRegistry registry;
  private final List<Meter> meters = new ArrayList<>();
  private final Timer[] timers = new Timer[Outcome.values().length];
  private final Counter exhaustedFallbacks;
  private final Counter unavailableFallbacks;
  private final Counter unmatchedVisits;
  private final Counter sessionLookups;

  public AssignMetrics(MeterRegistry registry) {
    this.registry = registry;
    for (Outcome o : Outcome.values()) {
      Timer t = Timer.builder("calltrack.assign")
          .description("Time to answer POST /v1/assign, by outcome")
          .tag("outcome", o.name().toLowerCase(java.util.Locale.ROOT))
          // buckets, not client-side percentiles: the Prometheus registry exports one or the other,
          // and only buckets add up across servers (histogram_quantile over sum by (le))
          .publishPercentileHistogram()
          .minimumExpectedValue(Duration.ofMillis(1))
          .maximumExpectedValue(Duration.ofSeconds(5))
          .register(registry);
      timers[o.ordinal()] = t;
      meters.add(t);
    }
    unmatchedVisits = Counter.builder("calltrack.assign.unmatched")
        .description("Visits that none of their property's pools matched (given the default number)")
        .register(registry);
    meters.add(unmatchedVisits);
    sessionLookups = Counter.builder("calltrack.assign.session.lookups")
        .description("Assigns run a second time to look up a returning visitor's session this server did not know")
        .register(registry);
    meters.add(sessionLookups);
    exhaustedFallbacks = counter("exhausted");
    unavailableFallbacks = counter("unavailable");
  }

  private Counter counter(String reason) {
    Counter c = Counter.builder("calltrack.assign.fallbacks")
        .description("Assigns answered with the property's default number, by reason")
        .tag("reason", reason)
        .register(registry);
    meters.add(c);
    return c;
  }

  public void record(Outcome outcome, long startNanos) {
    timers[outcome.ordinal()].record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
    if (outcome == Outcome.FALLBACK) {
      exhaustedFallbacks.increment();
    } else if (outcome == Outcome.UNAVAILABLE) {
      unavailableFallbacks.increment();
    }
  }

  /** A visit of {@code property} that no pool matched. */
  public void unmatched(String property) {
    unmatchedVisits.increment();
  }

  /** An assign that had to look up the returning visitor's session first (a second script run). */
  public void sessionLookup() {
    sessionLookups.increment();
  }

  /** Removes this server's meters, so a registry shared by several servers keeps no dead ones. */
  @Override
  public void close() {
    meters.forEach(registry::remove);
  }
}
