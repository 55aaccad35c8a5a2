package io.calltrack.core.attribution;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.util.List;

/**
 * A visit that could have made a call: its session, the likelihood (0..1) that it did, and the
 * evidence behind that, in words ("tapped the number 1 min before the call", ...).
 */
public record Candidate(String sessionId, double likelihood, List<String> reasons) {
  public Candidate {
    reasons = reasons == null ? List.of() : List.copyOf(reasons);
  }

  /** Records written before scores existed listed bare session ids. */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static Candidate ofSessionId(String sessionId) {
    return new Candidate(sessionId, 0, List.of());
  }

  @JsonCreator(mode = JsonCreator.Mode.PROPERTIES)
  public static Candidate of(@com.fasterxml.jackson.annotation.JsonProperty("sessionId") String sessionId,
      @com.fasterxml.jackson.annotation.JsonProperty("likelihood") double likelihood,
      @com.fasterxml.jackson.annotation.JsonProperty("reasons") List<String> reasons) {
    return new Candidate(sessionId, likelihood, reasons);
  }
}
