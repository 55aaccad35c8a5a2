package io.calltrack.dni.report;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import io.calltrack.core.CalltrackException;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * CSV in (Jackson's CSV parser: quoting, embedded commas and line breaks) and out (RFC 4180). Used by
 * the outcome and spend uploads, the ROI report and the ad platforms' conversion exports.
 */
public final class Csv {
  private static final CsvMapper MAPPER = new CsvMapper();

  private Csv() {}

  /**
   * Every record of {@code text} as its list of fields (blank lines skipped), header included; one
   * leading byte-order mark is dropped.
   */
  public static List<List<String>> read(String text) {
    return read(text, ',');
  }

  /** As {@link #read(String)}, with fields split at {@code separator} (a tab for tab-separated text). */
  public static List<List<String>> read(String text, char separator) {
    if (text == null) { // an empty body reads as no text at all
      return List.of();
    }
    // Excel's "CSV UTF-8" starts with a byte-order mark; the parser skips one only in bytes, not text
    if (text.startsWith("\uFEFF")) {
      text = text.substring(1);
    }
    List<List<String>> rows = new ArrayList<>();
    try (MappingIterator<List<String>> it = MAPPER.readerForListOf(String.class)
        .with(CsvParser.Feature.WRAP_AS_ARRAY)
        .with(CsvSchema.emptySchema().withColumnSeparator(separator))
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
   * An uploaded file's bytes as text: UTF-16 (little- or big-endian) when it starts with that
   * byte-order mark, as Google Ads' "Excel .csv" download does, or when its first character is
   * ASCII with a zero byte beside it (UTF-16 without a mark); UTF-8 otherwise. The UTF-16 mark is
   * dropped; a UTF-8 one is left for {@link #read} to drop.
   */
  public static String decode(byte[] bytes) {
    int n = bytes.length;
    if (n >= 2 && (bytes[0] & 0xff) == 0xff && (bytes[1] & 0xff) == 0xfe) {
      return text(bytes, 2, StandardCharsets.UTF_16LE);
    }
    if (n >= 2 && (bytes[0] & 0xff) == 0xfe && (bytes[1] & 0xff) == 0xff) {
      return text(bytes, 2, StandardCharsets.UTF_16BE);
    }
    if (n >= 2 && bytes[0] != 0 && bytes[1] == 0) {
      return text(bytes, 0, StandardCharsets.UTF_16LE);
    }
    if (n >= 2 && bytes[0] == 0 && bytes[1] != 0) {
      return text(bytes, 0, StandardCharsets.UTF_16BE);
    }
    return text(bytes, 0, StandardCharsets.UTF_8);
  }

  private static String text(byte[] bytes, int from, Charset charset) {
    return new String(bytes, from, bytes.length - from, charset);
  }

  /**
   * The separator of a file that may be comma- or tab-separated: a tab when its first lines hold more
   * tabs than commas (a tab-separated header and rows have one between every two fields, while a
   * title line or an amount like 1,234.56 has a comma or two).
   */
  public static char separator(String text) {
    int tabs = 0;
    int commas = 0;
    for (int i = 0, lines = 0; i < Math.min(text.length(), 64 * 1024) && lines < 50; i++) {
      char c = text.charAt(i);
      if (c == '\t') {
        tabs++;
      } else if (c == ',') {
        commas++;
      } else if (c == '\n') {
        lines++;
      }
    }
    return tabs > commas ? '\t' : ',';
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
