package io.calltrack.core.spend;

import io.calltrack.core.redis.LuaScript;
import io.calltrack.core.rollup.Hashes;
import io.calltrack.core.rollup.RollupKeys;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A property's spend per day, next to its rollups ({@code {roll:<property>}:spend:<date>}, hash
 * {@code source\tmedium\tcampaign} → minor units). An upload replaces every day it mentions, whole
 * and at once (one Lua script), so re-uploading a corrected day never adds to the old figures; an ad
 * platform's export replaces only its own source and medium on its days.
 */
public final class SpendStore {
  private static final LuaScript REPLACE = LuaScript.load("/lua/spend/replace-days.lua");
  private static final LuaScript REPLACE_SOURCE = LuaScript.load("/lua/spend/replace-source-days.lua");

  private final Redis redis;
  private final RedisAPI api;

  public SpendStore(Redis redis) {
    this.redis = redis;
    this.api = RedisAPI.api(redis);
  }

  /** Replaces the days present in {@code rows}; returns how many days were replaced. */
  public Future<Integer> replaceDays(String property, List<SpendRow> rows) {
    return replace(REPLACE, property, rows, null);
  }

  /**
   * Replaces, on the days present in {@code rows}, only the spend of {@code source} and {@code medium}
   * (an ad platform's export: uploading Google's and then Meta's costs of a day keeps both); returns
   * how many days were touched.
   */
  public Future<Integer> replaceSourceDays(String property, String source, String medium, List<SpendRow> rows) {
    return replace(REPLACE_SOURCE, property, rows, source + "\t" + medium + "\t");
  }

  private Future<Integer> replace(LuaScript script, String property, List<SpendRow> rows, String prefix) {
    if (rows.isEmpty()) {
      return Future.succeededFuture(0);
    }
    RollupKeys keys = new RollupKeys(property);
    Map<LocalDate, Integer> dayIndex = new TreeMap<>();
    List<String> args = new ArrayList<>();
    if (prefix != null) {
      args.add(prefix);
    }
    for (SpendRow r : rows) {
      int idx = dayIndex.computeIfAbsent(r.date(), d -> dayIndex.size() + 1);
      args.add(Integer.toString(idx));
      args.add(r.field());
      args.add(Long.toString(r.amountMinor()));
    }
    List<String> keyList = new ArrayList<>(dayIndex.size());
    for (int i = 0; i < dayIndex.size(); i++) {
      keyList.add(null);
    }
    dayIndex.forEach((day, idx) -> keyList.set(idx - 1, keys.spend(day)));
    return script.run(api, keyList, args).map(Response::toInteger);
  }

  /** Every spend row of the days in {@code [from, to]} (inclusive). */
  public Future<List<SpendRow>> rows(String property, LocalDate from, LocalDate to) {
    RollupKeys keys = new RollupKeys(property);
    List<Request> reads = new ArrayList<>();
    List<LocalDate> days = new ArrayList<>();
    for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
      days.add(d);
      reads.add(Request.cmd(Command.HGETALL).arg(keys.spend(d)));
    }
    if (reads.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return redis.batch(reads).map(responses -> {
      List<SpendRow> out = new ArrayList<>();
      for (int i = 0; i < days.size(); i++) {
        for (Map.Entry<String, String> e : Hashes.toMap(responses.get(i)).entrySet()) {
          out.add(SpendRow.of(days.get(i), e.getKey(), Long.parseLong(e.getValue())));
        }
      }
      return out;
    });
  }
}
