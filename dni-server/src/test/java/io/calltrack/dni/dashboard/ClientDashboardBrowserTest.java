package io.calltrack.dni.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.testing.TestNumbers;
import io.calltrack.dni.report.CallSeeder;
import io.calltrack.dni.testing.DniClient;
import io.calltrack.dni.testing.DniClient.Reply;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A client's dashboard in real headless Chromium: an agency hands a client a read key of its property,
 * and the client signs in to the dashboard with it. The client sees its property alone (not the
 * others', not the table that spans them), with its ROI and health; the agency sees, in the dashboard
 * usage report, the days its client opened it.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ClientDashboardBrowserTest extends SignedInDashboardTest {

  @Test
  void aClientSignsInWithItsKeyAndSeesItsOwnPropertyAlone() throws Exception {
    String mine = utcProperty("client");
    String other = utcProperty("other"); // another client of the same agency
    new CallSeeder(vertx).call(mine, TestNumbers.fresh(), "+13125550401", Instant.parse("2026-03-02T08:00:00Z"),
        CallSeeder.source("google", "cpc"), 45);
    CallSeeder.awaitConsumerCaughtUp(vertx, mine);
    Reply issued = api.request(HttpMethod.POST, "/v1/api-keys", DniClient.body(new JsonObject()
        .put("property", mine).put("scope", "read").put("name", "client dashboard")), api.admin());
    assertEquals(201, issued.status(), issued::toString);
    String key = issued.json().getString("key");

    // the picker's list: everything for the agency, the one property for its client
    JsonObject asAdmin = api.adminGet("/v1/dashboard/properties").json();
    assertEquals(true, asAdmin.getBoolean("admin"));
    assertTrue(asAdmin.getJsonArray("properties").stream().map(p -> ((JsonObject) p).getString("id")).toList()
        .contains(other));
    JsonObject asClient = api.request(HttpMethod.GET, "/v1/dashboard/properties", null,
        DniClient.headers("authorization", "Bearer " + key)).json();
    assertEquals(false, asClient.getBoolean("admin"));
    assertEquals(new JsonArray().add(new JsonObject().put("id", mine).put("name", "Shop").put("timezone", "UTC")),
        asClient.getJsonArray("properties"));

    JsonObject page = openSignedIn("client-dashboard.mjs", "property=" + mine, key);
    assertEquals(new JsonArray(), page.getJsonArray("errors"), "no script errors, and no request refused: " + page);
    assertEquals(new JsonArray().add(mine), page.getJsonArray("properties"));
    assertEquals(true, page.getBoolean("portfolioHidden"), "nothing that spans the agency's properties");
    assertEquals(0, page.getInteger("portfolioRows"));
    assertEquals("1", page.getJsonArray("roiTotal").getString(1), page::encode);
    assertTrue(page.getString("healthScore").endsWith("/ 100)"), page::encode);

    // the agency sees that its client opened the dashboard today (2026-03-02 on the test's clock)
    JsonObject usage = api.adminGet("/v1/reports/dashboard-usage?property=" + mine + "&from=2026-03-01&to=2026-03-02").json();
    assertEquals(1, usage.getInteger("daysWithClientDashboardUse"), usage::encode);
    assertEquals("0.5", usage.getValue("clientDashboardUsageRate").toString());
    assertEquals(1, usage.getInteger("daysWithDashboardUse"));
    // the agency's own look (the admin token) is a day of use, not of the client's
    api.adminGet("/v1/dashboard?property=" + other);
    JsonObject agencyOnly = api.adminGet("/v1/reports/dashboard-usage?property=" + other + "&from=2026-03-02&to=2026-03-02").json();
    assertEquals(1, agencyOnly.getInteger("daysWithDashboardUse"));
    assertEquals(0, agencyOnly.getInteger("daysWithClientDashboardUse"));
  }
}
