package io.calltrack.core.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import io.calltrack.core.CalltrackException;
import java.time.Duration;
import java.util.List;

/**
 * Where a property's calls go when its business line does not take them (sequential ringing, as a
 * hunt group): {@code lines}, 1 to {@value #MAX_LINES} SIP URIs tried in turn, each when the one before
 * is busy, declines, is unavailable or cannot be reached, or has rung {@code ringSeconds} (1-300,
 * default {@value #DEFAULT_RING_SECONDS}) unanswered. The last line rings until the router's answer
 * timeout. Each line is held to what a business line is ({@link BusinessLines}).
 */
public record Overflow(List<String> lines, Integer ringSeconds) {
  public static final int MAX_LINES = 3;
  public static final int DEFAULT_RING_SECONDS = 20;

  @JsonCreator
  public Overflow {
    lines = lines == null ? List.of() : List.copyOf(lines);
    if (lines.isEmpty() || lines.size() > MAX_LINES) {
      throw new CalltrackException.Invalid("overflow.lines must be 1-" + MAX_LINES + " SIP URIs, tried in turn");
    }
    if (new java.util.HashSet<>(lines).size() != lines.size()) {
      throw new CalltrackException.Invalid("overflow.lines names a line twice");
    }
    ringSeconds = ringSeconds == null ? DEFAULT_RING_SECONDS : ringSeconds;
    if (ringSeconds < 1 || ringSeconds > 300) {
      throw new CalltrackException.Invalid("overflow.ringSeconds must be 1-300 (how long a line rings before the"
          + " next): " + ringSeconds);
    }
  }

  /** How long a line rings unanswered before the call goes to the next. */
  public Duration ring() {
    return Duration.ofSeconds(ringSeconds);
  }
}
