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
import com.fasterxml.jackson.databind.JsonNode;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.Map;
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
  private static final LuaScript APPLY = LuaScript.load("/lua/rollup/contribution.lua", "/lua/rollup/apply.lua");

  private final RedisAPI api;
  private final ConfigStore config;
  private final RedisCallStore calls;
  private final SettingsStore settings;

  public RollupStore(Redis redis, ConfigStore config) {
    this.api = RedisAPI.api(redis);
    this.config = config;
    this.calls = new RedisCallStore(api);
    this.settings = new SettingsStore(redis);
  }

  /**
   * Re-reads the call and applies its contribution under stream entry {@code entryId}. True if the
   * rollups changed (false: unknown call, call without property, or an entry already superseded).
   */
  public Future<Boolean> refresh(String callId, String entryId) {
    return calls.locate(callId).compose(shard -> shard.isEmpty() || RedisCallStore.NO_PROPERTY.equals(shard.get())
        ? Future.succeededFuture(false)
        : refresh(shard.get(), callId, entryId));
  }

  /** {@link #refresh(String, String)} for a call known to be in {@code property}'s shard. */
  public Future<Boolean> refresh(String property, String callId, String entryId) {
    String key = RedisCallStore.key(property, callId);
    Future<Response> record = api.hmget(List.of(key, "record", "outcome"));
    Future<Response> left = api.pttl(key);
    return Future.all(record, left)
        .compose(both -> {
          Response res = record.result();
          CallRecord call = toRecord(res.get(0), res.get(1));
          if (call == null || call.property() == null) {
            return Future.succeededFuture(false);
          }
          return apply(call, entryId, left.result().toLong());
        });
  }

  /** Applies {@code call} as it stands under stream entry {@code entryId} (a Redis stream id "ms-seq"). */
  public Future<Boolean> apply(CallRecord call, String entryId) {
    return apply(call, entryId, -1);
  }

  /** As {@link #apply(CallRecord, String)}; the contribution expires with the record, {@code recordTtlMs} from now (-1: never). */
  private Future<Boolean> apply(CallRecord call, String entryId, long recordTtlMs) {
    return zone(call.property()).compose(zone -> settings.get(call.property())
        .compose(s -> apply(call, Contribution.of(call, zone, s.hours()), entryId, recordTtlMs, 0)));
  }

  /**
   * Reads the call's current contribution, names every key the old and the new one touch, and runs
   * the script with the old one as expected; a concurrent change (another consumer applying the same
   * call) makes the script refuse, and this reads again.
   */
  private Future<Boolean> apply(CallRecord call, Contribution c, String entryId, long recordTtlMs, int attempt) {
    RollupKeys keys = new RollupKeys(call.property());
    String contribKey = keys.contribution(call.callId());
    long start = call.startedAt().toEpochMilli();
    Future<Response> firstOfCaller = c.caller().isEmpty()
        ? Future.succeededFuture(null) : api.hget(keys.callers(), c.caller());
    return firstOfCaller.compose(firstRes -> {
      String firstValue = firstRes == null ? "" : firstRes.toString();
      String demoteId = demotedBy(firstValue, call.callId(), start);
      Future<Response> demoted = demoteId == null
          ? Future.succeededFuture(null) : api.get(keys.contribution(demoteId));
      return demoted.compose(demotedRes -> api.get(contribKey).compose(oldRes -> {
        String oldJson = oldRes == null ? "" : oldRes.toString();
        String demotedJson = demotedRes == null ? "" : demotedRes.toString();
        Map<String, Integer> index = new LinkedHashMap<>();
        index.put(contribKey, 1);
        index.put(keys.callers(), 2);
        index.put(keys.live(), 3);
        index.put(keys.buyers(), 4);
        index.put(keys.lifetime(), 5);
        Map<String, Object> idx = new LinkedHashMap<>();
        if (!oldJson.isEmpty()) {
          JsonNode old = JsonMapper.readStored(oldJson, JsonNode.class);
          idx.put("old", dayKeys(keys, LocalDate.parse(old.path("day").asText()), dims(old), creditNames(old),
              index, false));
        }
        idx.put("new", dayKeys(keys, LocalDate.parse(c.day()), c.dims(), c.credit().keySet(), index, true));
        if (demoteId != null) {
          idx.put("demote", demoteKeys(keys, demoteId, demotedJson, index));
        }
        return APPLY.run(api, List.copyOf(index.keySet()), List.of(oldJson, entryId, call.callId(), c.json(),
            JsonMapper.write(idx), Long.toString(start), firstValue, demotedJson, Long.toString(recordTtlMs)));
      }));
    }).compose(res -> {
      int r = res.toInteger();
      if (r == -1) {
        if (attempt >= 20) {
          return Future.failedFuture(new IllegalStateException(
              "rollup of call " + call.callId() + " kept changing under 20 attempts"));
        }
        return apply(call, c, entryId, recordTtlMs, attempt + 1);
      }
      return Future.succeededFuture(r == 1);
    });
  }

  /**
   * The call that loses its first-time status to a call of the same caller that started at
   * {@code start}, or null: the rule of apply.lua (earlier start wins, then the smaller call id; a
   * stored bare call id, from before start times were kept, is earliest).
   */
  static String demotedBy(String firstValue, String callId, long start) {
    int bar = firstValue.indexOf('|');
    if (firstValue.isEmpty() || bar < 0) {
      return null;
    }
    long firstStart = Long.parseLong(firstValue.substring(0, bar));
    String firstId = firstValue.substring(bar + 1);
    if (firstId.equals(callId)) {
      return null;
    }
    return start < firstStart || (start == firstStart && callId.compareTo(firstId) < 0) ? firstId : null;
  }

  private static Map<String, String> dims(JsonNode contribution) {
    Map<String, String> dims = new LinkedHashMap<>();
    contribution.path("dims").properties().forEach(e -> dims.put(e.getKey(), e.getValue().asText()));
    return dims;
  }

  /** The credit rollups ("source@linear") a stored contribution adds to; none before credit was kept. */
  private static java.util.Set<String> creditNames(JsonNode contribution) {
    java.util.Set<String> names = new java.util.LinkedHashSet<>();
    contribution.path("credit").fieldNames().forEachRemaining(names::add);
    return names;
  }

  /** Keys the script needs to turn the caller's former first call into a repeat call. */
  private static Map<String, Object> demoteKeys(RollupKeys keys, String callId, String json,
      Map<String, Integer> index) {
    Map<String, Object> k = new LinkedHashMap<>();
    k.put("contrib", slot(index, keys.contribution(callId)));
    if (json.isEmpty()) {
      return k;
    }
    JsonNode prev = JsonMapper.readStored(json, JsonNode.class);
    LocalDate day = LocalDate.parse(prev.path("day").asText());
    Map<String, String> dims = dims(prev);
    k.put("total", slot(index, keys.day(day, "total")));
    Map<String, Integer> dimIdx = new LinkedHashMap<>();
    dims.keySet().forEach(d -> dimIdx.put(d, slot(index, keys.day(day, d))));
    k.put("dims", dimIdx);
    k.put("hllr", slot(index, keys.hllRepeat(day)));
    Map<String, Integer> hllrs = new LinkedHashMap<>();
    dims.forEach((d, v) -> hllrs.put(d, slot(index, keys.hllRepeat(day, d, v))));
    k.put("hllrs", hllrs);
    return k;
  }

  /** Indexes (1-based, into KEYS) of one contribution's day keys, adding new keys to {@code index}. */
  private static Map<String, Object> dayKeys(RollupKeys keys, LocalDate day, Map<String, String> dims,
      java.util.Set<String> credit, Map<String, Integer> index, boolean withHll) {
    Map<String, Object> k = new LinkedHashMap<>();
    k.put("total", slot(index, keys.day(day, "total")));
    k.put("hour", slot(index, keys.hour(day)));
    Map<String, Integer> dimIdx = new LinkedHashMap<>();
    dims.keySet().forEach(d -> dimIdx.put(d, slot(index, keys.day(day, d))));
    k.put("dims", dimIdx);
    Map<String, Integer> creditIdx = new LinkedHashMap<>();
    credit.forEach(name -> creditIdx.put(name, slot(index, keys.day(day, name))));
    k.put("credit", creditIdx);
    if (withHll) {
      k.put("hll", slot(index, keys.hllTotal(day)));
      Map<String, Integer> hlls = new LinkedHashMap<>();
      dims.forEach((d, v) -> hlls.put(d, slot(index, keys.hll(day, d, v))));
      k.put("hlls", hlls);
      k.put("hllr", slot(index, keys.hllRepeat(day)));
      Map<String, Integer> hllrs = new LinkedHashMap<>();
      dims.forEach((d, v) -> hllrs.put(d, slot(index, keys.hllRepeat(day, d, v))));
      k.put("hllrs", hllrs);
    }
    return k;
  }

  private static int slot(Map<String, Integer> index, String key) {
    return index.computeIfAbsent(key, x -> index.size() + 1);
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
    CallRecord r = JsonMapper.readStored(record.toString(), CallRecord.class);
    return outcome == null ? r : r.withOutcome(JsonMapper.readStored(outcome.toString(), CallOutcome.class));
  }
}
