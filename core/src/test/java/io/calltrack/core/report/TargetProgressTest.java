package io.calltrack.core.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.calltrack.core.marketing.PropertySettings.Target;
import java.time.YearMonth;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Month-end projections of a target, on exact numbers. */
class TargetProgressTest {
  @Test
  void projectionsAreTheFiguresSoFarTimesDaysOverElapsedRoundedOnce() {
    // 1,000,000,000.00 in 3 of March's 31 days: 10,333,333,333.333... by month end
    RoiRow soFar = new RoiRow(null, new RoiCounts(2, 0, 0, 0, 0, 0, 0, 100_000_000_000L, 0, null));
    Map<String, Object> out = TargetProgress.of(new Target(null, null, "20000000000.00", null, null, 10L), soFar,
        YearMonth.of(2026, 3), 3);
    @SuppressWarnings("unchecked")
    Map<String, Object> revenue = (Map<String, Object>) out.get("revenue");
    assertEquals("10333333333.33", revenue.get("projected"));
    @SuppressWarnings("unchecked")
    Map<String, Object> calls = (Map<String, Object>) out.get("calls");
    assertEquals(21L, calls.get("projected"), "2 x 31 / 3 = 20.67");
  }
}
