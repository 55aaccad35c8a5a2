package io.calltrack.dni.marketing;

import static io.calltrack.dni.testing.DniClient.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.attribution.Attribution;
import io.calltrack.core.calls.CallEvent;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.CallStatus;
import io.calltrack.core.phone.CallerPlace;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.core.testing.TestNumbers;
import io.calltrack.core.testing.TestRedis;
import io.calltrack.dni.report.CallSeeder;
import io.calltrack.dni.testing.DniClient;
import io.calltrack.dni.testing.DniClient.Reply;
import io.calltrack.dni.testing.DniTestBase;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Done-when of issue 14: a simulated month of calls (written as the router writes them), outcomes and
 * spend uploaded through the API; the trend by source × week, and the other time groupings, must equal
 * a recount from the call records read back through {@code GET /v1/calls}. Days and weeks are cut in
 * the property's time zone (New York): calls in the evening there fall on the next UTC day.
 */
public class TrendRecountTest extends DniTestBase {
  static final ZoneId NY = ZoneId.of("America/New_York");
  static final String[] SOURCES = {"google", "bing", "facebook", null};
  static final String[] CAMPAIGNS = {"brand", "generic"};
  static final String[] KEYWORDS = {"plumber", "drain repair", "boiler"};
  static final String[] CALLERS_AREA = {"312", "212", "415", "617"};

  record Seeded(CallRecord call, String source) {}

  @Test
  void sourceByWeekOverAMonthMatchesARecountOfTheCallRecords() {
    String property = TestRedis.uniqueId("trend");
    PhoneNumber printed = TestNumbers.fresh();
    assertEquals(200, api.adminPut("/v1/properties/" + property,
        propertyBody(printed.e164(), ORIGIN).put("timezone", "America/New_York")).status());
    JsonObject settings = new JsonObject().put("currency", "USD")
        .put("businessHours", new JsonObject()
            .put("monday", new JsonArray().add("09:00").add("17:00"))
            .put("tuesday", new JsonArray().add("09:00").add("17:00"))
            .put("wednesday", new JsonArray().add("09:00").add("17:00"))
            .put("thursday", new JsonArray().add("09:00").add("17:00"))
            .put("friday", new JsonArray().add("09:00").add("17:00")))
        .put("targets", new JsonArray()
            .add(new JsonObject().put("revenue", "20000.00").put("calls", 200).put("roiPercent", 100)
                .put("costPerAcquisition", "80.00"))
            .add(new JsonObject().put("source", "google").put("calls", 60)));
    Reply put = api.adminPut("/v1/properties/" + property + "/marketing", settings);
    assertEquals(200, put.status(), put.toString());

    // ---- a month of calls, chronological (the first call of a caller is its first-time call)
    CallSeeder seeder = new CallSeeder(vertx);
    PhoneNumber number = TestNumbers.fresh();
    Random rnd = new Random(14);
    List<String> callers = new ArrayList<>();
    for (int i = 0; i < 45; i++) {
      callers.add("+1" + CALLERS_AREA[i % 4] + "6" + String.format("%06d", 180000 + i * 37));
    }
    List<Seeded> seeded = new ArrayList<>();
    List<Instant> starts = new ArrayList<>();
    for (int i = 0; i < 150; i++) {
      // 2026-11-01 00:00 New York .. 2026-12-01 00:00 New York, any minute
      starts.add(ZonedDateTime.of(2026, 11, 1, 0, 0, 0, 0, NY).toInstant().plusSeconds(rnd.nextInt(30 * 24 * 3600)));
    }
    starts.add(ZonedDateTime.of(2026, 11, 1, 23, 30, 0, 0, NY).toInstant()); // Sunday evening: 2026-11-02 UTC
    starts.add(ZonedDateTime.of(2026, 11, 30, 23, 50, 0, 0, NY).toInstant()); // last evening: December in UTC
    starts.sort(null);
    for (Instant start : starts) {
      String source = SOURCES[rnd.nextInt(SOURCES.length)];
      Attribution a = source == null ? null : new Attribution(source, "cpc", CAMPAIGNS[rnd.nextInt(2)],
          KEYWORDS[rnd.nextInt(3)], "ad-" + rnd.nextInt(3), "/landing", null, null, null, null, null, null,
          "group-" + rnd.nextInt(2), "ad" + rnd.nextInt(4));
      int answerAfter = rnd.nextInt(50); // seconds
      int talk = rnd.nextInt(5) == 0 ? -1 : 20 + rnd.nextInt(600);
      seeded.add(new Seeded(seed(seeder, property, number, callers.get(rnd.nextInt(callers.size())), start, a,
          answerAfter, talk), source));
    }

    // outcomes come once the calls are rolled up: an outcome applies its call's rollup at once, and a
    // caller's first-time call is the first of its calls the rollups see
    caughtUp(vertx, property);

    // ---- outcomes: CSV upload for some, JSON with stages for others
    StringBuilder csv = new StringBuilder("callId,qualified,converted,value,currency\n");
    for (int i = 0; i < seeded.size(); i += 3) {
      boolean converted = i % 2 == 0;
      csv.append(seeded.get(i).call().callId()).append(",true,").append(converted).append(',')
          .append(converted ? (100 + i) + ".50" : "0").append(",USD\n");
    }
    Reply up = api.request(HttpMethod.POST, "/v1/outcomes", Buffer.buffer(csv.toString()),
        DniClient.headers("authorization", "Bearer " + TOKEN, "content-type", "text/csv"));
    assertEquals(200, up.status(), up.toString());
    for (int i = 1; i < seeded.size(); i += 7) {
      JsonObject o = new JsonObject().put("qualified", true).put("converted", i % 2 == 1).put("value", "250.00")
          .put("stages", new JsonObject().putNull("lead").put("appointment", "0.00").put("quote", "900.00"))
          .put("disposition", "customer").put("callType", i % 3 == 0 ? "support" : "sales");
      Reply r = api.request(HttpMethod.POST, "/v1/calls/" + seeded.get(i).call().callId() + "/outcome",
          DniClient.body(o), api.admin());
      assertEquals(200, r.status(), r.toString());
    }
    Reply spam = api.request(HttpMethod.POST, "/v1/calls/" + seeded.get(2).call().callId() + "/outcome",
        DniClient.body(new JsonObject().put("disposition", "spam")), api.admin());
    assertEquals(200, spam.status(), spam.toString());

    // an outcome in another currency than the property's is refused, and changes nothing
    Reply euro = api.request(HttpMethod.POST, "/v1/calls/" + seeded.get(5).call().callId() + "/outcome",
        DniClient.body(new JsonObject().put("converted", true).put("value", "10.00").put("currency", "EUR")),
        api.admin());
    assertEquals(400, euro.status(), euro.toString());
    assertTrue(euro.json().getString("detail").contains("EUR") && euro.json().getString("detail").contains("USD"),
        euro.toString());

    // ---- spend: per day and source, plus a keyword-level row and an account-level row
    JsonArray spend = new JsonArray();
    Map<String, Long> spendBySourceWeek = new HashMap<>();
    long spendTotal = 0;
    for (LocalDate d = LocalDate.of(2026, 11, 1); d.getMonthValue() == 11; d = d.plusDays(1)) {
      for (String s : new String[] {"google", "bing"}) {
        long cents = 1000 + rnd.nextInt(9000);
        spend.add(new JsonObject().put("date", d.toString()).put("source", s).put("medium", "cpc")
            .put("amount", BigDecimal.valueOf(cents, 2).toPlainString()).put("currency", "USD"));
        spendBySourceWeek.merge(week(d) + "|" + s, cents, Long::sum);
        spendTotal += cents;
      }
    }
    spend.add(new JsonObject().put("date", "2026-11-10").put("source", "google").put("medium", "cpc")
        .put("campaign", "brand").put("keyword", "plumber").put("amount", "12.34"));
    spendBySourceWeek.merge(week(LocalDate.of(2026, 11, 10)) + "|google", 1234L, Long::sum);
    spend.add(new JsonObject().put("date", "2026-11-15").put("amount", "99.00")); // account level
    spendTotal += 1234 + 9900;
    Reply sp = api.adminPut("/v1/spend?property=" + property, spend);
    assertEquals(200, sp.status(), sp.toString());
    Reply badSpend = api.adminPut("/v1/spend?property=" + property, new JsonArray().add(new JsonObject()
        .put("date", "2026-11-03").put("source", "google").put("amount", "1.00").put("currency", "GBP")));
    assertEquals(400, badSpend.status(), badSpend.toString());

    caughtUp(vertx, property);

    // ---- the recount from the call records, through the calls API
    List<JsonObject> records = callsOf(property, "2026-10-31T00:00:00Z", "2026-12-02T00:00:00Z");
    assertEquals(seeded.size(), records.size());
    Map<String, long[]> expect = new TreeMap<>(); // week|source -> calls, answered, missed, qualified, conv, revenue
    Set<String> seenCallers = new HashSet<>();
    long afterHours = 0;
    long afterHoursAnswered = 0;
    long answerSeconds = 0;
    long talkSeconds = 0;
    long answeredCalls = 0;
    long unattributed = 0;
    long within20 = 0;
    long finished = 0;
    records.sort((x, y) -> x.getString("startedAt").compareTo(y.getString("startedAt")));
    Map<String, Long> firstRevenueOf = new HashMap<>();
    for (JsonObject c : records) {
      ZonedDateTime local = Instant.parse(c.getString("startedAt")).atZone(NY);
      JsonObject a = c.getJsonObject("attribution");
      String source = a == null ? null : a.getString("source");
      String key = week(local.toLocalDate()) + "|" + source;
      long[] e = expect.computeIfAbsent(key, k -> new long[6]);
      boolean answered = "answered".equals(c.getString("status"));
      JsonObject o = c.getJsonObject("outcome");
      e[0]++;
      e[1] += answered ? 1 : 0;
      e[2] += answered ? 0 : 1;
      e[3] += o != null && Boolean.TRUE.equals(o.getBoolean("qualified")) ? 1 : 0;
      e[4] += o != null && Boolean.TRUE.equals(o.getBoolean("converted")) ? 1 : 0;
      long revenue = o == null || o.getString("value") == null ? 0
          : new BigDecimal(o.getString("value")).movePointRight(2).longValueExact();
      e[5] += revenue;
      if (seenCallers.add(c.getString("caller"))) {
        firstRevenueOf.merge("total", revenue, Long::sum);
      }
      boolean open = local.getDayOfWeek().getValue() <= 5 && !local.toLocalTime().isBefore(LocalTime.of(9, 0))
          && local.toLocalTime().isBefore(LocalTime.of(17, 0));
      afterHours += open ? 0 : 1;
      afterHoursAnswered += !open && answered ? 1 : 0;
      unattributed += "unattributed".equals(c.getString("resolution")) ? 1 : 0;
      if (answered) {
        answeredCalls++;
        answerSeconds += Instant.parse(c.getString("answeredAt")).getEpochSecond()
            - Instant.parse(c.getString("startedAt")).getEpochSecond();
        talkSeconds += c.getLong("durationSeconds");
      }
      finished++;
      if (answered) {
        long toAnswer = Instant.parse(c.getString("answeredAt")).getEpochSecond()
            - Instant.parse(c.getString("startedAt")).getEpochSecond();
        within20 += toAnswer <= 20 ? 1 : 0;
      }
    }

    JsonObject report = report(property, "source,week");
    assertEquals("source,week", report.getString("groupBy"));
    Map<String, JsonObject> rows = new TreeMap<>();
    for (Object o : report.getJsonArray("rows")) {
      JsonObject r = (JsonObject) o;
      rows.put(r.getString("week") + "|" + r.getString("source"), r);
    }
    for (Map.Entry<String, long[]> e : expect.entrySet()) {
      JsonObject r = rows.get(e.getKey());
      assertNotNull(r, "a row for " + e.getKey() + " in " + rows.keySet());
      long[] x = e.getValue();
      String what = e.getKey();
      assertEquals(x[0], r.getLong("calls"), what + " calls");
      assertEquals(x[1], r.getLong("answered"), what + " answered");
      assertEquals(x[2], r.getLong("missed"), what + " missed");
      assertEquals(x[3], r.getLong("qualified"), what + " qualified");
      assertEquals(x[4], r.getLong("conversions"), what + " conversions");
      assertEquals(BigDecimal.valueOf(x[5], 2).toPlainString(), r.getString("revenue"), what + " revenue");
      Long cost = spendBySourceWeek.get(e.getKey());
      assertEquals(cost == null ? null : BigDecimal.valueOf(cost, 2).toPlainString(), r.getString("cost"),
          what + " cost");
    }
    // rows with spend and no calls (none expected here beyond the call rows) and nothing extra
    for (String k : rows.keySet()) {
      assertTrue(expect.containsKey(k) || spendBySourceWeek.containsKey(k), "unexpected row " + k);
    }
    assertEquals("2026-10-26", report.getJsonArray("rows").getJsonObject(0).getString("week"),
        "Sunday 1 November belongs to the ISO week of Monday 26 October");

    JsonObject total = report.getJsonObject("total");
    assertEquals(seeded.size(), total.getLong("calls"));
    assertEquals(BigDecimal.valueOf(spendTotal, 2).toPlainString(), total.getString("cost"));
    assertEquals(afterHours, total.getLong("afterHoursCalls"));
    assertNumber(rate(afterHoursAnswered, afterHours), total.getValue("afterHoursAnswerRate"));
    assertNumber(BigDecimal.valueOf(answerSeconds).divide(BigDecimal.valueOf(answeredCalls), 1, RoundingMode.HALF_UP)
        .toString(), total.getValue("averageSpeedOfAnswerSeconds"));
    assertNumber(BigDecimal.valueOf(talkSeconds).divide(BigDecimal.valueOf(answeredCalls), 1, RoundingMode.HALF_UP)
        .toString(), total.getValue("averageDurationSeconds"));
    JsonObject byResolution = report(property, "resolution");
    assertEquals(unattributed, byResolution.getJsonArray("rows").stream().map(JsonObject.class::cast)
        .filter(r -> "unattributed".equals(r.getString("resolution"))).findFirst().orElseThrow().getLong("calls"));
    assertTrue(report(property, "ad").getJsonArray("rows").stream().map(JsonObject.class::cast)
        .anyMatch(r -> "ad3".equals(r.getString("ad"))));
    assertEquals(0, new BigDecimal(rate(within20, finished)).compareTo(new BigDecimal(total.getValue("serviceLevel20s")
        .toString())), "service level 20 s: " + total.getValue("serviceLevel20s"));
    assertEquals(BigDecimal.valueOf(firstRevenueOf.getOrDefault("total", 0L), 2).toPlainString(),
        total.getString("firstTimeRevenue"));
    assertEquals(seenCallers.size(), total.getLong("firstTimeCallers"));
    assertEquals(seeded.size() - seenCallers.size(), total.getLong("repeatCalls"));
    assertEquals(1, total.getLong("spam"));
    long quoted = (seeded.size() - 1 + 6) / 7;
    assertEquals(quoted, total.getLong("quotes"));
    assertEquals(BigDecimal.valueOf(quoted * 90000, 2).toPlainString(), total.getString("quoteValue"));

    // ---- the other time groupings add up to the same total, every period present
    for (String g : new String[] {"week", "day", "month", "weekday", "hour"}) {
      JsonObject rep = report(property, g);
      long sum = 0;
      for (Object o : rep.getJsonArray("rows")) {
        sum += ((JsonObject) o).getLong("calls");
      }
      assertEquals(seeded.size(), sum, g + " rows add up to the total");
      assertEquals(report.getJsonObject("total").getLong("calls"), rep.getJsonObject("total").getLong("calls"));
    }
    assertEquals(30, report(property, "day").getJsonArray("rows").size(), "every day of November, calls or not");
    JsonObject byWeekday = report(property, "weekday");
    assertEquals("monday", byWeekday.getJsonArray("rows").getJsonObject(0).getString("weekday"));
    JsonObject byHour = report(property, "hour");
    long sundayEvening = byHour.getJsonArray("rows").stream().map(JsonObject.class::cast)
        .filter(r -> r.getInteger("hour") == 23).mapToLong(r -> r.getLong("calls")).sum();
    assertTrue(sundayEvening >= 2, "the two 23:xx New York calls are in hour 23");
    Map<Integer, Long> hours = new HashMap<>();
    for (JsonObject c : records) {
      hours.merge(Instant.parse(c.getString("startedAt")).atZone(NY).getHour(), 1L, Long::sum);
    }
    for (Object o : byHour.getJsonArray("rows")) {
      JsonObject r = (JsonObject) o;
      assertEquals(hours.getOrDefault(r.getInteger("hour"), 0L), r.getLong("calls"), "hour " + r.getInteger("hour"));
    }

    // ---- cost at keyword level; callers' area codes and regions; ad group and creative rows
    JsonObject byKeyword = report(property, "keyword");
    JsonObject plumber = byKeyword.getJsonArray("rows").stream().map(JsonObject.class::cast)
        .filter(r -> "plumber".equals(r.getString("keyword"))).findFirst().orElseThrow();
    assertEquals("12.34", plumber.getString("cost"));
    JsonObject byArea = report(property, "areaCode");
    Map<String, Long> areas = new HashMap<>();
    Map<String, Long> regions = new HashMap<>();
    for (JsonObject c : records) {
      areas.merge(String.valueOf(CallerPlace.areaCode(c.getString("caller"))), 1L, Long::sum);
      regions.merge(String.valueOf(CallerPlace.region(c.getString("caller"))), 1L, Long::sum);
    }
    for (Object o : byArea.getJsonArray("rows")) {
      JsonObject r = (JsonObject) o;
      assertEquals(areas.get(String.valueOf(r.getString("areaCode"))), r.getLong("calls"), r.toString());
    }
    assertTrue(areas.containsKey("+1 312"), areas.toString());
    for (Object o : report(property, "callerRegion").getJsonArray("rows")) {
      JsonObject r = (JsonObject) o;
      assertEquals(regions.get(String.valueOf(r.getString("callerRegion"))), r.getLong("calls"), r.toString());
    }
    assertTrue(report(property, "adGroup").getJsonArray("rows").stream().map(JsonObject.class::cast)
        .anyMatch(r -> "group-1".equals(r.getString("adGroup"))));
    assertTrue(report(property, "content").getJsonArray("rows").stream().map(JsonObject.class::cast)
        .anyMatch(r -> "ad-2".equals(r.getString("content"))));
    assertTrue(report(property, "callType").getJsonArray("rows").stream().map(JsonObject.class::cast)
        .anyMatch(r -> "support".equals(r.getString("callType"))));

    // ---- CSV of a trend: the period and the dimension as the first two columns
    Reply csvReport = api.adminGet("/v1/reports/roi?property=" + property
        + "&from=2026-11-01&to=2026-11-30&groupBy=source,week&format=csv");
    assertEquals(200, csvReport.status());
    assertTrue(csvReport.text().startsWith("week,source,calls,"), csvReport.text().substring(0, 40));

    // ---- bad groupBy: a clear 400
    Reply bad = api.adminGet("/v1/reports/roi?property=" + property + "&groupBy=source,hour");
    assertEquals(400, bad.status());
    assertTrue(bad.json().getString("detail").contains("hour"), bad.toString());
    assertEquals(400, api.adminGet("/v1/reports/roi?property=" + property + "&groupBy=week,month").status());

    // ---- targets on 20 November (New York): progress and month-end projection
    clock.set(Instant.parse("2026-11-20T15:00:00Z"));
    Reply t = api.adminGet("/v1/reports/targets?property=" + property);
    assertEquals(200, t.status(), t.toString());
    JsonObject whole = t.json().getJsonArray("targets").getJsonObject(0);
    assertEquals(20, whole.getInteger("daysElapsed"));
    JsonObject toDate = report(property, "source", "2026-11-01", "2026-11-20").getJsonObject("total");
    JsonObject calls = whole.getJsonObject("calls");
    assertEquals(toDate.getLong("calls"), calls.getLong("actual"));
    assertEquals(Math.round(toDate.getLong("calls") * 30 / 20.0), calls.getLong("projected"));
    JsonObject revenue = whole.getJsonObject("revenue");
    assertEquals(toDate.getString("revenue"), revenue.getString("actual"));
    assertEquals(new BigDecimal(toDate.getString("revenue")).multiply(BigDecimal.valueOf(30))
        .divide(BigDecimal.valueOf(20), 2, RoundingMode.HALF_UP).toPlainString(), revenue.getString("projected"));
    assertEquals(toDate.getValue("roiPercent").toString(), whole.getJsonObject("roiPercent").getValue("actual").toString());
    JsonObject google = t.json().getJsonArray("targets").getJsonObject(1);
    assertEquals("google", google.getJsonObject("scope").getString("source"));
    JsonObject googleRow = report(property, "source", "2026-11-01", "2026-11-20").getJsonArray("rows").stream()
        .map(JsonObject.class::cast).filter(r -> "google".equals(r.getString("source"))).findFirst().orElseThrow();
    assertEquals(googleRow.getLong("calls"), google.getJsonObject("calls").getLong("actual"));
  }

  /** Waits for the rollup consumer, also while it has not yet found a new property's stream (NOGROUP). */
  public static void caughtUp(io.vertx.core.Vertx vertx, String property) {
    CallSeeder.awaitConsumerCaughtUp(vertx, property); // waits also while the stream has no group yet
  }

  static void assertNumber(String expected, Object actual) {
    assertNotNull(actual);
    assertEquals(0, new BigDecimal(expected).compareTo(new BigDecimal(actual.toString())), expected + " vs " + actual);
  }

  static String week(LocalDate d) {
    return d.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)).toString();
  }

  static String rate(long part, long whole) {
    return BigDecimal.valueOf(part).divide(BigDecimal.valueOf(whole), 4, RoundingMode.HALF_UP).toString();
  }

  JsonObject report(String property, String groupBy) {
    return report(property, groupBy, "2026-11-01", "2026-11-30");
  }

  JsonObject report(String property, String groupBy, String from, String to) {
    Reply r = api.adminGet("/v1/reports/roi?property=" + property + "&from=" + from + "&to=" + to
        + "&groupBy=" + groupBy);
    assertEquals(200, r.status(), r.toString());
    return r.json();
  }

  List<JsonObject> callsOf(String property, String from, String to) {
    List<JsonObject> out = new ArrayList<>();
    String cursor = null;
    do {
      Reply r = api.adminGet("/v1/calls?from=" + from + "&to=" + to + "&limit=500"
          + (cursor == null ? "" : "&cursor=" + cursor));
      assertEquals(200, r.status(), r.toString());
      for (Object o : r.json().getJsonArray("calls")) {
        JsonObject c = (JsonObject) o;
        if (property.equals(c.getString("property"))) {
          out.add(c);
        }
      }
      cursor = r.json().getString("next");
    } while (cursor != null);
    return out;
  }

  /** A call as the router writes it: started, answered after {@code answerAfter} s and talked, or missed. */
  static CallRecord seed(CallSeeder seeder, String property, PhoneNumber number, String caller, Instant start,
      Attribution a, int answerAfter, int talkSeconds) {
    String id = TestRedis.uniqueId("c");
    CallRecord r = CallRecord.started(id, id + "@trunk", number, caller, property, start)
        .withAttribution(a == null ? "unattributed" : "lease", null, a, List.of());
    await(seeder.store().apply(new CallEvent(id, 0, CallEvent.Type.STARTED, start, r)));
    if (talkSeconds >= 0) {
      r = r.answered(start.plusSeconds(answerAfter), 200);
      await(seeder.store().apply(new CallEvent(id, 1, CallEvent.Type.ANSWERED, r.answeredAt(), r)));
      r = r.ended(r.answeredAt().plusSeconds(talkSeconds), CallStatus.ANSWERED, 200);
    } else {
      r = r.ended(start.plusSeconds(30), CallStatus.MISSED, 408);
    }
    await(seeder.store().apply(new CallEvent(id, 2, CallEvent.Type.ENDED, r.endedAt(), r)));
    return r;
  }
}
