package io.calltrack.core.report;

import java.util.HashMap;
import java.util.Map;

/**
 * The counted figures of one report row (a dimension value, a period, or the total) over a date range.
 * {@code revenueMinor} is minor units; {@code costMinor} is null where no spend exists at that level.
 * {@code metrics} holds every summed rollup metric by name (see Contribution), for the figures beyond
 * the classic ROI ones; {@code repeatCallers} is a HyperLogLog estimate like {@code uniqueCallers}.
 */
public record RoiCounts(long calls, long uniqueCallers, long firstTimeCallers, long answered, long missed,
    long qualified, long conversions, long revenueMinor, long durationSeconds, Long costMinor,
    long repeatCallers, Map<String, Long> metrics) {

  public static final RoiCounts ZERO = new RoiCounts(0, 0, 0, 0, 0, 0, 0, 0, 0, null);

  public RoiCounts {
    metrics = metrics == null ? Map.of() : Map.copyOf(metrics);
  }

  public RoiCounts(long calls, long uniqueCallers, long firstTimeCallers, long answered, long missed,
      long qualified, long conversions, long revenueMinor, long durationSeconds, Long costMinor) {
    this(calls, uniqueCallers, firstTimeCallers, answered, missed, qualified, conversions, revenueMinor,
        durationSeconds, costMinor, 0, Map.of());
  }

  /** Counts from a rollup hash's metric → value map (missing metrics are 0). */
  public static RoiCounts fromMetrics(Map<String, Long> m) {
    return new RoiCounts(m.getOrDefault("calls", 0L), 0, m.getOrDefault("first", 0L),
        m.getOrDefault("answered", 0L), m.getOrDefault("missed", 0L), m.getOrDefault("qualified", 0L),
        m.getOrDefault("conversions", 0L), m.getOrDefault("revenue", 0L), m.getOrDefault("duration", 0L), null,
        0, new HashMap<>(m));
  }

  /** A summed rollup metric, 0 when absent. */
  public long metric(String name) {
    return metrics.getOrDefault(name, 0L);
  }

  public RoiCounts withUniqueCallers(long n) {
    return new RoiCounts(calls, n, firstTimeCallers, answered, missed, qualified, conversions, revenueMinor,
        durationSeconds, costMinor, repeatCallers, metrics);
  }

  public RoiCounts withRepeatCallers(long n) {
    return new RoiCounts(calls, uniqueCallers, firstTimeCallers, answered, missed, qualified, conversions,
        revenueMinor, durationSeconds, costMinor, n, metrics);
  }

  /**
   * These counts and {@code o}'s added, field by field and metric by metric (exactly: an overflow throws);
   * a cost is null only when both are. Unique callers add up as counted apiece (one caller counted in each).
   */
  public RoiCounts plus(RoiCounts o) {
    Map<String, Long> m = new HashMap<>(metrics);
    o.metrics.forEach((k, v) -> m.merge(k, v, Math::addExact));
    Long cost; // boxed on purpose: a conditional mixing Long and long would unbox a null
    if (costMinor == null) {
      cost = o.costMinor;
    } else if (o.costMinor == null) {
      cost = costMinor;
    } else {
      cost = Math.addExact(costMinor, o.costMinor);
    }
    return new RoiCounts(Math.addExact(calls, o.calls), Math.addExact(uniqueCallers, o.uniqueCallers),
        Math.addExact(firstTimeCallers, o.firstTimeCallers), Math.addExact(answered, o.answered),
        Math.addExact(missed, o.missed), Math.addExact(qualified, o.qualified), Math.addExact(conversions, o.conversions),
        Math.addExact(revenueMinor, o.revenueMinor), Math.addExact(durationSeconds, o.durationSeconds), cost,
        Math.addExact(repeatCallers, o.repeatCallers), m);
  }

  public RoiCounts withCost(Long cost) {
    return new RoiCounts(calls, uniqueCallers, firstTimeCallers, answered, missed, qualified, conversions,
        revenueMinor, durationSeconds, cost, repeatCallers, metrics);
  }
}
