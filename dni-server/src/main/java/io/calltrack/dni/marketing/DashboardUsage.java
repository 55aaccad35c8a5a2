package io.calltrack.dni.marketing;

import io.calltrack.core.report.RoiRow;
import io.calltrack.core.rollup.RollupKeys;
import io.vertx.core.Future;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * On which of the property's days its dashboard was open ({@link RollupKeys#dashboardDays()}, a set of
 * dates), and on which a client opened it (the same set, {@code client:<date>}: read with one of the
 * property's API keys, not the admin token): the dashboard's summary marks today each time it is read.
 * Usage rate = days with use / days; the client dashboard usage rate counts the clients' days alone.
 */
public final class DashboardUsage {
  private static final String CLIENT = "client:";
  private final RedisAPI api;

  public DashboardUsage(Redis redis) {
    this.api = RedisAPI.api(redis);
  }

  /** Marks {@code day} as a day of use, and of a client's use when {@code client}; never fails the caller. */
  public Future<Void> seen(String property, LocalDate day, boolean client) {
    List<String> args = client ? List.of(new RollupKeys(property).dashboardDays(), day.toString(), CLIENT + day)
        : List.of(new RollupKeys(property).dashboardDays(), day.toString());
    return api.sadd(args).<Void>mapEmpty().otherwiseEmpty();
  }

  public Future<Map<String, Object>> report(String property, LocalDate from, LocalDate to) {
    return api.smembers(new RollupKeys(property).dashboardDays()).map(res -> {
      long used = 0;
      long byClients = 0;
      for (Response r : res) {
        String member = r.toString();
        boolean client = member.startsWith(CLIENT);
        LocalDate d = LocalDate.parse(client ? member.substring(CLIENT.length()) : member);
        long in = d.isBefore(from) || d.isAfter(to) ? 0 : 1;
        if (client) {
          byClients += in;
        } else {
          used += in;
        }
      }
      long days = ChronoUnit.DAYS.between(from, to) + 1;
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("property", property);
      out.put("from", from.toString());
      out.put("to", to.toString());
      out.put("days", days);
      out.put("daysWithDashboardUse", used);
      out.put("dashboardUsageRate", RoiRow.rate(used, days));
      out.put("daysWithClientDashboardUse", byClients);
      out.put("clientDashboardUsageRate", RoiRow.rate(byClients, days));
      return out;
    });
  }
}
