package io.calltrack.core.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.calltrack.core.CalltrackException;
import java.time.Duration;

/**
 * How long a property's personal data is kept (docs/privacy.md). Each field left out means "until
 * erased" (the behaviour before retention existed). Enforced by Redis key TTLs: a call record expires
 * {@code callRecordsDays} after the call started, a website session {@code sessionsDays} after its last
 * assign. {@code callerNumbersDays} is kept by dni-server's retention sweep
 * ({@link io.calltrack.core.privacy.RetentionSweep}): a call older than that keeps its record with the
 * caller number replaced by a token (and any number can be erased at once with
 * {@code DELETE /v1/callers/{number}}).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Retention(Integer callRecordsDays, Integer callerNumbersDays, Integer sessionsDays) {
  public static final int MAX_DAYS = 3650;

  public Retention {
    check("callRecordsDays", callRecordsDays);
    check("callerNumbersDays", callerNumbersDays);
    check("sessionsDays", sessionsDays);
  }

  private static void check(String field, Integer days) {
    if (days != null && (days < 1 || days > MAX_DAYS)) {
      throw new CalltrackException.Invalid("retention." + field + " must be a whole number of days, 1 to " + MAX_DAYS);
    }
  }

  public Duration callRecords() {
    return callRecordsDays == null ? null : Duration.ofDays(callRecordsDays);
  }

  public Duration sessions() {
    return sessionsDays == null ? null : Duration.ofDays(sessionsDays);
  }
}
