package io.calltrack.dni.report;

import java.util.regex.Pattern;

/**
 * OWASP's rule against CSV (formula) injection: a cell a spreadsheet would read as a formula, one that
 * begins with {@code =}, {@code +}, {@code -}, {@code @}, tab or carriage return, gets a leading
 * apostrophe, so Excel, LibreOffice and Google Sheets show it as text. Plain numbers ({@code -12.50},
 * {@code +15551234567}) are left alone: a negative amount or an E.164 number must stay a number.
 * Every exported cell goes through here ({@link Csv#write}), whatever column it is in: visitor-made
 * values (utm keyword, landing page, referrer) and request parameters ({@code conversionName}) alike.
 */
public final class CsvCells {
  private static final Pattern PLAIN_NUMBER = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");

  private CsvCells() {}

  public static String neutralise(String cell) {
    if (cell == null || cell.isEmpty()) {
      return cell;
    }
    char first = cell.charAt(0);
    boolean risky = first == '=' || first == '+' || first == '-' || first == '@' || first == '\t' || first == '\r';
    if (!risky || PLAIN_NUMBER.matcher(cell).matches()) {
      return cell;
    }
    return "'" + cell;
  }
}
