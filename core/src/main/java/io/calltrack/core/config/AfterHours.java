package io.calltrack.core.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.calltrack.core.CalltrackException;
import io.calltrack.core.marketing.BusinessHours;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;

/**
 * Where a property's calls go while it is closed (time-of-day routing: an answering service, a
 * voicemail box, a night line): {@code hours}, when the business takes calls, in the property's time
 * zone ({@code {"monday": ["09:00", "17:30"], ...}}, one interval per weekday, a weekday not named is
 * closed all day), and {@code line}, the SIP URI a call that starts outside them goes to instead of the
 * business line and its overflow lines. The line is held to what a business line is ({@link BusinessLines}).
 */
public final class AfterHours {
  private final Map<String, List<String>> hours;
  private final String line;
  /** {@code hours} parsed once: each call starting asks {@link #closedAt}. */
  private final BusinessHours open;

  @com.fasterxml.jackson.annotation.JsonCreator
  public AfterHours(@JsonProperty("hours") Map<String, List<String>> hours, @JsonProperty("line") String line) {
    this.hours = hours == null ? Map.of() : Map.copyOf(hours);
    if (this.hours.isEmpty()) {
      throw new CalltrackException.Invalid("afterHours.hours must name the weekdays the business is open, like"
          + " {\"monday\": [\"09:00\", \"17:00\"]}: the calls outside them go to afterHours.line");
    }
    this.open = BusinessHours.fromJson(this.hours, "afterHours.hours");
    if (line == null || !line.matches("(?i)sips?:[^\\s]+@[^\\s]+")) {
      throw new CalltrackException.Invalid(
          "afterHours.line must be a SIP URI like sip:+15559990000@pbx.example.com:5060: '" + line + "'");
    }
    this.line = line;
  }

  @JsonProperty("hours")
  public Map<String, List<String>> hours() {
    return open.toJson();
  }

  @JsonProperty("line")
  public String line() {
    return line;
  }

  /** Whether a call starting at {@code at} goes to {@link #line}: outside the hours in {@code zone}. */
  public boolean closedAt(Instant at, ZoneId zone) {
    return open.afterHours(at.atZone(zone));
  }

  /** {@code at} itself when the business is open then, else its next opening in {@code zone}. */
  public Instant nextOpening(Instant at, ZoneId zone) {
    return open.nextOpening(at, zone);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AfterHours a && a.hours().equals(hours()) && a.line.equals(line);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(hours(), line);
  }

  @Override
  public String toString() {
    return "AfterHours[hours=" + hours() + ", line=" + line + "]";
  }
}
