package io.calltrack.core.pool;

import io.calltrack.core.attribution.Attribution;
import io.calltrack.core.attribution.Touch;
import java.util.ArrayList;
import java.util.List;

/**
 * A visit's attribution as stored with its session: its fields separated by U+001F (unit separator),
 * trailing empty fields left out. About half the bytes of the JSON (no names, no quotes), and it is
 * stored once per session. Order: the twelve first fields of the record (source ... fbclid), region,
 * ad group, ad, then the first touch's source ... fbclid, ad group and ad — only when the first touch
 * differs from this one, so a visit without ad group, ad or an earlier touch costs nothing more — then
 * the journey, its touches separated by U+001E, each touch's source, medium, campaign and epoch
 * second by U+001D, and last the Google Analytics client and session ids and the Meta browser id (after
 * the journey, so every session stored before them reads as it was).
 */
final class AttributionCodec {
  private static final char SEP = '\u001f';
  /** Fields of one touch before region: source ... fbclid. */
  private static final int BASE = 12;
  /** All fields but the journey: BASE, region, adGroup, ad, then the first touch's BASE + adGroup + ad. */
  private static final int ALL = BASE + 3 + BASE + 2;
  private static final char TOUCH_SEP = '\u001e';
  private static final char PART_SEP = '\u001d';

  private AttributionCodec() {}

  static String encode(Attribution a) {
    Attribution x = a == null ? Attribution.UNKNOWN : a;
    Attribution first = x.firstTouch();
    if (first != null && sameTouch(first, x)) {
      first = null; // the snippet sends its first touch on every visit; store it only when it says something
    }
    String[] f = new String[ALL + 4];
    put(f, 0, x);
    f[BASE] = x.region();
    f[BASE + 1] = x.adGroup();
    f[BASE + 2] = x.ad();
    if (first != null) {
      put(f, BASE + 3, first);
      f[BASE + 3 + BASE] = first.adGroup();
      f[BASE + 3 + BASE + 1] = first.ad();
    }
    f[ALL] = encodeJourney(x.journey());
    f[ALL + 1] = x.gaClientId();
    f[ALL + 2] = x.gaSessionId();
    f[ALL + 3] = x.fbp();
    int last = f.length - 1;
    while (last >= 0 && f[last] == null) {
      last--;
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i <= last; i++) {
      if (i > 0) {
        out.append(SEP);
      }
      if (f[i] != null) {
        out.append(f[i].replace(SEP, ' '));
      }
    }
    return out.toString();
  }

  private static String encodeJourney(List<Touch> journey) {
    if (journey == null) {
      return null;
    }
    StringBuilder out = new StringBuilder();
    for (Touch t : journey) {
      if (out.length() > 0) {
        out.append(TOUCH_SEP);
      }
      out.append(part(t.source())).append(PART_SEP).append(part(t.medium())).append(PART_SEP)
          .append(part(t.campaign())).append(PART_SEP).append(t.at() == null ? "" : Long.toString(t.at().getEpochSecond()));
    }
    return out.toString();
  }

  private static String part(String value) {
    return value == null ? "" : value.replace(TOUCH_SEP, ' ').replace(PART_SEP, ' ');
  }

  private static List<Touch> decodeJourney(String s) {
    if (s == null) {
      return null;
    }
    List<Touch> journey = new ArrayList<>();
    for (String touch : s.split(String.valueOf(TOUCH_SEP), -1)) {
      String[] p = touch.split(String.valueOf(PART_SEP), -1);
      String at = p.length > 3 ? p[3] : "";
      journey.add(new Touch(p[0], p.length > 1 ? p[1] : null, p.length > 2 ? p[2] : null, instant(at)));
    }
    return journey;
  }

  private static java.time.Instant instant(String epochSecond) {
    try {
      return epochSecond.isEmpty() ? null : java.time.Instant.ofEpochSecond(Long.parseLong(epochSecond));
    } catch (NumberFormatException e) {
      return null; // only this codec writes it; a touch without its time is still the touch
    }
  }

  private static void put(String[] f, int at, Attribution x) {
    String[] base = {x.source(), x.medium(), x.campaign(), x.keyword(), x.content(), x.landingPage(), x.referrer(),
        x.gclid(), x.gbraid(), x.wbraid(), x.msclkid(), x.fbclid()};
    System.arraycopy(base, 0, f, at, BASE);
  }

  private static boolean sameTouch(Attribution a, Attribution b) {
    return java.util.Objects.equals(a.source(), b.source()) && java.util.Objects.equals(a.medium(), b.medium())
        && java.util.Objects.equals(a.campaign(), b.campaign()) && java.util.Objects.equals(a.keyword(), b.keyword())
        && java.util.Objects.equals(a.content(), b.content())
        && java.util.Objects.equals(a.landingPage(), b.landingPage())
        && java.util.Objects.equals(a.referrer(), b.referrer()) && java.util.Objects.equals(a.gclid(), b.gclid())
        && java.util.Objects.equals(a.gbraid(), b.gbraid()) && java.util.Objects.equals(a.wbraid(), b.wbraid())
        && java.util.Objects.equals(a.msclkid(), b.msclkid()) && java.util.Objects.equals(a.fbclid(), b.fbclid())
        && java.util.Objects.equals(a.adGroup(), b.adGroup()) && java.util.Objects.equals(a.ad(), b.ad());
  }

  static Attribution decode(String s) {
    if (s == null || s.isEmpty()) {
      return Attribution.UNKNOWN;
    }
    List<String> f = new ArrayList<>(List.of(s.split(String.valueOf(SEP), -1)));
    while (f.size() < ALL + 4) {
      f.add(null);
    }
    for (int i = 0; i < f.size(); i++) {
      if (f.get(i) != null && f.get(i).isEmpty()) {
        f.set(i, null);
      }
    }
    Attribution first = null;
    int t = BASE + 3;
    for (int i = t; i < ALL; i++) {
      if (f.get(i) != null) {
        first = new Attribution(f.get(t), f.get(t + 1), f.get(t + 2), f.get(t + 3), f.get(t + 4), f.get(t + 5),
            f.get(t + 6), f.get(t + 7), f.get(t + 8), f.get(t + 9), f.get(t + 10), f.get(t + 11),
            f.get(t + BASE), f.get(t + BASE + 1), null, null);
        break;
      }
    }
    return new Attribution(f.get(0), f.get(1), f.get(2), f.get(3), f.get(4), f.get(5), f.get(6), f.get(7),
        f.get(8), f.get(9), f.get(10), f.get(11), f.get(BASE + 1), f.get(BASE + 2), first, f.get(BASE),
        decodeJourney(f.get(ALL)), f.get(ALL + 1), f.get(ALL + 2), f.get(ALL + 3));
  }
}
