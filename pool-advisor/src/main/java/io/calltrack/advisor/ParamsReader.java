package io.calltrack.advisor;

import com.fasterxml.jackson.databind.JsonNode;
import io.calltrack.core.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads {@link TrafficParams} from defaults, then a JSON file ({@code --params FILE}, camelCase keys),
 * then command-line flags (the same names in kebab-case: {@code --visitors-per-day 5000}); later wins.
 * Every setting is kept as text until the record is built, so both sources share one parser.
 */
public final class ParamsReader {
  /** Every traffic setting, its default, and what it means (printed by --help). */
  public static final Map<String, String[]> SETTINGS = new LinkedHashMap<>();

  static {
    TrafficParams d = TrafficParams.defaults();
    setting("visitorsPerDay", d.visitorsPerDay(), "visits in the simulated day");
    setting("hourlyCurve", join(d.hourlyCurve()), "24 relative weights of visits per hour, hour 0 first");
    setting("sessionMedianMinutes", d.sessionMinutes().median(), "median visit length (log-normal)");
    setting("sessionSigma", d.sessionMinutes().sigma(), "sigma of ln(visit length)");
    setting("callShare", d.callShare(), "share of visitors who call");
    setting("callAfterLeaveShare", d.callAfterLeaveShare(), "share of callers who call after the visit (others during it)");
    setting("callDelayMedianMinutes", d.callDelayMinutes().median(), "median minutes from end of visit to call (log-normal)");
    setting("callDelaySigma", d.callDelayMinutes().sigma(), "sigma of ln(call delay)");
    setting("tabsLeftOpenShare", d.tabsLeftOpenShare(), "share of visits whose tab stays open afterwards (heartbeats go on)");
    setting("tabOpenMedianMinutes", d.tabOpenMinutes().median(), "median extra minutes such a tab stays open (log-normal)");
    setting("tabOpenSigma", d.tabOpenMinutes().sigma(), "sigma of ln(extra open minutes)");
    setting("releaseShare", d.releaseShare(), "share of page closes whose release beacon arrives");
    setting("heartbeatSeconds", d.heartbeatSeconds(), "how often an open page renews its lease");
    setting("leaseSeconds", d.leaseSeconds(), "pool lease");
    setting("holdSeconds", d.holdSeconds(), "pool hold after a visit ends");
    setting("onExhausted", d.onExhausted(), "fallback | recycle-oldest | share-channel");
    setting("seed", d.seed(), "random seed (same seed, same days)");
    setting("days", d.days(), "days simulated back to back (each drawn anew; more calls, steadier shares)");
    EvidenceParams e = d.evidence();
    setting("mobileShare", e.mobileShare(), "share of visits from phones");
    setting("tapShare", e.tapShare(), "share of phone visitors calling during the visit who tap the number");
    setting("falseTapShare", e.falseTapShare(), "share of phone visits that tap the number and do not call");
    setting("copyShare", e.copyShare(), "share of desktop callers who copy the number first");
    setting("falseCopyShare", e.falseCopyShare(), "share of non-calling visits that copy the number");
    setting("hiddenShare", e.hiddenShare(), "share of tabs left open that report the page hidden");
    setting("localShare", e.localShare(), "share of visitors in the site's time zone (rest: US zones by population)");
    setting("callerZoneMatchShare", e.callerZoneMatchShare(), "share of callers whose number is in their browser's zone");
    setting("returningCallerShare", e.returningCallerShare(), "share of calling visits by a visitor who called before");
    setting("channels", e.channels(), "channels (source/medium/campaign) visits spread over");
  }

  private final Map<String, String> values = new LinkedHashMap<>();

  public ParamsReader() {
    SETTINGS.forEach((k, v) -> values.put(k, v[0]));
  }

  private static void setting(String name, Object value, String help) {
    SETTINGS.put(name, new String[] {String.valueOf(value), help});
  }

  private static String join(List<Double> list) {
    return String.join(",", list.stream().map(String::valueOf).toList());
  }

  /** True if {@code name} (camelCase) is a traffic setting. */
  public static boolean isSetting(String name) {
    return SETTINGS.containsKey(name);
  }

  public ParamsReader set(String name, String value) {
    if (!isSetting(name)) {
      throw new IllegalArgumentException("unknown setting '" + name + "'");
    }
    values.put(name, value);
    return this;
  }

  /** Applies a JSON object of settings; an unknown key is an error (a typo must not pass silently). */
  public ParamsReader file(Path path) throws IOException {
    JsonNode root = JsonMapper.mapper().readTree(Files.readString(path));
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException(path + " must hold a JSON object");
    }
    for (Map.Entry<String, JsonNode> e : root.properties()) {
      JsonNode v = e.getValue();
      if (v.isArray()) {
        List<String> items = new ArrayList<>();
        v.forEach(item -> items.add(item.asText()));
        set(e.getKey(), String.join(",", items));
      } else {
        set(e.getKey(), v.asText());
      }
    }
    return this;
  }

  public TrafficParams build() {
    try {
      return new TrafficParams(
          integer("visitorsPerDay"),
          Arrays.stream(values.get("hourlyCurve").split("[,\\s]+")).filter(s -> !s.isEmpty())
              .map(Double::valueOf).toList(),
          new LogNormal(number("sessionMedianMinutes"), number("sessionSigma")),
          number("callShare"),
          number("callAfterLeaveShare"),
          new LogNormal(number("callDelayMedianMinutes"), number("callDelaySigma")),
          number("tabsLeftOpenShare"),
          new LogNormal(number("tabOpenMedianMinutes"), number("tabOpenSigma")),
          number("releaseShare"),
          integer("heartbeatSeconds"),
          integer("leaseSeconds"),
          integer("holdSeconds"),
          values.get("onExhausted"),
          Long.parseLong(values.get("seed").strip()),
          integer("days"),
          new EvidenceParams(number("mobileShare"), number("tapShare"), number("falseTapShare"), number("copyShare"),
              number("falseCopyShare"), number("hiddenShare"), number("localShare"), number("callerZoneMatchShare"),
              number("returningCallerShare"), integer("channels")));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a number: " + e.getMessage());
    }
  }

  private int integer(String name) {
    return Integer.parseInt(values.get(name).strip());
  }

  private double number(String name) {
    return Double.parseDouble(values.get(name).strip());
  }

  /** kebab-case flag name to camelCase setting name: visitors-per-day -> visitorsPerDay. */
  public static String camel(String kebab) {
    StringBuilder sb = new StringBuilder();
    boolean upper = false;
    for (char c : kebab.toCharArray()) {
      if (c == '-') {
        upper = true;
      } else {
        sb.append(upper ? Character.toUpperCase(c) : c);
        upper = false;
      }
    }
    return sb.toString();
  }
}
