package io.calltrack.core.spend;

import io.calltrack.core.CalltrackException;
import java.time.LocalDate;

/**
 * One line of advertising (or other) cost: what a day of one source / medium / campaign cost, in
 * minor units. Empty source, medium or campaign mean the cost was given at a coarser level: a row
 * with a source only costs that source as a whole; a row without a source is an account-level cost
 * (software, per-minute charges) that only the report's total row carries.
 */
public record SpendRow(LocalDate date, String source, String medium, String campaign, long amountMinor) {
  public SpendRow {
    if (date == null) {
      throw new CalltrackException.Invalid("date is required (YYYY-MM-DD)");
    }
    source = clean(source);
    medium = clean(medium);
    campaign = clean(campaign);
    if (amountMinor < 0) {
      throw new CalltrackException.Invalid("amount must not be negative");
    }
  }

  private static String clean(String v) {
    if (v == null) {
      return "";
    }
    String s = v.strip();
    if (s.indexOf('\t') >= 0 || s.indexOf('\n') >= 0) {
      throw new CalltrackException.Invalid("source, medium and campaign must not contain tabs or line breaks");
    }
    return s;
  }

  /** The Redis hash field of this row's level. */
  String field() {
    return source + "\t" + medium + "\t" + campaign;
  }

  static SpendRow of(LocalDate date, String field, long amount) {
    String[] parts = field.split("\t", -1);
    return new SpendRow(date, parts[0], parts.length > 1 ? parts[1] : "", parts.length > 2 ? parts[2] : "", amount);
  }
}
