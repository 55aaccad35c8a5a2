package io.calltrack.core.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.calltrack.core.CalltrackException;
import io.calltrack.core.phone.PhoneNumber;
import java.net.URI;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.List;

/**
 * A customer's website (docs/contract.md {@code PUT /v1/properties/{property}}): the numbers it prints,
 * the number shown when no tracking number can be given, where its calls go, and the timezone its
 * days are cut in. {@code record}: the router records its calls (through the media relay, rtpengine) and
 * measures their conversation; absent or false: not recorded.
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
    Boolean record) {

  /**
   * Jackson's constructor; {@code assignLimits} may be left out (the server's defaults apply), and so
   * may {@code retention} (personal data kept until erased).
   */
  @com.fasterxml.jackson.annotation.JsonCreator
  public PropertyConfig {
    Ids.require("property", id);
    name = name == null || name.isBlank() ? id : name.strip();
    allowedOrigins = allowedOrigins == null ? List.of() : List.copyOf(allowedOrigins);
    for (String origin : allowedOrigins) {
      requireOrigin(origin);
    }
    swapNumbers = swapNumbers == null ? List.of() : List.copyOf(swapNumbers);
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
    timezone = timezone == null || timezone.isBlank() ? "UTC" : timezone.strip();
    try {
      ZoneId.of(timezone);
    } catch (DateTimeException e) {
      throw new CalltrackException.Invalid("unknown timezone '" + timezone + "'");
    }
  }

  /** A property that does not record its calls. */
  public PropertyConfig(String id, String name, List<String> allowedOrigins, List<PhoneNumber> swapNumbers,
      PhoneNumber defaultNumber, String businessLine, String timezone, AssignLimits assignLimits,
      Retention retention) {
    this(id, name, allowedOrigins, swapNumbers, defaultNumber, businessLine, timezone, assignLimits, retention, null);
  }

  /** Whether the router records this property's calls. */
  public boolean records() {
    return Boolean.TRUE.equals(record);
  }

  /** A property without limits of its own (the server's defaults apply). */
  public PropertyConfig(String id, String name, List<String> allowedOrigins, List<PhoneNumber> swapNumbers,
      PhoneNumber defaultNumber, String businessLine, String timezone) {
    this(id, name, allowedOrigins, swapNumbers, defaultNumber, businessLine, timezone, null, null);
  }

  public ZoneId zone() {
    return ZoneId.of(timezone);
  }

  /** The same configuration under the id given in the URL (the body's id, if any, is ignored). */
  public PropertyConfig withId(String newId) {
    return new PropertyConfig(newId, name, allowedOrigins, swapNumbers, defaultNumber, businessLine, timezone,
        assignLimits, retention, record);
  }

  /** The same configuration, recording its calls or not. */
  public PropertyConfig withRecording(boolean on) {
    return new PropertyConfig(id, name, allowedOrigins, swapNumbers, defaultNumber, businessLine, timezone,
        assignLimits, retention, on);
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
