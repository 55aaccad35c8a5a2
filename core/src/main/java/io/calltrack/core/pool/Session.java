package io.calltrack.core.pool;

import io.calltrack.core.attribution.Attribution;
import io.calltrack.core.phone.PhoneNumber;
import java.time.Instant;

/**
 * One visit's hold on one number: leased from {@code startedAt} while heartbeats come, then held
 * until {@code endsAt}. {@code naturalEndsAt} is when the hold would have ended had the number not
 * been recycled to another session; it equals {@code endsAt} otherwise.
 */
public record Session(
    String sessionId,
    String poolId,
    String property,
    String visitorId,
    PhoneNumber number,
    Attribution attribution,
    State state,
    Instant startedAt,
    Instant leaseExpiresAt,
    Instant releasedAt,
    Instant endsAt,
    Instant naturalEndsAt) {

  public enum State { LEASED, HOLDING, ENDED, RECYCLED }
}
