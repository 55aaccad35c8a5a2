package io.calltrack.core.report;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One row of the ROI report with its derived figures. Definitions (docs/contract.md): ROI % = (revenue −
 * cost) / cost × 100 (0 % is break-even), ROAS = revenue / cost, cost per call / qualified call /
 * conversion = cost / that count, revenue per call = revenue / calls, answer rate = answered / calls,
 * qualified rate = qualified / calls, call-to-sale rate = conversions / calls. Any ratio whose
 * denominator is 0 (or whose cost is unknown) is null.
 *
 * <p>Rounding (HALF_UP, exact decimal arithmetic): money figures to 2 places as decimal strings
 * ("12.50"); ROAS to 3 places, ROI % to 2 places, rates (fractions 0..1) to 4 places, as JSON numbers.
 *
 * @param group the dimension value; null for calls without one, and for the total row
 */
public record RoiRow(String group, RoiCounts counts) {
  /** Every field of a row, in order, after the group's own field (the CSV header). */
  public static final List<String> FIELDS = List.of("calls", "uniqueCallers", "firstTimeCallers", "answered",
      "missed", "qualified", "conversions", "revenue", "cost", "costPerCall", "costPerQualifiedCall",
      "costPerConversion", "revenuePerCall", "roas", "roiPercent", "answerRate", "qualifiedRate",
      "callToSaleRate");

  public BigDecimal revenue() {
    return Money.fromMinor(counts.revenueMinor());
  }

  public BigDecimal cost() {
    return counts.costMinor() == null ? null : Money.fromMinor(counts.costMinor());
  }

  public BigDecimal roas() {
    return ratio(revenue(), cost(), 3);
  }

  public BigDecimal roiPercent() {
    BigDecimal cost = cost();
    if (cost == null || cost.signum() == 0) {
      return null;
    }
    return revenue().subtract(cost).multiply(BigDecimal.valueOf(100)).divide(cost, 2, RoundingMode.HALF_UP);
  }

  /** The row's fields by name (money as strings, ratios as BigDecimal, nulls kept). */
  public Map<String, Object> fields() {
    RoiCounts c = counts;
    BigDecimal cost = cost();
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("calls", c.calls());
    f.put("uniqueCallers", c.uniqueCallers());
    f.put("firstTimeCallers", c.firstTimeCallers());
    f.put("answered", c.answered());
    f.put("missed", c.missed());
    f.put("qualified", c.qualified());
    f.put("conversions", c.conversions());
    f.put("revenue", revenue().toPlainString());
    f.put("cost", cost == null ? null : cost.toPlainString());
    f.put("costPerCall", money(ratio(cost, c.calls())));
    f.put("costPerQualifiedCall", money(ratio(cost, c.qualified())));
    f.put("costPerConversion", money(ratio(cost, c.conversions())));
    f.put("revenuePerCall", money(ratio(revenue(), c.calls())));
    f.put("roas", roas());
    f.put("roiPercent", roiPercent());
    f.put("answerRate", rate(c.answered(), c.calls()));
    f.put("qualifiedRate", rate(c.qualified(), c.calls()));
    f.put("callToSaleRate", rate(c.conversions(), c.calls()));
    return f;
  }

  private static BigDecimal ratio(BigDecimal num, BigDecimal den, int scale) {
    if (num == null || den == null || den.signum() == 0) {
      return null;
    }
    return num.divide(den, scale, RoundingMode.HALF_UP);
  }

  private static BigDecimal ratio(BigDecimal money, long count) {
    return ratio(money, BigDecimal.valueOf(count), Money.SCALE);
  }

  private static BigDecimal rate(long part, long whole) {
    return ratio(BigDecimal.valueOf(part), BigDecimal.valueOf(whole), 4);
  }

  private static String money(BigDecimal v) {
    return v == null ? null : v.toPlainString();
  }
}
