package io.calltrack.advisor;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/** Draws a day of visits from {@link TrafficParams}; pure and repeatable for a given seed. */
public final class TrafficGenerator {
  /** Guards against absurd draws from long tails (a tab open for a month, a call a year later). */
  static final double MAX_SESSION_MINUTES = 8 * 60;
  static final double MAX_TAB_MINUTES = 24 * 60;
  static final double MAX_CALL_DELAY_MINUTES = 7 * 24 * 60;

  private TrafficGenerator() {}

  /** {@code p.days()} days from {@code start}, each drawn with its own seed (seed + day). */
  public static List<Visit> days(TrafficParams p, Instant start) {
    List<Visit> all = new ArrayList<>();
    for (int d = 0; d < p.days(); d++) {
      all.addAll(day(p, start.plus(Duration.ofDays(d)), p.seed() + d, "d" + d + "-"));
    }
    return Evidence.draw(p, all);
  }

  /** One day's visits, sorted by arrival; visitor ids are {@code idPrefix} + a running number. */
  public static List<Visit> day(TrafficParams p, Instant dayStart, long seed, String idPrefix) {
    Random random = new Random(seed);
    double[] cumulative = cumulative(p.hourlyCurve());
    List<Visit> visits = new ArrayList<>(p.visitorsPerDay());
    for (int i = 0; i < p.visitorsPerDay(); i++) {
      int hour = pickHour(cumulative, random.nextDouble());
      Instant arrive = dayStart.plusMillis((long) ((hour + random.nextDouble()) * 3_600_000));
      double session = Math.min(MAX_SESSION_MINUTES, p.sessionMinutes().sample(random));
      Instant leave = arrive.plus(minutes(session));
      Instant closed = leave;
      if (random.nextDouble() < p.tabsLeftOpenShare()) {
        closed = leave.plus(minutes(Math.min(MAX_TAB_MINUTES, p.tabOpenMinutes().sample(random))));
      }
      boolean release = random.nextDouble() < p.releaseShare();
      Instant call = null;
      if (random.nextDouble() < p.callShare()) {
        if (random.nextDouble() < p.callAfterLeaveShare()) {
          call = leave.plus(minutes(Math.min(MAX_CALL_DELAY_MINUTES, p.callDelayMinutes().sample(random))));
        } else {
          call = arrive.plus(minutes(session * random.nextDouble()));
        }
      }
      visits.add(new Visit(idPrefix + String.format("v%06d", i), arrive, leave, closed, release, call));
    }
    visits.sort(Comparator.comparing(Visit::arrive));
    return visits;
  }

  static Duration minutes(double m) {
    return Duration.ofMillis(Math.max(1, Math.round(m * 60_000)));
  }

  static double[] cumulative(List<Double> weights) {
    double[] c = new double[weights.size()];
    double sum = 0;
    for (int i = 0; i < c.length; i++) {
      sum += weights.get(i);
      c[i] = sum;
    }
    for (int i = 0; i < c.length; i++) {
      c[i] /= sum;
    }
    return c;
  }

  /** The hour whose cumulative share first exceeds {@code u} (u in [0,1)); zero-weight hours are never picked. */
  static int pickHour(double[] cumulative, double u) {
    for (int i = 0; i < cumulative.length; i++) {
      if (u < cumulative[i]) {
        return i;
      }
    }
    return cumulative.length - 1;
  }
}
