package io.calltrack.core.testing;

import io.calltrack.core.phone.PhoneNumber;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Phone numbers no other test in this JVM uses: a number belongs to one pool (or static) in the
 * shared Redis, so tests that share it must not reuse each other's numbers.
 */
public final class TestNumbers {
  private static final AtomicLong NEXT = new AtomicLong(ThreadLocalRandom.current().nextLong(1_000_000, 4_000_000));

  private TestNumbers() {}

  /** {@code count} fresh numbers of the form +1555NNNNNNN. */
  public static List<PhoneNumber> fresh(int count) {
    long first = NEXT.getAndAdd(count);
    List<PhoneNumber> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(PhoneNumber.parse(String.format("+1555%07d", first + i)));
    }
    return out;
  }

  public static PhoneNumber fresh() {
    return fresh(1).get(0);
  }
}
