package io.calltrack.core;

/**
 * A failure the caller caused or can act on. Each subclass maps to one HTTP status in dni-server
 * and to one SIP response in sip-router; {@link #code()} is the machine-readable {@code error} field.
 *
 * <p>It carries no stack trace: it is an answer, never logged as a fault, and made on paths a client
 * drives at will (a heartbeat for a recycled session is 410, a wrong token 401). Filling one in walked
 * the Vert.x future chain under it, tens of frames, for every such request.
 */
public abstract class CalltrackException extends RuntimeException {
  private final String code;

  protected CalltrackException(String code, String detail) {
    super(detail, null, false, false);
    this.code = code;
  }

  /** Short machine-readable error code, e.g. {@code not_found}. */
  public String code() {
    return code;
  }

  /** Bad input: a malformed or out-of-range value. Maps to 400. */
  public static final class Invalid extends CalltrackException {
    public Invalid(String detail) {
      super("invalid_request", detail);
    }
  }

  /** A referenced thing does not exist. Maps to 404. */
  public static final class NotFound extends CalltrackException {
    public NotFound(String detail) {
      super("not_found", detail);
    }
  }

  /** The request contradicts current state (e.g. a number already in another pool). Maps to 409. */
  public static final class Conflict extends CalltrackException {
    public Conflict(String detail) {
      super("conflict", detail);
    }
  }

  /** Something existed but is over (e.g. a lease that ran out). Maps to 410. */
  public static final class Gone extends CalltrackException {
    public Gone(String detail) {
      super("gone", detail);
    }
  }

  /** Too many requests of one kind (callbacks for one phone, from one address). Maps to 429. */
  public static final class TooMany extends CalltrackException {
    private final String limit;

    public TooMany(String detail) {
      this(detail, null);
    }

    /** @param limit which limit refused it, for metrics ({@code phone}, {@code address}, {@code site}); null: unnamed */
    public TooMany(String detail, String limit) {
      super("too_many_requests", detail);
      this.limit = limit;
    }

    public String limit() {
      return limit;
    }
  }
}
