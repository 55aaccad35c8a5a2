package io.calltrack.core.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.calltrack.core.phone.PhoneNumber;
import java.util.Objects;

/**
 * An offline tracking number (print ad, billboard, radio): every call to it is attributed to the
 * same source (docs/contract.md {@code PUT /v1/numbers/{number}}).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record StaticNumberConfig(
    PhoneNumber number, String property, String source, String medium, String campaign) {

  public StaticNumberConfig {
    Objects.requireNonNull(number, "number");
    Ids.require("property", property);
  }

  public StaticNumberConfig withNumber(PhoneNumber n) {
    return new StaticNumberConfig(n, property, source, medium, campaign);
  }
}
