package io.calltrack.dni.assign;

import io.calltrack.core.config.PropertyConfig;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.core.pool.Assignment;
import java.time.Instant;
import java.util.List;

/**
 * The answer of {@code POST /v1/assign} (docs/contract.md): the number to show, the numbers on the page it
 * replaces, and the session to heartbeat. Every field is always present; with {@code fallback} true
 * {@code sessionId} and {@code leaseExpiresAt} are null and {@code number} is the default number.
 */
public record AssignResponse(
    String sessionId,
    String visitorId,
    PhoneNumber number,
    List<PhoneNumber> swap,
    int leaseSeconds,
    Instant leaseExpiresAt,
    boolean fallback,
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    String reason) {

  static AssignResponse of(Assignment a) {
    return new AssignResponse(a.sessionId(), a.visitorId(), a.number(), a.swap(), a.leaseSeconds(),
        a.leaseExpiresAt(), a.fallback(), null);
  }

  /**
   * The default number without asking the pool, because of who asks ({@code reason}: automated_client,
   * too_many_leases, too_many_assigns; see {@link AbuseGuard}).
   */
  static AssignResponse refused(PropertyConfig property, String visitorId, String reason) {
    return new AssignResponse(null, visitorId, property.defaultNumber(), property.swapNumbers(), 0, null, true,
        reason);
  }

  /** What a visitor gets when Redis cannot be asked: the last-known default number, no session. */
  static AssignResponse unavailable(PropertyConfig property, String visitorId) {
    return new AssignResponse(null, visitorId, property.defaultNumber(), property.swapNumbers(), 0, null, true, null);
  }
}
