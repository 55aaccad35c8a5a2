package io.calltrack.core.report;

import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An ROI report: one row per value of {@code groupBy} (calls or spend at that level; per period, or
 * per period and value, when grouped by time), and the total.
 */
public record RoiReport(String property, String timezone, LocalDate from, LocalDate to, GroupBy groupBy,
    List<RoiRow> rows, RoiRow total) {

  /**
   * The JSON shape: {@code {property, timezone, from, to, groupBy, rows: [{<period>: label,
   * <dimension>: value, calls, ...}], total: {calls, ...}}}. A row's dimension field is null for calls
   * that had no value.
   */
  public Map<String, Object> toJson() {
    Map<String, Object> out = head(property, timezone, from, to, groupBy);
    if (groupBy.confidence() != null) {
      out.put("confidence", groupBy.confidence());
    }
    out.put("rows", rows.stream().map(r -> {
      Map<String, Object> row = new LinkedHashMap<>();
      if (groupBy.time() != null) {
        row.put(groupBy.time().json(), groupBy.time() == TimeBucket.HOUR ? Integer.valueOf(r.period()) : r.period());
      }
      if (groupBy.dimension() != null) {
        row.put(groupBy.dimension().json(), r.group());
      }
      row.putAll(r.fields());
      return row;
    }).toList());
    out.put("total", total.fields());
    if (groupBy.dimension() != null && groupBy.time() == null) {
      // reporting coverage: of the values that had spend (campaigns, say), how many have tracked calls
      long withSpend = rows.stream().filter(r -> r.group() != null && r.counts().costMinor() != null
          && r.counts().costMinor() > 0).count();
      long covered = rows.stream().filter(r -> r.group() != null && r.counts().costMinor() != null
          && r.counts().costMinor() > 0 && r.counts().calls() > 0).count();
      Map<String, Object> coverage = new LinkedHashMap<>();
      coverage.put("withSpend", withSpend);
      coverage.put("withSpendAndCalls", covered);
      coverage.put("rate", withSpend == 0 ? null : java.math.BigDecimal.valueOf(covered)
          .divide(java.math.BigDecimal.valueOf(withSpend), 4, java.math.RoundingMode.HALF_UP));
      out.put("spendCoverage", coverage);
    }
    return out;
  }

  /** The fields a report begins with, whatever its rows: property, timezone, from, to, groupBy, model. */
  static Map<String, Object> head(String property, String timezone, LocalDate from, LocalDate to, GroupBy groupBy) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("property", property);
    out.put("timezone", timezone);
    out.put("from", from.toString());
    out.put("to", to.toString());
    out.put("groupBy", groupBy.json());
    out.put("model", groupBy.model().json());
    return out;
  }
}
