package io.calltrack.advisor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RulesOfThumbTest {
  @Test
  void oneNumberPerTwentyDailyVisitorsRoundsUp() {
    assertEquals(100, RulesOfThumb.perTwentyDailyVisitors(2000));
    assertEquals(101, RulesOfThumb.perTwentyDailyVisitors(2001));
    assertEquals(1, RulesOfThumb.perTwentyDailyVisitors(1));
  }

  @Test
  void peakHourRuleTiesANumberUpForTheSessionPlusThirtyMinutes() {
    // 120 visitors in the peak hour, 6-minute sessions: each number serves 60 / 36 visitors an hour
    assertEquals(72, RulesOfThumb.peakHourly(120, 6));
    // without the reservation: 120 / (60 / 6) = 12
    assertEquals(12, RulesOfThumb.peakHourlyWithoutReservation(120, 6));
    assertEquals(96, RulesOfThumb.peakHourly(166.0, 4.5)); // 95.45 rounds up
  }
}
