package io.calltrack.dni.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.testing.TestNumbers;
import io.calltrack.dni.testing.DniClient.Reply;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The figures a marketer compares with other published tables (the ad platforms', the CRM's, a
 * spreadsheet's): exact to the cent at the largest amounts the API takes, on the property's local days,
 * the same in CSV as in JSON. Real calls through the real call store and rollup consumer, real HTTP.
 */
class RoiFiguresApiTest extends RoiTestBase {

  private Reply outcome(CallRecord call, boolean converted, String value) {
    return adminPost("/v1/calls/" + call.callId() + "/outcome",
        new JsonObject().put("qualified", true).put("converted", converted).put("value", value));
  }

  /**
   * The largest values the API takes have 15 and 16 digits of cents; a call's changed outcome moves
   * the rollups by the difference to what the call added before, so that earlier figure must have been
   * kept to the cent.
   */
  @Test
  void largeOutcomeValuesChangedLaterLeaveExactRevenue() {
    String property = newProperty("UTC");
    CallSeeder seeder = new CallSeeder(vertx);
    Instant at = Instant.parse("2026-03-02T10:00:00Z");
    String caller = TestNumbers.fresh().e164(); // erased below: a number no other test's call has
    CallRecord a = seeder.call(property, TestNumbers.fresh(), caller, at, CallSeeder.source("google", "cpc"), 30);
    CallRecord b = seeder.call(property, TestNumbers.fresh(), "+14155550102", at, CallSeeder.source("bing", "cpc"), 30);
    String q = "property=" + property + "&from=2026-03-02&to=2026-03-02";
    reportWhenCounted(q, 2);
    CallSeeder.awaitConsumerCaughtUp(vertx, property);

    assertEquals(200, outcome(a, true, "1234567890123.45").status());
    assertEquals(200, outcome(b, true, "9999999999999.99").status());
    assertEquals("11234567890123.44", report(q).getJsonObject("total").getString("revenue"));
    // an erasure rewrites the stored contribution (the caller becomes a token): its counts stay exact too
    Reply erased = api.request(HttpMethod.DELETE, "/v1/callers/%2B" + caller.substring(1), null, api.admin());
    assertEquals(200, erased.status(), erased::toString);
    // changed twice: each change takes back exactly what the call added before
    assertEquals(200, outcome(a, true, "1.00").status());
    assertEquals(200, outcome(b, true, "2.00").status());
    assertEquals(200, outcome(b, false, "0.10").status());
    JsonObject rep = report(q);
    assertEquals("1.10", rep.getJsonObject("total").getString("revenue"), rep::encodePrettily);
    assertEquals("1.00", row(rep, "source", "google").getString("revenue"));
    assertEquals("0.10", row(rep, "source", "bing").getString("revenue"));
    assertEquals(1, rep.getJsonObject("total").getInteger("conversions"));
  }
}
