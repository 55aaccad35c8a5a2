package io.calltrack.dni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.testing.TestRedis;
import io.calltrack.dni.testing.DniClient;
import io.calltrack.dni.testing.DniClient.Reply;
import io.calltrack.dni.testing.DniTestBase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code /metrics} in the Prometheus text format: per-pool gauges and counters, assign latency histogram. */
class MetricsTest extends DniTestBase {

  @Test
  void poolGaugesAndAssignLatency() {
    Site site = site(api, 2, 120, 600, "fallback");
    for (String visitor : new String[] {"a", "b", "c"}) {
      assertEquals(200, api.assign(assignBody(site.property(), visitor)).status());
    }
    api.post("/v1/sessions/" + api.assign(assignBody(site.property(), "a")).json().getString("sessionId")
        + "/release", null);

    // a scrape refreshes the pool gauges within a second, else serves the last values: on a loaded
    // host the first scrapes may come before this pool's first refresh, so ask until it is there
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
    Reply r;
    do {
      r = api.get("/metrics");
      assertEquals(200, r.status());
    } while (!r.text().contains("pool=\"" + site.poolId() + "\"") && System.nanoTime() < deadline);
    assertTrue(r.header("content-type").startsWith("text/plain"), r.header("content-type"));
    String text = r.text();
    String tags = "property=\"" + site.property() + "\"";
    assertEquals(2.0, value(text, "calltrack_pool_size", site.poolId(), tags));
    assertEquals(1.0, value(text, "calltrack_pool_leased", site.poolId(), tags));
    assertEquals(1.0, value(text, "calltrack_pool_holding", site.poolId(), tags));
    assertEquals(0.0, value(text, "calltrack_pool_free", site.poolId(), tags));
    assertEquals(1.0, value(text, "calltrack_pool_utilization", site.poolId(), tags));
    assertEquals(1.0, value(text, "calltrack_pool_exhausted_total", site.poolId(), tags));
    assertEquals(0.0, value(text, "calltrack_pool_recycled_total", site.poolId(), tags));

    assertTrue(text.contains("# TYPE calltrack_assign_seconds histogram"), text);
    assertTrue(Pattern.compile("calltrack_assign_seconds_bucket\\{.*outcome=\"leased\".*le=\"").matcher(text).find());
    assertEquals(3.0, number(text, "calltrack_assign_seconds_count\\{outcome=\"leased\"\\}"), "a, b and a again");
    assertEquals(1.0, number(text, "calltrack_assign_seconds_count\\{outcome=\"fallback\"\\}"), "c");
    assertEquals(1.0, number(text, "calltrack_assign_fallbacks_total\\{reason=\"exhausted\"\\}"));
    assertTrue(text.contains("calltrack_assign_seconds_bucket{outcome=\"leased\",le=\"+Inf\"} 3"), text);
  }

  @Test
  void returningVisitorsWhoseSessionAServerHadToLookUpAreCounted() {
    // another process: its own Vert.x, so it knows nothing of the sessions this one gave
    Vertx otherVertx = Vertx.vertx();
    try {
      DniServer other = DniClient.await(DniServer.start(otherVertx, options(TestRedis.url())));
      DniClient there = clientFor(other, 2);
      Site site = site(api, 4, 120, 600, "fallback");
      JsonObject first = api.assign(assignBody(site.property(), "v1")).json();
      JsonObject second = api.assign(assignBody(site.property(), "v2")).json();
      assertEquals(0.0, lookups(there));

      // without the session: the other server looks it up once, then knows it
      assertEquals(first.getString("sessionId"), there.assign(assignBody(site.property(), "v1")).json()
          .getString("sessionId"));
      assertEquals(1.0, lookups(there));
      there.assign(assignBody(site.property(), "v1"));
      assertEquals(1.0, lookups(there), "its own guess the second time");
      // with the session the snippet sends back: no lookup
      assertEquals(second.getString("sessionId"), there.assign(assignBody(site.property(), "v2")
          .put("sessionId", second.getString("sessionId"))).json().getString("sessionId"));
      assertEquals(1.0, lookups(there));
      DniClient.await(other.close());
    } finally {
      otherVertx.close();
    }
  }

  private static double lookups(DniClient client) {
    return number(client.get("/metrics").text(), "calltrack_assign_session_lookups_total");
  }

  private static double value(String text, String name, String pool, String tags) {
    Matcher m = Pattern.compile("(?m)^" + name + "\\{([^}]*)\\} (\\S+)$").matcher(text);
    while (m.find()) {
      if (m.group(1).contains("pool=\"" + pool + "\"") && m.group(1).contains(tags)) {
        return Double.parseDouble(m.group(2));
      }
    }
    throw new AssertionError(name + " for pool " + pool + " not in:\n" + text);
  }

  private static double number(String text, String series) {
    Matcher m = Pattern.compile("(?m)^" + series + " (\\S+)$").matcher(text);
    if (!m.find()) {
      throw new AssertionError(series + " not in:\n" + text);
    }
    return Double.parseDouble(m.group(1));
  }
}
