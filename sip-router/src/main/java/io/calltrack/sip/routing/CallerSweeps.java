package io.calltrack.sip.routing;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How many different tracking numbers each caller has dialled through this router lately: a caller
 * who rings three or more within {@link #WINDOW} is walking a block of numbers, as robodialers do
 * (tracking numbers are often bought in runs), not looking for one business. Read by the spam signals
 * ({@code dialer-sweep}). Per router: a sweep spread over several routers is seen by each in part.
 *
 * <p>Bounded: the {@value #MAX_CALLERS} callers seen last, each with at most {@value #MAX_NUMBERS}
 * numbers, so a flood of made-up caller IDs costs a few MB at most. Withheld callers are not counted
 * (they are not one caller).
 */
public final class CallerSweeps {
  public static final Duration WINDOW = Duration.ofMinutes(10);
  static final int MAX_CALLERS = 20_000;
  static final int MAX_NUMBERS = 8;

  /** One caller's latest numbers and when each was last dialled, oldest first. */
  private static final class Dialled {
    final String[] numbers = new String[MAX_NUMBERS];
    final long[] at = new long[MAX_NUMBERS];
    int size;

    /** Records {@code number} at {@code now} and answers how many different numbers are within the window. */
    int dial(String number, long now, long window) {
      int kept = 0;
      for (int i = 0; i < size; i++) { // drop what is out of the window, and this number's older entry
        if (now - at[i] < window && !numbers[i].equals(number)) {
          numbers[kept] = numbers[i];
          at[kept++] = at[i];
        }
      }
      if (kept == MAX_NUMBERS) { // the oldest goes
        System.arraycopy(numbers, 1, numbers, 0, kept - 1);
        System.arraycopy(at, 1, at, 0, kept - 1);
        kept--;
      }
      numbers[kept] = number;
      at[kept++] = now;
      for (int i = kept; i < size; i++) {
        numbers[i] = null;
      }
      size = kept;
      return size;
    }
  }

  private final Map<String, Dialled> callers = new LinkedHashMap<>(1024, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Dialled> eldest) {
      return size() > MAX_CALLERS;
    }
  };

  /**
   * {@code caller} (E.164, or {@code anonymous}) dials {@code number} at {@code now}: how many different
   * tracking numbers it has dialled within {@link #WINDOW}, this one included; 0 for a withheld caller.
   */
  public synchronized int dial(String caller, String number, Instant now) {
    if (caller == null || "anonymous".equals(caller)) {
      return 0;
    }
    return callers.computeIfAbsent(caller, c -> new Dialled()).dial(number, now.toEpochMilli(), WINDOW.toMillis());
  }
}
