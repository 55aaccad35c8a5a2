package io.calltrack.core.calls;

import io.calltrack.core.CalltrackException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The stages of a call's sales pipeline a business may report in an outcome, in funnel order. Each is
 * counted (calls that reached it) and valued (sum of the values given) in the rollups under
 * {@link #metric()} and {@link #valueMetric()}.
 */
public enum OutcomeStage {
  LEAD, APPOINTMENT, QUOTE, OPPORTUNITY, SALE;

  public String json() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The rollup count metric: "stage_lead". */
  public String metric() {
    return "stage_" + json();
  }

  /** The rollup value metric (minor units): "stageValue_lead". */
  public String valueMetric() {
    return "stageValue_" + json();
  }

  public static OutcomeStage of(String v) {
    for (OutcomeStage s : values()) {
      if (s.json().equals(v)) {
        return s;
      }
    }
    throw new CalltrackException.Invalid("stages keys must be "
        + Arrays.stream(values()).map(OutcomeStage::json).collect(Collectors.joining("|")) + ": '" + v + "'");
  }
}
