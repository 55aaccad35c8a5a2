package io.calltrack.sip.routing;

import io.calltrack.core.CalltrackException;
import io.calltrack.core.config.RoutingTable;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.core.ParseCache;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The routing decision for a new call, free of SIP types: who may call (the trunk allow-list), which
 * numbers are ours (the routing table), and where each goes (its property's business line). Nothing
 * here can send a call anywhere but a configured business line: it is never an open relay.
 */
public final class CallRouting {
  private final TrunkAllowList trunks;
  private final Supplier<RoutingTable> table;

  public CallRouting(TrunkAllowList trunks, Supplier<RoutingTable> table) {
    this.trunks = trunks;
    this.table = table;
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
    PhoneNumber number = parsed(dialled);
    if (number == null) {
      return new RouteDecision.Reject(404, "Not Found: not a number");
    }
    var property = table.get().propertyOf(number);
    if (property.isEmpty()) {
      return new RouteDecision.Reject(404, "Not Found");
    }
    String line = property.get().businessLine();
    if (line == null) {
      return new RouteDecision.Reject(480, "Temporarily Unavailable: no business line");
    }
    return new RouteDecision.Forward(number, property.get(), line);
  }

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
