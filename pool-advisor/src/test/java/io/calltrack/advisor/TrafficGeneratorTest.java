package io.calltrack.advisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TrafficGeneratorTest {
  static final Instant DAY = Instant.parse("2026-01-05T00:00:00Z");

  static TrafficParams params(int visitors, List<Double> curve, double callShare, double afterLeave, double tabs,
      int days) {
    TrafficParams d = TrafficParams.defaults();
    return new TrafficParams(visitors, curve, d.sessionMinutes(), callShare, afterLeave, d.callDelayMinutes(), tabs,
        d.tabOpenMinutes(), d.releaseShare(), d.heartbeatSeconds(), d.leaseSeconds(), d.holdSeconds(),
        d.onExhausted(), 7L, days);
  }

  @Test
  void logNormalSamplesHaveTheStatedMedianAndMean() {
    LogNormal ln = new LogNormal(3.0, 0.9);
    Random random = new Random(1);
    double[] xs = new double[200_000];
    double sum = 0;
    for (int i = 0; i < xs.length; i++) {
      xs[i] = ln.sample(random);
      sum += xs[i];
    }
    Arrays.sort(xs);
    assertEquals(3.0, xs[xs.length / 2], 0.05);
    assertEquals(3.0 * Math.exp(0.81 / 2), ln.mean(), 1e-9);
    assertEquals(ln.mean(), sum / xs.length, 0.05);
    assertThrows(IllegalArgumentException.class, () -> new LogNormal(0, 1));
  }

  @Test
  void sameSeedSameDayAndVisitsAreSortedWithinTheDay() {
    TrafficParams p = params(500, TrafficParams.DEFAULT_CURVE, 0.1, 0.5, 0.2, 1);
    List<Visit> a = TrafficGenerator.days(p, DAY);
    assertEquals(a, TrafficGenerator.days(p, DAY));
    assertEquals(500, a.size());
    for (int i = 1; i < a.size(); i++) {
      assertFalse(a.get(i).arrive().isBefore(a.get(i - 1).arrive()));
    }
    for (Visit v : a) {
      assertTrue(!v.arrive().isBefore(DAY) && v.arrive().isBefore(DAY.plus(Duration.ofDays(1))));
      assertTrue(v.leave().isAfter(v.arrive()));
      assertFalse(v.pageClosed().isBefore(v.leave()));
      if (v.callAt() != null) {
        assertFalse(v.callAt().isBefore(v.arrive()));
      }
    }
  }

  @Test
  void hoursFollowTheCurveAndZeroWeightHoursGetNobody() {
    List<Double> curve = new ArrayList<>(Collections.nCopies(24, 0.0));
    curve.set(9, 1.0);
    curve.set(14, 3.0);
    TrafficParams p = params(4000, curve, 0, 0, 0, 1);
    int[] perHour = new int[24];
    for (Visit v : TrafficGenerator.days(p, DAY)) {
      perHour[v.arrive().atZone(ZoneOffset.UTC).getHour()]++;
    }
    assertEquals(4000, perHour[9] + perHour[14]);
    assertEquals(3000, perHour[14], 120); // multinomial: sd ~27
    assertEquals(4000 * 3.0 / 4, p.peakHourlyVisitors(), 1e-9);
  }

  @Test
  void sharesOfCallersAfterLeavingAndTabsLeftOpenMatchTheParameters() {
    TrafficParams p = params(20_000, TrafficParams.DEFAULT_CURVE, 0.2, 0.25, 0.3, 1);
    List<Visit> visits = TrafficGenerator.days(p, DAY);
    long callers = visits.stream().filter(v -> v.callAt() != null).count();
    long afterLeave = visits.stream().filter(v -> v.callAt() != null && v.callAt().isAfter(v.leave())).count();
    long tabs = visits.stream().filter(v -> v.pageClosed().isAfter(v.leave())).count();
    assertEquals(4000, callers, 200);
    assertEquals(0.25, afterLeave / (double) callers, 0.03);
    assertEquals(6000, tabs, 250);
  }

  @Test
  void severalDaysAreDrawnAnewWithDistinctVisitors() {
    TrafficParams p = params(300, TrafficParams.DEFAULT_CURVE, 0.1, 0.5, 0.2, 3);
    List<Visit> visits = TrafficGenerator.days(p, DAY);
    assertEquals(900, visits.size());
    // visitors are new each day, except returning callers (Evidence): a later calling visit made by
    // the visitor of an earlier one
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (Visit v : visits) {
      if (!seen.add(v.visitorId())) {
        assertTrue(v.callAt() != null, "only a returning caller comes back under an earlier visitor id");
      }
    }
    long callers = visits.stream().filter(v -> v.callAt() != null).count();
    assertTrue(seen.size() >= 900 - callers && seen.size() < 900, seen.size() + " distinct of 900");
    assertTrue(visits.get(899).arrive().isAfter(DAY.plus(Duration.ofDays(2))));
  }

  @Test
  void pickHourSkipsEmptyHours() {
    double[] c = TrafficGenerator.cumulative(List.of(0.0, 1.0, 0.0, 1.0));
    assertEquals(1, TrafficGenerator.pickHour(c, 0.0));
    assertEquals(1, TrafficGenerator.pickHour(c, 0.49));
    assertEquals(3, TrafficGenerator.pickHour(c, 0.5));
    assertEquals(3, TrafficGenerator.pickHour(c, 0.999));
  }
}
