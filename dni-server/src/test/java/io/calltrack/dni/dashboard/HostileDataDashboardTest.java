package io.calltrack.dni.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.attribution.Attribution;
import io.calltrack.core.calls.CallEvent;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.core.testing.Await;
import io.calltrack.core.testing.TestNumbers;
import io.calltrack.core.testing.TestRedis;
import io.calltrack.dni.report.CallSeeder;
import io.calltrack.dni.testing.DniClient;
import io.calltrack.dni.testing.DniClient.Reply;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Stored XSS, in real headless Chromium: a tenant names its property with markup, a visitor's utm
 * source and a caller's number are markup too; the dashboard (admin, every property) must show them
 * as text. No element comes of them, no handler runs, and nothing trips the page's CSP (which would
 * mean the markup reached the DOM and only the policy stopped it).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class HostileDataDashboardTest extends SignedInDashboardTest {
  static final String MARKUP = "<img src=x onerror=\"document.body.setAttribute('data-pwned','1')\">";

  @Test
  void markupFromTenantsAndVisitorsIsShownAsText() throws Exception {
    String property = utcProperty("xss");
    Reply named = api.adminPut("/v1/properties/" + property,
        propertyBody(TestNumbers.fresh().e164(), ORIGIN).put("timezone", "UTC").put("name", "Shop " + MARKUP));
    assertEquals(200, named.status(), named.toString());
    PhoneNumber number = TestNumbers.fresh();
    CallSeeder seeder = new CallSeeder(vertx);
    seeder.call(property, number, "+13125550001", Instant.parse("2026-03-02T08:05:00Z"),
        CallSeeder.source(MARKUP, "cpc"), 60);
    String liveId = TestRedis.uniqueId("live");
    CallRecord ringing = CallRecord.started(liveId, liveId + "@trunk", number, MARKUP, property,
            Instant.parse("2026-03-02T08:55:00Z"))
        .withAttribution("lease", null, new Attribution(MARKUP, "cpc", null, null, null, null, null, null, null,
            null, null, null), List.of());
    DniClient.await(seeder.store().apply(new CallEvent(liveId, 0, CallEvent.Type.STARTED, ringing.startedAt(), ringing)));
    Await.until(Duration.ofSeconds(60), () -> api.adminGet("/v1/dashboard?property=" + property).json(),
        s -> s.getJsonArray("liveCalls").size() == 1 && s.getLong("callsToday") == 2);

    JsonObject page = openSignedIn("hostile-dashboard.mjs", "property=" + property);

    assertEquals(new JsonArray(), page.getJsonArray("errors"), "no script errors on the page");
    assertEquals(new JsonArray(), page.getJsonArray("violations"), "no CSP violation: the markup never became DOM");
    assertEquals(0, page.getInteger("injected"), "no element made from the data");
    assertNull(page.getString("pwned"), "no handler ran");
    assertTrue(page.getJsonArray("options").contains("Shop " + MARKUP + " (" + property + ")"), page.encode());
    assertTrue(page.getJsonArray("liveCells").contains(MARKUP), "caller shown as text: " + page.encode());
    assertEquals(MARKUP, page.getJsonArray("liveCells").getString(4), "source shown as text");
    assertTrue(page.getJsonArray("roiSources").contains(MARKUP), page.encode());
  }
}
