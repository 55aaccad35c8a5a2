package io.calltrack.core.alerts;

import io.calltrack.core.redis.LuaScript;
import io.vertx.core.Future;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Alert episodes in Redis, shared by every dni-server: a condition seen true for at least its hold
 * time starts an episode, which is sent once (whichever server sees it first); the episode ends when
 * the condition is seen false. An observation made from figures read before the episode was last seen
 * ending (a slower server's check) starts nothing. Keys {@code {alerts:<property>}:since:<alert>},
 * {@code :sent:<alert>} and {@code :cleared:<alert>} (a day). Times come from the caller's clock.
 */
public final class AlertEpisodes {
  private static final LuaScript OBSERVE = LuaScript.load("/lua/alerts/observe.lua");

  private final RedisAPI api;

  public AlertEpisodes(Redis redis) {
    this.api = RedisAPI.api(redis);
  }

  public static String sinceKey(String property, String alert) {
    return "{alerts:" + property + "}:since:" + alert;
  }

  public static String sentKey(String property, String alert) {
    return "{alerts:" + property + "}:sent:" + alert;
  }

  public static String clearedKey(String property, String alert) {
    return "{alerts:" + property + "}:cleared:" + alert;
  }

  /**
   * True if this observation starts an episode of {@code alert}: send it now. {@code now} is when the
   * figures behind {@code active} were read (the check's start).
   */
  public Future<Boolean> observe(String property, String alert, boolean active, Instant now, Duration hold) {
    return OBSERVE.run(api, List.of(sinceKey(property, alert), sentKey(property, alert), clearedKey(property, alert)),
        List.of(active ? "1" : "0", Long.toString(now.toEpochMilli()), Long.toString(hold.toMillis())))
        .map(r -> r.toInteger() == 1);
  }
}
