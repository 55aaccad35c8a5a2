package io.calltrack.core.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.calltrack.core.CalltrackException;
import java.math.BigDecimal;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The ROI definitions and rounding, on exact numbers. */
class RoiRowTest {
  @Test
  void workedExampleTotals() {
    // 500 calls, 100 qualified at 200.00, spend 7700.00 (roi-example.json)
    RoiRow row = new RoiRow(null, new RoiCounts(500, 0, 0, 0, 0, 100, 0, 2_000_000, 0, 770_000L));
    Map<String, Object> f = row.fields();
    assertEquals("20000.00", f.get("revenue"));
    assertEquals("7700.00", f.get("cost"));
    assertEquals(new BigDecimal("2.597"), f.get("roas"));
    assertEquals(new BigDecimal("159.74"), f.get("roiPercent"));
    assertEquals("15.40", f.get("costPerCall"));
    assertEquals("77.00", f.get("costPerQualifiedCall"));
    assertNull(f.get("costPerConversion"), "no conversions: denominator 0");
    assertEquals("40.00", f.get("revenuePerCall"));
    assertEquals(new BigDecimal("0.2000"), f.get("qualifiedRate"));
  }

  @Test
  void breakEvenAndLoss() {
    assertEquals(new BigDecimal("0.00"), new RoiRow(null, counts(100, 100L)).roiPercent());
    assertEquals(new BigDecimal("-100.00"), new RoiRow(null, counts(0, 100L)).roiPercent());
    assertEquals(new BigDecimal("400.00"), new RoiRow(null, counts(50000, 10000L)).roiPercent());
    assertEquals(new BigDecimal("5.000"), new RoiRow(null, counts(50000, 10000L)).roas());
  }

  @Test
  void zeroDenominatorsAreNull() {
    Map<String, Object> noSpend = new RoiRow("x", counts(100, null)).fields();
    assertNull(noSpend.get("roas"));
    assertNull(noSpend.get("roiPercent"));
    assertNull(noSpend.get("cost"));
    assertNull(noSpend.get("costPerCall"));
    Map<String, Object> zeroSpend = new RoiRow("x", counts(100, 0L)).fields();
    assertEquals("0.00", zeroSpend.get("cost"));
    assertNull(zeroSpend.get("roas"));
    Map<String, Object> noCalls = new RoiRow("x", RoiCounts.ZERO.withCost(500L)).fields();
    assertNull(noCalls.get("costPerCall"));
    assertNull(noCalls.get("answerRate"));
    assertEquals(new BigDecimal("-100.00"), noCalls.get("roiPercent"));
  }

  @Test
  void moneyIsExact() {
    assertEquals(123450L, Money.parseMinor("1234.5", "v"));
    assertEquals("1234.50", Money.format(123450L));
    assertThrows(CalltrackException.Invalid.class, () -> Money.parseMinor("1.005", "v"));
    assertThrows(CalltrackException.Invalid.class, () -> Money.parseMinor("-1", "v"));
    assertThrows(CalltrackException.Invalid.class, () -> Money.parseMinor("abc", "v"));
  }

  /** Every derived field beyond ROI from one known set of summed metrics (docs/metrics.md definitions). */
  @Test
  void derivedFieldsFollowTheirDefinitions() {
    java.util.Map<String, Long> m = new java.util.HashMap<>();
    m.put("calls", 20L);
    m.put("first", 8L);
    m.put("answered", 15L);
    m.put("missed", 5L);
    m.put("qualified", 10L);
    m.put("conversions", 4L);
    m.put("revenue", 120000L); // 1200.00
    m.put("duration", 1500L);
    m.put("finished", 19L);
    m.put("abandoned", 2L);
    m.put("answerSeconds", 150L);
    m.put("waitSeconds", 380L);
    m.put("answeredWithin10", 9L);
    m.put("answeredWithin60", 15L);
    m.put("afterHours", 5L);
    m.put("afterHoursAnswered", 2L);
    m.put("withOutcome", 12L);
    m.put("stage_appointment", 5L);
    m.put("stageValue_opportunity", 250050L);
    m.put("spam", 1L);
    m.put("voicemail", 2L);
    m.put("scored", 3L);
    m.put("leadScoreSum", 200L);
    m.put("repeatCalls", 12L);
    m.put("repeatPurchases", 1L);
    m.put("firstRevenue", 30000L);
    RoiCounts c = RoiCounts.fromMetrics(m).withUniqueCallers(10).withRepeatCallers(4).withCost(40000L);
    java.util.Map<String, Object> f = new RoiRow(null, c).fields();
    assertEquals(new BigDecimal("0.6000"), f.get("repeatCallRate"));
    assertEquals(4L, f.get("repeatCallers"));
    assertEquals(new BigDecimal("0.2500"), f.get("missedRate"));
    assertEquals(new BigDecimal("0.1053"), f.get("abandonmentRate"), "abandoned / ended calls");
    assertEquals(new BigDecimal("100.0"), f.get("averageDurationSeconds"), "talk seconds / answered");
    assertEquals(new BigDecimal("10.0"), f.get("averageSpeedOfAnswerSeconds"));
    assertEquals(new BigDecimal("20.0"), f.get("averageWaitSeconds"), "over ended calls");
    assertEquals(new BigDecimal("0.4737"), f.get("serviceLevel10s"));
    assertEquals(new BigDecimal("0.7895"), f.get("serviceLevel60s"));
    assertEquals(new BigDecimal("0.2500"), f.get("afterHoursRate"));
    assertEquals(new BigDecimal("0.4000"), f.get("afterHoursAnswerRate"));
    assertEquals(new BigDecimal("0.6000"), f.get("crmMatchRate"));
    assertEquals(new BigDecimal("0.2500"), f.get("appointmentRate"));
    assertEquals("80.00", f.get("costPerAppointment"));
    assertNull(f.get("costPerSale"), "no sale stage reached");
    assertEquals("2500.50", f.get("opportunityValue"));
    assertEquals(new BigDecimal("0.0500"), f.get("spamRate"));
    assertEquals(new BigDecimal("0.1000"), f.get("voicemailRate"));
    assertEquals(new BigDecimal("66.7"), f.get("averageLeadScore"), "over scored calls only");
    assertEquals("120.00", f.get("revenuePerQualifiedCall"));
    assertEquals("300.00", f.get("averageOrderValue"));
    assertEquals(new BigDecimal("0.4000"), f.get("leadCloseRate"));
    assertEquals("300.00", f.get("firstTimeRevenue"));
    assertEquals("37.50", f.get("revenuePerFirstTimeCaller"));
    assertEquals("120.00", f.get("revenuePerCaller"));
    assertEquals("400.00", f.get("missedRevenueLoss"), "5 missed x 80.00 per answered call");
    // rounded once: 300 missed x 100.00 / 3 answered is 10000.00, not 300 x 33.33
    RoiRow thirds = new RoiRow(null, new RoiCounts(303, 0, 0, 3, 300, 0, 1, 10_000, 0, null));
    assertEquals("10000.00", thirds.fields().get("missedRevenueLoss"));
    assertEquals("26.67", f.get("costPerAnsweredCall"));
    assertEquals(new BigDecimal("0.2500"), f.get("repeatPurchaseRate"));
    assertEquals(RoiRow.FIELDS, java.util.List.copyOf(f.keySet()), "fields in the documented order");
  }

  private static RoiCounts counts(long revenue, Long cost) {
    return new RoiCounts(1, 1, 1, 1, 0, 0, 0, revenue, 0, cost);
  }
}
