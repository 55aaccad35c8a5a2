package io.calltrack.advisor;

import java.util.Random;

/**
 * A log-normal distribution given the way people describe durations: its median and the sigma of
 * its logarithm (sigma 1 means a quarter of values are under half the median and a quarter over
 * twice it). Session lengths and call delays are long-tailed like this, not normal.
 */
public record LogNormal(double median, double sigma) {
  public LogNormal {
    if (!(median > 0) || !(sigma >= 0)) {
      throw new IllegalArgumentException("log-normal needs median > 0 and sigma >= 0");
    }
  }

  public double mean() {
    return median * Math.exp(sigma * sigma / 2);
  }

  public double sample(Random random) {
    return median * Math.exp(sigma * random.nextGaussian());
  }
}
