package io.calltrack.advisor;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Draws what each visit reveals ({@link Visit.Traits}) from {@link EvidenceParams}, with a random
 * stream of its own so the visits themselves (arrivals, lengths, calls) stay those of the same seed.
 *
 * <ul>
 *   <li>Zones: the site's zone ({@code America/New_York}) with {@code localShare}, else a US zone by
 *       population (Eastern 47 %, Central 29 %, Mountain 7 %, Pacific 17 %).
 *   <li>Caller numbers: a +1 number with an area code of the browser's zone with
 *       {@code callerZoneMatchShare}, else of another zone.
 *   <li>Taps: a phone visitor who calls during the visit taps with {@code tapShare}, 2-20 s before
 *       the call, and the page goes hidden as the dialler opens. Phone visits that do not call tap
 *       with {@code falseTapShare} at a random moment. Callers after the visit never tap.
 *   <li>Copies: a desktop caller copies with {@code copyShare}, 10 s-5 min before the call (or before
 *       leaving); any visit that does not call copies with {@code falseCopyShare}.
 *   <li>Hidden: a tab left open reports itself hidden as the visitor leaves with {@code hiddenShare}.
 *   <li>Returning callers: with {@code returningCallerShare} a calling visit is made by the visitor
 *       (same visitor id, same phone) of an earlier calling visit.
 * </ul>
 */
final class Evidence {
  static final String SITE_ZONE = "America/New_York";
  private static final String[] ZONES = {"America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"};
  private static final double[] ZONE_WEIGHTS = {0.47, 0.29, 0.07, 0.17};
  /** Area codes whose numbers libphonenumber places in each zone above. */
  private static final String[][] AREA_CODES = {
      {"212", "404", "617", "305"}, {"312", "214", "612", "504"}, {"303", "801", "406", "307"},
      {"415", "206", "213", "503"}};

  private Evidence() {}

  static List<Visit> draw(TrafficParams p, List<Visit> visits) {
    EvidenceParams e = p.evidence();
    Random r = new Random(p.seed() * 31 + 7);
    List<Visit> out = new ArrayList<>(visits.size());
    List<Visit> callers = new ArrayList<>();
    for (Visit v : visits) {
      boolean mobile = r.nextDouble() < e.mobileShare();
      int zone = r.nextDouble() < e.localShare() ? 0 : pick(r);
      String visitor = v.visitorId();
      String caller = null;
      Instant tap = null;
      Instant copy = null;
      Instant hidden = null;
      boolean during = v.callAt() != null && !v.callAt().isAfter(v.leave());
      if (v.callAt() != null) {
        Visit earlier = callers.isEmpty() || r.nextDouble() >= e.returningCallerShare() ? null
            : callers.get(r.nextInt(callers.size()));
        if (earlier != null && earlier.callAt().isBefore(v.arrive())) {
          visitor = earlier.visitorId();
          caller = earlier.traits().caller();
          zone = indexOf(earlier.traits().zone());
          mobile = earlier.traits().mobile();
        } else {
          int callerZone = r.nextDouble() < e.callerZoneMatchShare() ? zone : other(r, zone);
          caller = number(r, callerZone);
        }
        if (mobile && during && r.nextDouble() < e.tapShare()) {
          tap = v.callAt().minusMillis(2_000 + r.nextInt(18_000));
          if (tap.isBefore(v.arrive())) {
            tap = v.arrive();
          }
          hidden = v.callAt();
        }
        if (!mobile && r.nextDouble() < e.copyShare()) {
          Instant before = during ? v.callAt() : v.leave();
          copy = before.minusMillis(10_000 + r.nextInt(290_000));
          if (copy.isBefore(v.arrive())) {
            copy = v.arrive();
          }
        }
      } else {
        if (mobile && r.nextDouble() < e.falseTapShare()) {
          tap = within(r, v.arrive(), v.leave());
        }
        if (r.nextDouble() < e.falseCopyShare()) {
          copy = within(r, v.arrive(), v.leave());
        }
      }
      if (hidden == null && v.pageClosed().isAfter(v.leave()) && r.nextDouble() < e.hiddenShare()) {
        hidden = v.leave();
      }
      int channel = r.nextInt(e.channels());
      Visit drawn = new Visit(visitor, v.arrive(), v.leave(), v.pageClosed(), v.releaseSent(), v.callAt(),
          new Visit.Traits(mobile, ZONES[zone], caller, tap, copy, hidden, channel));
      out.add(drawn);
      if (drawn.callAt() != null) {
        callers.add(drawn);
      }
    }
    return out;
  }

  private static Instant within(Random r, Instant from, Instant to) {
    long span = Math.max(1, Duration.between(from, to).toMillis());
    return from.plusMillis((long) (r.nextDouble() * span));
  }

  private static int pick(Random r) {
    double u = r.nextDouble();
    double c = 0;
    for (int i = 0; i < ZONE_WEIGHTS.length; i++) {
      c += ZONE_WEIGHTS[i];
      if (u < c) {
        return i;
      }
    }
    return ZONES.length - 1;
  }

  private static int other(Random r, int zone) {
    int z;
    do {
      z = pick(r);
    } while (z == zone);
    return z;
  }

  /** Index of a zone among the simulated ones (0, the site's, for an unknown one). */
  static int indexOf(String zone) {
    for (int i = 0; i < ZONES.length; i++) {
      if (ZONES[i].equals(zone)) {
        return i;
      }
    }
    return 0;
  }

  /** Share of the visitors from other zones who are in zone {@code i} (by population). */
  static double zoneWeight(int i) {
    return ZONE_WEIGHTS[i];
  }

  /** The zone of a simulated caller's number, by its area code; -1 when it is not one of ours. */
  static int zoneOfCaller(String caller) {
    if (caller == null || caller.length() < 5) {
      return -1;
    }
    String code = caller.substring(2, 5);
    for (int z = 0; z < AREA_CODES.length; z++) {
      for (String c : AREA_CODES[z]) {
        if (c.equals(code)) {
          return z;
        }
      }
    }
    return -1;
  }

  /** A +1 number of the zone: real area code, exchange 200-999 (never 555), random line. */
  private static String number(Random r, int zone) {
    String[] codes = AREA_CODES[zone];
    return "+1" + codes[r.nextInt(codes.length)] + (200 + r.nextInt(800)) + String.format("%04d", r.nextInt(10_000));
  }
}
