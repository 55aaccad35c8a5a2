package io.calltrack.core.rollup;

import io.calltrack.core.CalltrackException;
import io.calltrack.core.attribution.Attribution;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.phone.CallerPlace;
import java.util.Arrays;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What rollups and ROI reports group calls by. {@link #json()} is the name used in URLs
 * ({@code groupBy=landingPage}), in report rows ({@code "landingPage": "..."}) and in Redis keys.
 * A call without a value for a dimension is counted under the empty value (reported as null).
 * Time ({@code day}, {@code week}, ...) is not a dimension here but a {@link io.calltrack.core.report.TimeBucket}.
 */
public enum Dimension {
  SOURCE("source", attribution(Attribution::source)),
  MEDIUM("medium", attribution(Attribution::medium)),
  CAMPAIGN("campaign", attribution(Attribution::campaign)),
  KEYWORD("keyword", attribution(Attribution::keyword)),
  AD_GROUP("adGroup", attribution(Attribution::adGroup)),
  AD("ad", attribution(Attribution::ad)),
  /** utm_content: the creative (or ad variant) the visitor clicked. */
  CONTENT("content", attribution(Attribution::content)),
  /** The page without the parameters of the click ({@link io.calltrack.core.attribution.LandingPage}). */
  LANDING_PAGE("landingPage", attribution(a -> io.calltrack.core.attribution.LandingPage.forReports(a.landingPage()))),
  /**
   * The visit's region (the site's, or its time zone's), or the static number's; else the region of
   * the tracking number called, from the number itself (libphonenumber's geocoder).
   */
  REGION("region", Dimension::region),
  NUMBER("number", c -> c.number() == null ? null : c.number().e164()),
  /** How the call was matched to a visit: lease, hold, static, unattributed. */
  RESOLUTION("resolution", CallRecord::resolution),
  /** The caller's country calling code and area code, e.g. "+1 312". */
  AREA_CODE("areaCode", c -> CallerPlace.areaCode(c.caller())),
  /**
   * Where the caller's number is registered (libphonenumber's offline geocoder), e.g. "Chicago, IL";
   * not the visit's {@link #REGION}.
   */
  CALLER_REGION("callerRegion", c -> CallerPlace.region(c.caller())),
  /** The business's class of the call from its outcome (sales, support, ...). */
  CALL_TYPE("callType", c -> c.outcome() == null ? null : c.outcome().callType()),
  /** The business's disposition of the call from its outcome (customer, spam, wrong-number, voicemail, ...). */
  DISPOSITION("disposition", c -> c.outcome() == null ? null : c.outcome().disposition()),
  /** How sure the attribution is: exact, channel, probable, ambiguous, unattributed (null: static numbers before v2). */
  CONFIDENCE("confidence", CallRecord::confidence),
  /**
   * Who placed the call: {@value CallRecord#INBOUND} (a caller dialled a tracking or static number) or
   * {@value CallRecord#CALLBACK} (the router, for a web callback request). Calls rolled up before this
   * dimension existed are in no row until they change again (an outcome set).
   */
  DIRECTION("direction", CallRecord::direction);

  private final String json;
  private final Function<CallRecord, String> value;

  Dimension(String json, Function<CallRecord, String> value) {
    this.json = json;
    this.value = value;
  }

  private static String region(CallRecord c) {
    String visit = c.attribution() == null ? null : c.attribution().region();
    if (visit != null || c.number() == null) {
      return visit;
    }
    return io.calltrack.core.region.Regions.of(c.number()).region();
  }

  private static Function<CallRecord, String> attribution(Function<Attribution, String> f) {
    return c -> c.attribution() == null ? null : f.apply(c.attribution());
  }

  public String json() {
    return json;
  }

  /** Whether the dimension comes from the visit's attribution (and so has a first-touch variant). */
  public boolean touch() {
    return ordinal() <= LANDING_PAGE.ordinal();
  }

  /**
   * Whether the visitor's journey names the dimension's value at every touch (source, medium,
   * campaign), so the multi-touch models ({@link io.calltrack.core.attribution.CreditModel}) can split
   * calls over its values.
   */
  public boolean inJourney() {
    return this == SOURCE || this == MEDIUM || this == CAMPAIGN;
  }

  /** A touch's value for this dimension ({@link #inJourney()} ones only), "" when it has none. */
  public String valueOf(io.calltrack.core.attribution.Touch t) {
    String v = switch (this) {
      case SOURCE -> t.source();
      case MEDIUM -> t.medium();
      case CAMPAIGN -> t.campaign();
      default -> throw new IllegalArgumentException(json + " is not named by a journey's touches");
    };
    return v == null ? "" : v;
  }

  /** The rollup name of the dimension's credit under a multi-touch model: "source@linear". */
  public String creditJson(io.calltrack.core.attribution.CreditModel model) {
    return json + "@" + model.json();
  }

  /** The rollup name of the first-touch variant: "first.source". */
  public String firstTouchJson() {
    return "first." + json;
  }

  /** The call's value for this dimension under the first-touch model, "" when it has none. */
  public String firstTouchValueOf(CallRecord call) {
    if (!touch() || call.attribution() == null) {
      return valueOf(call);
    }
    Attribution f = call.attribution().first();
    String v = value.apply(call.withAttribution(call.resolution(), call.sessionId(), f, call.candidates()));
    return v == null ? "" : v;
  }

  /** The call's value for this dimension, "" when it has none. */
  public String valueOf(CallRecord call) {
    String v = value.apply(call);
    return v == null ? "" : v;
  }

  /** The dimension named {@code json}, or null if there is none by that name. */
  public static Dimension find(String json) {
    for (Dimension d : values()) {
      if (d.json.equals(json)) {
        return d;
      }
    }
    return null;
  }

  public static Dimension of(String json) {
    Dimension d = find(json);
    if (d == null) {
      throw new CalltrackException.Invalid("groupBy must be one of "
          + Arrays.stream(values()).map(Dimension::json).collect(Collectors.joining("|")) + ": '" + json + "'");
    }
    return d;
  }
}
