package io.calltrack.core.conversation;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.calltrack.core.CalltrackException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What was said on an answered call, as a speech-to-text engine heard it: segments in the order they
 * were spoken, each by the caller or the agent (the business line's side), with its start in seconds
 * from the start of the recording. {@code source} names the engine ("whisper-1", "api", ...).
 * Stored beside the call record ({@link Transcripts}); it holds what the caller said, so it goes
 * with the recording when the caller is erased, and with the record at its retention.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record Transcript(List<Segment> segments, String source) {
  public static final int MAX_SEGMENTS = 5_000;
  public static final int MAX_CHARS = 400_000;
  private static final Pattern SOURCE = Pattern.compile("[A-Za-z0-9._:/ -]{1,64}");

  public Transcript {
    if (segments == null) {
      throw new CalltrackException.Invalid("segments: expected an array of {speaker, start, text}");
    }
    if (segments.size() > MAX_SEGMENTS) {
      throw new CalltrackException.Invalid("segments: at most " + MAX_SEGMENTS + " segments, got " + segments.size());
    }
    List<Segment> kept = new ArrayList<>(segments.size());
    long chars = 0;
    for (int i = 0; i < segments.size(); i++) {
      Segment s = segments.get(i);
      if (s == null) {
        throw new CalltrackException.Invalid("segments[" + (i + 1) + "]: expected an object {speaker, start, text}, got null");
      }
      chars += s.text().length();
      if (!s.text().isBlank()) { // engines emit empty segments for silence: nothing was said
        kept.add(s);
      }
    }
    if (chars > MAX_CHARS) {
      throw new CalltrackException.Invalid("segments: at most " + MAX_CHARS + " characters of text in all, got " + chars);
    }
    kept.sort(Comparator.comparing(Segment::start)); // two channels transcribed apart, merged by time
    segments = List.copyOf(kept);
    source = source == null || source.isBlank() ? null : source.strip();
    if (source != null && !SOURCE.matcher(source).matches()) {
      throw new CalltrackException.Invalid("source must be up to 64 letters, digits, spaces or . _ : / -: '" + source + "'");
    }
  }

  /** Everything {@code speaker} said, segment after segment. */
  public String said(Speaker speaker) {
    StringBuilder out = new StringBuilder();
    for (Segment s : segments) {
      if (s.speaker() == speaker) {
        out.append(s.text()).append('\n');
      }
    }
    return out.toString();
  }

  /** Who spoke a segment: the caller (the recording's left channel) or the agent (the business line, right). */
  public enum Speaker {
    CALLER, AGENT;

    @com.fasterxml.jackson.annotation.JsonValue
    public String json() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    @com.fasterxml.jackson.annotation.JsonCreator
    public static Speaker of(String s) {
      if ("caller".equals(s)) {
        return CALLER;
      }
      if ("agent".equals(s)) {
        return AGENT;
      }
      throw new CalltrackException.Invalid("speaker must be caller or agent: '" + s + "'");
    }
  }

  /** One stretch of speech; {@code start} in seconds from the recording's start (at most 3 decimals). */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Segment(Speaker speaker, BigDecimal start, String text) {
    public static final int MAX_TEXT = 10_000;
    private static final BigDecimal DAY = BigDecimal.valueOf(86_400);

    public Segment {
      if (speaker == null) {
        throw new CalltrackException.Invalid("speaker is missing: expected caller or agent");
      }
      if (start == null || start.signum() < 0 || start.compareTo(DAY) > 0) {
        throw new CalltrackException.Invalid("start must be the seconds from the recording's start, 0 to 86400: " + start);
      }
      start = start.setScale(Math.min(Math.max(start.scale(), 0), 3), java.math.RoundingMode.HALF_UP).stripTrailingZeros();
      if (start.scale() < 0) {
        start = start.setScale(0);
      }
      if (text == null) {
        throw new CalltrackException.Invalid("text is missing: expected a string");
      }
      if (text.length() > MAX_TEXT) {
        throw new CalltrackException.Invalid("text: at most " + MAX_TEXT + " characters per segment, got " + text.length());
      }
      text = text.strip();
    }
  }
}
