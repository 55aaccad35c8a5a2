package io.calltrack.core.pool;

import io.calltrack.core.phone.PhoneNumber;
import java.time.Instant;
import java.util.List;

/**
 * The answer to an assign: the tracking number to show and the numbers it replaces on the page.
 * With {@code fallback} true, {@code number} is the property's default number, {@code sessionId} and
 * {@code poolId} are null, and nothing was leased. {@code shared}: the number also stays with a live
 * visit of the same channel (pool exhausted, share-channel policy).
 */
public record Assignment(
    String sessionId,
    String visitorId,
    String poolId,
    PhoneNumber number,
    List<PhoneNumber> swap,
    int leaseSeconds,
    Instant leaseExpiresAt,
    boolean fallback,
    boolean recycled,
    boolean shared) {}
