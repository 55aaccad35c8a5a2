package io.calltrack.core.report;

import io.calltrack.core.CalltrackException;
import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Money in minor units (hundredths: cents, pence) as a {@code long} in storage and code, a decimal
 * string with two places ("1234.50") at the edges. Never a double. Amounts with more than two
 * decimal places are refused rather than rounded, so what was sent is what is counted.
 */
public final class Money {
  public static final int SCALE = 2;

  private Money() {}

  /** "1234.5" → 123450; refuses more than two decimals, non-numbers and (unless allowed) negatives. */
  public static long parseMinor(String text, String what) {
    if (text == null || text.isBlank()) {
      throw new CalltrackException.Invalid(what + " is required (a decimal string like \"1234.50\")");
    }
    BigDecimal value;
    try {
      value = new BigDecimal(text.strip());
    } catch (NumberFormatException e) {
      throw new CalltrackException.Invalid(what + " must be a decimal string like \"1234.50\": '" + text + "'");
    }
    return toMinor(value, what);
  }

  public static long toMinor(BigDecimal value, String what) {
    if (value.signum() < 0) {
      throw new CalltrackException.Invalid(what + " must not be negative: " + value.toPlainString());
    }
    try {
      return value.setScale(SCALE, RoundingMode.UNNECESSARY).movePointRight(SCALE).longValueExact();
    } catch (ArithmeticException e) {
      throw new CalltrackException.Invalid(what + " has more than two decimal places or is too large: "
          + value.toPlainString());
    }
  }

  public static BigDecimal fromMinor(long minor) {
    return BigDecimal.valueOf(minor, SCALE);
  }

  /** 123450 → "1234.50". */
  public static String format(long minor) {
    return fromMinor(minor).toPlainString();
  }
}
