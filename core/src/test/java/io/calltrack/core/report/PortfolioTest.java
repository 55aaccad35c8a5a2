package io.calltrack.core.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The portfolio's sums: counts and metrics added exactly, a cost only where some property had spend, money per currency. */
class PortfolioTest {
  static final LocalDate DAY = LocalDate.parse("2026-03-02");

  static Portfolio.Entry entry(String property, String currency, long calls, long revenue, Long cost, long attributed) {
    RoiCounts c = new RoiCounts(calls, calls, calls, calls, 0, 0, 0, revenue, 60 * calls, cost, 0, Map.of("finished", calls));
    return new Portfolio.Entry(property, property, "UTC", currency, DAY, DAY, new RoiRow(null, c), attributed);
  }

  @Test
  void propertiesWithoutSpendAddUpToNoCostAndCurrenciesStayApart() {
    Portfolio p = new Portfolio(List.of(entry("a", "USD", 2, 10_00, null, 1), entry("b", "USD", 3, 5_00, null, 3),
        entry("c", "USD", 1, 0, 30_00L, 0), entry("d", "EUR", 4, 7_00, null, 4)));
    List<Map<String, Object>> totals = p.totals();
    assertEquals(List.of("EUR", "USD"), totals.stream().map(t -> t.get("currency")).toList());
    Map<String, Object> eur = totals.get(0);
    assertNull(eur.get("cost"), "no spend anywhere: no cost");
    assertEquals("7.00", eur.get("revenue"));
    Map<String, Object> usd = totals.get(1);
    assertEquals(6L, usd.get("calls"));
    assertEquals(3, usd.get("properties"));
    assertEquals("15.00", usd.get("revenue"));
    assertEquals("30.00", usd.get("cost"), "the one property's spend");
    assertEquals("5.00", usd.get("costPerCall"));
    assertEquals(4L, usd.get("attributedCalls"));
    assertEquals(new BigDecimal("0.6667"), usd.get("attributionRate"));
    // two properties without spend, summed in either order
    assertNull(entry("x", "USD", 1, 0, null, 0).total().counts().plus(entry("y", "USD", 1, 0, null, 0).total().counts()).costMinor());
  }
}
