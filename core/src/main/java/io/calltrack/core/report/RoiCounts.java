package io.calltrack.core.report;

import java.util.Map;

/**
 * The counted figures of one report row (a dimension value, or the total) over a date range.
 * {@code revenueMinor} is minor units; {@code costMinor} is null where no spend exists at that level.
 */
public record RoiCounts(long calls, long uniqueCallers, long firstTimeCallers, long answered, long missed,
    long qualified, long conversions, long revenueMinor, long durationSeconds, Long costMinor) {

  public static final RoiCounts ZERO = new RoiCounts(0, 0, 0, 0, 0, 0, 0, 0, 0, null);

  /** Counts from a rollup hash's metric → value map (missing metrics are 0). */
  public static RoiCounts fromMetrics(Map<String, Long> m) {
    return new RoiCounts(m.getOrDefault("calls", 0L), 0, m.getOrDefault("first", 0L),
        m.getOrDefault("answered", 0L), m.getOrDefault("missed", 0L), m.getOrDefault("qualified", 0L),
        m.getOrDefault("conversions", 0L), m.getOrDefault("revenue", 0L), m.getOrDefault("duration", 0L), null);
  }

  public RoiCounts withUniqueCallers(long n) {
    return new RoiCounts(calls, n, firstTimeCallers, answered, missed, qualified, conversions, revenueMinor,
        durationSeconds, costMinor);
  }

  public RoiCounts withCost(Long cost) {
    return new RoiCounts(calls, uniqueCallers, firstTimeCallers, answered, missed, qualified, conversions,
        revenueMinor, durationSeconds, cost);
  }
}
