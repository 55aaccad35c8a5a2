package io.calltrack.core.pool;

import io.calltrack.core.attribution.Attribution;
import java.util.ArrayList;
import java.util.List;

/**
 * A visit's attribution as stored with its session: the thirteen fields in their record order (region last),
 * separated by U+001F (unit separator), trailing empty fields left out. About half the bytes of the
 * JSON (no names, no quotes), and it is stored once per session.
 */
final class AttributionCodec {
  private static final char SEP = '\u001f';

  private AttributionCodec() {}

  static String encode(Attribution a) {
    Attribution x = a == null ? Attribution.UNKNOWN : a;
    String[] f = {x.source(), x.medium(), x.campaign(), x.keyword(), x.content(), x.landingPage(), x.referrer(),
        x.gclid(), x.gbraid(), x.wbraid(), x.msclkid(), x.fbclid(), x.region()};
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

  static Attribution decode(String s) {
    if (s == null || s.isEmpty()) {
      return Attribution.UNKNOWN;
    }
    List<String> f = new ArrayList<>(List.of(s.split(String.valueOf(SEP), -1)));
    while (f.size() < 13) {
      f.add(null);
    }
    return new Attribution(f.get(0), f.get(1), f.get(2), f.get(3), f.get(4), f.get(5), f.get(6), f.get(7),
        f.get(8), f.get(9), f.get(10), f.get(11)).withRegion(f.get(12));
  }
}
