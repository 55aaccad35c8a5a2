package io.calltrack.dni.report;

import io.calltrack.core.CalltrackException;
import io.calltrack.dni.spend.RowErrors;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * An uploaded CSV read by column name. With a header row, its columns may come in any order and be
 * written in any case, with spaces, underscores or hyphens ({@code Landing Page}, {@code call_id}); a
 * header naming a column this upload does not know, naming one twice, or missing a required one is
 * refused whole. Without a header, the fields are in one of the documented orders, told apart by
 * their number. Either way each data row comes out as its fields by name, with the record number an
 * error list names it by (the header counts as record 1).
 *
 * <p>Why names, not positions: spreadsheets and CRM exports put columns where they like. Reading a
 * header's columns by their place took {@code callId,converted,qualified} as qualified-then-converted,
 * and stored each call's outcome the wrong way round without a word.
 */
public final class CsvTable {
  /** One data row: its record number in the file and its fields by column name. */
  public record Row(int number, Map<String, String> fields) {
    /** The field of {@code column}, or null when the upload has no such column. */
    public String get(String column) {
      return fields.get(column);
    }
  }

  private CsvTable() {}

  /**
   * @param columns every column the upload knows, as the documentation spells them
   * @param required the columns a header must name
   * @param orders the column orders a file without a header may use, each of a different length
   * @param errors where a data row of the wrong width is reported (by record number)
   * @return the data rows that have the right number of fields; blank records are skipped
   */
  public static List<Row> read(String text, List<String> columns, List<String> required, List<List<String>> orders,
      RowErrors errors) {
    return read(Csv.read(text), columns, required, orders, errors);
  }

  /** As {@link #read(String, List, List, List, RowErrors)}, of records already read ({@link Csv#read}). */
  public static List<Row> read(List<List<String>> records, List<String> columns, List<String> required,
      List<List<String>> orders, RowErrors errors) {
    Map<String, String> known = new HashMap<>();
    columns.forEach(c -> known.put(key(c), c));
    List<String> header = records.isEmpty() ? null : header(records.get(0), columns, known, required);
    List<Row> rows = new ArrayList<>();
    for (int i = header == null ? 0 : 1; i < records.size(); i++) {
      List<String> r = records.get(i);
      if (Csv.blank(r)) {
        continue;
      }
      int number = i + 1;
      List<String> order = header != null ? (r.size() == header.size() ? header : null)
          : orders.stream().filter(o -> o.size() == r.size()).findFirst().orElse(null);
      if (order == null) {
        errors.add(number, "expected " + (header != null
            ? header.size() + " fields as the header has"
            : orders.stream().map(o -> o.size() + " fields (" + String.join(",", o) + ")")
                .collect(Collectors.joining(" or "))) + ", got " + r.size());
        continue;
      }
      Map<String, String> fields = new LinkedHashMap<>();
      for (int c = 0; c < order.size(); c++) {
        if (order.get(c) != null) {
          fields.put(order.get(c), r.get(c));
        }
      }
      rows.add(new Row(number, fields));
    }
    return rows;
  }

  /**
   * The first record's columns if it is a header: at least half of its fields name known columns, or
   * two do and one of them is required (a data row does neither: its date, id and amount are no
   * column's names, and a campaign called "amount" is one field of many). Then every field must name
   * a known column, once, and every required column must be there. A blank header field names no
   * column: its fields are not read (spreadsheets leave one after a trailing comma).
   */
  private static List<String> header(List<String> first, List<String> columns, Map<String, String> known,
      List<String> required) {
    List<String> keys = first.stream().map(CsvTable::key).toList();
    long named = keys.stream().filter(known::containsKey).count();
    long filled = keys.stream().filter(k -> !k.isEmpty()).count();
    boolean namesRequired = named >= 2 && required.stream().anyMatch(c -> keys.contains(key(c)));
    if (filled == 0 || !namesRequired && named * 2 < filled) {
      return null;
    }
    List<String> unknown = new ArrayList<>();
    List<String> header = new ArrayList<>();
    for (int c = 0; c < first.size(); c++) {
      String column = known.get(keys.get(c));
      if (column == null && !keys.get(c).isEmpty()) {
        String name = first.get(c).strip();
        unknown.add("'" + (name.length() > 40 ? name.substring(0, 40) + "…" : name) + "'");
      } else if (column != null && header.contains(column)) {
        throw new CalltrackException.Invalid("the CSV header names " + column + " twice");
      }
      header.add(column);
    }
    if (!unknown.isEmpty()) {
      throw new CalltrackException.Invalid("the CSV header has unknown column" + (unknown.size() > 1 ? "s " : " ")
          + String.join(", ", unknown) + "; the columns are " + String.join(", ", columns));
    }
    List<String> missing = required.stream().filter(c -> !header.contains(c)).toList();
    if (!missing.isEmpty()) {
      throw new CalltrackException.Invalid("the CSV header has no " + String.join(" and no ", missing) + " column");
    }
    return header;
  }

  /** A column name as a header may write it: any case, spaces, underscores and hyphens ignored. */
  public static String key(String name) {
    return name == null ? "" : name.strip().toLowerCase(Locale.ROOT).replaceAll("[\\s_-]", "");
  }
}
