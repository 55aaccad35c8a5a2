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
    return formats;
  }
}
