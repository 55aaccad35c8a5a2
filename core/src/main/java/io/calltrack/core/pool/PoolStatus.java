package io.calltrack.core.pool;

/**
 * A pool's counts (docs/contract.md {@code GET /v1/pools/{poolId}}). {@code exhausted} counts assignments
 * that found no free number (fallbacks and recycles both), {@code recycled} the recycles among them, {@code shared} the visits that
 * shared a number with a visit of the same channel; {@code calls} the calls attributed to its numbers by
 * confidence (exact, channel, probable, ambiguous, unattributed). {@code size}, {@code leased},
 * {@code holding} and {@code free} count the pool's configured numbers; {@code leaving} the numbers
 * dropped from its configuration that a session still holds until its lease and hold are over.
 */
public record PoolStatus(
    String poolId,
    String property,
    int size,
    int leased,
    int holding,
    int free,
    int leaving,
    double utilization,
    long exhausted,
    long recycled,
    long shared,
    java.util.Map<String, Long> calls) {

  /** Confidences counted in {@code calls}, in this order. */
  public static final java.util.List<String> CONFIDENCES =
      java.util.List.of("exact", "channel", "probable", "ambiguous", "unattributed");

  public PoolStatus {
    calls = calls == null ? java.util.Map.of() : java.util.Map.copyOf(calls);
  }

  /** Calls attributed in this pool with that confidence (since the pool was created). */
  public long calls(String confidence) {
    return calls.getOrDefault(confidence, 0L);
  }
}
