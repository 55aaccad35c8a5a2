package io.calltrack.core.callback;

/**
 * Names of one property's callback keys (the key catalogue entry is in {@link RedisCallbackStore}).
 * Every key carries the hash tag {@code {cb:<property>}}: each callback operation (request, claim,
 * hold, reschedule, finish, erase) is one script in one Redis Cluster slot.
 */
public record CallbackKeys(String property) {
  private String tag() {
    return "{cb:" + property + "}";
  }

  /** The callback, as JSON. */
  public String callback(String id) {
    return tag() + ":callback:" + id;
  }

  /**
   * Sorted set of the callbacks not finished yet, scored by when a router may take each one next (ms):
   * its request, its opening or retry time, or, while a router holds it, the end of that router's lease.
   */
  public String due() {
    return tag() + ":due";
  }

  /** Hash callback id → the router holding it (its lease ends at the callback's score in {@link #due()}). */
  public String owners() {
    return tag() + ":owners";
  }

  /** Set of the callback ids asked for one phone number (for erasure). */
  public String phone(String e164) {
    return tag() + ":phone:" + e164;
  }

  /**
   * Set of the callback ids asked from one visitor's visits (for the visitor's erasure: a callback
   * outlives the session that asked for it when {@code sessionsDays} is the shorter retention).
   */
  public String visitor(String visitorId) {
    return tag() + ":visitor:" + visitorId;
  }

  /** Requests for one phone number in the fixed window starting at {@code windowStart} ms. */
  public String phoneWindow(String e164, long windowStart) {
    return tag() + ":limit:phone:" + e164 + ":" + windowStart;
  }

  /** Requests the property took in the fixed window starting at {@code windowStart} ms. */
  public String propertyWindow(long windowStart) {
    return tag() + ":limit:property:" + windowStart;
  }

  /** Requests from one client address in the fixed window starting at {@code windowStart} ms. */
  public String addressWindow(String address, long windowStart) {
    return tag() + ":limit:address:" + address + ":" + windowStart;
  }
}
