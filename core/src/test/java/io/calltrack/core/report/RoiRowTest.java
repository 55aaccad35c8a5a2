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

  private static RoiCounts counts(long revenue, Long cost) {
    return new RoiCounts(1, 1, 1, 1, 0, 0, 0, revenue, 0, cost);
  }
}
