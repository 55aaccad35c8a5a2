package io.calltrack.core.attribution;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;

/**
 * One touch of a visitor's journey: the channel (source / medium / campaign) a visit came through, and
 * when ({@code at}; null when the snippet did not know, for a touch it had kept before it kept times).
 * The journey ({@link Attribution#journey()}) is the visitor's touches in order, the first and the last
 * included, a touch a new channel (a direct visit or one more click through the same channel is none).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record Touch(String source, String medium, String campaign, Instant at) {
  /** Longest channel value kept in a journey: a name, not a URL (the touch's full detail is the visit's). */
  public static final int MAX_LENGTH = 200;
  /** Touches a journey keeps: the first and the latest {@code MAX_TOUCHES - 1}. */
  public static final int MAX_TOUCHES = 10;

  public Touch {
    source = Attribution.clean(source, MAX_LENGTH);
    medium = Attribution.clean(medium, MAX_LENGTH);
    campaign = Attribution.clean(campaign, MAX_LENGTH);
  }

  /** The journey as kept: null when empty; past {@link #MAX_TOUCHES}, the first and the latest ones. */
  public static List<Touch> journey(List<Touch> touches) {
    if (touches == null) {
      return null;
    }
    List<Touch> kept = touches.stream().filter(t -> t != null).toList();
    if (kept.isEmpty()) {
      return null;
    }
    if (kept.size() > MAX_TOUCHES) {
      List<Touch> cut = new java.util.ArrayList<>(MAX_TOUCHES);
      cut.add(kept.get(0));
      cut.addAll(kept.subList(kept.size() - (MAX_TOUCHES - 1), kept.size()));
      kept = List.copyOf(cut);
    }
    return kept;
  }
}
