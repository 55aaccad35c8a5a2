package io.calltrack.dni.spend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.CalltrackException;

import io.calltrack.core.spend.SpendRow;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** The spend CSV as pure parsing: what a header may look like, and what a file without one must be. */
class SpendCsvTest {
  /**
   * A header in capitals is read whatever the server's locale: in a Turkish one, "CAMPAIGN" lower-cased
   * by the JVM's own rules is "campaıgn" (a dotless i), and the upload was refused for its header.
   */
  @Test
  void aHeaderInCapitalsIsReadInAnyLocale() {
    Locale before = Locale.getDefault();
    Locale.setDefault(Locale.forLanguageTag("tr-TR"));
    try {
      List<SpendRow> rows = SpendRoutes.fromCsv("DATE,SOURCE,MEDIUM,CAMPAIGN,AMOUNT\n2026-03-02,google,cpc,spring,12.50\n");
      assertEquals(1, rows.size());
      assertEquals("spring", rows.get(0).campaign());
      assertEquals(1250, rows.get(0).amountMinor());
    } finally {
      Locale.setDefault(before);
    }
  }

  /** Spreadsheets order and spell columns as they like: a header's names say which field is which. */
  @Test
  void aHeadersColumnsAreReadByNameInAnyOrder() {
    List<SpendRow> rows = SpendRoutes.fromCsv("Amount,Campaign,Date,Source,Landing Page,ad_group,\n"
        + "12.50,spring,2026-03-02,google,/boilers,brand,\n");
    assertEquals(1, rows.size());
    SpendRow r = rows.get(0);
    assertEquals("2026-03-02", r.date().toString());
    assertEquals(1250, r.amountMinor());
    assertEquals("google", r.source());
    assertEquals("", r.medium(), "a column the header leaves out is empty");
    assertEquals("spring", r.campaign());
    assertEquals("/boilers", r.landingPage());
    assertEquals("brand", r.adGroup());
  }

  @Test
  void aHeaderWithAColumnItDoesNotKnowIsRefusedNamingIt() {
    CalltrackException e = assertThrows(CalltrackException.Invalid.class,
        () -> SpendRoutes.fromCsv("date,source,amount,Clicks\n2026-03-02,google,3.00,12\n"));
    assertEquals("the CSV header has unknown column 'Clicks'; the columns are date, source, medium, campaign,"
        + " keyword, adGroup, landingPage, amount, currency", e.getMessage());
    e = assertThrows(CalltrackException.Invalid.class,
        () -> SpendRoutes.fromCsv("Date,Source,Cost\n2026-03-02,google,3.00\n"));
    assertTrue(e.getMessage().startsWith("the CSV header has unknown column 'Cost'"), e.getMessage());
    e = assertThrows(CalltrackException.Invalid.class,
        () -> SpendRoutes.fromCsv("date,source,campaign\n2026-03-02,google,spring\n"));
    assertEquals("the CSV header has no amount column", e.getMessage());
    e = assertThrows(CalltrackException.Invalid.class, () -> SpendRoutes.fromCsv("source,medium\ngoogle,cpc\n"));
    assertEquals("the CSV header has no date and no amount column", e.getMessage());
    String longName = "x".repeat(5000);
    e = assertThrows(CalltrackException.Invalid.class,
        () -> SpendRoutes.fromCsv("date,amount," + longName + "\n2026-03-02,1.00,y\n"));
    assertTrue(e.getMessage().length() < 300, "an unknown column is quoted, not echoed whole");
    e = assertThrows(CalltrackException.Invalid.class,
        () -> SpendRoutes.fromCsv("date,amount,source,Amount\n2026-03-02,1,google,2\n"));
    assertEquals("the CSV header names amount twice", e.getMessage());
  }

  @Test
  void aRowIsAsWideAsItsHeaderOrItsLayout() {
    CalltrackException e = assertThrows(CalltrackException.Invalid.class,
        () -> SpendRoutes.fromCsv("date,source,amount\n2026-03-02,google,1.00\n2026-03-03,google\n"));
    assertTrue(e.getMessage().contains("row 3: expected 3 fields as the header has, got 2"), e.getMessage());
    // without a header: the documented orders, told apart by their number of fields
    List<SpendRow> rows = SpendRoutes.fromCsv("2026-03-02,google,cpc,amount,1.00\n"
        + "2026-03-02,google,cpc,spring,boiler repair,brand,/boilers,2.00\n");
    assertEquals("amount", rows.get(0).campaign(), "a campaign named like a column is data");
    assertEquals("boiler repair", rows.get(1).keyword());
    assertEquals(200, rows.get(1).amountMinor());
    e = assertThrows(CalltrackException.Invalid.class, () -> SpendRoutes.fromCsv("2026-03-02,google,1.00\n"));
    assertTrue(e.getMessage().contains("row 1: expected 5 fields (date,source,medium,campaign,amount) or 8"),
        e.getMessage());
  }

  /** A quoted level with a line feed, a carriage return or another control character is refused. */
  @Test
  void aLevelWithALineBreakOrControlCharacterIsRefused() {
    for (String bad : List.of("goo\ngle", "goo\rgle", "goo\tgle", "goo\u0000gle", "goo\u007fgle")) {
      CalltrackException.Invalid e = assertThrows(CalltrackException.Invalid.class,
          () -> SpendRoutes.fromCsv("date,source,amount\n2026-03-02,\"" + bad + "\",5.00\n"), bad);
      assertTrue(e.getMessage().contains("control characters"), e::getMessage);
    }
  }

  /** A day no report can ask for is refused, not stored out of every report's reach. */
  @Test
  void aDayPastWhatReportsCoverIsRefused() {
    for (String day : List.of("+999999999-12-31", "1969-12-31", "0001-01-01")) {
      CalltrackException.Invalid e = assertThrows(CalltrackException.Invalid.class,
          () -> SpendRoutes.fromCsv("date,source,amount\n" + day + ",google,5.00\n"), day);
      assertTrue(e.getMessage().contains("1970-01-01 to 9999-12-31"), e::getMessage);
    }
  }

  @Test
  void aCurrencyColumnMustNameThePropertysCurrency() {
    String csv = "date,source,amount,currency\n2026-03-02,google,1.00,usd\n2026-03-02,bing,2.00,EUR\n";
    CalltrackException e = assertThrows(CalltrackException.Invalid.class, () -> SpendRoutes.fromCsv(csv, "USD"));
    assertTrue(e.getMessage().startsWith("bad rows 3 "), e.getMessage());
    assertTrue(e.getMessage().contains("currency EUR is not the property's currency USD"), e.getMessage());
    assertEquals(2, SpendRoutes.fromCsv(csv.replace("EUR", "USD"), "USD").size());
  }

  /** A file in two currencies is refused at the row that changes, whatever the property's currency. */
  @Test
  void anExportInTwoCurrenciesIsRefusedAtTheRowThatChanges() {
    String csv = "Day,Campaign,Currency code,Cost\n2026-12-01,a,USD,1.00\n2026-12-01,b,usd,2.00\n2026-12-02,a,EUR,3.00\n";
    CalltrackException e = assertThrows(CalltrackException.Invalid.class,
        () -> SpendRoutes.fromUpload(csv, null, null, null, null));
    assertEquals("bad rows 4 (nothing was applied): row 4: currency EUR is not the USD of row 2 (one currency per file)",
        e.getMessage());
  }

  /** "--" is Google's "none": no level, no cost; Microsoft's API downloads name their columns in one word. */
  @Test
  void dashesAreNothingAndMicrosoftsApiColumnsAreRead() {
    List<SpendRow> google = SpendRoutes.fromUpload("Day,Campaign,Ad group,Cost\n2026-12-01,a,--,--\n", "USD", null,
        null, null).rows();
    assertEquals(List.of(new SpendRow(java.time.LocalDate.parse("2026-12-01"), "google", "cpc", "a", 0)), google);
    SpendRoutes.Parsed bing = SpendRoutes.fromUpload("\"TimePeriod\",\"CampaignName\",\"AdGroupName\",\"Spend\",\"CurrencyCode\"\n"
        + "\"2026-12-01\",\"a\",\"g\",\"12.30\",\"USD\"\n", "USD", null, null, null);
    assertEquals(AdPlatformExport.Platform.MICROSOFT_ADS, bing.platform());
    assertEquals(List.of(new SpendRow(java.time.LocalDate.parse("2026-12-01"), "bing", "cpc", "a", "", "g", "", 1230)),
        bing.rows());
  }

  @Test
  void anAmountIsReadExactlyWithOrWithoutThousandsSeparators() {
    assertEquals(123456789, AdPlatformExport.amount(" 1,234,567.89 ", "Cost"));
    assertEquals(100, AdPlatformExport.amount("1", "Cost"));
    for (String bad : List.of("1,23.00", "1.234,56", "12,3456", ",123", "$5.00", "1e3,000")) {
      CalltrackException e = assertThrows(CalltrackException.Invalid.class, () -> AdPlatformExport.amount(bad, "Cost"),
          bad);
      assertTrue(e.getMessage().startsWith("Cost must be"), e.getMessage());
    }
  }
}
