package io.calltrack.advisor;

import java.util.EnumMap;
import java.util.Map;

/**
 * What the simulated days with a pool of {@code poolSize} numbers gave.
 *
 * @param outcomes calls by the confidence the engine gave them
 * @param wrong calls by confidence whose top candidate was not the caller's visit
 * @param channelWrong calls marked channel whose top candidate's channel was not the caller's
 * @param visits visits in the days
 * @param fallbackVisits visits shown the default number (pool exhausted)
 * @param recycledVisits visits given a number taken from another visit (recycle-oldest)
 * @param sharedVisits visits given a number a live visit of the same channel also has (share-channel)
 * @param peakInUse most numbers leased or held at once (sampled every 5 simulated minutes)
 * @param engineOps engine calls made (assign, heartbeat, release, evidence, resolve)
 * @param wallMillis how long the days took to simulate
 * @param calibration calls by the top candidate's likelihood, and how many of them were right
 * @param ceiling what the simulator's own model could mark exact from what the engine sees ({@link Oracle})
 */
public record SimResult(int poolSize, Map<CallOutcome, Integer> outcomes, Map<CallOutcome, Integer> wrong,
    int channelWrong, int visits, int fallbackVisits, int recycledVisits, int sharedVisits, int peakInUse,
    long engineOps, long wallMillis, Calibration calibration, Ceiling ceiling) {

  public SimResult {
    Map<CallOutcome, Integer> copy = new EnumMap<>(CallOutcome.class);
    copy.putAll(outcomes);
    outcomes = copy;
    Map<CallOutcome, Integer> w = new EnumMap<>(CallOutcome.class);
    w.putAll(wrong);
    wrong = w;
    calibration = calibration == null ? new Calibration() : calibration;
    ceiling = ceiling == null ? Ceiling.NONE : ceiling;
  }

  public int calls() {
    return outcomes.values().stream().mapToInt(Integer::intValue).sum();
  }

  public int count(CallOutcome o) {
    return outcomes.getOrDefault(o, 0);
  }

  public int wrong(CallOutcome o) {
    return wrong.getOrDefault(o, 0);
  }

  /** Share of calls with outcome {@code o}; 1.0 for EXACT when there were no calls (nothing went wrong). */
  public double share(CallOutcome o) {
    int calls = calls();
    if (calls == 0) {
      return o == CallOutcome.EXACT ? 1.0 : 0.0;
    }
    return count(o) / (double) calls;
  }

  /** True if every visit got a number of its own: a bigger pool would change nothing. */
  public boolean neverRanOut() {
    return fallbackVisits == 0 && recycledVisits == 0 && sharedVisits == 0;
  }

  /** Most wrong among calls marked exact for a size to count as meeting the target. */
  public static final double MAX_EXACT_WRONG = 0.005;

  /** At least {@code target} of calls marked exact, and at most 0.5 % of those wrong. */
  public boolean meets(double target) {
    return exact() >= target && exactWrongShare() <= MAX_EXACT_WRONG;
  }

  /** Share of calls marked exact. */
  public double exact() {
    return share(CallOutcome.EXACT);
  }

  /** Calibration: of the calls marked exact, the share whose top candidate was not the caller. */
  public double exactWrongShare() {
    int n = count(CallOutcome.EXACT);
    return n == 0 ? 0 : wrong(CallOutcome.EXACT) / (double) n;
  }

  /** Of the calls marked probable, the share whose top candidate was the caller. */
  public double probableRightShare() {
    int n = count(CallOutcome.PROBABLE);
    return n == 0 ? 0 : 1 - wrong(CallOutcome.PROBABLE) / (double) n;
  }

  /** Share of calls whose report credit is right: exact and right, or channel with the right channel. */
  public double creditRight() {
    int calls = calls();
    if (calls == 0) {
      return 1;
    }
    int right = count(CallOutcome.EXACT) - wrong(CallOutcome.EXACT) + count(CallOutcome.CHANNEL) - channelWrong;
    return right / (double) calls;
  }
}
