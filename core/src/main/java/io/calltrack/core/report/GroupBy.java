package io.calltrack.core.report;

import io.calltrack.core.CalltrackException;
import io.calltrack.core.attribution.CreditModel;
import io.calltrack.core.rollup.Dimension;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What a report's rows are: a dimension ({@code source}), a time period ({@code week}), or both
 * ({@code source,week}: one row per source and week). {@code hour} stands alone: the hour rollups are
 * not kept per dimension value. Under {@code model} ({@link CreditModel}; last touch by default) the
 * marketing dimensions' calls are the first touch's, or a multi-touch model's credit.
 */
public record GroupBy(Dimension dimension, TimeBucket time, CreditModel model, List<String> confidence) {
  /** Confidences a report can be filtered by (a call's {@code confidence}). */
  public static final List<String> CONFIDENCES = List.of("exact", "channel", "probable", "ambiguous", "unattributed");

  /** The rollup of a dimension split by confidence: values are {@code <confidence>|<value>}. */
  public static String byConfidence(Dimension d) {
    return d.json() + "@confidence";
  }

  /** Dimensions a confidence filter can be combined with (their rollups are also kept per confidence). */
  public static boolean filterable(Dimension d) {
    return d.touch() || d == Dimension.NUMBER || d == Dimension.CONFIDENCE;
  }

  public GroupBy {
    model = model == null ? CreditModel.LAST : model;
    confidence = confidence == null ? null : List.copyOf(confidence);
  }

  public GroupBy(Dimension dimension, TimeBucket time) {
    this(dimension, time, CreditModel.LAST, null);
  }

  /** Whether rows group calls by the visitor's first touch ({@code model=first}). */
  public boolean firstTouch() {
    return model == CreditModel.FIRST;
  }

  /**
   * The same grouping counting only calls of these confidences ({@code exact,channel}); null or blank:
   * every call. Works with the last-touch marketing dimensions, number, confidence and the periods
   * day/week/month/weekday (not hour, not under another model than last: those rollups are not kept
   * per confidence).
   */
  public GroupBy withConfidence(String filter) {
    if (filter == null || filter.isBlank()) {
      return new GroupBy(dimension, time, model, null);
    }
    List<String> wanted = new java.util.ArrayList<>();
    for (String c : filter.strip().split("\\s*,\\s*")) {
      if (!CONFIDENCES.contains(c)) {
        throw new CalltrackException.Invalid("confidence must be one or more of " + String.join("|", CONFIDENCES)
            + " separated by commas: '" + filter + "'");
      }
      if (!wanted.contains(c)) {
        wanted.add(c);
      }
    }
    if (time == TimeBucket.HOUR || model != CreditModel.LAST || (dimension != null && !filterable(dimension))) {
      throw new CalltrackException.Invalid("confidence can filter reports grouped by source, medium, campaign, "
          + "keyword, adGroup, ad, content, landingPage, number or confidence, or by day, week, month or weekday "
          + "(not hour, and only under model=last)");
    }
    return new GroupBy(dimension, time, model, wanted);
  }

  public static GroupBy of(Dimension d) {
    return new GroupBy(d, null);
  }

  /**
   * The same grouping under attribution model {@code text} ({@link CreditModel}): "last" (default: the
   * touch before the call), "first" (the visitor's first touch, for the attribution dimensions
   * source..landingPage), or a multi-touch model splitting each call over its journey: "linear",
   * "position", "timeDecay" (for source, medium and campaign, the channel each touch names).
   */
  public GroupBy withModel(String text) {
    CreditModel m = CreditModel.parse(text);
    if (m == CreditModel.FIRST && (dimension == null || !dimension.touch())) {
      throw new CalltrackException.Invalid("model=first needs groupBy with a marketing dimension (source, medium, "
          + "campaign, keyword, adGroup, ad, content or landingPage)");
    }
    if (m.multiTouch() && (dimension == null || !dimension.inJourney())) {
      throw new CalltrackException.Invalid("model=" + m.json() + " needs groupBy source, medium or campaign "
          + "(alone or with day, week, month or weekday): the channels a visitor's journey names");
    }
    return new GroupBy(dimension, time, m, confidence);
  }

  /**
   * The name of the dimension's rollups: "source", "first.source" under the first-touch model,
   * "source@linear" under a multi-touch one.
   */
  public String rollupName() {
    return model == CreditModel.FIRST ? dimension.firstTouchJson()
        : model.multiTouch() ? dimension.creditJson(model) : dimension.json();
  }

  /** Parses {@code source}, {@code week}, {@code source,week} or {@code week,source}. */
  public static GroupBy parse(String text) {
    if (text == null || text.isBlank()) {
      return of(Dimension.SOURCE);
    }
    String[] parts = text.strip().split("\\s*,\\s*");
    if (parts.length > 2) {
      throw invalid(text);
    }
    Dimension d = null;
    TimeBucket t = null;
    for (String p : parts) {
      Dimension pd = Dimension.find(p);
      TimeBucket pt = TimeBucket.find(p);
      if (pd != null && d == null) {
        d = pd;
      } else if (pt != null && t == null) {
        t = pt;
      } else {
        throw invalid(text);
      }
    }
    if (t == TimeBucket.HOUR && d != null) {
      throw new CalltrackException.Invalid("groupBy=hour cannot be combined with a dimension; "
          + "use day, week, month or weekday with " + d.json());
    }
    return new GroupBy(d, t);
  }

  private static CalltrackException invalid(String text) {
    return new CalltrackException.Invalid("groupBy must be one of the dimensions "
        + Arrays.stream(Dimension.values()).map(Dimension::json).collect(Collectors.joining("|"))
        + ", one of the periods " + Stream.of(TimeBucket.values()).map(TimeBucket::json).collect(Collectors.joining("|"))
        + ", or a dimension and a period separated by a comma (source,week): '" + text + "'");
  }

  /** "source,week", "week", "source". */
  public String json() {
    if (dimension != null && time != null) {
      return dimension.json() + "," + time.json();
    }
    return dimension != null ? dimension.json() : time.json();
  }
}
