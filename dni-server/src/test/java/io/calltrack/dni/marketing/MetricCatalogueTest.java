package io.calltrack.dni.marketing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.core.report.RoiRow;
import io.calltrack.core.rollup.Dimension;
import io.calltrack.core.testing.TestNumbers;
import io.calltrack.core.testing.TestRedis;
import io.calltrack.dni.report.CallSeeder;
import io.calltrack.dni.testing.DniClient;
import io.calltrack.dni.testing.DniClient.Reply;
import io.calltrack.dni.testing.DniTestBase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The catalogue rows that rest on what the business reports (dispositions, call types, lead scores)
 * and on range-wide figures (peaks, attribution completeness, tracking coverage), exact on a known
 * set of five calls through the API; and docs/metrics.md against the code: the served count it states,
 * and every report field it names for a served row exists.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class MetricCatalogueTest extends DniTestBase {

  @Test
  void businessReportedFamiliesPeaksAndCoverageAreExact() {
    String property = TestRedis.uniqueId("catalogue");
    PhoneNumber printed = TestNumbers.fresh();
    assertEquals(200, api.adminPut("/v1/properties/" + property, propertyBody(printed.e164(), ORIGIN)).status());
    CallSeeder seeder = new CallSeeder(vertx);
    PhoneNumber n = TestNumbers.fresh();
    // New York is UTC-5 in early March 2026: 15:00Z is 10:00 local
    CallRecord c1 = seeder.call(property, n, "+13125550101", Instant.parse("2026-03-02T15:00:00Z"),
        CallSeeder.source("google", "cpc"), 60);
    CallRecord c2 = seeder.call(property, n, "+13125550102", Instant.parse("2026-03-02T15:30:00Z"),
        CallSeeder.source("google", "cpc"), 5);
    CallRecord c3 = seeder.call(property, n, "+13125550103", Instant.parse("2026-03-02T20:00:00Z"), null, -1);
    CallRecord c4 = seeder.call(property, n, "+13125550104", Instant.parse("2026-03-03T15:10:00Z"),
        CallSeeder.source("bing", "cpc"), 30);
    CallRecord c5 = seeder.call(property, n, "+13125550101", Instant.parse("2026-03-04T16:00:00Z"),
        CallSeeder.source("google", "cpc"), 30);
    CallSeeder.awaitConsumerCaughtUp(vertx, property);
    outcome(c1, new JsonObject().put("qualified", true).put("converted", true).put("value", "300.00")
        .put("disposition", "customer").put("callType", "sales").put("leadScore", 80));
    outcome(c2, new JsonObject().put("disposition", "spam"));
    outcome(c3, new JsonObject().put("disposition", "voicemail"));
    outcome(c4, new JsonObject().put("disposition", "wrong-number").put("callType", "support").put("leadScore", 40));
    Reply bad = api.request(HttpMethod.POST, "/v1/calls/" + c4.callId() + "/outcome",
        DniClient.body(new JsonObject().put("disposition", "robot")), api.admin());
    assertEquals(400, bad.status());
    assertTrue(bad.json().getString("detail").contains("disposition"), bad.toString());

    JsonObject total = report(property, "source").getJsonObject("total");
    assertEquals(5, total.getLong("calls"));
    assertEquals(1, total.getLong("spam"));
    assertEquals(1, total.getLong("wrongNumber"));
    assertEquals(1, total.getLong("voicemail"));
    assertNumber("0.2000", total.getValue("spamRate"));
    assertNumber("0.2000", total.getValue("wrongNumberRate"));
    assertNumber("0.2000", total.getValue("voicemailRate"));
    assertNumber("60.0", total.getValue("averageLeadScore"));
    assertEquals(4, total.getLong("withOutcome"));
    assertNumber("0.8000", total.getValue("crmMatchRate"));
    assertEquals(4, total.getLong("firstTimeCallers"));
    assertEquals(1, total.getLong("repeatCalls"));

    // the breakdowns by the business's disposition and call type
    assertEquals(Map.of("customer", 1L, "spam", 1L, "voicemail", 1L, "wrong-number", 1L, "(none)", 1L),
        calls(report(property, "disposition"), "disposition"));
    assertEquals(Map.of("sales", 1L, "support", 1L, "(none)", 3L), calls(report(property, "callType"), "callType"));
    JsonObject salesRow = report(property, "callType").getJsonArray("rows").stream().map(JsonObject.class::cast)
        .filter(r -> "sales".equals(r.getString("callType"))).findFirst().orElseThrow();
    assertNumber("80.0", salesRow.getValue("averageLeadScore"));

    // peaks, attribution completeness and tracking coverage
    Reply s = api.adminGet("/v1/reports/summary?property=" + property + "&from=2026-03-01&to=2026-03-07");
    assertEquals(200, s.status(), s.toString());
    JsonObject summary = s.json();
    assertEquals(5, summary.getLong("calls"));
    assertEquals(new JsonObject().put("hour", 10).put("calls", 3), summary.getJsonObject("peakHour"));
    assertEquals(new JsonObject().put("weekday", "monday").put("calls", 3), summary.getJsonObject("peakWeekday"));
    assertEquals(new JsonObject().put("day", "2026-03-02").put("calls", 3), summary.getJsonObject("peakDay"));
    assertEquals(4, summary.getLong("attributedCalls"));
    assertNumber("0.8000", summary.getValue("attributionRate"));
    assertEquals(4, summary.getLong("trackedCalls"));
    assertNumber("0.8000", summary.getValue("trackingCoverageRate"));
    JsonObject empty = api.adminGet("/v1/reports/summary?property=" + property + "&from=2026-02-01&to=2026-02-07")
        .json();
    assertNull(empty.getValue("peakHour"));
    assertNull(empty.getValue("attributionRate"));
    Reply badDate = api.adminGet("/v1/reports/summary?property=" + property + "&from=March");
    assertEquals(400, badDate.status());
    assertTrue(badDate.json().getString("detail").contains("from"), badDate.toString());
    assertEquals(400, api.adminGet("/v1/reports/summary?property=" + property
        + "&from=2026-03-07&to=2026-03-01").status());

    // customer lifetime value since tracking began: the caller of c1 and c5 is one customer
    assertEquals(new JsonObject().put("property", property).put("currency", "USD").put("customers", 1)
        .put("customerRevenue", "300.00").put("customerLifetimeValue", "300.00"), lifetime(property));
    outcome(c5, new JsonObject().put("converted", true).put("value", "100.00"));
    outcome(c4, new JsonObject().put("converted", true).put("value", "50.00"));
    assertEquals(new JsonObject().put("property", property).put("currency", "USD").put("customers", 2)
        .put("customerRevenue", "450.00").put("customerLifetimeValue", "225.00"), lifetime(property));
    outcome(c5, new JsonObject().put("converted", true).put("value", "160.00"));
    assertEquals("510.00", lifetime(property).getString("customerRevenue"), "a changed value moves it by the difference");
    outcome(c5, new JsonObject().put("converted", false));
    assertEquals("350.00", lifetime(property).getString("customerRevenue"), "a withdrawn sale leaves it");
    assertEquals(404, api.adminGet("/v1/reports/lifetime?property=nope-" + property).status());
  }

  private JsonObject lifetime(String property) {
    Reply r = api.adminGet("/v1/reports/lifetime?property=" + property);
    assertEquals(200, r.status(), r.toString());
    return r.json();
  }

  /** docs/metrics.md: the served count it states is its rows', and each field it names is served. */
  @Test
  void metricsDocumentMatchesTheReports() throws Exception {
    List<String> lines = Files.readAllLines(Path.of("..", "docs", "metrics.md"));
    Set<String> fields = new HashSet<>(RoiRow.FIELDS);
    for (Dimension d : Dimension.values()) {
      fields.add(d.json());
    }
    fields.addAll(List.of("peakHour", "peakWeekday", "peakDay", "attributedCalls", "attributionRate", "trackedCalls",
        "trackingCoverageRate", "calls", "total", "customers", "customerRevenue", "customerLifetimeValue"));
    // what the business sends with an outcome or sets for the property, named where a row says so
    Set<String> inputs = Set.of("businessHours", "disposition", "callType", "leadScore", "stages", "converted",
        "qualified", "value", "model", "from", "to", "lead", "appointment", "quote", "opportunity", "sale",
        "unattributed");
    Pattern row = Pattern.compile("^\\| ([A-G]\\d+) \\|[^|]*\\|[^|]*\\| (yes|no) \\| (.*) \\|$");
    Pattern field = Pattern.compile("`([a-z][A-Za-z0-9]*)`");
    int rows = 0;
    int served = 0;
    for (String line : lines) {
      Matcher m = row.matcher(line);
      if (!m.matches()) {
        continue;
      }
      rows++;
      String where = m.group(3);
      if (!m.group(2).equals("yes")) {
        continue;
      }
      served++;
      if (where.startsWith("`GET /v1/reports/conversations")) {
        Matcher f = field.matcher(where);
        while (f.find()) {
          String name = f.group(1);
          assertTrue(io.calltrack.core.conversation.ConversationReport.FIELDS.contains(name)
                  || name.startsWith("analysis") || List.of("conversations", "leadIntent", "scriptSaid", "scriptMissed",
                      "qualified").contains(name),
              m.group(1) + " names `" + name + "`, which the conversations report does not serve");
        }
        continue;
      }
      if (where.startsWith("`GET /v1/reports/roi") || where.startsWith("`GET /v1/reports/summary")
          || where.startsWith("`GET /v1/reports/lifetime")) {
        Matcher f = field.matcher(where);
        while (f.find()) {
          assertTrue(fields.contains(f.group(1)) || inputs.contains(f.group(1)),
              m.group(1) + " names `" + f.group(1) + "`, which no report serves");
        }
      }
    }
    assertEquals(126, rows, "every catalogue row");
    int stated = served;
    assertTrue(lines.stream().anyMatch(l -> l.contains("**" + stated + " of 126 are served.**")),
        "the document states " + served + " served");
  }

  private void outcome(CallRecord c, JsonObject body) {
    Reply r = api.request(HttpMethod.POST, "/v1/calls/" + c.callId() + "/outcome", DniClient.body(body), api.admin());
    assertEquals(200, r.status(), r.toString());
  }

  private JsonObject report(String property, String groupBy) {
    Reply r = api.adminGet("/v1/reports/roi?property=" + property + "&from=2026-03-01&to=2026-03-07&groupBy=" + groupBy);
    assertEquals(200, r.status(), r.toString());
    return r.json();
  }

  private static Map<String, Long> calls(JsonObject report, String dim) {
    Map<String, Long> out = new HashMap<>();
    for (Object o : report.getJsonArray("rows")) {
      JsonObject r = (JsonObject) o;
      String v = r.getString(dim);
      out.merge(v == null ? "(none)" : v, r.getLong("calls"), Long::sum);
    }
    return out;
  }

  private static void assertNumber(String expected, Object actual) {
    assertTrue(actual != null && new BigDecimal(expected).compareTo(new BigDecimal(actual.toString())) == 0,
        "expected " + expected + " but was " + actual);
  }
}
