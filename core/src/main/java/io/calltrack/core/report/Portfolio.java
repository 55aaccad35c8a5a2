package io.calltrack.core.report;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every property's ROI figures side by side, as an agency or an operator of many sites reads them: one
 * row per property (its ROI report's {@code total} over the range, days cut in its own time zone,
 * money in its own currency) and one total per currency (money is never added across currencies).
 * A total's figures are computed from the summed counts, exactly as a property's are from its days'
 * (rates and ratios are never averaged); callers are counted per property, so a caller of two
 * properties counts in each. Each line and total also says how many calls have a source
 * ({@code attributedCalls}, {@code attributionRate}): a property whose tracking broke stands out.
 */
public record Portfolio(List<Entry> properties) {

  /**
   * One property's line: its report's total, its time zone, its currency, the days it covers, and how
   * many of its calls have a source ({@code attributedCalls}, as {@code GET /v1/reports/summary} counts them).
   */
  public record Entry(String property, String name, String timezone, String currency, LocalDate from, LocalDate to,
      RoiRow total, long attributedCalls) {}

  /** The per-currency totals, currencies in alphabetical order. */
  public List<Map<String, Object>> totals() {
    Map<String, RoiCounts> sums = new TreeMap<>();
    Map<String, Integer> counted = new TreeMap<>();
    Map<String, Long> attributed = new TreeMap<>();
    for (Entry e : properties) {
      sums.merge(e.currency(), e.total().counts(), RoiCounts::plus);
      counted.merge(e.currency(), 1, Integer::sum);
      attributed.merge(e.currency(), e.attributedCalls(), Math::addExact);
    }
    List<Map<String, Object>> out = new ArrayList<>();
    sums.forEach((currency, counts) -> {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("currency", currency);
      row.put("properties", counted.get(currency));
      attribution(row, attributed.get(currency), counts.calls());
      row.putAll(new RoiRow(null, counts).fields());
      out.add(row);
    });
    return out;
  }

  /** Attribution completeness: calls with a source, and their share of the calls (null without calls). */
  private static void attribution(Map<String, Object> row, long attributed, long calls) {
    row.put("attributedCalls", attributed);
    row.put("attributionRate", RoiRow.rate(attributed, calls));
  }

  /**
   * One line per property, in order of id: {@code {property, name, timezone, currency, from, to,
   * attributedCalls, attributionRate, <the ROI report's total figures>}}.
   */
  public List<Map<String, Object>> lines() {
    return properties.stream().sorted(Comparator.comparing(Entry::property)).map(e -> {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("property", e.property());
      row.put("name", e.name());
      row.put("timezone", e.timezone());
      row.put("currency", e.currency());
      row.put("from", e.from().toString());
      row.put("to", e.to().toString());
      attribution(row, e.attributedCalls(), e.total().counts().calls());
      row.putAll(e.total().fields());
      return row;
    }).toList();
  }

  /** {@code {from?, to?, properties: [{@link #lines}], totals: [{@link #totals}]}}. */
  public Map<String, Object> toJson(LocalDate from, LocalDate to) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("from", from == null ? null : from.toString());
    out.put("to", to == null ? null : to.toString());
    out.put("properties", lines());
    out.put("totals", totals());
    return out;
  }
}
