package io.calltrack.dni.snippet;

import java.util.LinkedHashMap;
import java.util.Map;

/** The ways a US site prints one number (+1 AAA NNN XXXX), by the test site's element ids. */
final class UsNumberFormats {
  private UsNumberFormats() {}

  static Map<String, String> of(String e164) {
    if (!e164.matches("\\+1\\d{10}")) {
      throw new IllegalArgumentException("not a US E.164 number: " + e164);
    }
    String a = e164.substring(2, 5);
    String n = e164.substring(5, 8);
    String x = e164.substring(8);
    Map<String, String> formats = new LinkedHashMap<>();
    formats.put("paren", "(" + a + ") " + n + "-" + x);
    formats.put("dashes", a + "-" + n + "-" + x);
    formats.put("dots", a + "." + n + "." + x);
    formats.put("intl", "+1 " + a + " " + n + " " + x);
    formats.put("one", "1-" + a + "-" + n + "-" + x);
    formats.put("plain", a + n + x);
    // as sites print them: typographic dashes and the minus sign, and numbers split over elements
    // (the test site's markup for these is in e2e-site/index.html; this is their text)
    formats.put("endash", a + "\u2013" + n + "\u2013" + x);
    formats.put("nbhyphen", a + "\u2011" + n + "\u2011" + x);
    formats.put("figuredash", a + "\u2012" + n + "\u2012" + x);
    formats.put("minus", a + "\u2212" + n + "\u2212" + x);
    formats.put("spans", a + "-" + n + "-" + x);
    formats.put("strong", "(" + a + ") " + n + "-" + x);
    formats.put("nested", a + "." + n + "." + x);
    formats.put("cell", a + "\u2011" + n + "\u2011" + x);
    return formats;
  }
}
