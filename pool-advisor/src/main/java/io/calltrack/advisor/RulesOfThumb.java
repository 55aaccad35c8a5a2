package io.calltrack.advisor;

/**
 * The pool sizes the industry's rules of thumb give for the same traffic, to print beside the
 * simulated answer.
 */
public final class RulesOfThumb {
  /** The reservation the second rule assumes after each visit, whatever the pool's own hold. */
  public static final double RESERVATION_MINUTES = 30;

  private RulesOfThumb() {}

  /** One number per 20 daily visitors (CallTrackingMetrics' published guidance), rounded up. */
  public static int perTwentyDailyVisitors(int visitorsPerDay) {
    return (int) Math.ceil(visitorsPerDay / 20.0);
  }

  /**
   * Peak hourly visitors ÷ (60 ÷ minutes each visitor ties up a number), rounded up. Our reading of
   * "with a fixed 30-minute reservation": a number is tied up for the average session plus a fixed
   * 30 minutes after it, so each number serves 60 ÷ (avg session + 30) visitors an hour at peak —
   * Little's law on the peak hour. (Reading the 30 minutes as replacing the session length instead,
   * the rule gives peak ÷ 2; {@link #peakHourlyWithoutReservation} is the rule without it.)
   */
  public static int peakHourly(double peakHourlyVisitors, double avgSessionMinutes) {
    return (int) Math.ceil(peakHourlyVisitors / (60.0 / (avgSessionMinutes + RESERVATION_MINUTES)));
  }

  /** The same rule with no reservation: peak hourly visitors ÷ (60 ÷ avg session minutes). */
  public static int peakHourlyWithoutReservation(double peakHourlyVisitors, double avgSessionMinutes) {
    return (int) Math.ceil(peakHourlyVisitors / (60.0 / avgSessionMinutes));
  }
}
