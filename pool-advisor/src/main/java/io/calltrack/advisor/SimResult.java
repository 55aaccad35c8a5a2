package io.calltrack.advisor;

import java.util.EnumMap;
import java.util.Map;

/**
 * What one simulated day with a pool of {@code poolSize} numbers gave.
 *
 * @param outcomes calls by outcome
 * @param visits visits in the day
 * @param fallbackVisits visits shown the default number (pool exhausted, fallback policy)
 * @param recycledVisits visits given a number taken from another visit (pool exhausted, recycle-oldest policy)
 * @param peakInUse most numbers leased or held at once (sampled at each assign)
 * @param engineOps engine calls made (assign, heartbeat, release, resolve)
 * @param wallMillis how long the day took to simulate
 */
public record SimResult(int poolSize, Map<CallOutcome, Integer> outcomes, int visits, int fallbackVisits,
    int recycledVisits, int peakInUse, long engineOps, long wallMillis) {

  public SimResult {
    Map<CallOutcome, Integer> copy = new EnumMap<>(CallOutcome.class);
    copy.putAll(outcomes);
    outcomes = copy;
  }

  public int calls() {
    return outcomes.values().stream().mapToInt(Integer::intValue).sum();
  }

  public int count(CallOutcome o) {
    return outcomes.getOrDefault(o, 0);
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
    return fallbackVisits == 0 && recycledVisits == 0;
  }

  public double exact() {
    return share(CallOutcome.EXACT);
  }
}
