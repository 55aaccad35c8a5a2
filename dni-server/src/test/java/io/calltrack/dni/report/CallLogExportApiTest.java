package io.calltrack.dni.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.attribution.Attribution;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.core.testing.TestNumbers;
import io.calltrack.core.testing.TestRedis;
import io.calltrack.dni.testing.DniClient;
import io.calltrack.dni.testing.DniClient.Reply;
import io.calltrack.dni.testing.DniTestBase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /v1/exports/calls}: the call log as CSV, through the real call store and HTTP: the days cut
 * in the property's time zone (across a daylight-saving change), oldest first, local times with their
 * offset, the outcome in the property's currency, another property's calls left out, the 400s.
 */
class CallLogExportApiTest extends DniTestBase {

  @Test
  void theCallLogOfLocalDaysOldestFirstWithTheirOutcomes() {
    String property = TestRedis.uniqueId("log");
    assertEquals(200, api.adminPut("/v1/properties/" + property,
        propertyBody(TestNumbers.fresh().e164(), ORIGIN).put("timezone", "America/New_York")).status());
    assertEquals(200, api.adminPut("/v1/properties/" + property + "/marketing",
        new JsonObject().put("currency", "CAD")).status());
    String neighbour = TestRedis.uniqueId("log");
    assertEquals(200, api.adminPut("/v1/properties/" + neighbour,
        propertyBody(TestNumbers.fresh().e164(), ORIGIN).put("timezone", "America/New_York")).status());
    CallSeeder seeder = new CallSeeder(vertx);
    PhoneNumber n = TestNumbers.fresh();
    Attribution ad = new Attribution("google", "cpc", "spring", "boiler repair", null, "/boilers?utm_source=google",
        "https://www.google.com/", null, null, null, null, null, "heating", "ad-7");
    // 8 March 2026: clocks go forward at 2:00 in New York; the first call is still EST, the next EDT
    CallRecord night = seeder.call(property, n, "+16175550101", Instant.parse("2026-03-08T05:30:00Z"), ad, 45);
    CallRecord missed = seeder.call(property, n, "+16175550102", Instant.parse("2026-03-08T14:00:00Z"),
        CallSeeder.source("bing", "organic"), -1);
    CallRecord dayBefore = seeder.call(property, n, "+16175550103", Instant.parse("2026-03-08T04:59:59Z"), ad, 10);
    seeder.call(neighbour, n, "+16175550104", Instant.parse("2026-03-08T15:00:00Z"), ad, 10);
    Reply outcome = api.request(HttpMethod.POST, "/v1/calls/" + night.callId() + "/outcome",
        DniClient.body(new JsonObject().put("qualified", true).put("converted", true).put("value", "120.5")), api.admin());
    assertEquals(200, outcome.status(), outcome::toString);

    Reply r = api.adminGet("/v1/exports/calls?property=" + property + "&from=2026-03-08&to=2026-03-08");
    assertEquals(200, r.status(), r::toString);
    assertTrue(r.header("content-type").startsWith("text/csv"), r::toString);
    assertTrue(r.header("content-disposition").contains("calls-" + property + "-2026-03-08-2026-03-08.csv"));
    assertEquals(List.of(
        "callId,startedAt,number,caller,direction,status,ringSeconds,durationSeconds,source,medium,campaign,keyword,"
            + "content,adGroup,ad,landingPage,referrer,region,confidence,qualified,converted,value,currency,spamSignals",
        night.callId() + ",2026-03-08T00:30:00-05:00," + n.e164() + ",+16175550101,inbound,answered,3,45,google,cpc,"
            + "spring,boiler repair,,heating,ad-7,/boilers?utm_source=google,https://www.google.com/,,,true,true,"
            + "120.50,CAD,",
        missed.callId() + ",2026-03-08T10:00:00-04:00," + n.e164() + ",+16175550102,inbound,missed,,0,bing,organic,"
            + ",,,,,/landing,,,,,,,,"), List.of(r.text().split("\r\n")));
    // the call a second before local midnight is the day before's
    String before = api.adminGet("/v1/exports/calls?property=" + property + "&from=2026-03-07&to=2026-03-07").text();
    assertEquals(2, before.split("\r\n").length, before);
    assertTrue(before.contains(dayBefore.callId() + ",2026-03-07T23:59:59-05:00,"), before);

    Reply backwards = api.adminGet("/v1/exports/calls?property=" + property + "&from=2026-03-09&to=2026-03-08");
    assertEquals(400, backwards.status(), backwards::toString);
    assertEquals(404, api.adminGet("/v1/exports/calls?property=no-such-property").status());
  }
}
