package io.calltrack.dni.spend;

import static io.calltrack.dni.testing.DniClient.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.attribution.Attribution;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.core.redis.RedisClientFactory;
import io.calltrack.core.spend.SpendRow;
import io.calltrack.core.spend.SpendStore;
import io.calltrack.core.testing.TestNumbers;
import io.calltrack.core.testing.TestRedis;
import io.calltrack.dni.report.CallSeeder;
import io.calltrack.dni.report.RoiTestBase;
import io.calltrack.dni.testing.DniClient.Reply;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Spend uploaded as the ad platforms let a marketer download it (fixtures/spend: Google Ads' CSV and
 * "Excel .csv", Microsoft Advertising's and Meta Ads Manager's exports), over real HTTP into real Redis:
 * what is stored, to the cent, and what the ROI report makes of it.
 */
class AdPlatformSpendApiTest extends RoiTestBase {
  private static final LocalDate DEC_1 = LocalDate.parse("2026-12-01");
  private static final LocalDate DEC_2 = LocalDate.parse("2026-12-02");
  private static final String DAYS = "&from=2026-12-01&to=2026-12-02";

  private static Buffer fixture(String name) throws IOException {
    try (InputStream in = AdPlatformSpendApiTest.class.getResourceAsStream("/fixtures/spend/" + name)) {
      return Buffer.buffer(in.readAllBytes());
    }
  }

  private Reply upload(String property, String query, Buffer file) {
    return csv(HttpMethod.PUT, "/v1/spend?property=" + property + query, file);
  }

  private Reply upload(String property, String query, String file) {
    return upload(property, query, Buffer.buffer(file));
  }

  /** The spend Redis holds for the property on 2026-12-01 and -02, read as the reports read it. */
  private Set<SpendRow> stored(String property) {
    Redis redis = RedisClientFactory.create(vertx, TestRedis.url());
    try {
      return new HashSet<>(await(new SpendStore(redis).rows(property, DEC_1, DEC_2)));
    } finally {
      redis.close();
    }
  }

  /** Calls from the platform's ads: {@code perCampaign} calls for each campaign, on 2026-12-01. */
  private String propertyWithCalls(String source, String medium, List<String> campaigns, int perCampaign) {
    String property = newProperty("UTC");
    CallSeeder seeder = new CallSeeder(vertx);
    PhoneNumber number = TestNumbers.fresh();
    int i = 0;
    for (String campaign : campaigns) {
      for (int n = 0; n < perCampaign; n++, i++) {
        seeder.call(property, number, "+1415555" + String.format("%04d", i), Instant.parse("2026-12-01T15:00:00Z"),
            new Attribution(source, medium, campaign, null, null, "/boilers", null, null, null, null, null, null), 30);
      }
    }
    reportWhenCounted("property=" + property + DAYS, i);
    return property;
  }

  private static Set<SpendRow> union(Set<SpendRow> a, Set<SpendRow> b) {
    Set<SpendRow> all = new HashSet<>(a);
    all.addAll(b);
    return all;
  }

  private JsonObject byCampaign(String property) {
    return report("property=" + property + DAYS + "&groupBy=campaign");
  }

  @Test
  void googleAdsCsvDownloadWithTitleTotalsAndThousandsSeparators() throws IOException {
    String property = propertyWithCalls("google", "cpc", List.of("Boilers, Spring", "Plumbing"), 4);
    Reply r = upload(property, "", fixture("google-ads-keywords.csv"));
    assertEquals(200, r.status(), r.toString());
    assertEquals("google-ads", r.json().getString("layout"));
    assertEquals(3, r.json().getInteger("rows"));
    assertEquals("1664.66", r.json().getString("amount"), "the Total: rows are not counted again");
    assertEquals(new JsonArray().add("2026-12-01").add("2026-12-02"), r.json().getJsonArray("days"));
    assertEquals(Set.of(
        new SpendRow(DEC_1, "google", "cpc", "Boilers, Spring", "boiler repair", "Repair", "", 123456),
        new SpendRow(DEC_1, "google", "cpc", "Plumbing", "emergency plumber", "Emergency", "", 3010),
        new SpendRow(DEC_2, "google", "cpc", "Boilers, Spring", "boiler repair", "Repair", "", 40000)),
        stored(property));
    JsonObject rep = byCampaign(property);
    assertEquals("1634.56", row(rep, "campaign", "Boilers, Spring").getString("cost"));
    assertEquals("408.64", row(rep, "campaign", "Boilers, Spring").getString("costPerCall"));
    assertEquals("7.53", row(rep, "campaign", "Plumbing").getString("costPerCall"), "30.10 / 4, to the cent");
    assertEquals("1664.66", rep.getJsonObject("total").getString("cost"));
  }

  @Test
  void googleAdsExcelCsvIsUtf16AndTabSeparated() throws IOException {
    String property = propertyWithCalls("google", "cpc", List.of("Boilers, Spring"), 2);
    Reply r = upload(property, "", fixture("google-ads-campaigns-excel.csv"));
    assertEquals(200, r.status(), r.toString());
    assertEquals("1664.66", r.json().getString("amount"));
    assertEquals(Set.of(new SpendRow(DEC_1, "google", "cpc", "Boilers, Spring", 126466),
        new SpendRow(DEC_2, "google", "cpc", "Boilers, Spring", 40000),
        new SpendRow(DEC_2, "google", "cpc", "Plumbing", 0)), stored(property));
    assertEquals("832.33", row(byCampaign(property), "campaign", "Boilers, Spring").getString("costPerCall"));
  }

  @Test
  void microsoftAdvertisingExportWithPreambleTotalAndCopyright() throws IOException {
    String property = propertyWithCalls("bing", "cpc", List.of("Boilers, Spring", "Plumbing"), 3);
    Reply r = upload(property, "", fixture("microsoft-ads-keywords.csv"));
    assertEquals(200, r.status(), r.toString());
    assertEquals("microsoft-ads", r.json().getString("layout"));
    assertEquals("1235.00", r.json().getString("amount"));
    assertEquals(Set.of(
        new SpendRow(DEC_1, "bing", "cpc", "Boilers, Spring", "boiler repair", "Repair", "", 21040),
        new SpendRow(DEC_2, "bing", "cpc", "Boilers, Spring", "boiler repair", "Repair", "", 100505),
        new SpendRow(DEC_2, "bing", "cpc", "Plumbing", "emergency plumber", "Emergency", "", 1955)), stored(property));
    JsonObject rep = byCampaign(property);
    assertEquals("405.15", row(rep, "campaign", "Boilers, Spring").getString("costPerCall"), "1215.45 / 3");
    assertEquals("6.52", row(rep, "campaign", "Plumbing").getString("costPerCall"), "19.55 / 3, rounded half up");
  }

  @Test
  void metaAdsManagerExportByDayWithTheSourceAndMediumTheSiteUses() throws IOException {
    String property = propertyWithCalls("fb", "paid-social", List.of("Boilers, Spring", "Plumbing"), 2);
    // our own CSV's row of another source on the same day is kept: an export replaces only its own source
    // (and medium), whatever the case an earlier upload wrote them in, as reports join spend to calls
    assertEquals(200, upload(property, "", "date,source,medium,campaign,amount\n2026-12-01,print,offline,,50.00\n"
        + "2026-12-01,FB,Paid-Social,Boilers,7.00\n").status());
    Reply r = upload(property, "&source=fb&medium=paid-social", fixture("meta-ads-daily.csv"));
    assertEquals(200, r.status(), r.toString());
    assertEquals("meta-ads", r.json().getString("layout"));
    assertEquals("2036.00", r.json().getString("amount"));
    Set<SpendRow> meta = Set.of(new SpendRow(DEC_1, "fb", "paid-social", "Boilers, Spring", "", "Homeowners 35-65", "", 102000),
        new SpendRow(DEC_2, "fb", "paid-social", "Boilers, Spring", "", "Homeowners 35-65", "", 98001),
        new SpendRow(DEC_2, "fb", "paid-social", "Plumbing", "", "Lookalike", "", 3599));
    Set<SpendRow> print = Set.of(new SpendRow(DEC_1, "print", "offline", "", 5000));
    assertEquals(union(meta, print), stored(property));
    // and uploading it again replaces it: nothing is added twice
    assertEquals(200, upload(property, "&source=fb&medium=paid-social", fixture("meta-ads-daily.csv")).status());
    assertEquals(union(meta, print), stored(property));
    JsonObject rep = byCampaign(property);
    assertEquals("1000.01", row(rep, "campaign", "Boilers, Spring").getString("costPerCall"));
    assertEquals("18.00", row(rep, "campaign", "Plumbing").getString("costPerCall"), "35.99 / 2");
    JsonObject bySource = report("property=" + property + DAYS + "&groupBy=source");
    assertEquals("2036.00", row(bySource, "source", "fb").getString("cost"));
    assertEquals("2086.00", bySource.getJsonObject("total").getString("cost"));
  }

  /** A bad file is refused whole, naming the row as the file numbers it, and nothing is stored. */
  @Test
  void badExportsAreRefusedNamingTheRowAndStoreNothing() throws IOException {
    String property = newProperty("UTC");
    String google = "Campaign report\r\nDecember 1, 2026 - December 2, 2026\r\n"
        + "Day,Campaign,Currency code,Cost\r\n2026-12-01,Boilers,USD,\"1,234.56\"\r\n";
    assertRefused(upload(property, "", google + "01/12/2026,Boilers,USD,5.00\r\n"),
        "row 5: Day must look like 2026-12-01: '01/12/2026'");
    assertRefused(upload(property, "", google + "2026-12-02,Boilers,EUR,5.00\r\n"),
        "row 5: currency EUR is not the property's currency USD");
    assertRefused(upload(property, "", google + "2026-12-02,Boilers,USD,5.005\r\n"),
        "row 5: Cost has more than two decimal places");
    assertRefused(upload(property, "", google + "2026-12-02,Boilers,USD,\"1.234,56\"\r\n"),
        "row 5: Cost must be a number like 1234.56 or 1,234.56");
    assertRefused(upload(property, "", "Campaign report\r\nDecember 1, 2026 - December 2, 2026\r\n"
        + "Day,Campaign,Currency code,Cost\r\nTotal: Account,--,USD,0.00\r\nTotal: Campaigns,--,USD,0.00\r\n"),
        "no spend rows in the upload");
    assertRefused(upload(property, "", "Campaign report\r\nDecember 1, 2026 - December 2, 2026\r\n"
        + "Campaign,Currency code,Cost\r\nBoilers,USD,5.00\r\n"), "row 3: this Google Ads report has no column Day");
    assertRefused(upload(property, "", fixture("meta-ads-weekly.csv")),
        "row 3: Reporting starts 2026-12-01 and Reporting ends 2026-12-07 are not one day");
    String microsoft = new String(fixture("microsoft-ads-keywords.csv").getBytes(), StandardCharsets.UTF_8);
    assertRefused(upload(property, "", microsoft.replace("\"12/2/2026\",\"Plumbing\"", "\"13/2/2026\",\"Plumbing\"")),
        "row 14: Gregorian date must look like 2026-12-01 or 12/1/2026 (month/day/year): '13/2/2026'");
    assertRefused(upload(property, "&layout=google-ads", fixture("meta-ads-daily.csv")),
        "no Google Ads header in the first 50 rows");
    assertRefused(upload(property, "&source=google", "date,source,amount\n2026-12-01,google,5.00\n"),
        "source and medium apply to an ad platform's export");
    assertRefused(upload(property, "&layout=crm", google), "layout");
    // JSON rows likewise: a misspelt column is named, not dropped (the spend would join by source alone)
    Reply typo = api.adminPut("/v1/spend?property=" + property, new io.vertx.core.json.JsonArray()
        .add(new io.vertx.core.json.JsonObject().put("date", "2026-12-01").put("source", "google").put("amount", "5.00"))
        .add(new io.vertx.core.json.JsonObject().put("date", "2026-12-01").put("source", "google").put("campain", "x")
            .put("amount", "5.00")));
    assertRefused(typo, "row 2: unknown field 'campain' (a spend row takes date, source, medium, campaign");
    assertEquals(Set.of(), stored(property), "nothing was stored");
    assertNull(report("property=" + property + DAYS).getJsonObject("total").getValue("cost"));
  }

  /** Our own CSV is read as before, and layout=generic keeps a file from being taken for an export. */
  @Test
  void ourOwnColumnsAreReadAsBefore() {
    String property = newProperty("UTC");
    Reply r = upload(property, "&layout=generic", "date,source,medium,campaign,amount\n2026-12-01,google,cpc,x,5.00\n");
    assertEquals(200, r.status(), r.toString());
    assertNull(r.json().getValue("layout"));
    Reply export = upload(property, "&layout=generic", "Day,Campaign,Cost\n2026-12-01,x,5.00\n");
    assertEquals(400, export.status(), export.toString());
    assertTrue(export.json().getString("detail").contains("row 1: expected 5 fields (date,source,medium,campaign,amount)"),
        export.toString());
  }

  private void assertRefused(Reply r, String detail) {
    assertEquals(400, r.status(), r.toString());
    assertTrue(r.json().getString("detail").contains(detail), () -> "'" + detail + "' in " + r);
  }
}
