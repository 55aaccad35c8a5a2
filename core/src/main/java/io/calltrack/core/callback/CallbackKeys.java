package io.calltrack.core.callback;

/**
 * Names of one property's callback keys (the key catalogue entry is in {@link RedisCallbackStore}).
 * Every key carries the hash tag {@code {cb:<property>}}: a request (record, queue, both rate limits)
 * is one script in one Redis Cluster slot.
 */
public record CallbackKeys(String property) {
  private String tag() {
    return "{cb:" + property + "}";
  }

  /** The callback, as JSON. */
  public String callback(String id) {
    return tag() + ":callback:" + id;
  }

  /** List of callback ids waiting for a router (dni-server pushes right, a router pops left). */
  public String queue() {
    return tag() + ":queue";
  }

  /** Requests for one phone number in the fixed window starting at {@code windowStart} ms. */
  public String phoneWindow(String e164, long windowStart) {
    return tag() + ":limit:phone:" + e164 + ":" + windowStart;
  }

  /** Requests from one client address in the fixed window starting at {@code windowStart} ms. */
  public String addressWindow(String address, long windowStart) {
    return tag() + ":limit:address:" + address + ":" + windowStart;
  }
}
