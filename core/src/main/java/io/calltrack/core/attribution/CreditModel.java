package io.calltrack.core.attribution;

import io.calltrack.core.CalltrackException;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Which touches of the visitor's journey a call is credited to: the attribution models of the ROI
 * report ({@code model=}). {@link #LAST} (the default) and {@link #FIRST} give the whole call to one
 * touch. The multi-touch models split it over every touch of the journey ({@link #touches}):
 * <ul>
 *   <li>{@link #LINEAR}: equal parts;</li>
 *   <li>{@link #POSITION} (U-shaped): 40 % to the first touch, 40 % to the last, 20 % shared by the
 *       ones between (two touches: half each);</li>
 *   <li>{@link #TIME_DECAY}: a touch's weight halves for every {@link #HALF_LIFE} it came before the
 *       call (a touch without a time is taken at the next one's time, the last at the call's).</li>
 * </ul>
 * Credit is counted exactly: a call's credit is {@link #WHOLE} millionths, split over its touches by
 * largest remainder so the parts add up to exactly one call, and its revenue is split in whole cents
 * the same way ({@link #apportion}), so the rows of a report add up to its total to the cent.
 */
public enum CreditModel {
  LAST("last"),
  FIRST("first"),
  LINEAR("linear"),
  POSITION("position"),
  TIME_DECAY("timeDecay");

  /** A whole call's credit, in millionths. */
  public static final long WHOLE = 1_000_000L;
  /** Time decay: a touch's weight halves for every week it came before the call (Google Ads' default). */
  public static final Duration HALF_LIFE = Duration.ofDays(7);
  /** Time decay: weights as whole numbers, the newest touch's this; one 40 half-lives older weighs 0. */
  private static final double DECAY_SCALE = 0x1p40;

  private final String json;

  CreditModel(String json) {
    this.json = json;
  }

  public String json() {
    return json;
  }

  /** Whether the model splits a call over the touches of the journey (linear, position, timeDecay). */
  public boolean multiTouch() {
    return this == LINEAR || this == POSITION || this == TIME_DECAY;
  }

  /** The multi-touch models, in the order reports name them. */
  public static List<CreditModel> multiTouchModels() {
    return List.of(LINEAR, POSITION, TIME_DECAY);
  }

  /** The model named {@code text}; null or blank: {@link #LAST}. */
  public static CreditModel parse(String text) {
    if (text == null || text.isBlank()) {
      return LAST;
    }
    for (CreditModel m : values()) {
      if (m.json.equals(text.strip())) {
        return m;
      }
    }
    throw new CalltrackException.Invalid("model must be one of "
        + Arrays.stream(values()).map(CreditModel::json).collect(Collectors.joining("|")) + ": '" + text + "'");
  }

  /**
   * The touches a call's credit is split over, first to last: the visitor's journey (a touch through
   * each new channel); a snippet that sent none, the first touch when it was another channel and the
   * last touch. The call's own channel is always the last touch, so the last touch of every model is the
   * one the last-touch reports group by. A call without a visit's attribution has one touch, of no channel.
   */
  public static List<Touch> touches(Attribution a) {
    if (a == null) {
      return List.of(new Touch(null, null, null, null));
    }
    Touch last = new Touch(a.source(), a.medium(), a.campaign(), null);
    List<Touch> out = new ArrayList<>();
    if (a.journey() != null) {
      out.addAll(a.journey());
    } else if (a.firstTouchThroughAnotherChannel()) {
      Attribution f = a.first();
      out.add(new Touch(f.source(), f.medium(), f.campaign(), null));
    }
    if (out.isEmpty() || !sameChannel(out.get(out.size() - 1), last)) {
      out.add(last);
    }
    return out;
  }

  private static boolean sameChannel(Touch a, Touch b) {
    return Objects.equals(a.source(), b.source()) && Objects.equals(a.medium(), b.medium())
        && Objects.equals(a.campaign(), b.campaign());
  }

  /**
   * Each touch's credit in millionths of a call, adding up to exactly {@link #WHOLE}. Only for the
   * multi-touch models; {@code callAt} is when the call started (time decay measures from it).
   */
  public long[] shares(List<Touch> touches, Instant callAt) {
    int n = touches.size();
    if (n == 0) {
      throw new IllegalArgumentException("a call has at least one touch");
    }
    long[] weights = new long[n];
    switch (this) {
      case LINEAR -> Arrays.fill(weights, 1);
      case POSITION -> {
        // 40 / 20 / 40 as whole weights: the ends 2 (n - 2) each, every middle touch 1, of 5 (n - 2)
        Arrays.fill(weights, 1);
        if (n > 2) {
          weights[0] = 2L * (n - 2);
          weights[n - 1] = 2L * (n - 2);
        }
      }
      case TIME_DECAY -> decayWeights(touches, callAt, weights);
      default -> throw new IllegalStateException(json + " credits one touch, it splits nothing");
    }
    return apportion(WHOLE, weights);
  }

  private static void decayWeights(List<Touch> touches, Instant callAt, long[] weights) {
    int n = touches.size();
    double[] age = new double[n];
    Instant next = callAt;
    for (int i = n - 1; i >= 0; i--) {
      Instant at = touches.get(i).at() != null ? touches.get(i).at() : next;
      // a touch "after" the call (the browser's clock) is as new as the call; ages in days, as doubles:
      // they set weights, never amounts
      age[i] = at.isAfter(callAt) ? 0 : (callAt.getEpochSecond() - (double) at.getEpochSecond()) / 86_400.0;
      next = at.isAfter(callAt) ? callAt : at;
    }
    double youngest = Arrays.stream(age).min().orElse(0);
    double halfLifeDays = HALF_LIFE.toDays();
    for (int i = 0; i < n; i++) {
      weights[i] = Math.round(DECAY_SCALE * StrictMath.pow(2, -(age[i] - youngest) / halfLifeDays));
    }
  }

  /**
   * {@code total} split in proportion to {@code weights} in whole units, adding up to exactly {@code
   * total}: each part rounded down, and the units left over to the largest remainders (a tie to the
   * later part, the touch nearer the call). Weights are not negative and not all 0.
   */
  public static long[] apportion(long total, long[] weights) {
    BigInteger sum = BigInteger.ZERO;
    for (long w : weights) {
      sum = sum.add(BigInteger.valueOf(w));
    }
    if (sum.signum() <= 0) {
      throw new IllegalArgumentException("weights add up to nothing");
    }
    long[] parts = new long[weights.length];
    BigInteger[] remainders = new BigInteger[weights.length];
    long given = 0;
    for (int i = 0; i < weights.length; i++) {
      BigInteger[] qr = BigInteger.valueOf(total).multiply(BigInteger.valueOf(weights[i])).divideAndRemainder(sum);
      parts[i] = qr[0].longValueExact();
      remainders[i] = qr[1];
      given += parts[i];
    }
    for (long left = total - given; left > 0; left--) {
      int best = -1;
      for (int i = 0; i < weights.length; i++) {
        if (remainders[i] != null && (best < 0 || remainders[i].compareTo(remainders[best]) >= 0)) {
          best = i;
        }
      }
      parts[best]++;
      remainders[best] = null;
    }
    return parts;
  }
}
