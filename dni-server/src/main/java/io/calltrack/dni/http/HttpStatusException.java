package io.calltrack.dni.http;

import io.calltrack.core.CalltrackException;

/**
 * The failures only the HTTP layer knows (core's {@link CalltrackException} subclasses cover 400,
 * 404, 409 and 410). Each carries its status so the one failure handler needs no table for them.
 */
public abstract class HttpStatusException extends CalltrackException {
  private final int status;

  protected HttpStatusException(int status, String code, String detail) {
    super(code, detail);
    this.status = status;
  }

  public int status() {
    return status;
  }

  /** No or wrong admin bearer token: 401. */
  public static final class Unauthorized extends HttpStatusException {
    public Unauthorized(String detail) {
      super(401, "unauthorized", detail);
    }
  }

  /** A browser origin the property does not allow: 403, and no CORS headers. */
  public static final class ForbiddenOrigin extends HttpStatusException {
    public ForbiddenOrigin(String origin) {
      super(403, "forbidden_origin", origin == null
          ? "a CORS preflight needs an Origin header"
          : "origin '" + origin + "' is not in the property's allowedOrigins");
    }
  }

  /** Redis did not answer in time and there is nothing sensible to answer without it: 503. */
  public static final class Unavailable extends HttpStatusException {
    public Unavailable(String detail) {
      super(503, "unavailable", detail);
    }
  }

  /**
   * A change the primary Redis made but fewer replicas than {@code CALLTRACK_REDIS_WAIT} asks for
   * confirmed in time: 503, since a failover now could undo it. Every admin write is a whole
   * replacement or idempotent, so sending it again is the remedy.
   */
  public static final class NotReplicated extends HttpStatusException {
    public NotReplicated(long acked, int wanted) {
      super(503, "not_replicated", "the change reached the primary Redis but " + acked + " of " + wanted
          + " replicas confirmed it in time, so a failover now could lose it; send the same request again");
    }
  }

  /** A query string that is not valid percent-encoding: 400. */
  public static final class BadQuery extends HttpStatusException {
    public BadQuery() {
      super(400, "invalid_request", "the query string is not valid percent-encoding (a '%' must be followed by two hex digits)");
    }
  }

  /** A wrong or missing metrics token: 401. */
  public static final class MetricsUnauthorized extends HttpStatusException {
    public MetricsUnauthorized() {
      super(401, "unauthorized", "send Authorization: Bearer <metrics token>");
    }
  }

  /** A client over its property's clearly-abusive assign limit: 429. */
  public static final class TooManyAssigns extends HttpStatusException {
    public TooManyAssigns(String detail) {
      super(429, "too_many_requests", detail);
    }
  }

  /** A valid API key asking for what its property and scope do not cover: 403. */
  public static final class Forbidden extends HttpStatusException {
    public Forbidden(String detail) {
      super(403, "forbidden", detail);
    }
  }
}
