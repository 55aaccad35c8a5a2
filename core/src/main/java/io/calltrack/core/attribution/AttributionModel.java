package io.calltrack.core.attribution;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberToTimeZonesMapper;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import io.calltrack.core.pool.Channels;
import io.calltrack.core.pool.Session;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The likelihood model behind {@link CallAttributor}: pure, no Redis. Each candidate visit gets a
 * weight, the expected rate (relative to a visit on the page) at which it would produce this call,
 * times likelihood ratios for each piece of evidence; the likelihood is its weight over the sum of
 * all weights plus {@link #OUTSIDE} (a call by nobody among the candidates). Each constant says what
 * it stands for; docs in {@code pool-advisor/README.md} ("Attribution model") give the sources and
 * the simulation that measures its calibration.
 */
public final class AttributionModel {
  /** Top likelihood for {@link Confidence#EXACT} (and group likelihood for CHANNEL). */
  public static final double EXACT = 0.995;
  /** Top likelihood for {@link Confidence#PROBABLE}. */
  public static final double PROBABLE = 0.8;

  /** A visit whose lease covers the call (page open and looked at): the unit rate. */
  static final double LIVE = 1.0;
  /**
   * After its page went away (lease over, or hidden): calls per minute relative to a live visit,
   * times the density of "minutes from leaving to calling" (log-normal, median 3 min, sigma 1).
   * 4.5 = (share of callers who call after leaving / share who call during) x mean minutes of a
   * visit: half of callers call after leaving (CallRail/Invoca call-timing reports put 40-60 % of
   * calls after the session), visits average ~4.5 min.
   */
  public static final double AFTER_SCALE = 4.5;
  public static final double AFTER_MEDIAN_MIN = 3.0;
  public static final double AFTER_SIGMA = 1.0;
  /** A page hidden this long is treated as left at the moment it was hidden. */
  static final Duration HIDDEN_IS_LEFT = Duration.ofMinutes(2);
  /**
   * Calls by none of the candidates (number seen long ago or written down, wrong numbers, spam), as a
   * rate relative to a live visit: a live visit calls ~0.0056 times a minute (5 % of visits call, half
   * during a 4.5-minute visit), so 0.0002 is ~1.1e-6 calls a minute, about one outside call per number
   * every 600 days. The simulator has none; it is what keeps lone callers long after their visit
   * below exact.
   */
  static final double OUTSIDE = 0.0002;

  /** A tap on the number/tel: link within this window before the call (or just after: clock skew). */
  static final Duration TAP_WINDOW = Duration.ofMinutes(10);
  static final Duration SKEW = Duration.ofSeconds(30);
  /**
   * P(tap shortly before | this visit called) / P(tap in such a window | it did not): about half of
   * calls are mobile taps (mobile ~60 % of callers, ~80 % of them tap) against ~0.1-0.3 % of
   * non-calling mobile visits tapping and cancelling.
   */
  static final double TAP = 400;
  /**
   * No tap, for a visit on the page at the call: P(no tap | it called) / P(no tap | it did not)
   * ~ 0.5 / 1. A visit that had left before the call could not tap just before it (P(no tap | it
   * called) ~ 1): no factor. (Applying 0.5 to them too halved every after-the-visit caller against the
   * outside mass: at 200 numbers on the default traffic those calls were right 100 % of the time but
   * scored 0.98-0.99, i.e. `probable`.)
   */
  static final double NO_TAP = 0.5;
  /** A copy of the number within this window before the call. */
  static final Duration COPY_WINDOW = Duration.ofHours(2);
  /** ~10 % of callers copy (desktop to a softphone or phone link) against ~0.25 % of other visits. */
  static final double COPY = 40;
  /** Caller's number in the browser's time zone: P(match | caller) 0.85 / P(match | any visitor) ~0.5. */
  public static final double ZONE_MATCH = 1.7;
  /** Caller's number in another zone: 0.15 / 0.5. */
  public static final double ZONE_MISMATCH = 0.3;
  /** The caller's previous call in this pool went to this visitor (returning caller). */
  static final double SAME_CALLER = 30;
  /** ... went to another visitor. */
  static final double OTHER_CALLER = 0.7;

  private static final PhoneNumberUtil UTIL = PhoneNumberUtil.getInstance();

  private AttributionModel() {}

  /** Scores the candidates of one call; sessions that started after the call are ignored. */
  public static Scored score(List<Session> sessions, Instant at, String caller, String previousVisitor) {
    // the caller's zones (libphonenumber: a parse and a match per number type) only once a candidate
    // has a zone to compare them with: a call with no such visit does without
    Set<String> callerZones = null;
    List<Scored.Entry> entries = new ArrayList<>();
    double total = OUTSIDE;
    for (Session s : sessions) {
      if (s.startedAt().isAfter(at)) {
        continue;
      }
      List<String> reasons = new ArrayList<>();
      double w = timeWeight(s, at, reasons);
      w *= evidence(s, at, at.isBefore(leftAt(s, at)), reasons);
      if (callerZones == null && s.timeZone() != null) {
        callerZones = zonesOf(caller);
      }
      w *= zone(s, at, callerZones == null ? Set.of() : callerZones, reasons);
      if (previousVisitor != null) {
        if (previousVisitor.equals(s.visitorId())) {
          w *= SAME_CALLER;
          reasons.add("the caller's previous call went to this visitor");
        } else {
          w *= OTHER_CALLER;
        }
      }
      total += w;
      entries.add(new Scored.Entry(s, w, reasons));
    }
    List<Scored.Entry> out = new ArrayList<>();
    for (Scored.Entry e : entries) {
      out.add(new Scored.Entry(e.session(), e.weight() / total, e.reasons()));
    }
    out.sort(Comparator.comparingDouble((Scored.Entry e) -> -e.weight())
        .thenComparing(e -> e.session().startedAt(), Comparator.reverseOrder()));
    return new Scored(out, confidence(out));
  }

  static Confidence confidence(List<Scored.Entry> ranked) {
    if (ranked.isEmpty()) {
      return Confidence.UNATTRIBUTED;
    }
    Scored.Entry top = ranked.get(0);
    if (top.weight() >= EXACT) {
      return Confidence.EXACT;
    }
    double channel = 0;
    for (Scored.Entry e : ranked) {
      if (Channels.same(e.session().attribution(), top.session().attribution())) {
        channel += e.weight();
      }
    }
    if (channel >= EXACT) {
      return Confidence.CHANNEL;
    }
    return top.weight() >= PROBABLE ? Confidence.PROBABLE : Confidence.AMBIGUOUS;
  }

  /** When the visit left its page: its lease's end, or when the page went hidden for good before the call. */
  private static Instant leftAt(Session s, Instant at) {
    Instant left = s.leaseExpiresAt();
    Session.Evidence ev = s.evidence();
    if (ev.hidden() != null && (ev.shown() == null || ev.shown().isBefore(ev.hidden()))
        && !ev.hidden().plus(HIDDEN_IS_LEFT).isAfter(at) && ev.hidden().isBefore(left)) {
      return ev.hidden();
    }
    return left;
  }

  private static double timeWeight(Session s, Instant at, List<String> reasons) {
    Instant left = leftAt(s, at);
    if (left.isBefore(s.leaseExpiresAt())) {
      reasons.add("page hidden " + minutes(Duration.between(left, at)) + " before the call");
    }
    if (at.isBefore(left)) {
      reasons.add("on the page at the call");
      return LIVE;
    }
    double minutes = Math.max(0.05, Duration.between(left, at).toMillis() / 60_000.0);
    boolean inHold = at.isBefore(s.naturalEndsAt());
    reasons.add((inHold ? "in hold, " : "after its hold, ") + minutes(Duration.between(left, at))
        + " after the visit");
    return AFTER_SCALE * logNormalPdf(minutes, AFTER_MEDIAN_MIN, AFTER_SIGMA);
  }

  private static double evidence(Session s, Instant at, boolean onPage, List<String> reasons) {
    Session.Evidence ev = s.evidence();
    double lr = 1;
    if (ev.tap() != null && !ev.tap().isAfter(at.plus(SKEW)) && ev.tap().isAfter(at.minus(TAP_WINDOW))) {
      lr *= TAP;
      reasons.add("tapped the number " + minutes(Duration.between(ev.tap(), at)) + " before the call");
    } else if (onPage) {
      lr *= NO_TAP;
    }
    if (ev.copy() != null && !ev.copy().isAfter(at.plus(SKEW)) && ev.copy().isAfter(at.minus(COPY_WINDOW))) {
      lr *= COPY;
      reasons.add("copied the number " + minutes(Duration.between(ev.copy(), at)) + " before the call");
    }
    return lr;
  }

  private static double zone(Session s, Instant at, Set<String> callerZones, List<String> reasons) {
    if (s.timeZone() == null || callerZones.isEmpty()) {
      return 1;
    }
    int browser;
    try {
      browser = ZoneId.of(s.timeZone()).getRules().getOffset(at).getTotalSeconds();
    } catch (RuntimeException e) {
      return 1;
    }
    for (String z : callerZones) {
      try {
        if (ZoneId.of(z).getRules().getOffset(at).getTotalSeconds() == browser) {
          reasons.add("caller's number is in the browser's time zone");
          return ZONE_MATCH;
        }
      } catch (RuntimeException ignored) {
        // an unknown zone name says nothing
      }
    }
    reasons.add("caller's number is in another time zone than the browser's");
    return ZONE_MISMATCH;
  }

  /** The time zones a caller's number can be in (offline); empty when it says nothing (mobile-wide, unknown). */
  public static Set<String> zonesOf(String caller) {
    if (caller == null || !caller.startsWith("+")) {
      return Set.of();
    }
    try {
      var n = UTIL.parse(caller, null);
      Set<String> zones = new TreeSet<>(PhoneNumberToTimeZonesMapper.getInstance().getTimeZonesForNumber(n));
      zones.remove(PhoneNumberToTimeZonesMapper.getUnknownTimeZone());
      // a whole country of many zones says little
      return zones.size() > 3 ? Set.of() : zones;
    } catch (NumberParseException e) {
      return Set.of();
    }
  }

  static double logNormalPdf(double x, double median, double sigma) {
    double z = (Math.log(x) - Math.log(median)) / sigma;
    return Math.exp(-0.5 * z * z) / (x * sigma * Math.sqrt(2 * Math.PI));
  }

  private static String minutes(Duration d) {
    long s = Math.max(0, d.toSeconds());
    return s < 90 ? s + " s" : (s / 60) + " min";
  }

  /** Candidates best first, each with its likelihood (in {@code weight}), and the confidence. */
  public record Scored(List<Entry> ranked, Confidence confidence) {
    public record Entry(Session session, double weight, List<String> reasons) {}

    public Session top() {
      return ranked.isEmpty() ? null : ranked.get(0).session();
    }
  }
}
