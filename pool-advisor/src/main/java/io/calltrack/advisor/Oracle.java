package io.calltrack.advisor;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

/**
 * The attribution ceiling: for one call, the posterior of each candidate visit computed from the
 * simulator's own generative model ({@link TrafficGenerator}, {@link Evidence}, with the very shares
 * and distributions that drew the traffic), given only what an engine could observe by the time of
 * the call: when the visit arrived, whether its page was still open (and when it closed if it had),
 * when it went hidden, tapped or copied the number, the browser's zone, the caller's zone (from the
 * area code) and the caller's previous call. What the visitor really did (when they stopped looking,
 * whether they are on a phone) is unknown and integrated out, unless {@code deviceKnown}.
 *
 * <p>It is what a perfectly calibrated engine with the right model could know: no engine does better
 * on this traffic, for the same numbers shown. Simulator only, never in the product path (a real
 * site's traffic is not this model). Two simplifications, both on the conservative side for the
 * ceiling: each call is scored on its own, as the engine does (the other calls on the number are not
 * used to rule out visits that already called), and the page's close time is taken as exact (the
 * engine knows it within a heartbeat). The simulator has no calls from outside the candidates, so
 * neither has the oracle.
 *
 * <p>Likelihood ratio of a candidate v for a call at t (the posterior is these over their sum):
 * {@code P(call) p(t, caller, obs_v | v made the call) / ((1 - P(call)) p(obs_v | v made no call))},
 * each side summed over phone/desktop and over the unobserved moment the visitor left (a point when the
 * tab was not left open or reported hidden, else an integral against the session-length and
 * tab-left-open densities).
 */
final class Oracle {
  /** A posterior at or above this is "ceiling exact" (the engine's exact threshold). */
  static final double EXACT = 0.995;
  private static final double SEC = 1 / 60.0;
  /**
   * The engine's mass for calls from outside the candidates, relative to a visit on the page
   * ({@code AttributionModel.OUTSIDE}, package-private there; keep the two equal).
   */
  static final double ENGINE_OUTSIDE = 0.0002;

  /** What the engine could have seen of one candidate visit by the time of the call. */
  record Seen(String visitorId, Instant arrive, Instant closed, Instant hidden, Instant tap, Instant copy,
      int zone, boolean mobile) {

    /** The visit as known at {@code at}: events after it are not seen yet. */
    static Seen at(Visit v, Instant at) {
      Visit.Traits t = v.traits();
      return new Seen(v.visitorId(), v.arrive(), by(v.pageClosed(), at), by(t.hiddenAt(), at), by(t.tapAt(), at),
          by(t.copyAt(), at), Evidence.indexOf(t.zone()), t.mobile());
    }

    private static Instant by(Instant event, Instant at) {
      return event == null || event.isAfter(at) ? null : event;
    }
  }

  private final TrafficParams p;
  private final EvidenceParams e;
  private final double callCutMinutes;

  Oracle(TrafficParams p) {
    this.p = p;
    this.e = p.evidence();
    // a visit whose page closed longer ago than this (p(delay) < ~1e-9) cannot weigh in
    this.callCutMinutes = p.callDelayMinutes().median() * Math.exp(6 * p.callDelayMinutes().sigma());
  }

  /**
   * Posteriors of the candidates (same order) for a call at {@code at} from a caller whose number is
   * in zone {@code callerZone}, whose previous call was made by {@code previousVisitor} (null: none).
   * All zero when no candidate could have made it.
   */
  double[] posteriors(List<Seen> candidates, Instant at, int callerZone, String previousVisitor, boolean deviceKnown) {
    return posteriors(candidates, at, callerZone, previousVisitor, deviceKnown, 0);
  }

  /**
   * The same, with calls from outside the candidates at {@code outsideShare} of a visit on the page's calling
   * rate (the engine's {@code AttributionModel.OUTSIDE}); the simulator has none, the real world has some.
   */
  double[] posteriors(List<Seen> candidates, Instant at, int callerZone, String previousVisitor, boolean deviceKnown,
      double outsideShare) {
    // a caller who called before is, in this traffic, always the same visitor again (same browser, same phone):
    // if that visitor is among the candidates, no one else can have the caller's number
    boolean returning = previousVisitor != null
        && candidates.stream().anyMatch(c -> c.visitorId().equals(previousVisitor));
    double[] w = new double[candidates.size()];
    // in the ratios' unit (calls a minute / (1 - P(call))): a live visit calls P(call) x P(during) / mean visit a minute
    // an outside caller's number is in a zone as often as any caller's (the candidates' weights carry P(zone) too)
    double total = outsideShare * p.callShare() * (1 - p.callAfterLeaveShare()) / p.sessionMinutes().mean()
        / (1 - p.callShare()) * callerZoneShare(callerZone);
    for (int i = 0; i < w.length; i++) {
      Seen c = candidates.get(i);
      if (returning && !c.visitorId().equals(previousVisitor)) {
        continue;
      }
      w[i] = ratio(c, at, deviceKnown) * (returning ? 1 : zoneFactor(c.zone(), callerZone));
      total += w[i];
    }
    double sum = total;
    for (int i = 0; i < w.length; i++) {
      w[i] = sum > 0 ? w[i] / sum : 0;
    }
    return w;
  }

  /** P(a caller's number is in zone {@code caller}) over all visitors' zones, as {@link Evidence} draws them. */
  double callerZoneShare(int caller) {
    if (caller < 0) {
      return 1;
    }
    double sum = 0;
    for (int z = 0; z < 4; z++) {
      double browser = (z == 0 ? e.localShare() : 0) + (1 - e.localShare()) * Evidence.zoneWeight(z);
      sum += browser * zoneFactor(z, caller);
    }
    return sum;
  }

  /** P(caller's number in zone {@code caller} | the browser's zone), as {@link Evidence} draws it. */
  double zoneFactor(int browser, int caller) {
    if (browser < 0 || caller < 0) {
      return 1;
    }
    if (browser == caller) {
      return e.callerZoneMatchShare();
    }
    return (1 - e.callerZoneMatchShare()) * Evidence.zoneWeight(caller) / (1 - Evidence.zoneWeight(browser));
  }

  /** Likelihood ratio of "this visit made the call at {@code at}" against "it made no call". */
  double ratio(Seen c, Instant at, boolean deviceKnown) {
    double t = minutes(c.arrive(), at);
    if (t < 0) {
      return 0;
    }
    Double closed = c.closed() == null ? null : minutes(c.arrive(), c.closed());
    if (closed != null && t - closed > callCutMinutes) {
      return 0;
    }
    Obs o = new Obs(t, closed, c.hidden() == null ? null : minutes(c.arrive(), c.hidden()),
        c.tap() == null ? null : minutes(c.arrive(), c.tap()), c.copy() == null ? null : minutes(c.arrive(), c.copy()));
    double call = 0;
    double none = 0;
    for (int m = 0; m < 2; m++) {
      boolean mobile = m == 0;
      double prior = deviceKnown ? (mobile == c.mobile() ? 1 : 0) : (mobile ? e.mobileShare() : 1 - e.mobileShare());
      if (prior == 0) {
        continue;
      }
      call += prior * integrate(o, true, mobile);
      none += prior * integrate(o, false, mobile);
    }
    double pc = p.callShare();
    if (call == 0) {
      return 0;
    }
    if (none == 0) {
      return Double.MAX_VALUE / 1e6; // only a caller could have left these traces
    }
    return pc * call / ((1 - pc) * none);
  }

  /** Observations in minutes since arrival (null: not seen by the call). */
  record Obs(double t, Double closed, Double hidden, Double tap, Double copy) {}

  /** p(observations [, call at t]) for one hypothesis and device, over when the visitor left (x minutes after arriving). */
  double integrate(Obs o, boolean calls, boolean mobile) {
    double q = p.tabsLeftOpenShare();
    double h = e.hiddenShare();
    // a tapper's page goes hidden as the dialler opens (at the call): then no hidden-at-leave draw happens
    boolean tapHides = calls && o.tap() != null;
    if (tapHides && (o.hidden() == null || Math.abs(o.hidden() - o.t()) > SEC / 10)) {
      return 0;
    }
    Double hiddenAtLeave = tapHides ? null : o.hidden();
    double sum = 0;
    // tab not left open: the visitor left when the page closed
    if (hiddenAtLeave == null) {
      if (o.closed() != null) {
        sum += (1 - q) * density(p.sessionMinutes(), o.closed()) * g(o, calls, mobile, o.closed());
      } else {
        sum += (1 - q) * integral(o, x -> density(p.sessionMinutes(), x) * g(o, calls, mobile, x), o.t(),
            Double.POSITIVE_INFINITY);
      }
    }
    // tab left open: closed (or still open) some time after the visitor left
    if (hiddenAtLeave != null) {
      double x = hiddenAtLeave;
      sum += q * h * density(p.sessionMinutes(), x) * stillOpen(o, x) * g(o, calls, mobile, x);
    } else {
      double hi = o.closed() != null ? o.closed() : Double.POSITIVE_INFINITY;
      sum += q * integral(o, x -> density(p.sessionMinutes(), x) * stillOpen(o, x)
          * (tapHides || x > o.t() ? 1 : 1 - h) * g(o, calls, mobile, x), 0, hi);
    }
    return sum;
  }

  /** Density of the tab closing when it did (or P(still open at the call)) for a visitor who left at x. */
  private double stillOpen(Obs o, double x) {
    if (o.closed() != null) {
      return o.closed() > x ? density(p.tabOpenMinutes(), o.closed() - x) : 0;
    }
    return x >= o.t() ? 1 : survival(p.tabOpenMinutes(), o.t() - x);
  }

  /** The hypothesis' factor for a visitor who left x minutes after arriving: the call's timing, taps, copies. */
  private double g(Obs o, boolean calls, boolean mobile, double x) {
    double t = o.t();
    if (x <= 0) {
      return 0;
    }
    if (o.tap() != null && o.tap() > x + SEC / 10 && !(calls && x >= t)) {
      return 0; // taps happen on the page (a caller's up to its call)
    }
    if (calls) {
      double a = p.callAfterLeaveShare();
      boolean during = x >= t;
      double f = during ? (1 - a) / x : a * density(p.callDelayMinutes(), t - x);
      if (mobile) {
        f *= o.tap() != null ? (during ? e.tapShare() * window(t - o.tap(), o.tap(), t, 2 * SEC, 20 * SEC) : 0)
            : (during ? 1 - e.tapShare() : 1);
        f *= o.copy() != null ? 0 : 1;
      } else {
        if (o.tap() != null) {
          return 0;
        }
        double ref = during ? t : x;
        f *= o.copy() != null ? e.copyShare() * window(ref - o.copy(), o.copy(), ref, 10 * SEC, 300 * SEC)
            : 1 - e.copyShare();
      }
      return f;
    }
    double seenShare = Math.min(1, t / x); // a false tap or copy is uniform over the visit; seen if before the call
    double f = 1;
    if (mobile) {
      f *= o.tap() != null ? (o.tap() <= x + SEC / 10 ? e.falseTapShare() / x : 0) : 1 - e.falseTapShare() * seenShare;
    } else if (o.tap() != null) {
      return 0;
    }
    f *= o.copy() != null ? (o.copy() <= x + SEC / 10 ? e.falseCopyShare() / x : 0)
        : 1 - e.falseCopyShare() * seenShare;
    return f;
  }

  /**
   * Density (per minute) of an event drawn {@code lo}..{@code hi} minutes (uniform) before {@code ref}, seen
   * {@code d} before it; one drawn before the arrival is moved to the arrival, a point given 1 s of width.
   */
  private static double window(double d, double eventAt, double ref, double lo, double hi) {
    if (eventAt <= 1e-9 && ref < hi) {
      return (hi - Math.max(lo, ref)) / (hi - lo) / SEC;
    }
    return d >= lo - 1e-9 && d <= hi + 1e-9 ? 1 / (hi - lo) : 0;
  }

  /** Composite Gauss-Legendre over [lo, hi], on a grid geometric around the points where densities peak or jump. */
  private double integral(Obs o, java.util.function.DoubleUnaryOperator f, double lo, double hi) {
    double top = Math.min(hi, o.t() + 20 * Math.max(p.sessionMinutes().median(), 1) * Math.exp(6 * p.sessionMinutes().sigma()));
    if (!(top > lo)) {
      return 0;
    }
    TreeSet<Double> cuts = new TreeSet<>();
    cuts.add(lo);
    cuts.add(top);
    List<Double> anchors = new ArrayList<>(List.of(0.0, o.t()));
    if (o.closed() != null) {
      anchors.add(o.closed());
    }
    for (double anchor : anchors) {
      for (double d = 1e-3; d < 5000; d *= 1.5) {
        cuts.add(anchor + d);
        cuts.add(anchor - d);
      }
    }
    for (Double b : Arrays.asList(o.tap(), o.copy(), o.copy() == null ? null : o.copy() + 10 * SEC,
        o.copy() == null ? null : o.copy() + 300 * SEC, o.hidden())) {
      if (b != null) {
        cuts.add(b);
      }
    }
    double sum = 0;
    Double prev = null;
    for (double c : cuts.subSet(lo, true, top, true)) {
      if (prev != null && c > prev) {
        double mid = (prev + c) / 2;
        double half = (c - prev) / 2;
        for (int i = 0; i < GL_X.length; i++) {
          sum += GL_W[i] * half * f.applyAsDouble(mid + half * GL_X[i]);
        }
      }
      prev = c;
    }
    return sum;
  }

  private static final double[] GL_X = {-0.8611363115940526, -0.3399810435848563, 0.3399810435848563, 0.8611363115940526};
  private static final double[] GL_W = {0.3478548451374538, 0.6521451548625461, 0.6521451548625461, 0.3478548451374538};

  static double density(LogNormal d, double x) {
    if (!(x > 0)) {
      return 0;
    }
    if (d.sigma() == 0) {
      return 0;
    }
    double z = (Math.log(x) - Math.log(d.median())) / d.sigma();
    return Math.exp(-0.5 * z * z) / (x * d.sigma() * Math.sqrt(2 * Math.PI));
  }

  static double survival(LogNormal d, double x) {
    if (!(x > 0)) {
      return 1;
    }
    double z = (Math.log(x) - Math.log(d.median())) / Math.max(1e-9, d.sigma());
    return 0.5 * erfc(z / Math.sqrt(2));
  }

  /** Complementary error function (Numerical Recipes' erfcc, relative error < 1.2e-7). */
  static double erfc(double x) {
    double z = Math.abs(x);
    double t = 1 / (1 + 0.5 * z);
    double r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
        + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
        + t * (-0.82215223 + t * 0.17087277)))))))));
    return x >= 0 ? r : 2 - r;
  }

  private static double minutes(Instant from, Instant to) {
    return Duration.between(from, to).toMillis() / 60_000.0;
  }
}
