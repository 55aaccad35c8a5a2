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

  /** Set of numbers that have sessions in {@link #histories()}, so sweeps can find those of numbers since removed. */
  public String historyNumbers() {
    return tag() + ":history-numbers";
  }

  /**
   * Hash RANDOM -> visitor id, for live sessions only: when a number's hold runs out or it is
   * recycled, its sessions' visitors lose their live-session entry in {@link #visitors()}.
   */
  public String live() {
    return tag() + ":live";
  }

  /**
   * Hash E164 -> the number's latest sessions, oldest first: their count, then space-separated
   * entries {@code +RANDOM,start} (may still be live) or {@code RANDOM,start,end}, times in base-36
   * ms; see lib.lua.
   */
  public String histories() {
    return tag() + ":histories";
  }

  /** Hash RANDOM -> when (ms) a recycle cut the session short: its state and real end. */
  public String recycled() {
    return tag() + ":recycled";
  }

  /** A session's hash: named by the random part of its id only (the tag already names the pool). */
  public String session(String sessionId) {
    return tag() + ":s:" + SessionIds.randomPart(sessionId);
  }

  /** A number's history zset in the first key layout; read only to migrate a pool (see migrate.lua). */
  public String firstLayoutHistory(String e164) {
    return tag() + ":history:" + e164;
  }

  /** Set of a visitor's session ids in this pool, so erasure finds every one (TTL: the session retention). */
  public String visitorSessions(String visitorId) {
    return tag() + ":visitor-sessions:" + visitorId;
  }
}
