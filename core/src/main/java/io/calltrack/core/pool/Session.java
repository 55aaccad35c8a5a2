package io.calltrack.core.pool;

import io.calltrack.core.attribution.Attribution;
import io.calltrack.core.phone.PhoneNumber;
import java.time.Instant;

/**
 * One visit's hold on one number: leased from {@code startedAt} while heartbeats come, then held
 * until {@code endsAt}. {@code naturalEndsAt} is when the hold would have ended had the number not
 * been recycled to another session; it equals {@code endsAt} otherwise. {@code timeZone} is the
 * browser's IANA zone (null if the page did not say) and {@code evidence} what the page reported.
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
    Instant naturalEndsAt,
    String timeZone,
    Evidence evidence) {

  public enum State { LEASED, HOLDING, ENDED, RECYCLED }

  public Session {
    evidence = evidence == null ? Evidence.NONE : evidence;
  }

  /** A session as it was before the page reported anything (tests and simulations). */
  public Session(String sessionId, String poolId, String property, String visitorId, PhoneNumber number,
      Attribution attribution, State state, Instant startedAt, Instant leaseExpiresAt, Instant releasedAt,
      Instant endsAt, Instant naturalEndsAt) {
    this(sessionId, poolId, property, visitorId, number, attribution, state, startedAt, leaseExpiresAt,
        releasedAt, endsAt, naturalEndsAt, null, Evidence.NONE);
  }

  /**
   * The latest instant of each kind of evidence the page reported (null: never): a tap or click on
   * the number or a {@code tel:} link, a copy of the number, the page hidden, the page shown again.
   */
  public record Evidence(Instant tap, Instant copy, Instant hidden, Instant shown) {
    public static final Evidence NONE = new Evidence(null, null, null, null);

    /** What a beacon can report. */
    public enum Kind {
      TAP("tap", "ta"), COPY("copy", "cp"), HIDDEN("hidden", "hi"), SHOWN("shown", "sh");

      private final String json;
      private final String field;

      Kind(String json, String field) {
        this.json = json;
        this.field = field;
      }

      /** The name the snippet's beacon uses. */
      public String json() {
        return json;
      }

      /** The session hash field (short: it is stored with every session). */
      public String field() {
        return field;
      }

      /** The kind a beacon names, or null. */
      public static Kind of(String value) {
        for (Kind k : values()) {
          if (k.json.equals(value)) {
            return k;
          }
        }
        return null;
      }
    }
  }
}
