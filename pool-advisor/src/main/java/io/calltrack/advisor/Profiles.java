package io.calltrack.advisor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Default traffic for a few kinds of site ({@code --profile NAME}); a params file and flags override
 * them. Each profile's figures and their sources are in {@code pool-advisor/README.md}.
 */
public final class Profiles {
  private Profiles() {}

  public static final Map<String, Map<String, String>> ALL = new LinkedHashMap<>();

  static {
    // TrafficParams.defaults(): a generic business site
    ALL.put("default", Map.of());
    // a local trade (plumber, locksmith): mostly phones, short urgent visits, many calls, one time zone
    ALL.put("local-services", Map.of(
        "visitorsPerDay", "800", "sessionMedianMinutes", "2", "callShare", "0.12", "callAfterLeaveShare", "0.35",
        "tabsLeftOpenShare", "0.1", "mobileShare", "0.75", "localShare", "0.95", "channels", "3"));
    // a national retailer: many visits, few calls, longer visits, all US zones
    ALL.put("national-retail", Map.of(
        "visitorsPerDay", "10000", "sessionMedianMinutes", "5", "callShare", "0.015", "callAfterLeaveShare", "0.5",
        "tabsLeftOpenShare", "0.25", "mobileShare", "0.55", "localShare", "0.47", "channels", "6"));
    // business software: desktops, long visits, tabs left open, calls often after the visit
    ALL.put("b2b-desktop", Map.of(
        "visitorsPerDay", "1500", "sessionMedianMinutes", "6", "callShare", "0.03", "callAfterLeaveShare", "0.6",
        "tabsLeftOpenShare", "0.35", "mobileShare", "0.2", "localShare", "0.47", "channels", "5"));
  }

  /** Applies a profile's settings to {@code reader}; unknown names are a usage error. */
  public static void apply(String name, ParamsReader reader) {
    Map<String, String> p = ALL.get(name);
    if (p == null) {
      throw new IllegalArgumentException("unknown profile '" + name + "' (known: " + String.join(", ", ALL.keySet()) + ")");
    }
    p.forEach(reader::set);
  }
}
