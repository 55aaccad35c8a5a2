package io.calltrack.core.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.calltrack.core.attribution.Attribution;
import io.calltrack.core.phone.PhoneNumber;
import java.util.Objects;

/**
 * An offline tracking number (print ad, billboard, radio): every call to it is attributed to the
 * same source (docs/contract.md {@code PUT /v1/numbers/{number}}), and to its {@code region} when it has one
 * (a city's billboard gets its own number).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record StaticNumberConfig(
    PhoneNumber number, String property, String source, String medium, String campaign, String region) {

  public StaticNumberConfig {
    Objects.requireNonNull(number, "number");
    Ids.require("property", property);
    region = region == null || region.isBlank() ? null : region.strip();
    if (region != null && region.length() > Attribution.MAX_REGION_LENGTH) {
      throw new io.calltrack.core.CalltrackException.Invalid(
          "region is at most " + Attribution.MAX_REGION_LENGTH + " characters");
    }
  }

  public StaticNumberConfig(PhoneNumber number, String property, String source, String medium, String campaign) {
    this(number, property, source, medium, campaign, null);
  }

  public StaticNumberConfig withNumber(PhoneNumber n) {
    return new StaticNumberConfig(n, property, source, medium, campaign, region);
  }

  /** What every call to this number is attributed to. */
  public Attribution attribution() {
    return new Attribution(source, medium, campaign, null, null, null, null, null, null, null, null, null)
        .withRegion(region);
  }
}
