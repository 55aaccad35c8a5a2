package io.calltrack.core.report;

import io.calltrack.core.CalltrackException;
import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Money in minor units (hundredths: cents, pence) as a {@code long} in storage and code, a decimal
 * string with two places ("1234.50") at the edges. Never a double. Amounts with more than two
 * decimal places are refused rather than rounded, so what was sent is what is counted. An amount is at
 * most {@link #MAX_MINOR}: far above any real spend or sale, and far enough below {@code Long.MAX_VALUE}
 * that millions of them add up without overflow.
 */
public final class Money {
  public static final int SCALE = 2;
  /** 10,000,000,000,000.00 (ten trillion) in minor units. */
  public static final long MAX_MINOR = 1_000_000_000_000_000L;
  /** Digits before the point of {@link #MAX_MINOR} in major units. */
  private static final int MAX_INTEGER_DIGITS = 14;
  /** No amount needs more: longer text is refused before parsing, which grows with its length squared. */
  private static final int MAX_TEXT = 40;

  private Money() {}

  /** "1234.5" → 123450; refuses more than two decimals, non-numbers, negatives and amounts over the maximum. */
  public static long parseMinor(String text, String what) {
    if (text == null || text.isBlank()) {
      throw new CalltrackException.Invalid(what + " is required (a decimal string like \"1234.50\")");
    }
    if (text.strip().length() > MAX_TEXT) {
      throw new CalltrackException.Invalid(what + " must be a decimal string like \"1234.50\" of at most "
          + MAX_TEXT + " characters");
    }
    BigDecimal value;
    try {
      // ASCII only: BigDecimal reads any script's digits ("١٢٣"), which no ledger export writes
      if (!text.strip().chars().allMatch(c -> c < 0x80)) {
        throw new NumberFormatException();
      }
      value = new BigDecimal(text.strip());
    } catch (NumberFormatException e) {
      throw new CalltrackException.Invalid(what + " must be a decimal string like \"1234.50\": '" + text + "'");
    }
    return toMinor(value, what);
  }

  public static long toMinor(BigDecimal value, String what) {
    if (value.signum() == 0) {
      return 0L;
    }
    if (value.signum() < 0) {
      // toString, not toPlainString: "-1E+99999999" stays short
      throw new CalltrackException.Invalid(what + " must not be negative: " + value);
    }
    // checked on precision and scale, before setScale: "1e500000000" scaled is half a billion digits
    if ((long) value.precision() - value.scale() > MAX_INTEGER_DIGITS) {
      throw tooLarge(what);
    }
    if ((long) value.scale() - SCALE >= value.precision()) {
      // fewer digits than places to drop: a digit other than 0 sits past the second decimal
      throw new CalltrackException.Invalid(what + " has more than two decimal places");
    }
    long minor;
    try {
      minor = value.setScale(SCALE, RoundingMode.UNNECESSARY).movePointRight(SCALE).longValueExact();
    } catch (ArithmeticException e) {
      throw new CalltrackException.Invalid(what + " has more than two decimal places: " + value.toPlainString());
    }
    if (minor > MAX_MINOR) {
      throw tooLarge(what);
    }
    return minor;
  }

  private static CalltrackException.Invalid tooLarge(String what) {
    return new CalltrackException.Invalid(what + " is too large (at most " + format(MAX_MINOR) + ")");
  }

  public static BigDecimal fromMinor(long minor) {
    return BigDecimal.valueOf(minor, SCALE);
  }

  /** 123450 → "1234.50". */
  public static String format(long minor) {
    return fromMinor(minor).toPlainString();
  }
}
