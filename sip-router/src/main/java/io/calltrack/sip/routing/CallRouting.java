package io.calltrack.sip.routing;

import io.calltrack.core.CalltrackException;
import io.calltrack.core.config.BusinessLines;
import io.calltrack.core.config.PropertyConfig;
import io.calltrack.core.config.RoutingTable;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.core.ParseCache;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * The routing decision for a new call, free of SIP types: who may call (the trunk allow-list), which
 * numbers are ours (the routing table), and where each goes (its property's business line, at the
 * address DNS gave it; an API key's line, at a public address only; while it is closed, its after-hours
 * line). Nothing here can send a call
 * anywhere but a configured business line: it is never an open relay.
 */
public final class CallRouting {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CallRouting.class);
  private final TrunkAllowList trunks;
  private final Supplier<RoutingTable> table;
  private final LineLocator lines;
  private final BusinessLines lineRule;
  private final java.time.Clock clock;

  public CallRouting(TrunkAllowList trunks, Supplier<RoutingTable> table) {
    this(trunks, table, null, BusinessLines.PUBLIC_FOR_KEYS);
  }

  public CallRouting(TrunkAllowList trunks, Supplier<RoutingTable> table, LineLocator lines, BusinessLines lineRule) {
    this(trunks, table, lines, lineRule, java.time.Clock.systemUTC());
  }

  /**
   * @param lines    where DNS says the business lines are (null: at their hosts as written)
   * @param lineRule which lines may go to public addresses only (CALLTRACK_SIP_LINES_PRIVATE)
   * @param clock    when a call starts: while a property is closed its calls go to its after-hours line
   */
  public CallRouting(TrunkAllowList trunks, Supplier<RoutingTable> table, LineLocator lines, BusinessLines lineRule,
      java.time.Clock clock) {
    this.trunks = trunks;
    this.table = table;
    this.lines = lines;
    this.lineRule = lineRule;
    this.clock = clock;
  }

  /**
   * @param sourceAddress the IP the INVITE came from
   * @param dialled       the Request-URI's user part ({@code +15551230001}, {@code 15551230001}) or a
   *                      tel: URI's number
   */
  public RouteDecision route(String sourceAddress, String dialled) {
    if (!trunks.allows(sourceAddress)) {
      return new RouteDecision.Reject(403, "Forbidden: not a trunk");
    }
    if (dialled == null || dialled.isBlank()) {
      return new RouteDecision.Reject(404, "Not Found: no number");
    }
    RoutingTable routes = table.get();
    PhoneNumber number = parsed(dialled);
    var property = number == null ? Optional.<PropertyConfig>empty() : routes.propertyOf(number);
    if (property.isEmpty()) {
      // a national number of another country than the default (a UK trunk dialling 020 7946 0958):
      // read in each region the tracking numbers are in, and routed if one reading is one of them
      PhoneNumber national = nationalReading(routes, dialled);
      if (national != null) {
        number = national;
        property = routes.propertyOf(national);
      }
    }
    if (number == null) {
      return new RouteDecision.Reject(404, "Not Found: not a number");
    }
    if (property.isEmpty()) {
      return new RouteDecision.Reject(404, "Not Found");
    }
    // time-of-day routing: while the property is closed, its after-hours line instead of its business lines
    boolean closed = property.get().closedAt(clock.instant());
    List<String> all = property.get().callLines(closed);
    if (all.isEmpty()) {
      return new RouteDecision.Reject(480, "Temporarily Unavailable: no business line");
    }
    List<RouteDecision.Line> open = new ArrayList<>(all.size());
    for (int i = 0; i < all.size(); i++) {
      String line = all.get(i);
      boolean publicOnly = lineRule.publicOnly(property.get(), line);
      List<LineLocator.Target> targets = lines == null ? List.of() : lines.targets(line, publicOnly);
      if (publicOnly && targets.isEmpty()) {
        // an API key's line whose host has no public address now (or was not looked up yet): calls to
        // the operator's own network are what the key's check was for, whatever DNS says since
        warnRefused(property.get(), line);
      } else {
        open.add(new RouteDecision.Line(i, line, targets));
      }
    }
    if (open.isEmpty()) {
      return new RouteDecision.Reject(503, "Service Unavailable: business line not on a public address");
    }
    return new RouteDecision.Forward(number, property.get(), open, closed);
  }

  /** Says so in the log, once a minute per line at most: the calls it costs are an operator's to know of. */
  private void warnRefused(PropertyConfig property, String line) {
    long now = System.nanoTime();
    Long last = refusedLines.get(line);
    if (last == null || now - last > java.util.concurrent.TimeUnit.MINUTES.toNanos(1)) {
      refusedLines.put(line, now);
      LOG.warn("property {}: an API key set its line {}, whose host has no public address now: calls leave it out"
          + " (503 when no line is left)", property.id(), line);
    }
  }

  /** When each refused line was last logged: configured lines only, so few. */
  private final java.util.Map<String, Long> refusedLines = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * The number dialled, parsed once per distinct Request-URI user part: trunks dial the same few
   * tracking numbers over and over, and parsing (libphonenumber, a regex) was per INVITE. Only
   * trunks' INVITEs get here; the cache is emptied when full, so odd numbers cannot grow it.
   */
  private PhoneNumber parsed(String dialled) {
    return numbers.get(dialled, d -> {
      try {
        return Optional.of(PhoneNumber.fromDialled(stripVisualSeparators(d), PhoneNumber.DEFAULT_REGION));
      } catch (CalltrackException.Invalid e) {
        return Optional.<PhoneNumber>empty();
      }
    }).orElse(null);
  }

  private final ParseCache<Optional<PhoneNumber>> numbers = new ParseCache<>(10_000);

  /**
   * The configured number that {@code dialled}, digits without a {@code +}, is read as in one of the
   * regions of the table's numbers other than the default; null if none. Only INVITEs that found no
   * number the default way get here, and a table holds numbers of few regions.
   */
  private PhoneNumber nationalReading(RoutingTable routes, String dialled) {
    String digits = stripVisualSeparators(dialled);
    if (digits.isEmpty() || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return null;
    }
    for (String region : regionsOf(routes)) {
      try {
        PhoneNumber n = PhoneNumber.parse(digits, region);
        if (routes.propertyOf(n).isPresent()) {
          return n;
        }
      } catch (CalltrackException.Invalid notThere) {
        // not a number of that region
      }
    }
    return null;
  }

  /** The regions of the table's numbers other than the default, for the table last asked about. */
  private List<String> regionsOf(RoutingTable routes) {
    Regions known = regions;
    if (known == null || known.table() != routes) {
      // one region lookup per leading "+" and three digits (which hold the country code), not per
      // number: a table of thousands of numbers is read here once, on the stack's message thread
      java.util.Map<String, String> byPrefix = new java.util.HashMap<>();
      for (PhoneNumber n : routes.propertyOfNumber().keySet()) {
        String e164 = n.e164();
        byPrefix.computeIfAbsent(e164.substring(0, Math.min(4, e164.length())), prefix -> n.region());
      }
      Set<String> set = new TreeSet<>(byPrefix.values());
      set.remove(PhoneNumber.DEFAULT_REGION);
      regions = known = new Regions(routes, List.copyOf(set));
    }
    return known.regions();
  }

  private record Regions(RoutingTable table, List<String> regions) {}

  private volatile Regions regions;

  public boolean isTrunk(String sourceAddress) {
    return trunks.allows(sourceAddress);
  }

  private static final java.util.regex.Pattern VISUAL_SEPARATORS = java.util.regex.Pattern.compile("[\\-.()]");

  /** tel: URIs may carry visual separators ({@code +1-555-123-0001}); SIP user parts may too. */
  private static String stripVisualSeparators(String dialled) {
    String s = dialled.strip();
    int params = s.indexOf(';');
    if (params >= 0) {
      s = s.substring(0, params);
    }
    return VISUAL_SEPARATORS.matcher(s).replaceAll("");
  }
}
