package io.calltrack.dni.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.testing.Await;
import io.calltrack.core.testing.TestNumbers;
import io.calltrack.core.testing.TestRedis;
import io.calltrack.dni.testing.DniClient;
import io.calltrack.dni.testing.DniClient.Reply;
import io.calltrack.dni.testing.DniTestBase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The portfolio report over real HTTP and real Redis: three properties in two time zones and two
 * currencies, each property's line the total of its own ROI report (its days cut in its own zone), and
 * one total per currency computed from the summed counts, never from averaged rates.
 */
class PortfolioApiTest extends DniTestBase {

  @Test
  void eachPropertyAsItsOwnReportSaysItAndATotalPerCurrency() {
    String ny = property("America/New_York", "USD");
    String paris = property("Europe/Paris", "USD");
    String berlin = property("Europe/Berlin", "EUR");
    CallSeeder seeder = new CallSeeder(vertx);
    // 03:00 UTC on 2 March: 1 March, 22:00 in New York (outside the range there), 2 March in Europe
    Instant early = Instant.parse("2026-03-02T03:00:00Z");
    Instant noon = Instant.parse("2026-03-02T15:00:00Z");
    seeder.call(ny, TestNumbers.fresh(), "+13125550301", early, CallSeeder.source("google", "cpc"), 30);
    CallRecord nySale = seeder.call(ny, TestNumbers.fresh(), "+13125550302", noon, CallSeeder.source("google", "cpc"), 60);
    seeder.call(ny, TestNumbers.fresh(), "+13125550303", noon.plusSeconds(60), CallSeeder.source("bing", "cpc"), -1);
    CallRecord parisSale = seeder.call(paris, TestNumbers.fresh(), "+33612345601", early, CallSeeder.source("google", "cpc"), 40);
    seeder.call(berlin, TestNumbers.fresh(), "+4915112345601", noon, CallSeeder.source("facebook", "cpc"), 20);
    seeder.call(paris, TestNumbers.fresh(), "+33612345602", noon, null, 10); // no source: not attributed
    outcome(nySale, "300.00");
    outcome(parisSale, "99.99");
    spend(ny, "google,cpc,120.00");
    spend(paris, "google,cpc,33.33");
    for (String p : List.of(ny, paris, berlin)) {
      CallSeeder.awaitConsumerCaughtUp(vertx, p);
    }

    String range = "from=2026-03-02&to=2026-03-02";
    String asked = "/v1/reports/portfolio?" + range + "&properties=" + ny + "," + paris + "," + berlin;
    JsonObject portfolio = Await.until(Duration.ofSeconds(30), () -> api.adminGet(asked).json(),
        j -> j.getJsonArray("properties").stream().map(JsonObject.class::cast)
            .mapToLong(r -> r.getLong("calls")).sum() == 5 && revenueOf(j, ny).equals("300.00"));
    assertEquals("2026-03-02", portfolio.getString("from"));
    Map<String, JsonObject> rows = portfolio.getJsonArray("properties").stream().map(JsonObject.class::cast)
        .collect(Collectors.toMap(r -> r.getString("property"), r -> r));
    assertEquals(3, rows.size());
    for (String p : List.of(ny, paris, berlin)) {
      // the line is the property's own ROI report's total, figure for figure
      JsonObject own = api.adminGet("/v1/reports/roi?property=" + p + "&" + range).json().getJsonObject("total");
      JsonObject line = rows.get(p).copy();
      for (String head : List.of("property", "name", "timezone", "currency", "from", "to")) {
        line.remove(head);
      }
      JsonObject summary = api.adminGet("/v1/reports/summary?property=" + p + "&" + range).json();
      assertEquals(summary.getValue("attributedCalls"), line.remove("attributedCalls"), p);
      assertEquals(summary.getValue("attributionRate"), line.remove("attributionRate"), p);
      assertEquals(own, line, p);
    }
    assertEquals(2, rows.get(ny).getLong("calls"), "the call at 22:00 on 1 March, New York time, is not in the range");
    assertEquals(2, rows.get(paris).getLong("calls"), "04:00 on 2 March in Paris is");
    assertEquals(1, rows.get(paris).getLong("attributedCalls"));
    assertEquals("0.5", rows.get(paris).getValue("attributionRate").toString());
    assertEquals("Europe/Paris", rows.get(paris).getString("timezone"));
    assertEquals("EUR", rows.get(berlin).getString("currency"));

    JsonArray totals = portfolio.getJsonArray("totals");
    assertEquals(List.of("EUR", "USD"), totals.stream().map(t -> ((JsonObject) t).getString("currency")).toList());
    JsonObject usd = totals.getJsonObject(1);
    assertEquals(2, usd.getInteger("properties"));
    assertEquals(4, usd.getLong("calls"));
    assertEquals(3, usd.getLong("answered"));
    assertEquals(3, usd.getLong("attributedCalls"));
    assertEquals("0.75", usd.getValue("attributionRate").toString());
    assertEquals("399.99", usd.getString("revenue"));
    assertEquals("153.33", usd.getString("cost"));
    assertEquals("38.33", usd.getString("costPerCall"), "153.33 / 4 calls, not the mean of 60.00 and 16.67");
    assertEquals("2.609", usd.getValue("roas").toString(), "399.99 / 153.33");
    assertEquals("0.75", usd.getValue("answerRate").toString());
    JsonObject eur = totals.getJsonObject(0);
    assertEquals(1, eur.getLong("calls"));
    assertEquals("0.00", eur.getString("revenue"), "euros are not added to dollars");
    assertEquals(null, eur.getValue("cost"), "no spend given");

    // every property when none is named: ours among them
    JsonObject all = api.adminGet("/v1/reports/portfolio?" + range).json();
    List<String> listed = all.getJsonArray("properties").stream().map(r -> ((JsonObject) r).getString("property")).toList();
    assertTrue(listed.containsAll(List.of(ny, paris, berlin)), listed::toString);

    // CSV: a header, a line per property, a (total) line per currency
    Reply csv = api.adminGet(asked + "&format=csv");
    assertEquals(200, csv.status(), csv::toString);
    String[] lines = csv.text().split("\r\n");
    assertTrue(lines[0].startsWith("property,name,timezone,currency,from,to,attributedCalls,attributionRate,calls,"), lines[0]);
    assertEquals(6, lines.length, csv::text);
    assertTrue(lines[4].startsWith("(total),,,EUR,,,1,1.0000,1,"), lines[4]);
    assertTrue(lines[5].startsWith("(total),,,USD,,,3,0.7500,4,"), lines[5]);

    // refused, and nothing read: a bad day, a backwards range, an unknown property, an API key
    assertEquals(400, api.adminGet("/v1/reports/portfolio?from=2026-3-2").status());
    assertEquals(400, api.adminGet("/v1/reports/portfolio?from=2026-03-03&to=2026-03-02").status());
    assertEquals(400, api.adminGet("/v1/reports/portfolio?from=2025-01-01&to=2026-03-02&properties=" + ny).status());
    Reply unknown = api.adminGet("/v1/reports/portfolio?properties=" + ny + ",nobody-" + ny);
    assertEquals(404, unknown.status(), unknown::toString);
    assertEquals("properties: no property 'nobody-" + ny + "'", unknown.detail());
    Reply key = api.request(HttpMethod.POST, "/v1/api-keys",
        DniClient.body(new JsonObject().put("property", ny).put("scope", "read")), api.admin());
    Reply byKey = api.request(HttpMethod.GET, "/v1/reports/portfolio?properties=" + ny, null,
        DniClient.headers("authorization", "Bearer " + key.json().getString("key")));
    assertEquals(403, byKey.status(), "a key opens one property, not the portfolio: " + byKey);
  }

  private String property(String zone, String currency) {
    String id = TestRedis.uniqueId("pf");
    assertEquals(200, api.adminPut("/v1/properties/" + id,
        propertyBody(TestNumbers.fresh().e164(), ORIGIN).put("timezone", zone)).status());
    assertEquals(200, api.adminPut("/v1/properties/" + id + "/marketing",
        new JsonObject().put("currency", currency)).status());
    return id;
  }

  private void outcome(CallRecord c, String value) {
    Reply r = api.request(HttpMethod.POST, "/v1/calls/" + c.callId() + "/outcome", DniClient.body(new JsonObject()
        .put("qualified", true).put("converted", true).put("value", value)), api.admin());
    assertEquals(200, r.status(), r::toString);
  }

  private void spend(String property, String row) {
    Reply r = api.request(HttpMethod.PUT, "/v1/spend?property=" + property,
        io.vertx.core.buffer.Buffer.buffer("date,source,medium,campaign,amount\n2026-03-02," + row.replaceFirst(",cpc,", ",cpc,,") + "\n"),
        DniClient.headers("authorization", "Bearer " + TOKEN, "content-type", "text/csv"));
    assertEquals(200, r.status(), r::toString);
  }

  private static String revenueOf(JsonObject portfolio, String property) {
    return portfolio.getJsonArray("properties").stream().map(JsonObject.class::cast)
        .filter(r -> property.equals(r.getString("property"))).findFirst().orElseThrow().getString("revenue");
  }
}
