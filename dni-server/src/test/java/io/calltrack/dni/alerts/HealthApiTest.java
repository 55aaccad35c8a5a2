package io.calltrack.dni.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.testing.Await;
import io.calltrack.core.testing.TestNumbers;
import io.calltrack.dni.report.CallSeeder;
import io.calltrack.dni.testing.DniClient;
import io.calltrack.dni.testing.DniClient.Reply;
import io.calltrack.dni.testing.DniTestBase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A property's health over real HTTP and real Redis: the conditions the alerts watch, judged now by the
 * property's thresholds or their defaults, and the share of them that are healthy.
 */
class HealthApiTest extends DniTestBase {

  @Test
  void aFullPoolAndCallsThatStoppedShowAndTheScoreIsTheShareOfHealthyChecks() {
    Site site = site(2);
    String p = site.property();
    // a week of calls before yesterday, none yesterday (2026-03-01, New York): calls fell below the trailing average
    CallSeeder seeder = new CallSeeder(vertx);
    for (int day = 2; day <= 8; day++) {
      seeder.call(p, TestNumbers.fresh(), "+1312555040" + day, Instant.parse("2026-02-2" + (day - 2) + "T15:00:00Z"),
          CallSeeder.source("google", "cpc"), 30);
    }
    CallSeeder.awaitConsumerCaughtUp(vertx, p);
    JsonObject healthy = health(p, api.admin());
    Map<String, Boolean> checks = checks(healthy);
    assertEquals("defaults", healthy.getString("judgedBy"));
    assertEquals(Boolean.TRUE, checks.get("pool.utilization:" + site.poolId()), healthy::encode);
    assertEquals(Boolean.TRUE, checks.get("pool.exhausted:" + site.poolId()));
    assertEquals(Boolean.TRUE, checks.get("calls.failedRate"));
    assertEquals(Boolean.FALSE, checks.get("calls.belowTrailingAverage"), "none yesterday against 1 a day");
    assertEquals(5, checks.size(), healthy::encode); // the two pool checks, failed calls, calls and ROI against the trailing days
    assertEquals(80, healthy.getInteger("score"), healthy::encode);

    // both numbers leased: the pool is full now
    for (String visitor : new String[] {"v-health-1", "v-health-2"}) {
      assertEquals(200, api.assign(assignBody(p, visitor)).status());
    }
    JsonObject full = health(p, api.admin());
    Map<String, Boolean> now = checks(full);
    assertEquals(Boolean.FALSE, now.get("pool.utilization:" + site.poolId()), full::encode);
    assertEquals(Boolean.FALSE, now.get("pool.exhausted:" + site.poolId()));
    assertEquals(40, full.getInteger("score"), "2 of 5 healthy: " + full.encode());
    JsonObject pool = full.getJsonArray("checks").stream().map(JsonObject.class::cast)
        .filter(c -> c.getString("check").startsWith("pool.exhausted")).findFirst().orElseThrow();
    assertEquals(0, pool.getJsonObject("detail").getInteger("free"));

    // the property's own thresholds judge it once it has them
    assertEquals(200, api.adminPut("/v1/properties/" + p + "/marketing", new JsonObject().put("alerts", new JsonObject()
        .put("url", "https://alerts.example/hook").put("secret", "alerts-secret-0123456789")
        .put("poolUtilizationPercent", 100).put("trailingPercent", 1))).status());
    JsonObject own = health(p, api.admin());
    assertEquals("alerts", own.getString("judgedBy"));
    assertEquals(Boolean.TRUE, checks(own).get("pool.utilization:" + site.poolId()), "100 % is not above 100: " + own.encode());

    // a key of the property reads it; a key of another property does not
    String mine = key(p);
    assertEquals(own.getInteger("score"), health(p, DniClient.headers("authorization", "Bearer " + mine)).getInteger("score"));
    Site other = site(1);
    Reply foreign = api.request(HttpMethod.GET, "/v1/properties/" + p + "/health", null,
        DniClient.headers("authorization", "Bearer " + key(other.property())));
    assertEquals(403, foreign.status(), foreign::toString);
    assertEquals(404, api.adminGet("/v1/properties/no-such-" + p + "/health").status());
  }

  private JsonObject health(String property, io.vertx.core.MultiMap headers) {
    Reply r = Await.until(Duration.ofSeconds(10),
        () -> api.request(HttpMethod.GET, "/v1/properties/" + property + "/health", null, headers), x -> x.status() == 200);
    assertTrue(r.json().getInteger("score") >= 0 && r.json().getInteger("score") <= 100);
    return r.json();
  }

  private static Map<String, Boolean> checks(JsonObject health) {
    return health.getJsonArray("checks").stream().map(JsonObject.class::cast)
        .collect(Collectors.toMap(c -> c.getString("check"), c -> c.getBoolean("healthy")));
  }

  private String key(String property) {
    Reply r = api.request(HttpMethod.POST, "/v1/api-keys",
        DniClient.body(new JsonObject().put("property", property).put("scope", "read")), api.admin());
    assertEquals(201, r.status(), r::toString);
    return r.json().getString("key");
  }
}
