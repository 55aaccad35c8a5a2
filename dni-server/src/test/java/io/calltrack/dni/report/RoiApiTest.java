package io.calltrack.dni.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.attribution.Attribution;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.core.testing.Await;
import io.calltrack.core.testing.TestNumbers;
import io.calltrack.core.testing.TestRedis;
import io.calltrack.dni.testing.DniClient;
import io.calltrack.dni.testing.DniClient.Reply;
import io.calltrack.dni.testing.DniTestBase;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The ROI API end to end over real HTTP and real Redis: calls written as the router writes them, rolled
 * up by the server's stream consumer, outcomes and spend sent through the API, reports read back.
 */
class RoiApiTest extends RoiTestBase {

  @Test
  void workedExampleFromTheFixture() throws IOException {
    JsonObject fixture;
    try (InputStream in = getClass().getResourceAsStream("/fixtures/roi-example.json")) {
      fixture = new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
    String property = newProperty("America/Chicago");
    CallSeeder seeder = new CallSeeder(vertx);
    int total = fixture.getJsonObject("calls").getInteger("total");
    int qualified = fixture.getJsonObject("calls").getInteger("qualified");
    String value = fixture.getJsonObject("calls").getString("valuePerQualifiedCall");
    String[] sources = {"google", "facebook", "print"};
    String[] media = {"cpc", "paid-social", "offline"};
    PhoneNumber number = TestNumbers.fresh();
    List<CallRecord> calls = new ArrayList<>();
    Instant start = Instant.parse("2026-03-02T15:00:00Z"); // 09:00 in Chicago
    for (int i = 0; i < total; i++) {
      calls.add(seeder.call(property, number, "+1312555" + String.format("%04d", i), start.plusSeconds(60L * i),
          CallSeeder.source(sources[i % 3], media[i % 3]), i % 5 == 4 ? -1 : 30));
    }
    String day = "from=2026-03-02&to=2026-03-02&property=" + property;
    reportWhenCounted(day, total);

    // spend from the fixture, on the calls' day: half as JSON, half as CSV (two account-level rows)
    JsonArray spend = fixture.getJsonArray("spend");
    JsonArray json = new JsonArray();
    StringBuilder text = new StringBuilder("date,source,medium,campaign,amount\n");
    for (int i = 0; i < spend.size(); i++) {
      JsonObject s = spend.getJsonObject(i);
      if (i < 2) {
        json.add(new JsonObject().put("date", "2026-03-02").put("source", s.getString("source"))
            .put("medium", s.getString("medium")).put("amount", s.getString("amount")));
      } else {
        text.append("2026-03-02,").append(s.getString("source")).append(',').append(s.getString("medium"))
            .append(",,").append(s.getString("amount")).append('\n');
      }
    }
    // JSON and CSV are two uploads of the same day: the second replaces the first, so send all as CSV
    // after checking that a JSON upload is accepted on its own
    Reply j = api.adminPut("/v1/spend?property=" + property, json);
    assertEquals(200, j.status(), j.toString());
    assertEquals("7000.00", j.json().getString("amount"));
    for (int i = 0; i < 2; i++) {
      JsonObject s = spend.getJsonObject(i);
      text.append("2026-03-02,").append(s.getString("source")).append(',').append(s.getString("medium"))
          .append(",,").append(s.getString("amount")).append('\n');
    }
    Reply c = csv(HttpMethod.PUT, "/v1/spend?property=" + property, text.toString());
    assertEquals(200, c.status(), c.toString());
    assertEquals("7700.00", c.json().getString("amount"));
    assertEquals(new JsonArray().add("2026-03-02"), c.json().getJsonArray("days"));

    // 100 qualified calls at 200.00, as a CRM's CSV upload
    StringBuilder outcomes = new StringBuilder("callId,qualified,converted,value\n");
    for (int i = 0; i < qualified; i++) {
      outcomes.append(calls.get(i).callId()).append(",true,false,").append(value).append('\n');
    }
    Reply o = csv(HttpMethod.POST, "/v1/outcomes", outcomes.toString());
    assertEquals(200, o.status(), o.toString());
    assertEquals(qualified, o.json().getInteger("applied"));

    JsonObject expected = fixture.getJsonObject("expected").getJsonObject("total");
    JsonObject rep = report(day + "&groupBy=source");
    JsonObject t = rep.getJsonObject("total");
    assertEquals(total, t.getInteger("calls"));
    assertEquals(qualified, t.getInteger("qualified"));
    assertEquals(expected.getString("revenue"), t.getString("revenue"));
    assertEquals(expected.getString("cost"), t.getString("cost"));
    // ROAS 20000/7700 = 2.5974… rounded half-up to 3 places; ROI % to 2 places
    assertEquals(0, new BigDecimal(expected.getValue("roas").toString()).compareTo(new BigDecimal(t.getValue("roas").toString())));
    String raw = api.adminGet("/v1/reports/roi?" + day + "&groupBy=source").text();
    assertTrue(raw.contains("\"roas\":2.597,\"roiPercent\":159.74"), raw);
    assertEquals(0, new BigDecimal(expected.getValue("roiPercent").toString()).compareTo(new BigDecimal(t.getValue("roiPercent").toString())));
    assertEquals("15.40", t.getString("costPerCall"));
    assertEquals("77.00", t.getString("costPerQualifiedCall"));
    assertNull(t.getValue("costPerConversion"), "no conversions: null, not 0 or infinity");
    // unique callers come from HyperLogLogs: within their ~1 % standard error, not exact
    assertTrue(Math.abs(t.getInteger("uniqueCallers") - total) <= total * 0.03, t.encode());
    assertEquals(total, t.getInteger("firstTimeCallers"));
    assertEquals(0, new BigDecimal("0.8").compareTo(new BigDecimal(t.getValue("answerRate").toString())));
    assertEquals(0, new BigDecimal("0.2").compareTo(new BigDecimal(t.getValue("qualifiedRate").toString())));

    // by source: each source costs what its rows cost; the account-level 200.00 is in the total only
    assertEquals("5000.00", row(rep, "source", "google").getString("cost"));
    assertEquals("2000.00", row(rep, "source", "facebook").getString("cost"));
    assertEquals("500.00", row(rep, "source", "print").getString("cost"));
    assertEquals(167, row(rep, "source", "google").getInteger("calls"));
    // by keyword: no spend was given at that level
    JsonObject byKeyword = report(day + "&groupBy=keyword");
    assertNull(row(byKeyword, "keyword", null).getValue("cost"));
    assertEquals("7700.00", byKeyword.getJsonObject("total").getString("cost"));
    // by medium
    assertEquals("2000.00", row(report(day + "&groupBy=medium"), "medium", "paid-social").getString("cost"));

    // CSV: header, a row per source, the total last
    Reply csvReport = api.adminGet("/v1/reports/roi?" + day + "&groupBy=source&format=csv");
    assertEquals(200, csvReport.status());
    assertTrue(csvReport.header("content-type").startsWith("text/csv"));
    String[] lines = csvReport.text().split("\r\n");
    assertEquals("source,calls,uniqueCallers,firstTimeCallers,answered,missed,qualified,conversions,revenue,cost,"
        + "costPerCall,costPerQualifiedCall,costPerConversion,revenuePerCall,roas,roiPercent,answerRate,"
        + "qualifiedRate,callToSaleRate," + String.join(",", io.calltrack.core.report.RoiRow.FIELDS.subList(18,
            io.calltrack.core.report.RoiRow.FIELDS.size())), lines[0]);
    assertEquals("repeatCalls", io.calltrack.core.report.RoiRow.FIELDS.get(18), "the ROI fields come first");
    assertEquals(5, lines.length);
    String[] totalLine = lines[4].split(",", -1);
    totalLine[2] = "~"; // uniqueCallers: a HyperLogLog estimate
    assertEquals("(total),500,~,500,400,100,100,0,20000.00,7700.00,15.40,77.00,,40.00,2.597,159.74,0.8000,0.2000,0.0000",
        String.join(",", java.util.Arrays.copyOfRange(totalLine, 0, 19)), "the ROI columns");
    assertEquals(lines[0].split(",").length, totalLine.length, "every column in the total row");
  }

  @Test
  void outcomeChangedThreeTimesCountsOnceAndSpendReuploadReplacesTheDay() {
    String property = newProperty("UTC");
    CallSeeder seeder = new CallSeeder(vertx);
    CallRecord call = seeder.call(property, TestNumbers.fresh(), "+14155550100", Instant.parse("2026-03-02T10:00:00Z"),
        CallSeeder.source("google", "cpc"), 45);
    String q = "property=" + property + "&from=2026-03-02&to=2026-03-02";
    reportWhenCounted(q, 1);
    for (String[] o : new String[][] {{"true", "true", "100.00"}, {"true", "false", "20.50"}, {"true", "true", "500.00"}}) {
      Reply r = adminPost("/v1/calls/" + call.callId() + "/outcome", new JsonObject()
          .put("qualified", Boolean.parseBoolean(o[0])).put("converted", Boolean.parseBoolean(o[1]))
          .put("value", o[2]).put("currency", "usd"));
      assertEquals(200, r.status(), r.toString());
      assertEquals(o[2], r.json().getJsonObject("outcome").getString("value"));
      assertEquals("USD", r.json().getJsonObject("outcome").getString("currency"));
    }
    assertEquals(200, api.adminPut("/v1/spend?property=" + property,
        new JsonArray().add(Map.of("date", "2026-03-02", "source", "google", "amount", "300.00"))).status());
    Reply again = api.adminPut("/v1/spend?property=" + property,
        new JsonObject().put("rows", new JsonArray().add(Map.of("date", "2026-03-02", "source", "google", "amount", "100"))));
    assertEquals(200, again.status(), again.toString());

    String raw = api.adminGet("/v1/reports/roi?" + q).text();
    assertTrue(raw.contains("\"roas\":5.000,\"roiPercent\":400.00"), "ROAS to 3 places, ROI % to 2: " + raw);
    JsonObject google = row(report(q), "source", "google");
    assertEquals(1, google.getInteger("calls"));
    assertEquals(1, google.getInteger("answered"));
    assertEquals(1, google.getInteger("qualified"));
    assertEquals(1, google.getInteger("conversions"));
    assertEquals("500.00", google.getString("revenue"));
    assertEquals("100.00", google.getString("cost"));
    assertEquals(0, new BigDecimal("5").compareTo(new BigDecimal(google.getValue("roas").toString())));
    assertEquals(0, new BigDecimal("400").compareTo(new BigDecimal(google.getValue("roiPercent").toString())));
    // later the stream consumer delivers the outcome entries too: nothing changes
    CallSeeder.awaitConsumerCaughtUp(vertx, property);
    assertEquals("500.00", row(report(q), "source", "google").getString("revenue"));
  }

  @Test
  void directionSplitsInboundCallsFromCallbacks() {
    String property = newProperty("UTC");
    CallSeeder seeder = new CallSeeder(vertx);
    PhoneNumber number = TestNumbers.fresh();
    Instant t = Instant.parse("2026-03-03T10:00:00Z");
    seeder.call(property, number, "+14155550101", t, CallSeeder.source("google", "cpc"), 10);
    seeder.call(property, number, "+14155550102", t.plusSeconds(60), CallSeeder.source("google", "cpc"), -1);
    seeder.callback(property, "+14155550103", t.plusSeconds(120), CallSeeder.source("google", "cpc"), 30);
    String q = "property=" + property + "&from=2026-03-03&to=2026-03-03";
    reportWhenCounted(q, 3);

    JsonObject byDirection = report(q + "&groupBy=direction");
    assertEquals("direction", byDirection.getString("groupBy"));
    JsonObject inbound = row(byDirection, "direction", "inbound");
    assertEquals(2, inbound.getInteger("calls"));
    assertEquals(1, inbound.getInteger("answered"));
    assertEquals(1, inbound.getInteger("missed"));
    JsonObject callbacks = row(byDirection, "direction", "callback");
    assertEquals(1, callbacks.getInteger("calls"));
    assertEquals(1, callbacks.getInteger("answered"));
    assertEquals(2, byDirection.getJsonArray("rows").size(), byDirection.encode());
    JsonObject byDirectionAndDay = report(q + "&groupBy=direction,day");
    assertEquals(1, row(byDirectionAndDay, "direction", "callback").getInteger("calls"));
    String csvText = api.adminGet("/v1/reports/roi?" + q + "&groupBy=direction&format=csv").text();
    assertTrue(csvText.startsWith("direction,calls,"), csvText);
    assertTrue(csvText.contains("\r\ncallback,1,"), csvText);
  }

  /**
   * Speed to lead: of the web callback requests, how many leads were reached and how fast, from the
   * form to the lead's answer (not from the dialling: a callback waiting for the line counts).
   */
  @Test
  void callbackSpeedToLeadCountsFromTheRequestToTheLeadsAnswer() {
    String property = newProperty("UTC");
    CallSeeder seeder = new CallSeeder(vertx);
    Instant t = Instant.parse("2026-03-04T10:00:00Z");
    Attribution google = CallSeeder.source("google", "cpc");
    seeder.call(property, TestNumbers.fresh(), "+14155550101", t, google, 10); // inbound: not a callback
    seeder.callback(property, "+14155550102", t, t.plusSeconds(60), google, 30);   // reached 68 s after the form
    seeder.callback(property, "+14155550103", t, t.plusSeconds(592), google, 30);  // 600 s: past five minutes
    seeder.callback(property, "+14155550104", t, t.plusSeconds(5), google, -1);    // not answered
    seeder.callback(property, "+14155550105", t, t.plusSeconds(10), CallSeeder.source("bing", "cpc"), 5); // 18 s
    String q = "property=" + property + "&from=2026-03-04&to=2026-03-04";
    reportWhenCounted(q, 5);

    JsonObject bySource = report(q + "&groupBy=source");
    JsonObject g = row(bySource, "source", "google");
    assertEquals(3, g.getInteger("callbacks"), g::encode);
    assertEquals(2, g.getInteger("callbacksConnected"), g::encode);
    assertEquals(0, new BigDecimal("334.0").compareTo(new BigDecimal(g.getValue("averageCallbackSpeedSeconds").toString())), g::encode);
    assertEquals(0, new BigDecimal("0.3333").compareTo(new BigDecimal(g.getValue("callbacksWithin5MinutesRate").toString())), g::encode);
    JsonObject total = bySource.getJsonObject("total");
    assertEquals(4, total.getInteger("callbacks"), total::encode);
    assertEquals(3, total.getInteger("callbacksConnected"));
    assertEquals(0, new BigDecimal("228.7").compareTo(new BigDecimal(total.getValue("averageCallbackSpeedSeconds").toString())), total::encode);
    assertEquals(0, new BigDecimal("0.5").compareTo(new BigDecimal(total.getValue("callbacksWithin5MinutesRate").toString())), total::encode);
    JsonObject inbound = row(report(q + "&groupBy=direction"), "direction", "inbound");
    assertEquals(0, inbound.getInteger("callbacks"));
    assertNull(inbound.getValue("averageCallbackSpeedSeconds"), inbound::encode);
    String csvText = api.adminGet("/v1/reports/roi?" + q + "&groupBy=source&format=csv").text();
    assertTrue(csvText.lines().findFirst().orElse("").contains(",callbacks,callbacksConnected,averageCallbackSpeedSeconds,callbacksWithin5MinutesRate"), csvText);
  }

  @Test
  void reportsAreBrokenDownAndFilteredByConfidence() {
    String property = newProperty("UTC");
    CallSeeder seeder = new CallSeeder(vertx);
    PhoneNumber number = TestNumbers.fresh();
    Instant t = Instant.parse("2026-03-02T10:00:00Z");
    seeder.call(property, number, "+14155550101", t, CallSeeder.source("google", "cpc"), 10, "exact");
    seeder.call(property, number, "+14155550102", t.plusSeconds(60), CallSeeder.source("google", "cpc"), 10,
        "probable");
    seeder.call(property, number, "+14155550103", t.plusSeconds(120), CallSeeder.source("bing", "cpc"), -1, "exact");
    seeder.call(property, number, "+14155550104", t.plusSeconds(180), CallSeeder.source("bing", "cpc"), 10,
        "channel");
    String q = "property=" + property + "&from=2026-03-02&to=2026-03-02";
    reportWhenCounted(q, 4);
    Reply spend = csv(HttpMethod.PUT, "/v1/spend?property=" + property,
        "date,source,medium,campaign,amount\n2026-03-02,google,cpc,,100.00\n");
    assertEquals(200, spend.status(), spend.toString());

    JsonObject byConfidence = report(q + "&groupBy=confidence");
    assertEquals(2, row(byConfidence, "confidence", "exact").getInteger("calls"));
    assertEquals(1, row(byConfidence, "confidence", "probable").getInteger("calls"));
    assertEquals(1, row(byConfidence, "confidence", "channel").getInteger("calls"));
    assertEquals(4, byConfidence.getJsonObject("total").getInteger("calls"));

    JsonObject exact = report(q + "&groupBy=source&confidence=exact");
    assertEquals(new JsonArray().add("exact"), exact.getJsonArray("confidence"));
    assertEquals(1, row(exact, "source", "google").getInteger("calls"));
    assertEquals(1, row(exact, "source", "bing").getInteger("calls"));
    assertEquals(0, row(exact, "source", "bing").getInteger("answered"));
    assertEquals(2, exact.getJsonObject("total").getInteger("calls"));
    assertEquals(1, exact.getJsonObject("total").getInteger("answered"));
    assertNull(exact.getJsonObject("total").getValue("cost"), "spend is not split by confidence");
    assertNull(row(exact, "source", "google").getValue("cost"));
    // unfiltered, the same report has the cost and every call
    assertEquals("100.00", report(q + "&groupBy=source").getJsonObject("total").getString("cost"));

    JsonObject sure = report(q + "&confidence=exact,probable");
    assertEquals(2, row(sure, "source", "google").getInteger("calls"));
    assertEquals(1, row(sure, "source", "bing").getInteger("calls"));
    assertEquals(3, sure.getJsonObject("total").getInteger("calls"));
    assertEquals(3, sure.getJsonObject("total").getInteger("uniqueCallers"), sure.encode());
    JsonObject byDay = report(q + "&groupBy=day&confidence=channel");
    assertEquals(1, row(byDay, "day", "2026-03-02").getInteger("calls"));
    JsonObject oneConfidence = report(q + "&groupBy=confidence&confidence=probable");
    assertEquals(1, oneConfidence.getJsonArray("rows").size());
    assertEquals(1, oneConfidence.getJsonObject("total").getInteger("calls"));
    String csvText = api.adminGet("/v1/reports/roi?" + q + "&groupBy=source&confidence=exact&format=csv").text();
    assertTrue(csvText.contains("\r\n(total),2,"), csvText);

    Reply bad = api.adminGet("/v1/reports/roi?" + q + "&confidence=sure");
    assertEquals(400, bad.status(), bad.toString());
    assertTrue(bad.json().getString("detail").contains("exact|channel|probable|ambiguous|unattributed"), bad.toString());
    assertEquals(400, api.adminGet("/v1/reports/roi?" + q + "&groupBy=hour&confidence=exact").status());
    assertEquals(400, api.adminGet("/v1/reports/roi?" + q + "&groupBy=region&confidence=exact").status());
    assertEquals(400, api.adminGet("/v1/reports/roi?" + q + "&model=first&confidence=exact").status());
  }

  @Test
  void badInputIsRefusedWholeWithRowNumbers() {
    String property = newProperty("UTC");
    CallSeeder seeder = new CallSeeder(vertx);
    CallRecord a = seeder.call(property, TestNumbers.fresh(), "+14155550101", Instant.parse("2026-03-02T10:00:00Z"),
        CallSeeder.source("google", "cpc"), 10);
    String q = "property=" + property + "&from=2026-03-02&to=2026-03-02";
    reportWhenCounted(q, 1);
    Reply bad = csv(HttpMethod.POST, "/v1/outcomes", "callId,qualified,converted,value\n"
        + a.callId() + ",true,true,10.00\n"
        + "no-such-call,true,true,5.00\n");
    assertEquals(400, bad.status(), bad.toString());
    assertTrue(bad.json().getString("detail").contains("row 3"), bad.toString());
    Reply bad2 = csv(HttpMethod.POST, "/v1/outcomes", "callId,qualified,converted,value\n"
        + a.callId() + ",maybe,true,10.00\n"
        + a.callId() + "x,true,true,1.001\n");
    assertEquals(400, bad2.status());
    assertTrue(bad2.json().getString("detail").contains("bad rows 2,3"), bad2.toString());
    assertEquals("0.00", report(q).getJsonObject("total").getString("revenue"), "nothing was applied");

    Reply badSpend = csv(HttpMethod.PUT, "/v1/spend?property=" + property,
        "date,source,medium,campaign,amount\n2026-03-02,google,cpc,,10.00\n2026-13-01,bing,,,5\n2026-03-03,x,,,-1\n");
    assertEquals(400, badSpend.status());
    assertTrue(badSpend.json().getString("detail").contains("bad rows 3,4"), badSpend.toString());
    assertNull(report(q).getJsonObject("total").getValue("cost"), "no spend stored");

    assertEquals(400, adminPost("/v1/calls/" + a.callId() + "/outcome", new JsonObject().put("value", "abc")).status());
    assertEquals(400, adminPost("/v1/calls/" + a.callId() + "/outcome", new JsonObject().put("value", "1.234")).status());
    assertEquals(400, adminPost("/v1/calls/" + a.callId() + "/outcome", new JsonObject().put("currency", "XX")).status());
    assertEquals(404, adminPost("/v1/calls/nope/outcome", new JsonObject().put("qualified", true)).status());
    assertEquals(400, api.adminGet("/v1/reports/roi?" + q + "&groupBy=color").status());
    assertEquals(400, api.adminGet("/v1/reports/roi?property=" + property + "&from=2026-03-05&to=2026-03-01").status());
    assertEquals(404, api.adminGet("/v1/reports/roi?property=nope-" + property).status());
    assertEquals(401, api.get("/v1/reports/roi?" + q).status());
  }

  Reply jsonText(HttpMethod method, String path, String text) {
    MultiMap h = DniClient.headers("authorization", "Bearer " + TOKEN, "content-type", "application/json");
    return api.request(method, path, Buffer.buffer(text), h);
  }

  String cost(String property, String day) {
    Object cost = report("property=" + property + "&from=" + day + "&to=" + day).getJsonObject("total").getValue("cost");
    return cost == null ? null : cost.toString();
  }

  @Test
  void spendPastTheMaximumIsRefusedBeforeTheStoredDayIsTouched() {
    String property = newProperty("UTC");
    String path = "/v1/spend?property=" + property;
    assertEquals(200, csv(HttpMethod.PUT, path, "2026-03-02,google,cpc,spring,100.00\n").status());

    // each under the maximum, their sum (what Redis would HINCRBY) over it: row 3 named, nothing written
    Reply sum = csv(HttpMethod.PUT, path, "date,source,medium,campaign,amount\n"
        + "2026-03-02,google,cpc,spring,9000000000000.00\n2026-03-02,google,cpc,spring,1000000000000.01\n");
    assertEquals(400, sum.status(), sum.toString());
    assertTrue(sum.json().getString("detail").startsWith("bad rows 3 "), sum.toString());
    assertTrue(sum.json().getString("detail").contains("2026-03-02 google/cpc/spring add up to more than 10000000000000.00"),
        sum.toString());
    // the review's case: two rows under a long's cents, their sum past it
    Reply huge = csv(HttpMethod.PUT, path,
        "2026-03-02,google,cpc,spring,90000000000000000.00\n2026-03-02,google,cpc,spring,90000000000000000.00\n");
    assertEquals(400, huge.status(), huge.toString());
    assertTrue(huge.json().getString("detail").contains("row 1: amount is too large (at most 10000000000000.00)"),
        huge.toString());
    assertEquals("100.00", cost(property, "2026-03-02"), "the stored day is unchanged");

    // at the maximum in many campaigns: a day's rows together are held to the maximum too, so that a
    // report's sums of up to 400 days stay exact (10^19 cents in all would wrap a long at 9.2 * 10^18)
    StringBuilder many = new StringBuilder();
    for (int i = 0; i < 10_000; i++) {
      many.append("2026-03-03,google,cpc,c").append(i).append(",10000000000000.00\n");
    }
    Reply total = csv(HttpMethod.PUT, path, many.toString());
    assertEquals(400, total.status(), total.toString());
    assertTrue(total.json().getString("detail").contains(
        "row 2: the amounts of 2026-03-03 (all its rows) add up to more than 10000000000000.00"), total.toString());
    // a day at its maximum over two campaigns, another one beside it: the report's total is exact
    Reply two = csv(HttpMethod.PUT, path, "2026-03-03,google,cpc,a,6000000000000.00\n"
        + "2026-03-03,bing,cpc,b,4000000000000.00\n2026-03-04,google,cpc,a,10000000000000.00\n");
    assertEquals(200, two.status(), two.toString());
    assertEquals("20000000000000.00", two.json().getString("amount"));
    JsonObject roi = api.adminGet("/v1/reports/roi?property=" + property + "&from=2026-03-03&to=2026-03-04").json();
    assertEquals("20000000000000.00", roi.getJsonObject("total").getString("cost"), roi::encode);
  }

  @Test
  void numericSpendAmountsFollowTheRulesOfStrings() {
    String property = newProperty("UTC");
    String path = "/v1/spend?property=" + property;
    Reply places = jsonText(HttpMethod.PUT, path, "[{\"date\": \"2026-03-02\", \"source\": \"google\", \"amount\": 5.00},"
        + " {\"date\": \"2026-03-02\", \"source\": \"bing\", \"amount\": 5000.0000000000001}]");
    assertEquals(400, places.status(), places.toString());
    assertTrue(places.json().getString("detail").contains("row 2: amount has more than two decimal places"), places.toString());
    Reply big = jsonText(HttpMethod.PUT, path, "{\"rows\": [{\"date\": \"2026-03-02\", \"amount\": 12345678901234567.89}]}");
    assertEquals(400, big.status(), big.toString());
    assertTrue(big.json().getString("detail").contains("row 1: amount is too large"), big.toString());
    assertNull(cost(property, "2026-03-02"), "nothing stored");

    Reply ok = jsonText(HttpMethod.PUT, path, "[{\"date\": \"2026-03-02\", \"source\": \"google\", \"amount\": 1234.5}]");
    assertEquals(200, ok.status(), ok.toString());
    assertEquals("1234.50", ok.json().getString("amount"));
    assertEquals("1234.50", cost(property, "2026-03-02"));
  }

  @Test
  void csvWithAByteOrderMarkIsAccepted() {
    String property = newProperty("UTC");
    CallRecord a = new CallSeeder(vertx).call(property, TestNumbers.fresh(), "+14155550101",
        Instant.parse("2026-03-02T10:00:00Z"), CallSeeder.source("google", "cpc"), 10);
    String q = "property=" + property + "&from=2026-03-02&to=2026-03-02";
    reportWhenCounted(q, 1);
    // Excel's "CSV UTF-8"
    Reply spend = csv(HttpMethod.PUT, "/v1/spend?property=" + property,
        "\uFEFFdate,source,medium,campaign,amount\r\n2026-03-02,google,cpc,,7.00\r\n");
    assertEquals(200, spend.status(), spend.toString());
    assertEquals(1, spend.json().getInteger("rows"));
    Reply outcomes = csv(HttpMethod.POST, "/v1/outcomes",
        "\uFEFFcallId,qualified,converted,value\r\n" + a.callId() + ",true,true,10.00\r\n");
    assertEquals(200, outcomes.status(), outcomes.toString());
    assertEquals(1, outcomes.json().getInteger("applied"));
    JsonObject total = report(q).getJsonObject("total");
    assertEquals("7.00", total.getString("cost"));
    assertEquals("10.00", total.getString("revenue"));
  }

  /**
   * Paid visits land on their page with the click's parameters (utm_*, a gclid unique to the click):
   * grouped by the page as landed on, each paid call was a landing page of its own, and spend given
   * for the page joined none of them.
   */
  @Test
  void landingPagesAreReportedWithoutTheParametersOfTheClick() {
    String property = newProperty("UTC");
    CallSeeder seeder = new CallSeeder(vertx);
    PhoneNumber n = TestNumbers.fresh();
    for (String landed : List.of("/boilers?utm_source=google&utm_medium=cpc&gclid=Cj1", "/boilers?gclid=Cj2#quote",
        "/index.php?page=boilers&gclid=Cj3")) {
      seeder.call(property, n, "+13125550111", Instant.parse("2026-03-02T10:00:00Z"),
          new Attribution("google", "cpc", "boilers", null, null, landed, null, null, null, null, null, null), 30);
    }
    String q = "property=" + property + "&from=2026-03-02&to=2026-03-02";
    reportWhenCounted(q, 3);
    assertEquals(200, csv(HttpMethod.PUT, "/v1/spend?property=" + property,
        "date,source,medium,campaign,landingPage,amount\n2026-03-02,google,cpc,boilers,/boilers?utm_source=google,30.00\n")
        .status());
    JsonArray rows = report(q + "&groupBy=landingPage").getJsonArray("rows");
    java.util.Map<String, JsonObject> byPage = new java.util.HashMap<>();
    rows.forEach(r -> byPage.put(((JsonObject) r).getString("landingPage"), (JsonObject) r));
    assertEquals(java.util.Set.of("/boilers", "/index.php?page=boilers"), byPage.keySet(), rows::encode);
    assertEquals(2, byPage.get("/boilers").getInteger("calls"));
    assertEquals("30.00", byPage.get("/boilers").getString("cost"));
    assertEquals("15.00", byPage.get("/boilers").getString("costPerCall"));
  }

  /**
   * Ad platforms and spreadsheets capitalise as they like: spend for "Google" / "CPC" pays for the calls
   * from google / cpc, unless the calls themselves use more than one spelling of it.
   */
  @Test
  void spendJoinsTheCallsItPaysForWhateverItsCase() {
    String property = newProperty("UTC");
    CallSeeder seeder = new CallSeeder(vertx);
    Instant at = Instant.parse("2026-03-02T10:00:00Z");
    seeder.call(property, TestNumbers.fresh(), "+14155550101", at, CallSeeder.source("google", "cpc"), 10);
    seeder.call(property, TestNumbers.fresh(), "+14155550102", at, CallSeeder.source("Facebook", "paid"), 10);
    seeder.call(property, TestNumbers.fresh(), "+14155550103", at, CallSeeder.source("facebook", "paid"), 10);
    String q = "property=" + property + "&from=2026-03-02&to=2026-03-02";
    reportWhenCounted(q, 3);
    Reply spend = csv(HttpMethod.PUT, "/v1/spend?property=" + property, "date,source,medium,amount\n"
        + "2026-03-02,Google,CPC,20.00\n2026-03-02,GOOGLE,cpc,5.00\n2026-03-02,FACEBOOK,Paid,7.00\n"
        + "2026-03-02,facebook,paid,3.00\n");
    assertEquals(200, spend.status(), spend.toString());
    JsonObject bySource = report(q + "&groupBy=source");
    assertEquals(1, row(bySource, "source", "google").getInteger("calls"));
    assertEquals("25.00", row(bySource, "source", "google").getString("cost"));
    assertEquals("25.00", row(bySource, "source", "google").getString("costPerCall"));
    assertEquals("3.00", row(bySource, "source", "facebook").getString("cost"));
    assertNull(row(bySource, "source", "Facebook").getValue("cost"), bySource::encode);
    JsonObject ambiguous = row(bySource, "source", "FACEBOOK"); // which of the two did it pay for?
    assertEquals(0, ambiguous.getInteger("calls"));
    assertEquals("7.00", ambiguous.getString("cost"));
    assertEquals(4, bySource.getJsonArray("rows").size(), bySource::encode);
    assertEquals("35.00", bySource.getJsonObject("total").getString("cost"));
    JsonObject byMedium = report(q + "&groupBy=medium,day");
    assertEquals("25.00", row(byMedium, "medium", "cpc").getString("cost"));
    assertEquals("10.00", row(byMedium, "medium", "paid").getString("cost"));
    assertEquals(2, byMedium.getJsonArray("rows").size(), byMedium::encode);
  }

  /** Exports from spreadsheets and CRMs put columns where they like: the header says which is which. */
  @Test
  void uploadsReadTheirHeadersColumnsByName() {
    String property = newProperty("UTC");
    CallRecord a = new CallSeeder(vertx).call(property, TestNumbers.fresh(), "+14155550101",
        Instant.parse("2026-03-02T10:00:00Z"), CallSeeder.source("google", "cpc"), 10);
    String q = "property=" + property + "&from=2026-03-02&to=2026-03-02";
    reportWhenCounted(q, 1);
    Reply unknown = csv(HttpMethod.POST, "/v1/outcomes", "callId,converted,value,notes\n" + a.callId() + ",true,80.00,x\n");
    assertEquals(400, unknown.status(), unknown.toString());
    assertTrue(unknown.json().getString("detail").contains("unknown column 'notes'"), unknown.toString());
    Reply outcomes = csv(HttpMethod.POST, "/v1/outcomes", "callId,converted,qualified,value\n" + a.callId() + ",true,false,80.00\n");
    assertEquals(200, outcomes.status(), outcomes.toString());
    Reply spend = csv(HttpMethod.PUT, "/v1/spend?property=" + property,
        "Amount,Date,Source,Medium,Currency\n20.00,2026-03-02,google,cpc,USD\n");
    assertEquals(200, spend.status(), spend.toString());
    JsonObject google = report(q).getJsonArray("rows").getJsonObject(0);
    assertEquals("google", google.getString("source"));
    assertEquals(0, google.getInteger("qualified"));
    assertEquals(1, google.getInteger("conversions"));
    assertEquals("80.00", google.getString("revenue"));
    assertEquals("20.00", google.getString("cost"));
  }

  @Test
  void emptySpendUploadsAreRefused() {
    String property = newProperty("UTC");
    String path = "/v1/spend?property=" + property;
    // as outcome uploads: an empty file, a header alone or [] is a mistake, not a successful no-op
    List<Reply> replies = List.of(csv(HttpMethod.PUT, path, ""),
        csv(HttpMethod.PUT, path, "date,source,medium,campaign,amount\n"), csv(HttpMethod.PUT, path, "\n\n"),
        jsonText(HttpMethod.PUT, path, "[]"), jsonText(HttpMethod.PUT, path, "{\"rows\": []}"));
    for (Reply r : replies) {
      assertEquals(400, r.status(), r.toString());
      assertEquals("no spend rows in the upload", r.json().getString("detail"), r.toString());
    }
  }

  @Test
  void noSpendNoCallsAndADstChange() {
    String property = newProperty("America/New_York");
    // no calls, no spend
    JsonObject empty = report("property=" + property + "&from=2026-01-01&to=2026-01-31");
    assertEquals(0, empty.getJsonArray("rows").size());
    JsonObject t = empty.getJsonObject("total");
    assertEquals(0, t.getInteger("calls"));
    assertEquals("0.00", t.getString("revenue"));
    assertNull(t.getValue("cost"));
    assertNull(t.getValue("roas"));
    assertNull(t.getValue("roiPercent"));
    assertNull(t.getValue("answerRate"));
    assertNull(t.getValue("revenuePerCall"));

    // clocks went forward at 02:00 on Sunday 2026-03-08 in New York: that day is 23 hours long
    CallSeeder seeder = new CallSeeder(vertx);
    PhoneNumber n = TestNumbers.fresh();
    String[] starts = {"2026-03-08T04:30:00Z", // Sat 7th 23:30 EST
        "2026-03-08T05:30:00Z",                 // Sun 8th 00:30 EST
        "2026-03-09T03:30:00Z",                 // Sun 8th 23:30 EDT
        "2026-03-09T04:30:00Z"};                // Mon 9th 00:30 EDT
    for (int i = 0; i < starts.length; i++) {
      seeder.call(property, n, "+1617555010" + i, Instant.parse(starts[i]), CallSeeder.source("google", "cpc"), 20);
    }
    reportWhenCounted("property=" + property + "&from=2026-03-07&to=2026-03-09", 4);
    JsonObject sunday = report("property=" + property + "&from=2026-03-08&to=2026-03-08");
    assertEquals(2, sunday.getJsonObject("total").getInteger("calls"));
    assertEquals("America/New_York", sunday.getString("timezone"));
    assertNull(sunday.getJsonObject("total").getValue("roiPercent"), "no spend: ROI null");
    assertEquals(1, report("property=" + property + "&from=2026-03-07&to=2026-03-07").getJsonObject("total").getInteger("calls"));
    assertEquals(1, report("property=" + property + "&from=2026-03-09&to=2026-03-09").getJsonObject("total").getInteger("calls"));
  }

  @Test
  void googleAdsExportListsConvertedCallsWithAGclid() {
    String property = newProperty("America/New_York");
    CallSeeder seeder = new CallSeeder(vertx);
    PhoneNumber n = TestNumbers.fresh();
    CallRecord withGclid = seeder.call(property, n, "+12125550001", Instant.parse("2026-03-08T15:15:00Z"),
        CallSeeder.withGclid("google", "cpc", "Cj0KCQ-test-gclid"), 60);
    CallRecord noGclid = seeder.call(property, n, "+12125550002", Instant.parse("2026-03-08T16:00:00Z"),
        CallSeeder.source("google", "cpc"), 60);
    CallRecord notConverted = seeder.call(property, n, "+12125550003", Instant.parse("2026-03-08T17:00:00Z"),
        CallSeeder.withGclid("google", "cpc", "other-gclid"), 60);
    for (CallRecord c : List.of(withGclid, noGclid)) {
      assertEquals(200, adminPost("/v1/calls/" + c.callId() + "/outcome", new JsonObject()
          .put("qualified", true).put("converted", true).put("value", "120.5").put("currency", "USD")).status());
    }
    assertEquals(200, adminPost("/v1/calls/" + notConverted.callId() + "/outcome", new JsonObject()
        .put("qualified", true).put("converted", false)).status());
    Reply r = api.adminGet("/v1/exports/google-ads?property=" + property + "&from=2026-03-08&to=2026-03-08");
    assertEquals(200, r.status(), r.toString());
    assertEquals("Google Click ID,Conversion Name,Conversion Time,Conversion Value,Conversion Currency\r\n"
        + "Cj0KCQ-test-gclid,Phone call,2026-03-08 11:15:00-0400,120.50,USD\r\n", r.text());
    Reply other = api.adminGet("/v1/exports/google-ads?property=" + property + "&from=2026-03-09&to=2026-03-09");
    assertEquals(1, other.text().split("\r\n").length, "header only");
    // a conversion of qualified leads: the qualified calls with a gclid, the one that did not buy too
    Reply qualified = api.adminGet("/v1/exports/google-ads?property=" + property
        + "&from=2026-03-08&to=2026-03-08&outcome=qualified&conversionName=Qualified%20call");
    assertEquals("Google Click ID,Conversion Name,Conversion Time,Conversion Value,Conversion Currency\r\n"
        + "Cj0KCQ-test-gclid,Qualified call,2026-03-08 11:15:00-0400,120.50,USD\r\n"
        + "other-gclid,Qualified call,2026-03-08 13:00:00-0400,,USD\r\n", qualified.text());
    Reply bad = api.adminGet("/v1/exports/google-ads?property=" + property + "&outcome=answered");
    assertEquals(400, bad.status(), bad::toString);
    assertTrue(bad.json().getString("detail").contains("outcome"), bad::toString);
  }

  /**
   * A property whose values are in euros: its conversions were exported as USD unless the export was
   * asked for EUR, and Google Ads would have imported 80 euros as 80 dollars.
   */
  @Test
  void googleAdsExportLabelsValuesInThePropertysCurrency() {
    String property = newProperty("UTC");
    assertEquals(200, api.adminPut("/v1/properties/" + property + "/marketing", new JsonObject().put("currency", "EUR"))
        .status());
    CallRecord call = new CallSeeder(vertx).call(property, TestNumbers.fresh(), "+12125550005",
        Instant.parse("2026-03-08T15:15:00Z"), CallSeeder.withGclid("google", "cpc", "gclid-eur"), 60);
    assertEquals(200, adminPost("/v1/calls/" + call.callId() + "/outcome", new JsonObject()
        .put("converted", true).put("value", "80")).status());
    Reply r = api.adminGet("/v1/exports/google-ads?property=" + property + "&from=2026-03-08&to=2026-03-08");
    assertEquals(200, r.status(), r::toString);
    assertTrue(r.text().endsWith("gclid-eur,Phone call,2026-03-08 15:15:00+0000,80.00,EUR\r\n"), r.text());
  }

  @Test
  void googleAdsExportTakesOnlyAnIso4217Currency() {
    String property = newProperty("UTC");
    CallRecord call = new CallSeeder(vertx).call(property, TestNumbers.fresh(), "+12125550004",
        Instant.parse("2026-03-08T15:15:00Z"), CallSeeder.withGclid("google", "cpc", "gclid-currency"), 60);
    // no currency on the outcome: the export's currency parameter fills the column
    assertEquals(200, adminPost("/v1/calls/" + call.callId() + "/outcome", new JsonObject()
        .put("converted", true).put("value", "10")).status());
    String path = "/v1/exports/google-ads?property=" + property + "&from=2026-03-08&to=2026-03-08&currency=";
    for (String bad : List.of("dollars", "US", "XYZ", "%24")) {
      Reply r = api.adminGet(path + bad);
      assertEquals(400, r.status(), bad + " -> " + r);
      assertEquals("invalid_request", r.json().getString("error"), r::toString);
      assertTrue(r.json().getString("detail").contains("currency")
          && r.json().getString("detail").contains("ISO 4217"), r::toString);
    }
    assertTrue(api.adminGet(path + "eur").text().endsWith(",10.00,EUR\r\n"));
    // upper-cased the same in every locale: in Turkish "inr" would become "İNR"
    java.util.Locale before = java.util.Locale.getDefault();
    try {
      java.util.Locale.setDefault(java.util.Locale.forLanguageTag("tr-TR"));
      Reply inr = api.adminGet(path + "inr");
      assertEquals(200, inr.status(), inr::toString);
      assertTrue(inr.text().endsWith(",10.00,INR\r\n"), inr::text);
    } finally {
      java.util.Locale.setDefault(before);
    }
  }

  /**
   * Microsoft Advertising's bulk file: the format line, each converted call with an msclkid as an
   * "Offline Conversion" record in UTC with the call's id as its Client Id; a gclid-only call is not
   * Microsoft's, and Microsoft's call is not Google's.
   */
  @Test
  void microsoftAdsExportListsConvertedCallsWithAnMsclkid() {
    String property = newProperty("America/New_York");
    CallSeeder seeder = new CallSeeder(vertx);
    PhoneNumber n = TestNumbers.fresh();
    CallRecord bing = seeder.call(property, n, "+12125550011", Instant.parse("2026-03-08T15:15:00Z"),
        withMsclkid("f894f652ea334e739002f7167ab8f8e3"), 60);
    CallRecord google = seeder.call(property, n, "+12125550012", Instant.parse("2026-03-08T16:00:00Z"),
        CallSeeder.withGclid("google", "cpc", "gclid-only"), 60);
    CallRecord bingNotConverted = seeder.call(property, n, "+12125550013", Instant.parse("2026-03-08T17:00:00Z"),
        withMsclkid("not-converted"), 60);
    for (CallRecord c : List.of(bing, google)) {
      assertEquals(200, adminPost("/v1/calls/" + c.callId() + "/outcome", new JsonObject()
          .put("converted", true).put("value", "75")).status());
    }
    assertEquals(200, adminPost("/v1/calls/" + bingNotConverted.callId() + "/outcome", new JsonObject()
        .put("converted", false)).status());
    Reply r = api.adminGet("/v1/exports/microsoft-ads?property=" + property
        + "&from=2026-03-08&to=2026-03-08&conversionName=Phone%20sale");
    assertEquals(200, r.status(), r::toString);
    assertTrue(r.headers().get("content-disposition").contains("microsoft-ads-conversions.csv"), r::toString);
    assertEquals("Type,Status,Id,Parent Id,Client Id,Name,Conversion Currency Code,Conversion Name,"
        + "Conversion Time,Conversion Value,Microsoft Click Id\r\n"
        + "Format Version,,,,,6.0,,,,,\r\n"
        + "Offline Conversion,,,," + bing.callId() + ",,USD,Phone sale,3/8/2026 3:15:00 PM,75.00,f894f652ea334e739002f7167ab8f8e3\r\n", r.text());
    assertEquals("Google Click ID,Conversion Name,Conversion Time,Conversion Value,Conversion Currency\r\n"
        + "gclid-only,Phone call,2026-03-08 12:00:00-0400,75.00,USD\r\n",
        api.adminGet("/v1/exports/google-ads?property=" + property + "&from=2026-03-08&to=2026-03-08").text());
    for (String bad : List.of("currency=dollars", "conversionName=Phone%0D%0Acall", "conversionName=%09")) {
      Reply r400 = api.adminGet("/v1/exports/microsoft-ads?property=" + property + "&" + bad);
      assertEquals(400, r400.status(), bad + " -> " + r400);
    }
  }

  /**
   * A visitor who clicked an ad, came back later by typing the address and called: the call's last
   * touch carries no click id, its first touch does; the ad platform still gets the conversion of
   * that click (it decides by its own window whether to count it).
   */
  @Test
  void exportsTakeTheFirstTouchsClickIdWhenTheLastTouchHasNone() {
    String property = newProperty("UTC");
    Attribution adClick = new Attribution("bing", "cpc", "brand", null, null, "/offer?msclkid=ms-first", null,
        "g-first", null, null, "ms-first", null);
    Attribution direct = new Attribution("direct", "none", null, null, null, "/", null, null, null, null, null,
        null, null, null, adClick);
    CallRecord call = new CallSeeder(vertx).call(property, TestNumbers.fresh(), "+12125550014",
        Instant.parse("2026-03-08T09:00:00Z"), direct, 60);
    assertEquals(200, adminPost("/v1/calls/" + call.callId() + "/outcome", new JsonObject()
        .put("converted", true)).status());
    String days = "?property=" + property + "&from=2026-03-08&to=2026-03-08";
    assertTrue(api.adminGet("/v1/exports/microsoft-ads" + days).text()
        .endsWith("," + call.callId() + ",,USD,Phone call,3/8/2026 9:00:00 AM,,ms-first\r\n"), "no value: blank");
    assertTrue(api.adminGet("/v1/exports/google-ads" + days).text()
        .endsWith("g-first,Phone call,2026-03-08 09:00:00+0000,,USD\r\n"));
  }

  private static Attribution withMsclkid(String msclkid) {
    return new Attribution("bing", "cpc", "brand", "plumber", null, "/landing", null, null, null, null, msclkid, null);
  }
}
