package io.calltrack.core.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.CalltrackException;
import java.math.BigDecimal;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Money from text: exact, bounded, and cheap to refuse whatever the text. */
class MoneyTest {
  @Test
  void hugeExponentsAreRefusedAtOnce() {
    // setScale(2) on these builds numbers of half a billion digits: minutes of CPU
    for (String text : new String[] {"1e500000000", "1e-500000000", "-1E+99999999", "0.5e-2147483647"}) {
      CalltrackException.Invalid e = assertTimeoutPreemptively(Duration.ofSeconds(1),
          () -> assertThrows(CalltrackException.Invalid.class, () -> Money.parseMinor(text, "value")), text);
      assertTrue(e.getMessage().startsWith("value "), e.getMessage());
      assertTrue(e.getMessage().length() < 200, "the detail does not spell the number out: " + e.getMessage().length());
    }
  }

  @Test
  void longDigitStringsAreRefusedBeforeParsing() {
    String digits = "1".repeat(1_000_000);
    assertTimeoutPreemptively(Duration.ofSeconds(1),
        () -> assertThrows(CalltrackException.Invalid.class, () -> Money.parseMinor(digits, "amount")));
    assertTimeoutPreemptively(Duration.ofSeconds(1),
        () -> assertThrows(CalltrackException.Invalid.class, () -> Money.parseMinor("0." + digits, "amount")));
  }

  @Test
  void amountsAreBoundedAtTenTrillion() {
    assertEquals(Money.MAX_MINOR, Money.parseMinor("10000000000000.00", "amount"));
    assertEquals(Money.MAX_MINOR, Money.parseMinor("1e13", "amount"));
    assertThrows(CalltrackException.Invalid.class, () -> Money.parseMinor("10000000000000.01", "amount"));
    // digits of other scripts, which BigDecimal would read
    assertThrows(CalltrackException.Invalid.class, () -> Money.parseMinor("\u0661\u0662.\u0665\u0660", "amount"));
    assertThrows(CalltrackException.Invalid.class, () -> Money.parseMinor("\uff11\uff12", "amount"));
    assertThrows(CalltrackException.Invalid.class, () -> Money.parseMinor("90000000000000000.00", "amount"));
    assertThrows(CalltrackException.Invalid.class, () -> Money.toMinor(new BigDecimal("1E+14"), "amount"));
  }

  @Test
  void exactAmountsStillParse() {
    assertEquals(123450L, Money.parseMinor(" 1234.5 ", "amount"));
    assertEquals(100L, Money.parseMinor("1.000", "amount"), "trailing zeros are not extra places");
    assertEquals(0L, Money.parseMinor("0e-999999999", "amount"));
    assertEquals(0L, Money.parseMinor("-0.00", "amount"));
    assertEquals(5L, Money.parseMinor("5e-2", "amount"));
    assertThrows(CalltrackException.Invalid.class, () -> Money.parseMinor("5000.0000000000001", "amount"));
    assertThrows(CalltrackException.Invalid.class, () -> Money.parseMinor("1.5e-3", "amount"));
    assertThrows(CalltrackException.Invalid.class, () -> Money.parseMinor("-1", "amount"));
  }
}
