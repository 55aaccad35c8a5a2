package io.calltrack.sip.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The different tracking numbers each caller dialled within ten minutes, and the bounds on what is kept. */
class CallerSweepsTest {
  static final Instant T0 = Instant.parse("2026-12-07T15:00:00Z");

  @Test
  void differentNumbersWithinTheWindowAreCountedOnce() {
    CallerSweeps sweeps = new CallerSweeps();
    assertEquals(1, sweeps.dial("+14155550100", "+13125550001", T0));
    assertEquals(1, sweeps.dial("+14155550100", "+13125550001", T0.plusSeconds(30)), "the same number again");
    assertEquals(2, sweeps.dial("+14155550100", "+13125550002", T0.plusSeconds(60)));
    assertEquals(3, sweeps.dial("+14155550100", "+13125550003", T0.plusSeconds(90)));
    assertEquals(1, sweeps.dial("+14155550199", "+13125550003", T0.plusSeconds(90)), "another caller");
    // 10 minutes after the first two calls they are out of the window; the third is not
    assertEquals(2, sweeps.dial("+14155550100", "+13125550004", T0.plusSeconds(60).plus(CallerSweeps.WINDOW)));
    assertEquals(1, sweeps.dial("+14155550100", "+13125550005", T0.plus(Duration.ofHours(1))));
  }

  @Test
  void aWithheldCallerIsNotOneCaller() {
    CallerSweeps sweeps = new CallerSweeps();
    for (int i = 0; i < 5; i++) {
      assertEquals(0, sweeps.dial("anonymous", "+1312555000" + i, T0));
      assertEquals(0, sweeps.dial(null, "+1312555000" + i, T0));
    }
  }

  @Test
  void whatIsKeptIsBounded() {
    CallerSweeps sweeps = new CallerSweeps();
    for (int i = 0; i < 20; i++) {
      assertEquals(Math.min(i + 1, CallerSweeps.MAX_NUMBERS),
          sweeps.dial("+14155550100", String.format("+13125550%03d", i), T0.plusSeconds(i)));
    }
    // a flood of made-up caller IDs pushes out the callers seen longest ago, not the memory's bounds
    for (int i = 0; i < CallerSweeps.MAX_CALLERS; i++) {
      sweeps.dial(String.format("+1415%07d", i), "+13125550001", T0);
    }
    assertEquals(1, sweeps.dial("+14155550100", "+13125550999", T0.plusSeconds(30)), "forgotten");
  }
}
