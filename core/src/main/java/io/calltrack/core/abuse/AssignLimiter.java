package io.calltrack.core.abuse;

import io.calltrack.core.config.AssignLimits;
import io.calltrack.core.redis.LuaScript;
import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Per client address limits on new leases, shared by every dni-server through Redis. Keys (one slot
 * per property and address, hash tag {@code {abuse:<property>:<address>}}):
 * <pre>
 * {abuse:P:A}:live        zset  session id (or a reservation) -> the end of its number's hold, ms
 * {abuse:P:A}:minute:N    string  assigns from the address in minute N (injected clock), 2 min TTL
 * </pre>
 * Both expire when the address goes quiet, so the catalogue does not grow with every visitor ever seen.
 * A lease counts for as long as it keeps its number from other visitors: while it lives (its first
 * lease period from the assign, then each heartbeat's renewal ({@link #renewed}), counted for the
 * address the heartbeat came from) and through the pool's hold after it, which a release does not
 * shorten. Counting only live leases let one address empty a pool by releasing (or letting lapse)
 * each lease and taking another: every number it let go sat on hold, out of everyone's reach.
 */
public final class AssignLimiter {
  private static final LuaScript ADMIT = LuaScript.load("/lua/abuse/admit-assign.lua");
  private static final LuaScript SETTLE = LuaScript.load("/lua/abuse/settle-assign.lua");
  /** A reservation that was never settled (the server died mid-assign) frees itself after this. */
  private static final long RESERVATION_MS = 30_000;
  private static final long KEY_IDLE_MS = 60L * 60 * 1000;

  public enum Decision { ALLOW, FALLBACK_LIVE, FALLBACK_RATE, BLOCK }

  /** The decision, and the reservation to settle when it is ALLOW. */
  public record Admission(Decision decision, long live, long thisMinute, String reservation) {}

  private final RedisAPI redis;
  private final Clock clock;

  public AssignLimiter(RedisAPI redis, Clock clock) {
    this.redis = redis;
    this.clock = clock;
  }

  static String tag(String property, String address) {
    return "{abuse:" + property + ":" + address + "}";
  }

  public Future<Admission> admit(String property, String address, AssignLimits limits) {
    long now = clock.millis();
    String tag = tag(property, address);
    String reservation = "r:" + UUID.randomUUID();
    return ADMIT.run(redis, List.of(tag + ":live", tag + ":minute:" + (now / 60_000)),
            List.of(Long.toString(now), reservation, Long.toString(now + RESERVATION_MS),
                limits.liveLeases().toString(), limits.liveLeasesHard().toString(),
                limits.perMinute().toString(), limits.perMinuteHard().toString(), Long.toString(KEY_IDLE_MS)))
        .map(r -> new Admission(Decision.valueOf(r.get(0).toString().toUpperCase(java.util.Locale.ROOT)),
            r.get(1).toLong(), r.get(2).toLong(), reservation));
  }

  /**
   * A heartbeat from {@code address} kept {@code sessionId}'s number from others until
   * {@code holdEnds} (its renewed lease end plus the pool's hold).
   */
  public Future<Void> renewed(String property, String address, String sessionId, Instant holdEnds) {
    // settle-assign with no reservation: (re)sets the session's entry to its new end, one step
    return settle(property, address, "", sessionId, holdEnds);
  }

  /**
   * The reservation became {@code sessionId}, whose number is kept from others until {@code holdEnds}
   * (its lease end plus the pool's hold), or nothing (both null).
   */
  public Future<Void> settle(String property, String address, String reservation, String sessionId,
      Instant holdEnds) {
    return SETTLE.run(redis, List.of(tag(property, address) + ":live"),
            List.of(reservation, sessionId == null ? "" : sessionId,
                Long.toString(holdEnds == null ? 0 : holdEnds.toEpochMilli()), Long.toString(KEY_IDLE_MS),
                Long.toString(clock.millis())))
        .mapEmpty();
  }
}
