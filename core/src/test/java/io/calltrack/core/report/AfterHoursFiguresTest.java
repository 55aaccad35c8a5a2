package io.calltrack.core.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.CallStatus;
import io.calltrack.core.marketing.BusinessHours;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.core.rollup.Contribution;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * After-hours calls (catalogue A9, D5): by the marketing business hours when the property has them, else
 * the calls the router sent to the property's after-hours line (time-of-day routing) are its after-hours calls.
 */
class AfterHoursFiguresTest {
  /** Monday 2 March 2026, 20:00 UTC. */
  static final Instant T = Instant.parse("2026-03-02T20:00:00Z");

  static CallRecord call(String id, boolean routedAfterHours, boolean answered) {
    CallRecord r = CallRecord.started(id, id, PhoneNumber.parse("+15551230001"), "+15557770001", "shop", T);
    r = routedAfterHours ? r.withRoutedAfterHours() : r;
    return answered ? r.answered(T.plusSeconds(3), 200).ended(T.plusSeconds(60), CallStatus.ANSWERED, null)
        : r.ended(T.plusSeconds(30), CallStatus.MISSED, 408);
  }

  static Map<String, Object> figures(BusinessHours hours, CallRecord... calls) {
    Map<String, Long> m = new HashMap<>();
    for (CallRecord c : calls) {
      Contribution.of(c, ZoneOffset.UTC, hours).m().forEach((k, v) -> m.merge(k, v, Long::sum));
    }
    return new RoiRow(null, RoiCounts.fromMetrics(m)).fields();
  }

  @Test
  void withoutBusinessHoursTheCallsSentToTheAfterHoursLineAreTheAfterHoursCalls() {
    Map<String, Object> f = figures(null, call("a", true, true), call("b", true, false), call("c", false, true));
    assertEquals(2L, f.get("afterHoursCalls"));
    assertEquals(new BigDecimal("0.6667"), f.get("afterHoursRate"));
    assertEquals(new BigDecimal("0.5000"), f.get("afterHoursAnswerRate"));
  }

  @Test
  void theMarketingBusinessHoursDecideWhenTheyAreSet() {
    // open until 21:00 UTC on Mondays: a call at 20:00 is in hours, wherever the router sent it
    BusinessHours open = BusinessHours.fromJson(Map.of("monday", List.of("09:00", "21:00")));
    assertEquals(0L, figures(open, call("a", true, true), call("c", false, true)).get("afterHoursCalls"));
    BusinessHours closed = BusinessHours.fromJson(Map.of("monday", List.of("09:00", "17:00")));
    assertEquals(2L, figures(closed, call("a", true, true), call("c", false, true)).get("afterHoursCalls"));
  }
}
