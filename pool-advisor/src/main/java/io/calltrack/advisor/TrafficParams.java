package io.calltrack.advisor;

import java.util.List;

/**
 * One site's traffic and pool settings: everything the simulator draws a day from. Durations are in
 * minutes unless the name says seconds. {@link #defaults()} documents the defaults (README too).
 *
 * @param visitorsPerDay visits in the simulated day (each a new visitor with its own session)
 * @param hourlyCurve 24 relative weights, hour 0 first: the share of the day's visits in each hour
 * @param sessionMinutes how long a visitor looks at the site (log-normal)
 * @param callShare share of visitors who call the number they were shown
 * @param callAfterLeaveShare share of callers who call after the visit ended (the others call during it)
 * @param callDelayMinutes for those, minutes from the end of the visit to the call (log-normal)
 * @param tabsLeftOpenShare share of visits whose tab stays open after the visitor stops looking (heartbeats go on)
 * @param tabOpenMinutes for those, how much longer the tab stays open (log-normal)
 * @param releaseShare share of page closes whose release beacon arrives (the rest let the lease run out)
 * @param heartbeatSeconds how often an open page renews its lease
 * @param leaseSeconds the pool's lease
 * @param holdSeconds the pool's hold after a visit ends
 * @param onExhausted the pool's policy when no number is free ("fallback" or "recycle-oldest")
 * @param seed random seed (the same seed gives the same days)
 * @param days how many days to simulate back to back (more days, more calls, a steadier share)
 * @param evidence what the page and the call tell the engine (taps, copies, zones, returning callers)
 */
public record TrafficParams(
    int visitorsPerDay,
    List<Double> hourlyCurve,
    LogNormal sessionMinutes,
    double callShare,
    double callAfterLeaveShare,
    LogNormal callDelayMinutes,
    double tabsLeftOpenShare,
    LogNormal tabOpenMinutes,
    double releaseShare,
    int heartbeatSeconds,
    int leaseSeconds,
    int holdSeconds,
    String onExhausted,
    long seed,
    int days,
    EvidenceParams evidence) {

  /** A business site's weekday: quiet nights, a morning ramp, peak late morning and early afternoon. */
  public static final List<Double> DEFAULT_CURVE = List.of(
      1.0, 0.7, 0.5, 0.5, 0.6, 1.0, 2.0, 4.0, 6.0, 8.0, 9.0, 10.0,
      9.0, 9.0, 10.0, 9.0, 8.0, 7.0, 6.0, 5.5, 5.0, 4.0, 3.0, 1.5);

  public TrafficParams {
    if (visitorsPerDay < 1) {
      throw new IllegalArgumentException("visitorsPerDay must be at least 1");
    }
    if (hourlyCurve == null || hourlyCurve.size() != 24 || hourlyCurve.stream().anyMatch(w -> w == null || w < 0)
        || hourlyCurve.stream().mapToDouble(Double::doubleValue).sum() <= 0) {
      throw new IllegalArgumentException("hourlyCurve needs 24 non-negative weights, not all 0");
    }
    hourlyCurve = List.copyOf(hourlyCurve);
    share("callShare", callShare);
    share("callAfterLeaveShare", callAfterLeaveShare);
    share("tabsLeftOpenShare", tabsLeftOpenShare);
    share("releaseShare", releaseShare);
    if (heartbeatSeconds < 1 || leaseSeconds < 5 || heartbeatSeconds >= leaseSeconds) {
      throw new IllegalArgumentException("need 1 <= heartbeatSeconds < leaseSeconds and leaseSeconds >= 5");
    }
    if (holdSeconds < 0) {
      throw new IllegalArgumentException("holdSeconds must be >= 0");
    }
    if (days < 1 || days > 366) {
      throw new IllegalArgumentException("days must be between 1 and 366");
    }
    if (!"fallback".equals(onExhausted) && !"recycle-oldest".equals(onExhausted)
        && !"share-channel".equals(onExhausted)) {
      throw new IllegalArgumentException("onExhausted must be fallback, recycle-oldest or share-channel");
    }
    evidence = evidence == null ? EvidenceParams.defaults() : evidence;
  }

  /** Traffic without an evidence model of its own (the defaults). */
  public TrafficParams(int visitorsPerDay, List<Double> hourlyCurve, LogNormal sessionMinutes, double callShare,
      double callAfterLeaveShare, LogNormal callDelayMinutes, double tabsLeftOpenShare, LogNormal tabOpenMinutes,
      double releaseShare, int heartbeatSeconds, int leaseSeconds, int holdSeconds, String onExhausted, long seed,
      int days) {
    this(visitorsPerDay, hourlyCurve, sessionMinutes, callShare, callAfterLeaveShare, callDelayMinutes,
        tabsLeftOpenShare, tabOpenMinutes, releaseShare, heartbeatSeconds, leaseSeconds, holdSeconds, onExhausted,
        seed, days, EvidenceParams.defaults());
  }

  public static TrafficParams defaults() {
    return new TrafficParams(2000, DEFAULT_CURVE, new LogNormal(3.0, 0.9), 0.05, 0.5, new LogNormal(3.0, 1.0),
        0.2, new LogNormal(30.0, 1.0), 0.7, 60, 120, 1800, "share-channel", 42L, 7, EvidenceParams.defaults());
  }

  /** Expected visitors in the busiest hour (visitors per day times that hour's share of the curve). */
  public double peakHourlyVisitors() {
    double sum = hourlyCurve.stream().mapToDouble(Double::doubleValue).sum();
    double max = hourlyCurve.stream().mapToDouble(Double::doubleValue).max().orElse(0);
    return visitorsPerDay * max / sum;
  }

  private static void share(String name, double v) {
    if (!(v >= 0 && v <= 1)) {
      throw new IllegalArgumentException(name + " must be between 0 and 1");
    }
  }
}
