package io.calltrack.core.pool;

/**
 * Names of one pool's runtime keys. Every key carries the hash tag {@code {pool:<id>}} so that all of
 * a pool's state sits in one Redis Cluster slot and each state change can be one Lua script. See
 * {@link RedisPoolEngine} for what each key holds.
 */
public record PoolKeys(String poolId) {
  private String tag() {
    return "{pool:" + poolId + "}";
  }

  public String meta() {
    return tag() + ":meta";
  }

  public String numbers() {
    return tag() + ":numbers";
  }

  public String free() {
    return tag() + ":free";
  }

  public String leased() {
    return tag() + ":leased";
  }

  public String holding() {
    return tag() + ":holding";
  }

  public String owner() {
    return tag() + ":owner";
  }

  public String visitors() {
    return tag() + ":visitors";
  }

  public String stats() {
    return tag() + ":stats";
  }

  /** Hash number -> channel digest of the visit that took it last (share-channel policy). */
  public String channel() {
    return tag() + ":channel";
  }

  /** The visitor a caller's last resolved call went to (returning callers), expires with the window. */
  public String caller(String e164) {
    return tag() + ":caller:" + e164;
  }

  /** Set of numbers that have a history key, so sweeps can find histories of numbers since removed. */
  public String historyNumbers() {
    return tag() + ":history-numbers";
  }

  /** Prefix of {@code s:<random part of sid>} hashes and {@code history:<e164>} zsets, completed inside scripts. */
  public String prefix() {
    return tag() + ":";
  }

  /** A session's hash: named by the random part of its id only (the tag already names the pool). */
  public String session(String sessionId) {
    return tag() + ":s:" + sessionId.substring(sessionId.indexOf('.') + 1);
  }

  public String history(String e164) {
    return tag() + ":history:" + e164;
  }

  /** Set of a visitor's session ids in this pool, so erasure finds every one (TTL: the session retention). */
  public String visitorSessions(String visitorId) {
    return tag() + ":visitor-sessions:" + visitorId;
  }
}
