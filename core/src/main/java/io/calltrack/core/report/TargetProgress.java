package io.calltrack.core.report;

import io.calltrack.core.marketing.PropertySettings.Target;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A monthly target against the month so far: for each measure the target, the actual figure to date,
 * progress (actual / target) and the month-end projection. Counted measures (calls, revenue, cost,
 * conversions) are projected linearly: so far × days in month / days elapsed (today counts as
 * elapsed). ROI and cost per acquisition are ratios of projected figures, which linear projection
 * leaves at today's values. {@code onTrack}: the projection meets the target (ROI at least, CPA at most).
 */
public final class TargetProgress {
  private TargetProgress() {}

  /** Days of {@code month} elapsed on {@code today}: 0 before it starts, all of them after it ends. */
  public static int elapsedDays(YearMonth month, LocalDate today) {
    if (today.isBefore(month.atDay(1))) {
      return 0;
    }
    if (today.isAfter(month.atEndOfMonth())) {
      return month.lengthOfMonth();
    }
    return today.getDayOfMonth();
  }

  public static Map<String, Object> of(Target target, RoiRow soFar, YearMonth month, int elapsed) {
    int days = month.lengthOfMonth();
    RoiCounts c = soFar.counts();
    Map<String, Object> out = new LinkedHashMap<>();
    Map<String, Object> scope = new LinkedHashMap<>();
    scope.put("source", target.source());
    scope.put("campaign", target.campaign());
    out.put("scope", scope);
    out.put("daysElapsed", elapsed);
    out.put("daysInMonth", days);
    long cost = c.costMinor() == null ? 0 : c.costMinor();
    if (target.calls() != null) {
      BigDecimal projected = projected(BigDecimal.valueOf(c.calls()), days, elapsed, 0);
      out.put("calls", measure(BigDecimal.valueOf(target.calls()), BigDecimal.valueOf(c.calls()), projected, 0,
          projected != null && projected.compareTo(BigDecimal.valueOf(target.calls())) >= 0));
    }
    if (target.revenue() != null) {
      BigDecimal t = new BigDecimal(target.revenue());
      BigDecimal projected = projected(soFar.revenue(), days, elapsed, 2);
      out.put("revenue", money(t, soFar.revenue(), projected, projected != null && projected.compareTo(t) >= 0));
    }
    if (target.roiPercent() != null) {
      BigDecimal actual = soFar.roiPercent();
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("target", target.roiPercent());
      m.put("actual", actual);
      m.put("projected", actual);
      m.put("onTrack", actual != null && actual.compareTo(target.roiPercent()) >= 0);
      out.put("roiPercent", m);
    }
    if (target.costPerAcquisition() != null) {
      BigDecimal t = new BigDecimal(target.costPerAcquisition());
      BigDecimal actual = c.conversions() == 0 ? null
          : Money.fromMinor(cost).divide(BigDecimal.valueOf(c.conversions()), 2, RoundingMode.HALF_UP);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("target", t.setScale(2).toPlainString());
      m.put("actual", actual == null ? null : actual.toPlainString());
      m.put("projected", actual == null ? null : actual.toPlainString());
      m.put("onTrack", actual != null && actual.compareTo(t) <= 0);
      out.put("costPerAcquisition", m);
    }
    return out;
  }

  /**
   * {@code soFar} × days / elapsed, rounded once (null before the month starts). Not × a rounded
   * days / elapsed: 31 / 3 to 10 places put a month-end 1,000,000,000.00 × 31 / 3 three cents short.
   */
  private static BigDecimal projected(BigDecimal soFar, int days, int elapsed, int scale) {
    return elapsed == 0 ? null
        : soFar.multiply(BigDecimal.valueOf(days)).divide(BigDecimal.valueOf(elapsed), scale, RoundingMode.HALF_UP);
  }

  private static Map<String, Object> measure(BigDecimal target, BigDecimal actual, BigDecimal projected, int scale,
      boolean onTrack) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("target", target.longValueExact());
    m.put("actual", actual.longValueExact());
    m.put("progress", progress(actual, target));
    m.put("projected", projected == null ? null : projected.longValueExact());
    m.put("onTrack", onTrack);
    return m;
  }

  private static Map<String, Object> money(BigDecimal target, BigDecimal actual, BigDecimal projected,
      boolean onTrack) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("target", target.setScale(2).toPlainString());
    m.put("actual", actual.toPlainString());
    m.put("progress", progress(actual, target));
    m.put("projected", projected == null ? null : projected.toPlainString());
    m.put("onTrack", onTrack);
    return m;
  }

  private static BigDecimal progress(BigDecimal actual, BigDecimal target) {
    return target.signum() == 0 ? null : actual.divide(target, 4, RoundingMode.HALF_UP);
  }
}
