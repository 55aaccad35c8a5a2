package io.calltrack.core.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.calltrack.core.CalltrackException;

/**
 * How many tracking numbers one client address may take from a property (DESIGN: one client must not
 * drain a pool). Past a soft limit the client gets the default number ({@code fallback: true}, with a
 * reason); past a hard limit, clearly abusive, a 429. Known crawlers and headless automation get the
 * default number without a lease unless {@code leaseToAutomatedClients} is true. Any field left out
 * takes the server's default.
 *
 * @param liveLeases      leases one address may hold at once before it gets the default number
 * @param liveLeasesHard  live leases past which its assigns are refused with 429
 * @param perMinute       assigns one address may make per minute before it gets the default number
 * @param perMinuteHard   assigns per minute past which they are refused with 429
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record AssignLimits(Integer liveLeases, Integer liveLeasesHard, Integer perMinute, Integer perMinuteHard,
    Boolean leaseToAutomatedClients) {

  /** A household or small office shares one address: generous for people, a wall for a script. */
  public static final AssignLimits DEFAULT = new AssignLimits(10, 40, 30, 120, false);
  /** No limits at all (load tests, trusted internal clients). */
  public static final AssignLimits NONE =
      new AssignLimits(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE, true);

  public AssignLimits {
    for (Integer v : new Integer[] {liveLeases, liveLeasesHard, perMinute, perMinuteHard}) {
      if (v != null && v < 1) {
        throw new CalltrackException.Invalid("assignLimits values must be at least 1");
      }
    }
  }

  /**
   * These limits with every field left out taken from {@code defaults}; a hard limit left out is never
   * below the soft one given ({@code liveLeases: 50} alone over the default hard 40 was refused at 40
   * with a 429, the 50 never reached).
   */
  public AssignLimits over(AssignLimits defaults) {
    int live = liveLeases != null ? liveLeases : defaults.liveLeases();
    int minute = perMinute != null ? perMinute : defaults.perMinute();
    return new AssignLimits(live,
        liveLeasesHard != null ? liveLeasesHard : Math.max(defaults.liveLeasesHard(), live),
        minute,
        perMinuteHard != null ? perMinuteHard : Math.max(defaults.perMinuteHard(), minute),
        leaseToAutomatedClients != null ? leaseToAutomatedClients : defaults.leaseToAutomatedClients());
  }

  /**
   * 400 when a soft limit given is above the hard one given: past the hard limit every assign is
   * refused, so the soft one (the default number instead) would never apply. Checked where a client
   * sets the limits, not where a stored property is read.
   */
  public void requireSoftBelowHard() {
    requireSoftBelowHard("liveLeases", liveLeases, liveLeasesHard);
    requireSoftBelowHard("perMinute", perMinute, perMinuteHard);
  }

  private static void requireSoftBelowHard(String soft, Integer softLimit, Integer hardLimit) {
    if (softLimit != null && hardLimit != null && softLimit > hardLimit) {
      throw new CalltrackException.Invalid("assignLimits." + soft + " (" + softLimit + ") must not be above"
          + " assignLimits." + soft + "Hard (" + hardLimit + "): past the hard limit every assign is refused");
    }
  }
}
