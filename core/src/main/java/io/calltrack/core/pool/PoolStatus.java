package io.calltrack.core.pool;

/**
 * A pool's counts (docs/contract.md {@code GET /v1/pools/{poolId}}). {@code exhausted} counts assignments
 * that found no free number (fallbacks and recycles both), {@code recycled} the recycles among them.
 */
public record PoolStatus(
    String poolId,
    String property,
    int size,
    int leased,
    int holding,
    int free,
    double utilization,
    long exhausted,
    long recycled) {}
