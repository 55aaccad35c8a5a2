package io.calltrack.core.marketing;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.calltrack.core.CalltrackException;
import io.calltrack.core.report.Money;
import java.math.BigDecimal;
import java.net.URI;
import java.util.Currency;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A property's marketing settings ({@code PUT /v1/properties/{property}/marketing}): the one currency
 * its outcomes and spend are in, its business hours, its monthly targets, where CRM webhooks go, how
 * it is alerted, where its scheduled report goes and the GA4 data stream and Meta pixel its calls are
 * sent to, and what it listens for in its calls' transcripts.
 * Everything is optional; the currency defaults to USD.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record PropertySettings(
    String currency,
    Map<String, List<String>> businessHours,
    List<Target> targets,
    Webhook webhook,
    Alerts alerts,
    ReportSchedule reports,
    Analytics analytics,
    Meta meta,
    io.calltrack.core.conversation.ConversationRules conversations) {

  public static final PropertySettings DEFAULT = new PropertySettings(null, null, null, null, null);

  /** Without conversation rules. */
  public PropertySettings(String currency, Map<String, List<String>> businessHours, List<Target> targets,
      Webhook webhook, Alerts alerts, ReportSchedule reports, Analytics analytics, Meta meta) {
    this(currency, businessHours, targets, webhook, alerts, reports, analytics, meta, null);
  }

  /** Without GA4 and Meta. */
  public PropertySettings(String currency, Map<String, List<String>> businessHours, List<Target> targets,
      Webhook webhook, Alerts alerts, ReportSchedule reports) {
    this(currency, businessHours, targets, webhook, alerts, reports, null, null);
  }

  /** Without Meta. */
  public PropertySettings(String currency, Map<String, List<String>> businessHours, List<Target> targets,
      Webhook webhook, Alerts alerts, ReportSchedule reports, Analytics analytics) {
    this(currency, businessHours, targets, webhook, alerts, reports, analytics, null);
  }

  /** Without scheduled reports. */
  public PropertySettings(String currency, Map<String, List<String>> businessHours, List<Target> targets,
      Webhook webhook, Alerts alerts) {
    this(currency, businessHours, targets, webhook, alerts, null);
  }

  public PropertySettings {
    currency = currency == null || currency.isBlank() ? "USD" : currencyCode(currency);
    BusinessHours.fromJson(businessHours); // validates
    targets = targets == null ? List.of() : List.copyOf(targets);
    conversations = conversations == null ? io.calltrack.core.conversation.ConversationRules.NONE : conversations;
  }

  public BusinessHours hours() {
    return businessHours == null || businessHours.isEmpty() ? null : BusinessHours.fromJson(businessHours);
  }

  public static String currencyCode(String c) {
    try {
      return Currency.getInstance(c.strip().toUpperCase(Locale.ROOT)).getCurrencyCode();
    } catch (IllegalArgumentException e) {
      throw new CalltrackException.Invalid("currency must be an ISO 4217 code like USD: '" + c + "'");
    }
  }

  /**
   * A monthly target of the whole property, or of one source or campaign (or both). Money as decimal
   * strings; any of the four measures may be left out.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Target(String source, String campaign, String revenue, BigDecimal roiPercent,
      String costPerAcquisition, Long calls) {
    public Target {
      source = blankToNull(source);
      campaign = blankToNull(campaign);
      if (revenue != null) {
        Money.parseMinor(revenue, "targets.revenue");
      }
      if (costPerAcquisition != null) {
        Money.parseMinor(costPerAcquisition, "targets.costPerAcquisition");
      }
      if (calls != null && calls < 0) {
        throw new CalltrackException.Invalid("targets.calls must not be negative");
      }
      if (revenue == null && roiPercent == null && costPerAcquisition == null && calls == null) {
        throw new CalltrackException.Invalid("a target needs at least one of revenue, roiPercent, costPerAcquisition, calls");
      }
    }
  }

  /** Where signed CRM webhooks (call started, call ended, outcome set) are sent. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Webhook(String url, String secret) {
    public Webhook {
      requireUrl(url, "webhook.url");
      requireSecret(secret, "webhook.secret");
    }
  }

  /**
   * Google Analytics 4: each call whose visit carried the site's GA client id is sent to the
   * property's GA4 web data stream ({@code measurementId} G-..., with one of its Measurement Protocol
   * {@code apiSecret}s) as an event of that visitor's session, and its outcome as lead events
   * (CallAnalyticsEvents). {@code endpoint}: Google's collection URL (default), or its EU one
   * ({@code https://region1.google-analytics.com/mp/collect}).
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Analytics(String measurementId, String apiSecret, String endpoint) {
    public static final String GOOGLE = "https://www.google-analytics.com/mp/collect";
    private static final java.util.regex.Pattern MEASUREMENT_ID = java.util.regex.Pattern.compile("G-[A-Z0-9]{4,20}");
    private static final java.util.regex.Pattern API_SECRET = java.util.regex.Pattern.compile("[A-Za-z0-9_-]{8,100}");

    public Analytics {
      measurementId = measurementId == null ? null : measurementId.strip().toUpperCase(Locale.ROOT);
      if (measurementId == null || !MEASUREMENT_ID.matcher(measurementId).matches()) {
        throw new CalltrackException.Invalid(
            "analytics.measurementId must be a GA4 web stream's measurement id like G-ABC123XYZ9");
      }
      apiSecret = apiSecret == null ? null : apiSecret.strip();
      if (apiSecret == null || !API_SECRET.matcher(apiSecret).matches()) {
        throw new CalltrackException.Invalid("analytics.apiSecret must be the stream's Measurement Protocol API "
            + "secret: 8 to 100 letters, digits, '-' or '_'");
      }
      endpoint = endpoint == null || endpoint.isBlank() ? GOOGLE : endpoint.strip();
      requireBaseUrl(endpoint, "analytics.endpoint");
    }

    /** Where an event is posted: the endpoint with the stream's id and secret. */
    public String collectUrl() {
      return endpoint + query();
    }

    /**
     * GA4's validation endpoint beside it ({@code …/debug/mp/collect}: answers what it would make of an
     * event and records nothing); null when the endpoint does not end in {@code /mp/collect}.
     */
    public String validationUrl() {
      String collect = "/mp/collect";
      return endpoint.endsWith(collect)
          ? endpoint.substring(0, endpoint.length() - collect.length()) + "/debug" + collect + query() : null;
    }

    private String query() {
      return "?measurement_id=" + measurementId + "&api_secret=" + apiSecret;
    }
  }

  /**
   * Meta's Conversions API: calls its ads brought (the visit's fbclid) become {@code Contact},
   * {@code Lead} and {@code Purchase} events of the pixel (or dataset) {@code pixelId}, sent with a
   * system user's {@code accessToken} (CallMetaEvents). {@code matchCallerNumber}: also send each
   * caller's number, hashed as Meta asks, so that Meta can match calls without a click id to its users
   * (off by default: it is the caller's number leaving for Meta). {@code testEventCode}: the events go to
   * Events Manager's "Test events" tab only. {@code endpoint}: the Graph API base with its version.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Meta(String pixelId, String accessToken, Boolean matchCallerNumber, String testEventCode,
      String endpoint) {
    public static final String GRAPH = "https://graph.facebook.com/v23.0";
    private static final java.util.regex.Pattern PIXEL_ID = java.util.regex.Pattern.compile("\\d{5,20}");
    private static final java.util.regex.Pattern TOKEN = java.util.regex.Pattern.compile("[A-Za-z0-9_-]{20,1024}");
    private static final java.util.regex.Pattern TEST_CODE = java.util.regex.Pattern.compile("[A-Za-z0-9_-]{1,64}");

    public Meta {
      pixelId = pixelId == null ? null : pixelId.strip();
      if (pixelId == null || !PIXEL_ID.matcher(pixelId).matches()) {
        throw new CalltrackException.Invalid("meta.pixelId must be the pixel's (dataset's) id: 5 to 20 digits");
      }
      accessToken = accessToken == null ? null : accessToken.strip();
      if (accessToken == null || !TOKEN.matcher(accessToken).matches()) {
        throw new CalltrackException.Invalid("meta.accessToken must be a Conversions API access token: "
            + "20 to 1024 letters, digits, '-' or '_'");
      }
      matchCallerNumber = Boolean.TRUE.equals(matchCallerNumber);
      testEventCode = blankToNull(testEventCode);
      if (testEventCode != null && !TEST_CODE.matcher(testEventCode).matches()) {
        throw new CalltrackException.Invalid("meta.testEventCode must be the code Events Manager shows, like TEST12345");
      }
      endpoint = endpoint == null || endpoint.isBlank() ? GRAPH : endpoint.strip().replaceAll("/+$", "");
      requireBaseUrl(endpoint, "meta.endpoint");
    }

    /** Where the pixel's events are posted. */
    public String eventsUrl() {
      return endpoint + "/" + pixelId + "/events";
    }
  }

  /**
   * Alert webhook and thresholds: pool utilization above {@code poolUtilizationPercent} (75) for
   * {@code poolMinutes} (10) minutes, pool exhausted, today's failed-call share above
   * {@code failedCallRate} (0.2, at least 10 calls), calls or revenue below the month's target pace
   * or below {@code trailingPercent} (50) % of the trailing {@code trailingDays} (7) days' average,
   * and (sent by each SIP router) more than {@code spoolDepth} (100) call events waiting in a router's
   * spool for {@code spoolMinutes} (5) minutes.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Alerts(String url, String secret, Integer poolUtilizationPercent, Integer poolMinutes,
      BigDecimal failedCallRate, Integer trailingDays, Integer trailingPercent, Integer spoolDepth,
      Integer spoolMinutes) {
    /** The thresholds' defaults, also what a property without alerts is judged by ({@code GET .../health}). */
    public static final int POOL_UTILIZATION_PERCENT = 75;
    public static final int POOL_MINUTES = 10;
    public static final BigDecimal FAILED_CALL_RATE = new BigDecimal("0.2");
    public static final int TRAILING_DAYS = 7;
    public static final int TRAILING_PERCENT = 50;

    public Alerts {
      requireUrl(url, "alerts.url");
      requireSecret(secret, "alerts.secret");
      poolUtilizationPercent = poolUtilizationPercent == null ? POOL_UTILIZATION_PERCENT : poolUtilizationPercent;
      poolMinutes = poolMinutes == null ? POOL_MINUTES : poolMinutes;
      failedCallRate = failedCallRate == null ? FAILED_CALL_RATE : failedCallRate;
      trailingDays = trailingDays == null ? TRAILING_DAYS : trailingDays;
      trailingPercent = trailingPercent == null ? TRAILING_PERCENT : trailingPercent;
      spoolDepth = spoolDepth == null ? 100 : spoolDepth;
      spoolMinutes = spoolMinutes == null ? 5 : spoolMinutes;
      if (spoolDepth < 1 || spoolMinutes < 0) {
        throw new CalltrackException.Invalid("alerts: spoolDepth >= 1, spoolMinutes >= 0");
      }
      if (poolUtilizationPercent < 1 || poolUtilizationPercent > 100 || poolMinutes < 0 || trailingDays < 1
          || trailingDays > 60 || trailingPercent < 1 || trailingPercent > 100) {
        throw new CalltrackException.Invalid("alerts: poolUtilizationPercent 1-100, poolMinutes >= 0, "
            + "trailingDays 1-60, trailingPercent 1-100");
      }
    }
  }

  /**
   * The ROI report sent to {@code url} (signed with {@code secret}, as every webhook) once a period is
   * over: {@code every} day, week (Monday to Sunday) or month of the property's time zone, grouped by
   * {@code groupBy} (as {@code GET /v1/reports/roi}'s, default source) under attribution {@code model}
   * (as its {@code model}, default last), at {@code hour} (0-23, default 6) local time of the day after,
   * so that late calls and the day's spend upload are in.
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record ReportSchedule(String url, String secret, String every, String groupBy, Integer hour, String model) {
    public static final List<String> PERIODS = List.of("day", "week", "month");

    public ReportSchedule {
      requireUrl(url, "reports.url");
      requireSecret(secret, "reports.secret");
      every = every == null || every.isBlank() ? "week" : every.strip().toLowerCase(Locale.ROOT);
      if (!PERIODS.contains(every)) {
        throw new CalltrackException.Invalid("reports.every must be day, week or month: '" + every + "'");
      }
      groupBy = groupBy == null || groupBy.isBlank() ? "source" : groupBy.strip();
      model = model == null || model.isBlank() ? "last" : model.strip();
      try {
        io.calltrack.core.report.GroupBy.parse(groupBy).withModel(model);
      } catch (CalltrackException.Invalid e) {
        throw new CalltrackException.Invalid("reports." + e.getMessage());
      }
      hour = hour == null ? 6 : hour;
      if (hour < 0 || hour > 23) {
        throw new CalltrackException.Invalid("reports.hour must be 0 to 23 (local time): " + hour);
      }
    }

    /** Without a model: the last touch's. */
    public ReportSchedule(String url, String secret, String every, String groupBy, Integer hour) {
      this(url, secret, every, groupBy, hour, null);
    }

    /** What the report groups by, under its model. */
    public io.calltrack.core.report.GroupBy grouping() {
      return io.calltrack.core.report.GroupBy.parse(groupBy).withModel(model);
    }
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }

  /** A receiver's shared secret, which signs what is sent to it: at least 16 characters. */
  private static void requireSecret(String secret, String what) {
    if (secret == null || secret.length() < 16) {
      throw new CalltrackException.Invalid(what + " must be at least 16 characters");
    }
  }

  /** An http(s) URL without a query or fragment: one that calltrack adds its own path or query to. */
  private static void requireBaseUrl(String url, String what) {
    requireUrl(url, what);
    if (url.contains("?") || url.contains("#")) {
      throw new CalltrackException.Invalid(what + " must be a URL without a query: '" + url + "'");
    }
  }

  /** An http(s) URL with a host; Invalid naming {@code what} otherwise. */
  public static void requireUrl(String url, String what) {
    try {
      URI u = new URI(url);
      if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
        throw new IllegalArgumentException();
      }
    } catch (Exception e) {
      throw new CalltrackException.Invalid(what + " must be an http(s) URL: '" + url + "'");
    }
  }
}
