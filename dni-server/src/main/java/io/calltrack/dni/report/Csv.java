package io.calltrack.dni.report;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import io.calltrack.core.CalltrackException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * CSV in (Jackson's CSV parser: quoting, embedded commas and line breaks) and out (RFC 4180). Used by
 * the outcome and spend uploads, the ROI report and the Google Ads export.
 */
public final class Csv {
  private static final CsvMapper MAPPER = new CsvMapper();

  private Csv() {}

  /**
   * Every record of {@code text} as its list of fields (blank lines skipped), header included; one
   * leading byte-order mark is dropped.
   */
  public static List<List<String>> read(String text) {
    // Excel's "CSV UTF-8" starts with a byte-order mark; the parser skips one only in bytes, not text
    if (text.startsWith("\uFEFF")) {
      text = text.substring(1);
    }
    List<List<String>> rows = new ArrayList<>();
    try (MappingIterator<List<String>> it = MAPPER.readerForListOf(String.class)
        .with(CsvParser.Feature.WRAP_AS_ARRAY)
        .readValues(text)) {
      while (it.hasNextValue()) {
        List<String> row = it.nextValue();
        rows.add(row);
      }
    } catch (IOException | RuntimeException e) {
      throw malformed(e, rows.size());
    }
    return rows;
  }

  /**
   * Says where the CSV broke (its record number, as the rows of an upload's error list count them)
   * without the parser's own message, which names its classes and quotes its input buffer.
   */
  private static CalltrackException malformed(Exception e, int rowsRead) {
    Throwable t = e;
    while (t != null && !(t instanceof com.fasterxml.jackson.core.JsonProcessingException)) {
      t = t.getCause() == t ? null : t.getCause();
    }
    long line = t instanceof com.fasterxml.jackson.core.JsonProcessingException jp && jp.getLocation() != null
        ? jp.getLocation().getLineNr() : -1;
    String why = t != null && t.getMessage() != null && t.getMessage().contains("quote")
        ? ": a quoted field is not closed" : "";
    return new CalltrackException.Invalid(line > 0
        ? "malformed CSV at line " + line + why
        : "malformed CSV after row " + rowsRead + why);
  }

  /** True for a record with no content (an empty line). */
  public static boolean blank(List<String> row) {
    return row.isEmpty() || row.stream().allMatch(f -> f == null || f.isBlank());
  }

  /** Rows as CSV text, CRLF-terminated; null fields are empty; formula-like cells neutralised ({@link CsvCells}). */
  public static String write(List<List<String>> rows) {
    StringBuilder out = new StringBuilder();
    for (List<String> row : rows) {
      for (int i = 0; i < row.size(); i++) {
        if (i > 0) {
          out.append(',');
        }
        out.append(field(row.get(i)));
      }
      out.append("\r\n");
    }
    return out.toString();
  }

  private static String field(String v) {
    if (v == null) {
      return "";
    }
    v = CsvCells.neutralise(v);
    if (v.indexOf(',') >= 0 || v.indexOf('"') >= 0 || v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0) {
      return '"' + v.replace("\"", "\"\"") + '"';
    }
    return v;
  }
}
