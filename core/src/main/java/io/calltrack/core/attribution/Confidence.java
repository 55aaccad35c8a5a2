package io.calltrack.core.attribution;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * How sure the attribution of a call is. {@code EXACT}: the top candidate's likelihood is at least
 * {@link AttributionModel#EXACT}; {@code CHANNEL}: not one visit, but the candidates that together
 * reach that share all came through the same channel (source, medium, campaign), so every channel
 * report is right; {@code PROBABLE}: top at least {@link AttributionModel#PROBABLE};
 * {@code AMBIGUOUS}: candidates, none likely enough; {@code UNATTRIBUTED}: no visit could have.
 */
public enum Confidence {
  EXACT, CHANNEL, PROBABLE, AMBIGUOUS, UNATTRIBUTED;

  @JsonValue
  public String json() {
    return name().toLowerCase(Locale.ROOT);
  }
}
