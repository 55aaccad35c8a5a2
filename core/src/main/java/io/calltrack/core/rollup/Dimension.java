package io.calltrack.core.rollup;

import io.calltrack.core.CalltrackException;
import io.calltrack.core.attribution.Attribution;
import io.calltrack.core.calls.CallRecord;
import java.util.Arrays;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What rollups and ROI reports group calls by. {@link #json()} is the name used in URLs
 * ({@code groupBy=landingPage}), in report rows ({@code "landingPage": "..."}) and in Redis keys.
 * A call without a value for a dimension is counted under the empty value (reported as null).
 */
public enum Dimension {
  SOURCE("source", a -> a.source()),
  MEDIUM("medium", a -> a.medium()),
  CAMPAIGN("campaign", a -> a.campaign()),
  KEYWORD("keyword", a -> a.keyword()),
  LANDING_PAGE("landingPage", a -> a.landingPage()),
  /**
   * The visit's region (the site's, or its time zone's), or the static number's; else the region of
   * the tracking number called, from the number itself (libphonenumber's geocoder).
   */
  REGION("region", a -> a.region()),
  NUMBER("number", null);

  private final String json;
  private final Function<Attribution, String> fromAttribution;

  Dimension(String json, Function<Attribution, String> fromAttribution) {
    this.json = json;
    this.fromAttribution = fromAttribution;
  }

  public String json() {
    return json;
  }

  /** The call's value for this dimension, "" when it has none. */
  public String valueOf(CallRecord call) {
    String v;
    if (fromAttribution == null) {
      v = call.number() == null ? null : call.number().e164();
    } else {
      v = call.attribution() == null ? null : fromAttribution.apply(call.attribution());
    }
    if (v == null && this == REGION && call.number() != null) {
      v = io.calltrack.core.region.Regions.of(call.number()).region();
    }
    return v == null ? "" : v;
  }

  public static Dimension of(String json) {
    for (Dimension d : values()) {
      if (d.json.equals(json)) {
        return d;
      }
    }
    throw new CalltrackException.Invalid("groupBy must be one of "
        + Arrays.stream(values()).map(Dimension::json).collect(Collectors.joining("|")) + ": '" + json + "'");
  }
}
