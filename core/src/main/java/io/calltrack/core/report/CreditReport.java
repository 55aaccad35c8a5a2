package io.calltrack.core.report;

import io.calltrack.core.attribution.CreditModel;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An ROI report under a multi-touch model ({@link CreditModel#multiTouch()}): each call split over the
 * channels of its visitor's journey, so a row's calls, conversions and revenue are the credit its
 * channel earned. Calls and conversions are fractions (two places); revenue is exact to the cent and
 * the rows add up to the total, which is every credited call of the range. Only the figures that split
 * with the credit are given: the rest of a call (answered, duration, the caller) belongs to the call,
 * not to a share of it, and is in the last- and first-touch reports.
 */
public record CreditReport(String property, String timezone, LocalDate from, LocalDate to, GroupBy groupBy,
    List<Row> rows, Row total) {

  /** Every field of a row, in order, after its period and dimension value (the CSV header). */
  public static final List<String> FIELDS = List.of("calls", "conversions", "revenue", "cost", "costPerCall",
      "costPerConversion", "revenuePerCall", "roas", "roiPercent", "callToSaleRate");

  /**
   * One row: its dimension value (null for calls of touches without one, and for the total), its period
   * when grouped by time, the credit in millionths of a call, revenue in minor units, and the spend at
   * the row's level (null when none was given there).
   */
  public record Row(String group, String period, long callCredit, long conversionCredit, long revenueMinor,
      Long costMinor) {

    public Row add(long calls, long conversions, long revenue) {
      return new Row(group, period, Math.addExact(callCredit, calls), Math.addExact(conversionCredit, conversions),
          Math.addExact(revenueMinor, revenue), costMinor);
    }

    public Row withCost(Long cost) {
      return new Row(group, period, callCredit, conversionCredit, revenueMinor, cost);
    }

    /** The row's fields by name, in {@link #FIELDS} order (money as strings, counts and ratios as BigDecimal). */
    public Map<String, Object> fields() {
      Map<String, Object> f = new LinkedHashMap<>();
      BigDecimal calls = credit(callCredit);
      BigDecimal conversions = credit(conversionCredit);
      f.put("calls", calls.setScale(2, RoundingMode.HALF_UP));
      f.put("conversions", conversions.setScale(2, RoundingMode.HALF_UP));
      f.put("revenue", Money.format(revenueMinor));
      f.put("cost", costMinor == null ? null : Money.format(costMinor));
      f.put("costPerCall", perCredit(costMinor, callCredit));
      f.put("costPerConversion", perCredit(costMinor, conversionCredit));
      f.put("revenuePerCall", perCredit(revenueMinor, callCredit));
      BigDecimal cost = costMinor == null ? null : Money.fromMinor(costMinor);
      BigDecimal revenue = Money.fromMinor(revenueMinor);
      // the ratios as every ROI row has them (RoiRow): one definition of ROAS, ROI % and a rate
      f.put("roas", RoiRow.roas(revenue, cost));
      f.put("roiPercent", RoiRow.roiPercent(revenue, cost));
      f.put("callToSaleRate", RoiRow.rate(conversionCredit, callCredit));
      return f;
    }

    private static BigDecimal credit(long millionths) {
      return BigDecimal.valueOf(millionths, 6);
    }

    /** Money per whole credited call (or conversion), to the cent; null without the money or the credit. */
    private static String perCredit(Long minor, long credit) {
      if (minor == null || credit == 0) {
        return null;
      }
      BigDecimal perWhole = BigDecimal.valueOf(minor).multiply(BigDecimal.valueOf(CreditModel.WHOLE))
          .divide(BigDecimal.valueOf(credit), 0, RoundingMode.HALF_UP);
      return Money.fromMinor(perWhole.longValueExact()).toPlainString();
    }
  }

  /** The JSON shape of {@link RoiReport#toJson()}, with these rows' fields. */
  public Map<String, Object> toJson() {
    Map<String, Object> out = RoiReport.head(property, timezone, from, to, groupBy);
    out.put("rows", rows.stream().map(r -> {
      Map<String, Object> row = new LinkedHashMap<>();
      if (groupBy.time() != null) {
        row.put(groupBy.time().json(), r.period());
      }
      row.put(groupBy.dimension().json(), r.group());
      row.putAll(r.fields());
      return row;
    }).toList());
    out.put("total", total.fields());
    return out;
  }
}
