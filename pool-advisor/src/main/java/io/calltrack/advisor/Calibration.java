package io.calltrack.advisor;

import java.util.ArrayList;
import java.util.List;

/**
 * Calibration of the engine's likelihoods: calls counted by their top candidate's likelihood, in
 * bins, with how many of them the top candidate really made. A calibrated model's calls at 0.9 are
 * right about 90 % of the time; the last bins are the ones {@code exact} (>= 0.995) is made of.
 */
public final class Calibration {
  /** Lower bounds of the bins, likelihoods in [bound[i], bound[i+1]). */
  public static final double[] BOUNDS = {0, 0.5, 0.8, 0.9, 0.95, 0.99, 0.995, 0.999, 0.9999};

  private final long[] calls = new long[BOUNDS.length];
  private final long[] right = new long[BOUNDS.length];

  void add(double likelihood, boolean topIsCaller) {
    int i = BOUNDS.length - 1;
    while (i > 0 && likelihood < BOUNDS[i]) {
      i--;
    }
    calls[i]++;
    if (topIsCaller) {
      right[i]++;
    }
  }

  /** Adds another run's counts (several days or sizes summed). */
  public void addAll(Calibration other) {
    for (int i = 0; i < BOUNDS.length; i++) {
      calls[i] += other.calls[i];
      right[i] += other.right[i];
    }
  }

  public record Bin(double from, double to, long calls, long right) {}

  /** The bins with calls, as JSON-friendly records (summary.json). */
  @com.fasterxml.jackson.annotation.JsonValue
  public List<Bin> json() {
    return bins();
  }

  /** The bins with calls in them. */
  public List<Bin> bins() {
    List<Bin> out = new ArrayList<>();
    for (int i = 0; i < BOUNDS.length; i++) {
      if (calls[i] > 0) {
        out.add(new Bin(BOUNDS[i], i + 1 < BOUNDS.length ? BOUNDS[i + 1] : 1.0, calls[i], right[i]));
      }
    }
    return out;
  }

  /** "0.995-0.999: 12/12 right; ..." for the table. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    for (Bin b : bins()) {
      if (sb.length() > 0) {
        sb.append("; ");
      }
      sb.append(String.format("%s-%s: %d/%d right", trim(b.from()), trim(b.to()), b.right(), b.calls()));
    }
    return sb.toString();
  }

  private static String trim(double d) {
    return d == 1.0 ? "1" : d == 0 ? "0" : new java.math.BigDecimal(Double.toString(d)).stripTrailingZeros().toPlainString();
  }
}
