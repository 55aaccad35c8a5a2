package io.calltrack.core.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.calltrack.core.CalltrackException;
import io.calltrack.core.attribution.Attribution;
import io.calltrack.core.callback.CallbackSettings;
import io.calltrack.core.phone.PhoneNumber;
import java.net.URI;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;

/**
 * A customer's website (docs/contract.md {@code PUT /v1/properties/{property}}): the numbers it prints,
 * the number shown when no tracking number can be given, where its calls go, the timezone its
 * days are cut in, the region a browser's time zone stands for ({@code timeZoneRegions}, e.g.
 * {@code {"America/Chicago": "Chicago"}}), how callbacks are placed ({@link CallbackSettings}) and
 * whether its calls are recorded ({@code record}: the router records them through the media relay,
 * rtpengine, and measures their conversation; absent or false: not recorded). The server notes
 * which of its lines an API key set ({@code linesSetByKey}, {@link #setByKey}); the
 * lines a call goes to when the business line does not take it ({@code overflow}, {@link Overflow}); and
 * where calls go while the business is closed ({@code afterHours}, {@link AfterHours}); and the callers
 * whose calls are refused ({@code blockedCallers}, {@link #blocks}).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record PropertyConfig(
    String id,
    String name,
    List<String> allowedOrigins,
    List<PhoneNumber> swapNumbers,
    PhoneNumber defaultNumber,
    String businessLine,
    String timezone,
    AssignLimits assignLimits,
    Retention retention,
    Map<String, String> timeZoneRegions,
    CallbackSettings callbacks,
    Boolean record,
    List<String> linesSetByKey,
    Overflow overflow,
    AfterHours afterHours,
    List<String> blockedCallers) {

  /**
   * Jackson's constructor; {@code assignLimits} may be left out (the server's defaults apply), and so
   * may {@code retention} (personal data kept until erased), {@code timeZoneRegions} (no region from
   * the browser's time zone) and {@code callbacks} (defaults).
   */
  @com.fasterxml.jackson.annotation.JsonCreator
  public PropertyConfig {
    Ids.require("property", id);
    name = name == null || name.isBlank() ? id : name.strip();
    allowedOrigins = allowedOrigins == null ? List.of() : List.copyOf(allowedOrigins);
    for (String origin : allowedOrigins) {
      requireOrigin(origin);
    }
    // each once, in the order given: "(555) 123-0000" and "+15551230000" are one number to swap
    swapNumbers = swapNumbers == null ? List.of() : List.copyOf(new java.util.LinkedHashSet<>(swapNumbers));
    if (defaultNumber == null) {
      if (swapNumbers.isEmpty()) {
        throw new CalltrackException.Invalid("defaultNumber is required (or at least one swapNumber)");
      }
      defaultNumber = swapNumbers.get(0);
    }
    if (businessLine != null && !businessLine.matches("(?i)sips?:[^\\s]+@[^\\s]+")) {
      throw new CalltrackException.Invalid(
          "businessLine must be a SIP URI like sip:+15559990000@pbx.example.com:5060: '" + businessLine + "'");
    }
    record = Boolean.TRUE.equals(record) ? Boolean.TRUE : null;
    if (overflow != null && businessLine == null) {
      throw new CalltrackException.Invalid("overflow needs a businessLine: its lines take the calls that line does not");
    }
    if (overflow != null && overflow.lines().contains(businessLine)) {
      throw new CalltrackException.Invalid("overflow.lines names the businessLine itself");
    }
    if (afterHours != null && businessLine == null) {
      throw new CalltrackException.Invalid("afterHours needs a businessLine: it takes the calls while the business is open");
    }
    if (linesSetByKey != null) { // of the property's lines only, each once, in their order; none: null
      List<String> lines = new java.util.ArrayList<>(linesOf(businessLine, overflow, afterHours).keySet());
      List<String> byKey = lines.stream().filter(linesSetByKey::contains).toList();
      linesSetByKey = byKey.isEmpty() ? null : byKey;
    }
    timezone = timezone == null || timezone.isBlank() ? "UTC" : timezone.strip();
    try {
      ZoneId.of(timezone);
    } catch (DateTimeException e) {
      throw new CalltrackException.Invalid("unknown timezone '" + timezone + "'");
    }
    timeZoneRegions = timeZoneRegions == null ? Map.of() : Map.copyOf(timeZoneRegions);
    for (var e : timeZoneRegions.entrySet()) {
      try {
        ZoneId.of(e.getKey());
      } catch (DateTimeException ex) {
        throw new CalltrackException.Invalid("timeZoneRegions: unknown time zone '" + e.getKey() + "'");
      }
      if (e.getValue() == null || e.getValue().isBlank() || e.getValue().length() > Attribution.MAX_REGION_LENGTH) {
        throw new CalltrackException.Invalid("timeZoneRegions." + e.getKey() + " must be a region name of 1-"
            + Attribution.MAX_REGION_LENGTH + " characters");
      }
    }
    callbacks = callbacks == null ? CallbackSettings.DEFAULT : callbacks;
    blockedCallers = blockedCallers(blockedCallers, defaultNumber.region());
  }

  /** At most this many numbers in {@code blockedCallers}: the router holds every property's list. */
  public static final int MAX_BLOCKED_CALLERS = 1_000;

  /** A caller without a number (withheld or absent caller ID), as {@code blockedCallers} names it. */
  public static final String ANONYMOUS = "anonymous";

  /**
   * The callers whose calls the router refuses: E.164 numbers (a national number read in the
   * property's country), {@value #ANONYMOUS} for callers who withhold their number; each once, sorted
   * (looked up by binary search at each call); none: null.
   */
  private static List<String> blockedCallers(List<String> given, String region) {
    if (given == null || given.isEmpty()) {
      return null;
    }
    if (given.size() > MAX_BLOCKED_CALLERS) {
      throw new CalltrackException.Invalid("blockedCallers holds at most " + MAX_BLOCKED_CALLERS + " numbers: "
          + given.size());
    }
    java.util.TreeSet<String> out = new java.util.TreeSet<>();
    for (int i = 0; i < given.size(); i++) {
      String entry = given.get(i) == null ? "" : given.get(i).strip();
      if (entry.equalsIgnoreCase(ANONYMOUS)) {
        out.add(ANONYMOUS);
        continue;
      }
      try {
        // a stored list is E.164 already: read through the numbers' cache, as pools' numbers are
        out.add((entry.startsWith("+") ? PhoneNumber.fromJson(entry) : PhoneNumber.parse(entry, region)).e164());
      } catch (CalltrackException.Invalid e) {
        throw new CalltrackException.Invalid("blockedCallers[" + i + "] must be a phone number (E.164, or a national"
            + " number of the property's country) or \"" + ANONYMOUS + "\": '" + given.get(i) + "'");
      }
    }
    return List.copyOf(out);
  }

  /**
   * Whether the router refuses a call from {@code caller} (E.164 where the caller's id is a number,
   * {@value #ANONYMOUS} when it is withheld or absent): it is in {@code blockedCallers}.
   */
  public boolean blocks(String caller) {
    return blockedCallers != null && caller != null && java.util.Collections.binarySearch(blockedCallers, caller) >= 0;
  }

  /** The same configuration, its {@code blockedCallers} {@code numbers} (null: none). */
  public PropertyConfig withBlockedCallers(List<String> numbers) {
    return new PropertyConfig(id, name, allowedOrigins, swapNumbers, defaultNumber, businessLine, timezone,
        assignLimits, retention, timeZoneRegions, callbacks, record, linesSetByKey, overflow, afterHours, numbers);
  }

  /** Whether the router records this property's calls. */
  public boolean records() {
    return Boolean.TRUE.equals(record);
  }

  /**
   * Whether an API key set {@code line}, one of the property's lines ({@code linesSetByKey}: the server
   * keeps it, see {@link BusinessLines}): then calls go to it only at public addresses of its host,
   * looked up at every call's routing, not only when the key set it.
   */
  public boolean setByKey(String line) {
    return linesSetByKey != null && linesSetByKey.contains(line);
  }

  /** The same configuration, {@code lines} of its lines set by an API key (see {@link #setByKey}). */
  public PropertyConfig withLinesSetByKey(List<String> lines) {
    return new PropertyConfig(id, name, allowedOrigins, swapNumbers, defaultNumber, businessLine, timezone,
        assignLimits, retention, timeZoneRegions, callbacks, record, lines, overflow, afterHours, blockedCallers);
  }

  /**
   * Every line the property names, each once: the business line, its overflow lines, its after-hours
   * line; empty without a business line. What the router looks up and a key's marks are about.
   */
  public List<String> lines() {
    return List.copyOf(linesOf(businessLine, overflow, afterHours).keySet());
  }

  /** {@link #lines()}, each with the field that names it first, as the client wrote it ({@code overflow.lines[0]}). */
  public Map<String, String> lineFields() {
    return linesOf(businessLine, overflow, afterHours);
  }

  /**
   * The lines a call goes to, in turn: while the property is {@code closed} ({@link #closedAt}) its
   * after-hours line alone, else the business line, then the overflow lines; empty without a business line.
   */
  public List<String> callLines(boolean closed) {
    if (businessLine == null) {
      return List.of();
    }
    if (closed && afterHours != null) {
      return List.of(afterHours.line());
    }
    if (overflow == null) {
      return List.of(businessLine);
    }
    List<String> all = new java.util.ArrayList<>(1 + overflow.lines().size());
    all.add(businessLine);
    all.addAll(overflow.lines());
    return List.copyOf(all);
  }

  /**
   * Whether a call starting at {@code at} goes to the after-hours line ({@link #callLines}): outside the
   * after-hours' opening hours, in the property's time zone.
   */
  public boolean closedAt(Instant at) {
    return afterHours != null && afterHours.closedAt(at, zone());
  }

  private static Map<String, String> linesOf(String businessLine, Overflow overflow, AfterHours afterHours) {
    Map<String, String> fields = new java.util.LinkedHashMap<>();
    if (businessLine == null) {
      return fields;
    }
    fields.put(businessLine, "businessLine");
    if (overflow != null) {
      for (int i = 0; i < overflow.lines().size(); i++) {
        fields.putIfAbsent(overflow.lines().get(i), "overflow.lines[" + i + "]");
      }
    }
    if (afterHours != null) {
      fields.putIfAbsent(afterHours.line(), "afterHours.line");
    }
    return fields;
  }

  /** The same configuration with {@code newAfterHours} (null: none). */
  public PropertyConfig withAfterHours(AfterHours newAfterHours) {
    return new PropertyConfig(id, name, allowedOrigins, swapNumbers, defaultNumber, businessLine, timezone,
        assignLimits, retention, timeZoneRegions, callbacks, record, linesSetByKey, overflow, newAfterHours, blockedCallers);
  }

  /**
   * When the property's callbacks may be placed, from {@code at}: in its {@code callbacks.hours}; a
   * property without them that routes its calls by the time of day is open in its
   * {@code afterHours.hours} (a business that sends its night calls elsewhere is not rung back at
   * night, a missed call's callback least of all); else at once. Null: it never opens.
   */
  public Instant nextCallbackOpening(Instant at) {
    return callbacks.hours().isEmpty() && afterHours != null ? afterHours.nextOpening(at, zone())
        : callbacks.nextOpening(at, zone());
  }

  /** The same configuration with {@code newCallbacks} (null: the defaults). */
  public PropertyConfig withCallbacks(CallbackSettings newCallbacks) {
    return new PropertyConfig(id, name, allowedOrigins, swapNumbers, defaultNumber, businessLine, timezone,
        assignLimits, retention, timeZoneRegions, newCallbacks, record, linesSetByKey, overflow, afterHours, blockedCallers);
  }

  /** The same configuration with {@code newOverflow} (null: none). */
  public PropertyConfig withOverflow(Overflow newOverflow) {
    return new PropertyConfig(id, name, allowedOrigins, swapNumbers, defaultNumber, businessLine, timezone,
        assignLimits, retention, timeZoneRegions, callbacks, record, linesSetByKey, newOverflow, afterHours, blockedCallers);
  }


  /** A property without limits of its own (the server's defaults apply), regions by time zone or callback settings. */
  public PropertyConfig(String id, String name, List<String> allowedOrigins, List<PhoneNumber> swapNumbers,
      PhoneNumber defaultNumber, String businessLine, String timezone) {
    this(id, name, allowedOrigins, swapNumbers, defaultNumber, businessLine, timezone, null, null, null, null, null, null,
        null, null, null);
  }

  /** With assign limits and retention, without regions by time zone or callback settings. */
  public PropertyConfig(String id, String name, List<String> allowedOrigins, List<PhoneNumber> swapNumbers,
      PhoneNumber defaultNumber, String businessLine, String timezone, AssignLimits assignLimits,
      Retention retention) {
    this(id, name, allowedOrigins, swapNumbers, defaultNumber, businessLine, timezone, assignLimits, retention,
        null, null, null, null, null, null, null);
  }

  /** With assign limits, retention and recording, without regions by time zone or callback settings. */
  public PropertyConfig(String id, String name, List<String> allowedOrigins, List<PhoneNumber> swapNumbers,
      PhoneNumber defaultNumber, String businessLine, String timezone, AssignLimits assignLimits,
      Retention retention, Boolean record) {
    this(id, name, allowedOrigins, swapNumbers, defaultNumber, businessLine, timezone, assignLimits, retention,
        null, null, record, null, null, null, null);
  }

  /** With assign limits, retention, regions by time zone and callback settings; not recorded. */
  public PropertyConfig(String id, String name, List<String> allowedOrigins, List<PhoneNumber> swapNumbers,
      PhoneNumber defaultNumber, String businessLine, String timezone, AssignLimits assignLimits,
      Retention retention, Map<String, String> timeZoneRegions, CallbackSettings callbacks) {
    this(id, name, allowedOrigins, swapNumbers, defaultNumber, businessLine, timezone, assignLimits, retention,
        timeZoneRegions, callbacks, null, null, null, null, null);
  }

  /** With regions by time zone and callback settings, the server's default limits and no retention. */
  public PropertyConfig(String id, String name, List<String> allowedOrigins, List<PhoneNumber> swapNumbers,
      PhoneNumber defaultNumber, String businessLine, String timezone, Map<String, String> timeZoneRegions,
      CallbackSettings callbacks) {
    this(id, name, allowedOrigins, swapNumbers, defaultNumber, businessLine, timezone, null, null,
        timeZoneRegions, callbacks, null, null, null, null, null);
  }

  public ZoneId zone() {
    return ZoneId.of(timezone);
  }

  /** The same configuration under the id given in the URL (the body's id, if any, is ignored). */
  public PropertyConfig withId(String newId) {
    return new PropertyConfig(newId, name, allowedOrigins, swapNumbers, defaultNumber, businessLine, timezone,
        assignLimits, retention, timeZoneRegions, callbacks, record, linesSetByKey, overflow, afterHours, blockedCallers);
  }

  /** The same configuration, recording its calls or not. */
  public PropertyConfig withRecording(boolean on) {
    return new PropertyConfig(id, name, allowedOrigins, swapNumbers, defaultNumber, businessLine, timezone,
        assignLimits, retention, timeZoneRegions, callbacks, on, linesSetByKey, overflow, afterHours, blockedCallers);
  }

  /**
   * 400 unless each allowed origin can equal an {@code Origin} a browser sends, as dni-server's CORS
   * compares them: {@code "*"}, or http(s), a host and a port only when it is not the scheme's default
   * (a browser leaves that out). An entry with a query, fragment or user, another scheme or a port that
   * is none would match no page, so the site's every request would be refused. Checked where a client
   * sets the list, not where a stored property is read (which {@link #requireOrigin} checks).
   */
  public void requireBrowserOrigins() {
    for (String origin : allowedOrigins) {
      if (!"*".equals(origin) && !browserOrigin(origin)) {
        throw new CalltrackException.Invalid("allowedOrigins entries are origins as a browser sends"
            + " them, like https://www.example.com (http or https and a host, a port only if not the default; no"
            + " path, query, fragment or user): '" + origin + "'");
      }
    }
  }

  private static boolean browserOrigin(String origin) {
    try {
      URI uri = new URI(origin);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
      int defaultPort = scheme.equals("https") ? 443 : scheme.equals("http") ? 80 : -1;
      return defaultPort > 0 && uri.getHost() != null && uri.getRawUserInfo() == null
          && (uri.getRawPath() == null || uri.getRawPath().isEmpty()) && uri.getRawQuery() == null
          && uri.getRawFragment() == null
          && (uri.getPort() == -1 || (uri.getPort() >= 1 && uri.getPort() <= 65535 && uri.getPort() != defaultPort));
    } catch (java.net.URISyntaxException e) {
      return false;
    }
  }

  private static void requireOrigin(String origin) {
    if ("*".equals(origin)) {
      return;
    }
    try {
      URI uri = new URI(origin);
      if (uri.getScheme() == null || uri.getHost() == null
          || (uri.getPath() != null && !uri.getPath().isEmpty())) {
        throw new CalltrackException.Invalid("allowedOrigins entries look like https://www.example.com: '" + origin + "'");
      }
    } catch (java.net.URISyntaxException | NullPointerException e) {
      throw new CalltrackException.Invalid("allowedOrigins entries look like https://www.example.com: '" + origin + "'");
    }
  }
}
