package io.calltrack.dni.marketing;

import io.calltrack.core.rollup.RollupKeys;
import io.vertx.core.Future;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * On which of the property's days its dashboard was open ({@link RollupKeys#dashboardDays()}, a set of
 * dates): the dashboard's summary marks today each time it is read. Usage rate = days with use / days.
 */
public final class DashboardUsage {
  private final RedisAPI api;

  public DashboardUsage(Redis redis) {
    this.api = RedisAPI.api(redis);
  }

  /** Marks {@code day} as a day of use; never fails the caller. */
  public Future<Void> seen(String property, LocalDate day) {
    return api.sadd(List.of(new RollupKeys(property).dashboardDays(), day.toString())).<Void>mapEmpty().otherwiseEmpty();
  }

  public Future<Map<String, Object>> report(String property, LocalDate from, LocalDate to) {
    return api.smembers(new RollupKeys(property).dashboardDays()).map(res -> {
      long used = 0;
      for (Response r : res) {
        LocalDate d = LocalDate.parse(r.toString());
        used += d.isBefore(from) || d.isAfter(to) ? 0 : 1;
      }
      long days = ChronoUnit.DAYS.between(from, to) + 1;
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("property", property);
      out.put("from", from.toString());
      out.put("to", to.toString());
      out.put("days", days);
      out.put("daysWithDashboardUse", used);
      out.put("dashboardUsageRate", BigDecimal.valueOf(used).divide(BigDecimal.valueOf(days), 4, RoundingMode.HALF_UP));
      return out;
    });
  }
}
