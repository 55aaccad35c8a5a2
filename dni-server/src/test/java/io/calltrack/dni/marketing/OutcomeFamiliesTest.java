package io.calltrack.dni.marketing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.attribution.Attribution;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.core.testing.TestNumbers;
import io.calltrack.core.testing.TestRedis;
import io.calltrack.dni.report.CallSeeder;
import io.calltrack.dni.testing.DniClient;
import io.calltrack.dni.testing.DniClient.Reply;
import io.calltrack.dni.testing.DniTestBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The smaller metric families on a hand-counted set of calls: first- versus last-touch attribution
 * (model=first|last), repeat purchases, the CRM's lead score, spend coverage of campaigns, and the
 * success rate of offline outcome imports.
 */
class OutcomeFamiliesTest extends DniTestBase {

  static final Attribution ORGANIC = new Attribution("duckduckgo", "organic", null, null, null, "/", null, null,
      null, null, null, null);

  /** A new property in UTC, its id starting with {@code prefix}. */
  private String newProperty(String prefix) {
    String property = TestRedis.uniqueId(prefix);
    assertEquals(200, api.adminPut("/v1/properties/" + property,
        propertyBody(TestNumbers.fresh().e164(), ORIGIN).put("timezone", "UTC")).status());
    return property;
  }

  static Attribution touch(String source, String campaign, Attribution first) {
    return new Attribution(source, "cpc", campaign, null, null, "/l", null, null, null, null, null, null, null, null,
        first);
  }

  @Test
  void firstTouchRepeatPurchasesLeadScoreCoverageAndImports() {
    String property = newProperty("fam");
    CallSeeder seeder = new CallSeeder(vertx);
    PhoneNumber n = TestNumbers.fresh();
    List<CallRecord> c = new ArrayList<>();
    // caller A: first came organically, called twice from google ads (x); caller B: bing (y) once, google once
    c.add(TrendRecountTest.seed(seeder, property, n, "+13126180001", Instant.parse("2026-02-10T10:00:00Z"),
        touch("google", "x", ORGANIC), 4, 60));
    c.add(TrendRecountTest.seed(seeder, property, n, "+13126180001", Instant.parse("2026-02-11T10:00:00Z"),
        touch("google", "x", ORGANIC), 4, 60));
    c.add(TrendRecountTest.seed(seeder, property, n, "+13126180002", Instant.parse("2026-02-12T10:00:00Z"),
        touch("bing", "y", null), 4, 60));
    c.add(TrendRecountTest.seed(seeder, property, n, "+13126180002", Instant.parse("2026-02-13T10:00:00Z"),
        touch("google", "x", touch("bing", "y", null)), 4, 60));

    JsonObject imports0 = api.adminGet("/v1/reports/imports").json();
    // a bad upload (unknown call) is refused whole and counted as refused
    Reply refused = api.request(HttpMethod.POST, "/v1/outcomes", Buffer.buffer("callId,qualified,converted,value\n"
        + "no-such-call,true,true,10.00\n"), DniClient.headers("authorization", "Bearer " + TOKEN, "content-type", "text/csv"));
    assertEquals(400, refused.status(), refused.toString());
    Reply applied = api.request(HttpMethod.POST, "/v1/outcomes", Buffer.buffer("callId,qualified,converted,value\n"
        + c.get(0).callId() + ",true,true,100.00\n" + c.get(1).callId() + ",true,true,50.00\n"
        + c.get(2).callId() + ",true,true,70.00\n"),
        DniClient.headers("authorization", "Bearer " + TOKEN, "content-type", "text/csv"));
    assertEquals(200, applied.status(), applied.toString());
    JsonObject imports = api.adminGet("/v1/reports/imports").json();
    assertEquals(imports0.getLong("applied") + 1, imports.getLong("applied"));
    assertEquals(imports0.getLong("refused") + 1, imports.getLong("refused"));
    assertEquals(imports0.getLong("rowsApplied") + 3, imports.getLong("rowsApplied"));
    assertTrue(imports.getValue("successRate") != null);

    for (int i = 0; i < 2; i++) {
      Reply r = api.request(HttpMethod.POST, "/v1/calls/" + c.get(i).callId() + "/outcome",
          DniClient.body(new JsonObject().put("qualified", true).put("converted", true).put("value", i == 0 ? "100.00" : "50.00")
              .put("leadScore", i == 0 ? 80 : 40)), api.admin());
      assertEquals(200, r.status(), r.toString());
    }
    assertEquals(400, api.request(HttpMethod.POST, "/v1/calls/" + c.get(3).callId() + "/outcome",
        DniClient.body(new JsonObject().put("leadScore", 101)), api.admin()).status());

    JsonArray spend = new JsonArray()
        .add(new JsonObject().put("date", "2026-02-10").put("source", "google").put("campaign", "x").put("amount", "40.00"))
        .add(new JsonObject().put("date", "2026-02-10").put("source", "google").put("campaign", "z").put("amount", "10.00"));
    assertEquals(200, api.adminPut("/v1/spend?property=" + property, spend).status());
    io.calltrack.dni.marketing.TrendRecountTest.caughtUp(vertx, property);

    String q = "/v1/reports/roi?property=" + property + "&from=2026-02-01&to=2026-02-28";
    JsonObject last = api.adminGet(q + "&groupBy=source").json();
    assertEquals("last", last.getString("model"));
    assertEquals(3L, row(last, "source", "google").getLong("calls"));
    assertEquals(1L, row(last, "source", "bing").getLong("calls"));
    JsonObject first = api.adminGet(q + "&groupBy=source&model=first").json();
    assertEquals("first", first.getString("model"));
    assertEquals(2L, row(first, "source", "duckduckgo").getLong("calls"), first.encodePrettily());
    assertEquals(2L, row(first, "source", "bing").getLong("calls"));
    assertTrue(first.getJsonArray("rows").stream().map(JsonObject.class::cast)
        .noneMatch(r -> "google".equals(r.getString("source")) && r.getLong("calls") > 0),
        "google was never a first touch (its row, if any, only carries its spend)");
    // two touches (B22): A's calls began organically and google closed them; B's second began on bing
    JsonObject google = row(last, "source", "google");
    assertEquals(3L, google.getLong("assistedCalls"), "google closed three calls another channel began");
    assertEquals(2L, google.getLong("assistedConversions"));
    assertEquals("150.00", google.getString("assistedRevenue"));
    assertEquals(0L, row(last, "source", "bing").getLong("assistedCalls"), "bing closed only what it began");
    JsonObject duck = row(first, "source", "duckduckgo");
    assertEquals(2L, duck.getLong("assistedCalls"), "duckduckgo's assists: two calls google closed");
    assertEquals(2L, duck.getLong("assistedConversions"));
    assertEquals("150.00", duck.getString("assistedRevenue"));
    JsonObject bingFirst = row(first, "source", "bing");
    assertEquals(1L, bingFirst.getLong("assistedCalls"), "bing began two calls and closed one of them itself");
    assertEquals(0L, bingFirst.getLong("assistedConversions"));
    assertEquals("0.00", bingFirst.getString("assistedRevenue"));
    assertEquals(3L, first.getJsonObject("total").getLong("assistedCalls"));
    assertEquals(0.75, last.getJsonObject("total").getDouble("assistedRate"), 0.0);
    assertEquals(400, api.adminGet(q + "&groupBy=hour&model=first").status());
    assertEquals(400, api.adminGet(q + "&groupBy=source&model=middle").status());

    JsonObject total = last.getJsonObject("total");
    assertEquals(3L, total.getLong("conversions"));
    assertEquals(1L, total.getLong("repeatPurchases"), "caller A's second purchase");
    assertEquals(0, new BigDecimal("0.3333").compareTo(new BigDecimal(total.getValue("repeatPurchaseRate").toString())));
    assertEquals(0, new BigDecimal("60.0").compareTo(new BigDecimal(total.getValue("averageLeadScore").toString())));

    JsonObject byCampaign = api.adminGet(q + "&groupBy=campaign").json();
    JsonObject coverage = byCampaign.getJsonObject("spendCoverage");
    assertEquals(2L, coverage.getLong("withSpend"));
    assertEquals(1L, coverage.getLong("withSpendAndCalls"), "campaign z had spend and no calls");
    assertEquals(0, new BigDecimal("0.5").compareTo(new BigDecimal(coverage.getValue("rate").toString())));
    assertNull(row(byCampaign, "campaign", "y").getValue("cost"));
  }

  /**
   * The journey (B20): a call's visitor's touches, first to last, kept with the call and counted in the
   * reports as the average touchpoints of the calls whose source is known; a snippet that sent no
   * journey counts its first and last touch.
   */
  @Test
  void theJourneyOfEachCallIsKeptAndTheReportsAverageItsTouchpoints() {
    String property = newProperty("jny");
    CallSeeder seeder = new CallSeeder(vertx);
    PhoneNumber n = TestNumbers.fresh();
    Instant t0 = Instant.parse("2026-03-01T08:00:00Z");
    List<io.calltrack.core.attribution.Touch> journey = List.of(
        new io.calltrack.core.attribution.Touch("duckduckgo", "organic", null, t0),
        new io.calltrack.core.attribution.Touch("bing", "cpc", "y", t0.plusSeconds(3_600)),
        new io.calltrack.core.attribution.Touch("google", "cpc", "x", t0.plusSeconds(86_400)));
    Attribution three = new Attribution("google", "cpc", "x", null, null, "/l", null, null, null, null, null, null,
        null, null, ORGANIC, null, journey);
    CallRecord withJourney = TrendRecountTest.seed(seeder, property, n, "+13126180011",
        Instant.parse("2026-03-02T10:00:00Z"), three, 4, 60);
    TrendRecountTest.seed(seeder, property, n, "+13126180012", Instant.parse("2026-03-03T10:00:00Z"),
        touch("google", "x", ORGANIC), 4, 60); // no journey sent: its first and last touch, two
    TrendRecountTest.seed(seeder, property, n, "+13126180013", Instant.parse("2026-03-04T10:00:00Z"),
        touch("bing", "y", null), 4, 60); // one touch
    TrendRecountTest.seed(seeder, property, n, "+13126180014", Instant.parse("2026-03-05T10:00:00Z"), null, 4,
        60); // no source known: no journey to count
    io.calltrack.dni.marketing.TrendRecountTest.caughtUp(vertx, property);

    JsonObject call = api.adminGet("/v1/calls/" + withJourney.callId()).json();
    JsonArray touches = call.getJsonObject("attribution").getJsonArray("journey");
    assertEquals(3, touches.size(), call.encodePrettily());
    assertEquals("duckduckgo", touches.getJsonObject(0).getString("source"));
    assertEquals("2026-03-01T09:00:00Z", touches.getJsonObject(1).getString("at"));
    assertEquals("x", touches.getJsonObject(2).getString("campaign"));

    String q = "/v1/reports/roi?property=" + property + "&from=2026-03-01&to=2026-03-31";
    JsonObject bySource = api.adminGet(q + "&groupBy=source").json();
    assertEquals(2.5, row(bySource, "source", "google").getDouble("averageTouchpoints"), 0.0, bySource.encodePrettily());
    assertEquals(1.0, row(bySource, "source", "bing").getDouble("averageTouchpoints"), 0.0);
    assertEquals(2.0, bySource.getJsonObject("total").getDouble("averageTouchpoints"), 0.0, "(3 + 2 + 1) / 3");
  }

  /**
   * The multi-touch models: each call split over its visitor's journey, through the real rollups and the
   * API. Four calls: a three-touch journey (duckduckgo 14 days before the call, bing 7 days before,
   * google at the call; converted, 100.00), a snippet's first and last touch without a journey (bing,
   * then google; converted, 50.00), one touch (bing) and no visit at all.
   */
  @Test
  void multiTouchModelsSplitEachCallOverItsJourneyToTheCent() {
    String property = newProperty("mtm");
    CallSeeder seeder = new CallSeeder(vertx);
    PhoneNumber n = TestNumbers.fresh();
    Instant at = Instant.parse("2026-04-15T10:00:00Z");
    List<io.calltrack.core.attribution.Touch> journey = List.of(
        new io.calltrack.core.attribution.Touch("duckduckgo", "organic", null, at.minus(java.time.Duration.ofDays(14))),
        new io.calltrack.core.attribution.Touch("bing", "cpc", "y", at.minus(java.time.Duration.ofDays(7))),
        new io.calltrack.core.attribution.Touch("google", "cpc", "x", at));
    Attribution three = new Attribution("google", "cpc", "x", null, null, "/l", null, null, null, null, null, null,
        null, null, touch("duckduckgo", null, null), null, journey);
    CallRecord a = TrendRecountTest.seed(seeder, property, n, "+13126180031", at, three, 4, 60);
    CallRecord b = TrendRecountTest.seed(seeder, property, n, "+13126180032", at.plusSeconds(3_600),
        touch("google", "x", touch("bing", "y", null)), 4, 60);
    TrendRecountTest.seed(seeder, property, n, "+13126180033", at.plusSeconds(7_200), touch("bing", "y", null), 4, 60);
    TrendRecountTest.seed(seeder, property, n, "+13126180034", at.plusSeconds(9_000), null, 4, 60);
    for (CallRecord c : List.of(a, b)) {
      Reply r = api.request(HttpMethod.POST, "/v1/calls/" + c.callId() + "/outcome", DniClient.body(new JsonObject()
          .put("converted", true).put("value", c == a ? "100.00" : "50.00")), api.admin());
      assertEquals(200, r.status(), r.toString());
    }
    JsonArray spend = new JsonArray()
        .add(new JsonObject().put("date", "2026-04-15").put("source", "google").put("amount", "30.00"))
        .add(new JsonObject().put("date", "2026-04-15").put("source", "yahoo").put("amount", "5.00"));
    assertEquals(200, api.adminPut("/v1/spend?property=" + property, spend).status());
    io.calltrack.dni.marketing.TrendRecountTest.caughtUp(vertx, property);

    String q = "/v1/reports/roi?property=" + property + "&from=2026-04-01&to=2026-04-30&groupBy=source";
    JsonObject linear = api.adminGet(q + "&model=linear").json();
    assertEquals("linear", linear.getString("model"), linear.encodePrettily());
    // a: a third each (the millionth and the cent left over to the touch nearer the call); b: half each
    assertCredit(row(linear, "source", "google"), "0.83", "0.83", "58.34");
    assertCredit(row(linear, "source", "bing"), "1.83", "0.83", "58.33");
    assertCredit(row(linear, "source", "duckduckgo"), "0.33", "0.33", "33.33");
    assertCredit(nullRow(linear), "1.00", "0.00", "0.00");
    assertCredit(linear.getJsonObject("total"), "4.00", "2.00", "150.00");
    JsonObject google = row(linear, "source", "google");
    assertEquals("30.00", google.getString("cost"));
    assertEquals("36.00", google.getString("costPerCall"), "30.00 over 0.833334 of a call");
    assertEquals(0, new BigDecimal("1.945").compareTo(new BigDecimal(google.getValue("roas").toString())));
    assertEquals(0, new BigDecimal("94.47").compareTo(new BigDecimal(google.getValue("roiPercent").toString())));
    assertEquals("5.00", row(linear, "source", "yahoo").getString("cost"), "spend without calls keeps its row");
    assertEquals("35.00", linear.getJsonObject("total").getString("cost"));

    JsonObject position = api.adminGet(q + "&model=position").json();
    assertCredit(row(position, "source", "google"), "0.90", "0.90", "65.00");
    assertCredit(row(position, "source", "bing"), "1.70", "0.70", "45.00");
    assertCredit(row(position, "source", "duckduckgo"), "0.40", "0.40", "40.00");
    assertCredit(position.getJsonObject("total"), "4.00", "2.00", "150.00");

    // a's touches weigh 1/4, 1/2 and 1 by age; b's two (no times) are both as old as the call
    JsonObject decay = api.adminGet(q + "&model=timeDecay").json();
    assertCredit(row(decay, "source", "google"), "1.07", "1.07", "82.14");
    assertCredit(row(decay, "source", "bing"), "1.79", "0.79", "53.57");
    assertCredit(row(decay, "source", "duckduckgo"), "0.14", "0.14", "14.29");
    assertCredit(decay.getJsonObject("total"), "4.00", "2.00", "150.00");

    // by medium: a touch's medium, merged when two touches share it
    JsonObject byMedium = api.adminGet("/v1/reports/roi?property=" + property
        + "&from=2026-04-01&to=2026-04-30&groupBy=medium&model=linear").json();
    assertCredit(row(byMedium, "medium", "cpc"), "2.67", "1.67", "116.67");
    assertCredit(row(byMedium, "medium", "organic"), "0.33", "0.33", "33.33");

    // a's value changed: its old credit is taken back, the new one given, nothing else moves
    Reply changed = api.request(HttpMethod.POST, "/v1/calls/" + a.callId() + "/outcome", DniClient.body(new JsonObject()
        .put("converted", true).put("value", "200.00")), api.admin());
    assertEquals(200, changed.status(), changed.toString());
    io.calltrack.dni.marketing.TrendRecountTest.caughtUp(vertx, property);
    JsonObject after = api.adminGet(q + "&model=linear").json();
    assertCredit(row(after, "source", "google"), "0.83", "0.83", "91.67");
    assertCredit(row(after, "source", "duckduckgo"), "0.33", "0.33", "66.66");
    assertCredit(after.getJsonObject("total"), "4.00", "2.00", "250.00");

    // by week, and as CSV
    JsonObject weekly = api.adminGet(q + ",week&model=position").json();
    assertEquals("2026-04-13", weekly.getJsonArray("rows").getJsonObject(0).getString("week"), weekly.encodePrettily());
    assertCredit(weekly.getJsonObject("total"), "4.00", "2.00", "250.00");
    Reply csv = api.adminGet(q + "&model=position&format=csv");
    assertEquals(200, csv.status(), csv.toString());
    String[] lines = csv.body().toString().split("\r?\n");
    assertEquals("source,calls,conversions,revenue,cost,costPerCall,costPerConversion,revenuePerCall,roas,"
        + "roiPercent,callToSaleRate", lines[0]);
    assertTrue(lines[lines.length - 1].startsWith("(total),4.00,2.00,250.00,35.00,"), lines[lines.length - 1]);

    // only source, medium and campaign are a journey's; no confidence filter (credit is not kept by it)
    for (String bad : List.of("&groupBy=keyword&model=linear", "&groupBy=week&model=position",
        "&groupBy=source&model=linear&confidence=exact", "&groupBy=source&model=timedecay")) {
      Reply r = api.adminGet("/v1/reports/roi?property=" + property + "&from=2026-04-01&to=2026-04-30" + bad);
      assertEquals(400, r.status(), bad + " " + r);
      assertTrue(r.json().getString("detail").contains("model"), r.toString());
    }
  }

  static void assertCredit(JsonObject row, String calls, String conversions, String revenue) {
    assertEquals(0, new BigDecimal(calls).compareTo(new BigDecimal(row.getValue("calls").toString())),
        "calls " + row.encode());
    assertEquals(0, new BigDecimal(conversions).compareTo(new BigDecimal(row.getValue("conversions").toString())),
        "conversions " + row.encode());
    assertEquals(revenue, row.getString("revenue"), "revenue " + row.encode());
  }

  static JsonObject nullRow(JsonObject report) {
    return report.getJsonArray("rows").stream().map(JsonObject.class::cast)
        .filter(r -> r.getValue("source") == null).findFirst()
        .orElseThrow(() -> new AssertionError("no row without a source in " + report.encodePrettily()));
  }

  /**
   * Spam detection (G8): the calls the signals mark, and how the marks agree with the dispositions the
   * business gives, through the API and the real rollups. Nine calls: two marked and said spam, one
   * marked and said a customer, one marked and never reviewed, two unmarked that were spam, three
   * unmarked customers or unreviewed.
   */
  @Test
  void spamSignalsAreMeasuredAgainstTheBusinesssDispositions() {
    String property = newProperty("spm");
    CallSeeder seeder = new CallSeeder(vertx);
    PhoneNumber n = TestNumbers.fresh();
    record Seed(String caller, String verification, String disposition) {}
    List<Seed> seeds = List.of(
        new Seed(n.e164(), null, "spam"), // the tracking number as caller ID: caught
        new Seed("+13126180021", CallRecord.VERIFICATION_FAILED, "spam"), // caught
        new Seed("+13126180022", CallRecord.VERIFICATION_FAILED, "customer"), // marked wrongly
        new Seed("12345", null, null), // no number: marked, never reviewed
        new Seed("+13126180023", CallRecord.VERIFIED, "spam"), // missed
        new Seed("+13126180024", null, "spam"), // missed
        new Seed("+13126180025", null, "customer"), // rightly left alone
        new Seed("anonymous", CallRecord.NOT_VERIFIED, "customer"), // rightly left alone
        new Seed("+13126180026", null, null));
    Instant t = Instant.parse("2026-04-01T10:00:00Z");
    List<CallRecord> calls = new ArrayList<>();
    for (Seed seed : seeds) {
      String id = TestRedis.uniqueId("c");
      t = t.plusSeconds(3_600);
      CallRecord r = CallRecord.started(id, id + "@trunk", n, seed.caller(), property, t)
          .withAttribution("unattributed", null, null, List.of());
      if (seed.verification() != null) {
        r = r.withCallerVerification(seed.verification());
      }
      io.calltrack.core.testing.Await.result(seeder.store().apply(new io.calltrack.core.calls.CallEvent(id, 0,
          io.calltrack.core.calls.CallEvent.Type.STARTED, t, r)));
      r = r.ended(t.plusSeconds(20), io.calltrack.core.calls.CallStatus.MISSED, 408);
      io.calltrack.core.testing.Await.result(seeder.store().apply(new io.calltrack.core.calls.CallEvent(id, 1,
          io.calltrack.core.calls.CallEvent.Type.ENDED, r.endedAt(), r)));
      calls.add(r);
      if (seed.disposition() != null) {
        Reply said = api.request(HttpMethod.POST, "/v1/calls/" + id + "/outcome",
            DniClient.body(new JsonObject().put("disposition", seed.disposition())), api.admin());
        assertEquals(200, said.status(), said.toString());
      }
    }
    io.calltrack.dni.marketing.TrendRecountTest.caughtUp(vertx, property);

    JsonObject first = api.adminGet("/v1/calls/" + calls.get(1).callId()).json();
    assertEquals("failed", first.getString("callerVerification"), first.encodePrettily());
    assertEquals(List.of("failed-caller-id-verification"), first.getJsonArray("spamSignals").getList());
    assertEquals(List.of("invalid-caller-id"),
        api.adminGet("/v1/calls/" + calls.get(3).callId()).json().getJsonArray("spamSignals").getList());
    assertNull(api.adminGet("/v1/calls/" + calls.get(6).callId()).json().getValue("spamSignals"));

    JsonObject total = api.adminGet("/v1/reports/roi?property=" + property + "&from=2026-04-01&to=2026-04-30")
        .json().getJsonObject("total");
    assertEquals(4L, total.getLong("suspectedSpam"), total.encodePrettily());
    assertEquals(0.4444, total.getDouble("suspectedSpamRate"), 0.0, "4 of 9 calls");
    assertEquals(0.6667, total.getDouble("spamDetectionPrecision"), 0.0, "2 of the 3 marked calls reviewed were spam");
    assertEquals(0.5, total.getDouble("spamDetectionRecall"), 0.0, "2 of the 4 spam calls were marked");
    assertEquals(0.5714, total.getDouble("spamDetectionAccuracy"), 0.0, "4 of the 7 reviewed calls judged right");
  }

  static JsonObject row(JsonObject report, String field, String value) {
    return report.getJsonArray("rows").stream().map(JsonObject.class::cast)
        .filter(r -> value.equals(r.getString(field))).findFirst()
        .orElseThrow(() -> new AssertionError("no " + field + "=" + value + " in " + report.encodePrettily()));
  }
}
