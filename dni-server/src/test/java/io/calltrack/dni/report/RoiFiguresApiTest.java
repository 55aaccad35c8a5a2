package io.calltrack.dni.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.attribution.Attribution;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.core.testing.TestNumbers;
import io.calltrack.dni.testing.DniClient.Reply;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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

  /** Calls per local day of {@code property} from {@code from} to {@code to}, as groupBy=day reports them. */
  private Map<String, Integer> callsByDay(String property, String from, String to) {
    Map<String, Integer> out = new TreeMap<>();
    report("property=" + property + "&from=" + from + "&to=" + to + "&groupBy=day").getJsonArray("rows")
        .forEach(r -> out.put(((JsonObject) r).getString("day"), ((JsonObject) r).getInteger("calls")));
    return out;
  }

  /**
   * Days are cut in the property's zone, the last millisecond of a day on it and midnight on the next,
   * on days of 23, 24.5 and 25 hours and in zones half an hour off the hour. The local days below
   * were worked out by hand from the zones' rules.
   */
  @Test
  void callsFallOnThePropertysLocalDaysAcrossClockChanges() {
    CallSeeder seeder = new CallSeeder(vertx);
    // Lord Howe Island: +11:00 until 02:00 on 2026-04-05, then +10:30, so that day lasts 24.5 hours
    String lordHowe = newProperty("Australia/Lord_Howe");
    List<String> lordHoweCalls = List.of("2026-04-04T12:59:59.999Z", // 4th 23:59:59.999 +11:00
        "2026-04-04T13:00:00Z",                                          // 5th 00:00 +11:00
        "2026-04-05T13:29:59.999Z",                                      // 5th 23:59:59.999 +10:30
        "2026-04-05T13:30:00Z");                                         // 6th 00:00 +10:30
    // London: British Summer Time ends at 02:00 on 2026-10-25, a day of 25 hours with 01:30 twice
    String london = newProperty("Europe/London");
    List<String> londonCalls = List.of("2026-10-24T22:59:59.999Z", // 24th 23:59:59.999 BST
        "2026-10-24T23:00:00Z",                                      // 25th 00:00 BST
        "2026-10-25T00:30:00Z",                                      // 25th 01:30 BST
        "2026-10-25T01:30:00Z",                                      // 25th 01:30 GMT
        "2026-10-25T23:59:59.999Z",                                  // 25th 23:59:59.999 GMT
        "2026-10-26T00:00:00Z");                                     // 26th 00:00 GMT
    // Kolkata: +05:30 all year
    String kolkata = newProperty("Asia/Kolkata");
    List<String> kolkataCalls = List.of("2026-03-02T18:29:59.999Z", "2026-03-02T18:30:00Z");
    // New York: clocks go back at 02:00 on 2026-11-01, 01:30 comes twice
    String newYork = newProperty("America/New_York");
    List<String> newYorkCalls = List.of("2026-11-01T03:59:59.999Z", // 31st 23:59:59.999 EDT
        "2026-11-01T05:30:00Z", "2026-11-01T06:30:00Z",                // 1st 01:30 EDT, 01:30 EST
        "2026-11-02T04:59:59.999Z", "2026-11-02T05:00:00Z");           // 1st 23:59:59.999 EST, 2nd 00:00
    Map<String, List<String>> calls = Map.of(lordHowe, lordHoweCalls, london, londonCalls, kolkata, kolkataCalls,
        newYork, newYorkCalls);
    calls.forEach((property, starts) -> {
      PhoneNumber number = TestNumbers.fresh();
      for (int i = 0; i < starts.size(); i++) {
        CallRecord c = seeder.call(property, number, "+1415555" + String.format("%04d", 200 + i),
            Instant.parse(starts.get(i)), CallSeeder.withGclid("google", "cpc", "gclid-" + i), 30);
        assertEquals(200, outcome(c, true, "10.00").status());
      }
    });
    reportWhenCounted("property=" + lordHowe + "&from=2026-04-03&to=2026-04-07", 4);
    reportWhenCounted("property=" + london + "&from=2026-10-23&to=2026-10-27", 6);
    reportWhenCounted("property=" + kolkata + "&from=2026-03-01&to=2026-03-04", 2);
    reportWhenCounted("property=" + newYork + "&from=2026-10-30&to=2026-11-03", 5);

    assertEquals(Map.of("2026-04-04", 1, "2026-04-05", 2, "2026-04-06", 1),
        callsByDay(lordHowe, "2026-04-04", "2026-04-06"));
    assertEquals(Map.of("2026-10-24", 1, "2026-10-25", 4, "2026-10-26", 1), callsByDay(london, "2026-10-24", "2026-10-26"));
    assertEquals(Map.of("2026-03-02", 1, "2026-03-03", 1), callsByDay(kolkata, "2026-03-02", "2026-03-03"));
    assertEquals(Map.of("2026-10-31", 1, "2026-11-01", 3, "2026-11-02", 1),
        callsByDay(newYork, "2026-10-31", "2026-11-02"));

    // the 25-hour day by local hour: 01:30 BST and 01:30 GMT are both hour 1
    Map<Integer, Integer> hours = new TreeMap<>();
    report("property=" + london + "&from=2026-10-25&to=2026-10-25&groupBy=hour").getJsonArray("rows")
        .forEach(r -> hours.put(((JsonObject) r).getInteger("hour"), ((JsonObject) r).getInteger("calls")));
    assertEquals(Map.of(0, 1, 1, 2, 23, 1), hours);
    // spend of that day costs its four calls, not the days either side
    assertEquals(200, api.adminPut("/v1/spend?property=" + london, new JsonArray()
        .add(new JsonObject().put("date", "2026-10-25").put("source", "google").put("medium", "cpc").put("amount", "10.00"))
        .add(new JsonObject().put("date", "2026-10-26").put("source", "google").put("medium", "cpc").put("amount", "3.00")))
        .status());
    JsonObject longDay = row(report("property=" + london + "&from=2026-10-25&to=2026-10-25"), "source", "google");
    assertEquals(4, longDay.getInteger("calls"));
    assertEquals("10.00", longDay.getString("cost"));
    assertEquals("2.50", longDay.getString("costPerCall"));
    assertEquals(0, new BigDecimal("4").compareTo(new BigDecimal(longDay.getValue("roas").toString())));
    // the Google Ads export of that day: its four calls, each with the offset of its moment
    String export = api.adminGet("/v1/exports/google-ads?property=" + london + "&from=2026-10-25&to=2026-10-25").text();
    List<String> times = Csv.read(export).stream().skip(1).map(r -> r.get(2)).toList();
    assertEquals(List.of("2026-10-25 00:00:00+0100", "2026-10-25 01:30:00+0100", "2026-10-25 01:30:00+0000",
        "2026-10-25 23:59:59+0000"), times, export);
  }

  /**
   * The CSV of a report is its JSON in another form: every figure of every row the same, the group
   * values as they are (quoted where they hold commas, quotes or line breaks) except that one a
   * spreadsheet would run as a formula starts with an apostrophe.
   */
  @Test
  void csvReportsCarryTheFiguresOfTheJson() {
    String property = newProperty("America/Chicago");
    CallSeeder seeder = new CallSeeder(vertx);
    PhoneNumber number = TestNumbers.fresh();
    List<String> campaigns = List.of("Boilers, \"Spring\"", "=1+2", "-5", "@home", "two\nlines", "+44 plan", "plain");
    Instant at = Instant.parse("2026-03-02T15:00:00Z");
    int n = 0;
    for (String campaign : campaigns) {
      for (int day = 0; day < 2; day++) {
        CallRecord c = seeder.call(property, number, "+1312555" + String.format("%04d", n), at.plus(Duration.ofDays(day)),
            new Attribution("google", "cpc", campaign, null, null, "/landing", null, null, null, null, null, null),
            n % 3 == 0 ? -1 : 40);
        assertEquals(200, outcome(c, n % 2 == 0, n + ".33").status());
        n++;
      }
    }
    String q = "property=" + property + "&from=2026-03-02&to=2026-03-03";
    reportWhenCounted(q, n);
    Reply spend = api.adminPut("/v1/spend?property=" + property, new JsonArray()
        .add(new JsonObject().put("date", "2026-03-02").put("source", "google").put("medium", "cpc")
            .put("campaign", "Boilers, \"Spring\"").put("amount", "7.00"))
        .add(new JsonObject().put("date", "2026-03-03").put("source", "google").put("medium", "cpc")
            .put("campaign", "plain").put("amount", "0.01"))
        .add(new JsonObject().put("date", "2026-03-03").put("amount", "3.00")));
    assertEquals(200, spend.status(), spend::toString);

    for (String groupBy : List.of("campaign", "campaign,day", "day", "hour")) {
      JsonObject json = report(q + "&groupBy=" + groupBy);
      Reply csv = api.adminGet("/v1/reports/roi?" + q + "&groupBy=" + groupBy + "&format=csv");
      assertEquals(200, csv.status(), csv::toString);
      List<List<String>> lines = Csv.read(csv.text());
      List<String> header = lines.get(0);
      JsonArray rows = json.getJsonArray("rows");
      assertEquals(rows.size() + 2, lines.size(), csv.text());
      for (int i = 0; i <= rows.size(); i++) {
        boolean total = i == rows.size();
        JsonObject expected = total ? json.getJsonObject("total") : rows.getJsonObject(i);
        List<String> line = lines.get(i + 1);
        assertEquals(header.size(), line.size(), csv.text());
        for (int c = 0; c < header.size(); c++) {
          String field = header.get(c);
          Object value = expected.getValue(field);
          String cell = line.get(c);
          if (total && c == 0) {
            assertEquals("(total)", cell);
          } else if (total && !io.calltrack.core.report.RoiRow.FIELDS.contains(field)) {
            assertEquals("", cell, field);
          } else if (value == null) {
            assertEquals("", cell, field + " of " + expected.encode());
          } else if (field.equals("campaign")) {
            String text = value.toString();
            boolean formula = "=+-@".indexOf(text.charAt(0)) >= 0 && !text.equals("-5");
            assertEquals(formula ? "'" + text : text, cell, csv.text());
          } else if (value instanceof Number && !(value instanceof Integer || value instanceof Long)) {
            assertEquals(0, new BigDecimal(value.toString()).compareTo(new BigDecimal(cell)), field + ": " + cell);
          } else {
            assertEquals(value.toString(), cell, field + " of " + expected.encode());
          }
        }
      }
    }
  }

  /**
   * Spend spelled otherwise than the calls ({@code Google} for {@code google}) joins their row in every
   * grouping: by source and day too, also on a day without calls, so the days' rows add up to the
   * source's row of the same range.
   */
  @Test
  void spendSpelledOtherwiseJoinsTheCallsRowOnDaysWithoutCallsToo() {
    String property = newProperty("UTC");
    new CallSeeder(vertx).call(property, TestNumbers.fresh(), "+14155550301", Instant.parse("2026-03-02T10:00:00Z"),
        CallSeeder.source("google", "cpc"), 30);
    String q = "property=" + property + "&from=2026-03-02&to=2026-03-04";
    reportWhenCounted(q, 1);
    Reply spend = csv(HttpMethod.PUT, "/v1/spend?property=" + property, "date,source,medium,amount\n"
        + "2026-03-02,Google,CPC,10.00\n2026-03-03, Google ,cpc,5.00\n2026-03-04,google,cpc,0.00\n");
    assertEquals(200, spend.status(), spend::toString);

    JsonObject bySource = report(q + "&groupBy=source");
    assertEquals(1, bySource.getJsonArray("rows").size(), bySource::encodePrettily);
    assertEquals("15.00", row(bySource, "source", "google").getString("cost"));
    JsonObject byDay = report(q + "&groupBy=source,day");
    Map<String, String> costs = new TreeMap<>();
    byDay.getJsonArray("rows").forEach(o -> {
      JsonObject r = (JsonObject) o;
      assertEquals("google", r.getString("source"), byDay::encodePrettily);
      costs.put(r.getString("day"), r.getString("cost"));
    });
    assertEquals(Map.of("2026-03-02", "10.00", "2026-03-03", "5.00", "2026-03-04", "0.00"), costs);
    JsonObject byMedium = report(q + "&groupBy=medium,week");
    assertEquals(1, byMedium.getJsonArray("rows").size(), byMedium::encodePrettily);
    assertEquals("15.00", row(byMedium, "medium", "cpc").getString("cost"));
  }

  /**
   * A property's time zone changed after calls were counted: those calls stay on the days they were
   * counted on, later calls fall on the new zone's days, a counted call that changes (an outcome) moves
   * to its day in the new zone, and a range covering both days counts every call once throughout.
   */
  @Test
  void aChangedTimeZoneCutsTheDaysOfCallsCountedFromThenOn() {
    String property = newProperty("UTC");
    CallSeeder seeder = new CallSeeder(vertx);
    PhoneNumber number = TestNumbers.fresh();
    // 22:00 UTC on the 2nd: 03:30 on the 3rd in Kolkata
    CallRecord before = seeder.call(property, number, "+14155550401", Instant.parse("2026-03-02T22:00:00Z"),
        CallSeeder.source("google", "cpc"), 30);
    String range = "property=" + property + "&from=2026-03-02&to=2026-03-03";
    reportWhenCounted(range, 1);
    CallSeeder.awaitConsumerCaughtUp(vertx, property);

    JsonObject config = api.adminGet("/v1/properties/" + property).json();
    Reply changed = api.adminPut("/v1/properties/" + property, config.put("timezone", "Asia/Kolkata"));
    assertEquals(200, changed.status(), changed::toString);
    // 20:00 UTC on the 2nd: 01:30 on the 3rd in Kolkata
    seeder.call(property, number, "+14155550402", Instant.parse("2026-03-02T20:00:00Z"),
        CallSeeder.source("google", "cpc"), 30);
    reportWhenCounted(range, 2);
    CallSeeder.awaitConsumerCaughtUp(vertx, property);
    assertEquals(Map.of("2026-03-02", 1, "2026-03-03", 1), callsByDay(property, "2026-03-02", "2026-03-03"));
    assertEquals("Asia/Kolkata", report(range).getString("timezone"));

    assertEquals(200, outcome(before, true, "50.00").status());
    assertEquals(Map.of("2026-03-02", 0, "2026-03-03", 2), callsByDay(property, "2026-03-02", "2026-03-03"));
    JsonObject total = report(range).getJsonObject("total");
    assertEquals(2, total.getInteger("calls"));
    assertEquals("50.00", total.getString("revenue"));
    assertEquals(2, total.getInteger("firstTimeCallers"), total::encode);
    assertEquals(0, total.getInteger("repeatCalls"), total::encode);
  }

  /**
   * What docs/api.md says of amounts, ratios and ranges: zero spend is a cost of 0.00 (its ratios
   * null), a negative amount is refused naming its row, ratios are rounded once, half up, and a range
   * is at most 400 days, in order.
   */
  @Test
  void zeroAndNegativeAmountsHalfUpRatiosAndTheLongestRange() {
    String property = newProperty("UTC");
    CallSeeder seeder = new CallSeeder(vertx);
    Instant at = Instant.parse("2026-03-02T10:00:00Z");
    seeder.call(property, TestNumbers.fresh(), "+14155550501", at, CallSeeder.source("google", "cpc"), 30);
    seeder.call(property, TestNumbers.fresh(), "+14155550502", at, CallSeeder.source("google", "cpc"), 30);
    CallRecord bing = seeder.call(property, TestNumbers.fresh(), "+14155550503", at, CallSeeder.source("bing", "cpc"), 30);
    seeder.call(property, TestNumbers.fresh(), "+14155550504", at, CallSeeder.source("meta", "paid"), 30);
    String q = "property=" + property + "&from=2026-03-02&to=2026-03-02";
    reportWhenCounted(q, 4);
    assertEquals(200, outcome(bing, true, "1.00").status());

    Reply negative = csv(HttpMethod.PUT, "/v1/spend?property=" + property,
        "date,source,medium,amount\n2026-03-02,google,cpc,0.25\n2026-03-02,bing,cpc,-0.01\n");
    assertEquals(400, negative.status(), negative::toString);
    assertEquals("bad rows 3 (nothing was applied): row 3: amount must not be negative: -0.01",
        negative.json().getString("detail"));
    Reply spend = csv(HttpMethod.PUT, "/v1/spend?property=" + property,
        "date,source,medium,amount\n2026-03-02,google,cpc,0.25\n2026-03-02,bing,cpc,16.00\n2026-03-02,meta,paid,0\n");
    assertEquals(200, spend.status(), spend::toString);
    assertEquals("16.25", spend.json().getString("amount"));

    String raw = api.adminGet("/v1/reports/roi?" + q).text();
    JsonObject rep = new JsonObject(raw);
    assertEquals("0.13", row(rep, "source", "google").getString("costPerCall"), "0.25 / 2 = 0.125, half up");
    assertTrue(raw.contains("\"source\":\"bing\",") && raw.contains("\"roas\":0.063,\"roiPercent\":-93.75"),
        "1.00 / 16.00 = 0.0625, half up: " + raw);
    JsonObject meta = row(rep, "source", "meta");
    assertEquals("0.00", meta.getString("cost"));
    assertEquals("0.00", meta.getString("costPerCall"));
    assertNull(meta.getValue("roas"), "no cost: no ROAS");
    assertNull(meta.getValue("roiPercent"));

    // 2025-01-01 to 2026-02-04 is 400 days; a day more, or the days the wrong way round, is refused
    assertEquals(200, api.adminGet("/v1/reports/roi?property=" + property + "&from=2025-01-01&to=2026-02-04").status());
    for (String range : List.of("from=2025-01-01&to=2026-02-05", "from=2026-03-03&to=2026-03-02")) {
      Reply r = api.adminGet("/v1/reports/roi?property=" + property + "&" + range);
      assertEquals(400, r.status(), r::toString);
      assertEquals("invalid_request", r.json().getString("error"));
    }
  }
}
