package io.calltrack.core.report;

import io.calltrack.core.rollup.Dimension;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** An ROI report: one row per value of {@code groupBy} (calls or spend at that level), and the total. */
public record RoiReport(String property, String timezone, LocalDate from, LocalDate to, Dimension groupBy,
    List<RoiRow> rows, RoiRow total) {

  /**
   * The JSON shape: {@code {property, timezone, from, to, groupBy, rows: [{<groupBy>: value, calls,
   * ...}], total: {calls, ...}}}. A row's group field is null for calls that had no value.
   */
  public Map<String, Object> toJson() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("property", property);
    out.put("timezone", timezone);
    out.put("from", from.toString());
    out.put("to", to.toString());
    out.put("groupBy", groupBy.json());
    out.put("rows", rows.stream().map(r -> {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put(groupBy.json(), r.group());
      row.putAll(r.fields());
      return row;
    }).toList());
    out.put("total", total.fields());
    return out;
  }
}
