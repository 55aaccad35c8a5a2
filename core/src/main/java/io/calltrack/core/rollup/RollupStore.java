package io.calltrack.core.rollup;

import io.calltrack.core.calls.CallOutcome;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.RedisCallStore;
import io.calltrack.core.config.ConfigStore;
import io.calltrack.core.config.PropertyConfig;
import io.calltrack.core.json.JsonMapper;
import io.calltrack.core.marketing.SettingsStore;
import io.calltrack.core.redis.LuaScript;
import io.vertx.core.Future;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;

/**
 * Writes calls into their property's rollups. A call's contribution is recomputed from the call as
 * stored now (record + outcome) and applied by one Lua script that moves every figure by the
 * difference to what the call contributed before. Each application is tagged with the id of the
 * calls-stream entry that caused it, and an entry no newer than the last applied one changes nothing:
 * redelivered, duplicated or late messages never double count, and the figures converge on the
 * call's latest state because its newest entry is applied with a state at least that new.
 */
public final class RollupStore {
  private static final LuaScript APPLY = LuaScript.load("/lua/rollup/apply.lua");

  private final RedisAPI api;
  private final ConfigStore config;
  private final SettingsStore settings;

  public RollupStore(Redis redis, ConfigStore config) {
    this.api = RedisAPI.api(redis);
    this.config = config;
    this.settings = new SettingsStore(redis);
  }

  /**
   * Re-reads the call and applies its contribution under stream entry {@code entryId}. True if the
   * rollups changed (false: unknown call, call without property, or an entry already superseded).
   */
  public Future<Boolean> refresh(String callId, String entryId) {
    return api.hmget(List.of(RedisCallStore.key(callId), "record", "outcome"))
        .compose(res -> {
          CallRecord call = toRecord(res.get(0), res.get(1));
          if (call == null || call.property() == null) {
            return Future.succeededFuture(false);
          }
          return apply(call, entryId);
        });
  }

  /** Applies {@code call} as it stands under stream entry {@code entryId} (a Redis stream id "ms-seq"). */
  public Future<Boolean> apply(CallRecord call, String entryId) {
    return zone(call.property()).compose(zone -> settings.get(call.property()).compose(s -> {
      RollupKeys keys = new RollupKeys(call.property());
      Contribution c = Contribution.of(call, zone, s.hours());
      return APPLY.run(api, List.of(keys.contribution(call.callId()), keys.callers(), keys.live(), keys.buyers()),
          List.of(keys.prefix(), entryId, call.callId(), c.json()));
    })).map(res -> res.toInteger() == 1);
  }

  /** Calls per local hour (0-23) of the property's day {@code day}; hours without calls are 0. */
  public Future<long[]> callsByHour(String property, java.time.LocalDate day) {
    return api.hgetall(new RollupKeys(property).hour(day)).map(res -> {
      long[] hours = new long[24];
      Hashes.toMap(res).forEach((h, n) -> hours[Integer.parseInt(h)] = Long.parseLong(n));
      return hours;
    });
  }

  /** Ids of the property's calls that are ringing or in progress, as far as the rollups have seen. */
  public Future<List<String>> liveCallIds(String property) {
    return api.smembers(new RollupKeys(property).live()).map(res -> {
      List<String> ids = new java.util.ArrayList<>();
      for (Response r : res) {
        ids.add(r.toString());
      }
      java.util.Collections.sort(ids);
      return ids;
    });
  }

  private Future<ZoneId> zone(String property) {
    return config.property(property).map(p -> p.map(PropertyConfig::zone).orElse(ZoneOffset.UTC));
  }

  private static CallRecord toRecord(Response record, Response outcome) {
    if (record == null) {
      return null;
    }
    CallRecord r = JsonMapper.read(record.toString(), CallRecord.class);
    return outcome == null ? r : r.withOutcome(JsonMapper.read(outcome.toString(), CallOutcome.class));
  }
}
