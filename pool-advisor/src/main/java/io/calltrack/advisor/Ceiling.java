package io.calltrack.advisor;

/**
 * The attribution ceiling of one simulated pool size ({@link Oracle}): how many calls the simulator's
 * own model could mark exact from what an engine sees, beside what the engine marked.
 *
 * @param calls every call (calls shown the default number count as not exact)
 * @param exact calls whose top candidate has an oracle posterior >= 0.995
 * @param exactWrong of those, calls whose top candidate was not the caller (the oracle's calibration)
 * @param exactWithDevice the same with the visitor's device class (phone/desktop) known as well
 * @param exactWithDeviceWrong of those, wrong
 * @param exactWithOutside calls ceiling-exact when the oracle, like the engine, keeps a mass for calls from
 *     outside the candidates ({@code AttributionModel.OUTSIDE}); the simulator has no such calls
 * @param engineExactNotCeiling calls the engine marked exact that the oracle did not (over-confidence or luck)
 * @param calibration calls by the oracle's top posterior, and how many of them were right
 */
public record Ceiling(int calls, int exact, int exactWrong, int exactWithDevice, int exactWithDeviceWrong,
    int exactWithOutside, int engineExactNotCeiling, Calibration calibration) {

  public static final Ceiling NONE = new Ceiling(0, 0, 0, 0, 0, 0, 0, new Calibration());

  /** Share of calls ceiling-exact (1.0 without calls, as {@link SimResult#exact()}). */
  public double exactShare() {
    return calls == 0 ? 1.0 : exact / (double) calls;
  }

  public double exactWithOutsideShare() {
    return calls == 0 ? 1.0 : exactWithOutside / (double) calls;
  }

  public double exactWithDeviceShare() {
    return calls == 0 ? 1.0 : exactWithDevice / (double) calls;
  }

  /** Counts calls as a simulation plays them. */
  static final class Counter {
    private int calls;
    private int exact;
    private int exactWrong;
    private int exactDevice;
    private int exactDeviceWrong;
    private int engineOnly;
    private int exactOutside;
    private final Calibration calibration = new Calibration();

    void add(double top, boolean right, double topWithDevice, boolean rightWithDevice, boolean exactWithOutside,
        boolean engineExact) {
      exactOutside += exactWithOutside ? 1 : 0;
      calls++;
      calibration.add(top, right);
      if (top >= Oracle.EXACT) {
        exact++;
        exactWrong += right ? 0 : 1;
      } else if (engineExact) {
        engineOnly++;
      }
      if (topWithDevice >= Oracle.EXACT) {
        exactDevice++;
        exactDeviceWrong += rightWithDevice ? 0 : 1;
      }
    }

    void addFallback() {
      calls++;
    }

    Ceiling result() {
      return new Ceiling(calls, exact, exactWrong, exactDevice, exactDeviceWrong, exactOutside, engineOnly,
          calibration);
    }
  }
}
