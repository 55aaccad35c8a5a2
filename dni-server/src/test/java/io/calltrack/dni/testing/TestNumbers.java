package io.calltrack.dni.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Phone numbers no other test uses. Tests share one Redis, where a number can belong to one pool
 * only, so each test takes its own block: a random US area code per JVM, then consecutive numbers.
 */
public final class TestNumbers {
  private static final int AREA = 201 + ThreadLocalRandom.current().nextInt(780);
  private static final AtomicInteger NEXT = new AtomicInteger(2_000_000 + ThreadLocalRandom.current().nextInt(1_000_000));

  private TestNumbers() {}

  public static String one() {
    return "+1" + AREA + NEXT.getAndIncrement();
  }

  public static List<String> block(int count) {
    int first = NEXT.getAndAdd(count);
    List<String> numbers = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      numbers.add("+1" + AREA + (first + i));
    }
    return numbers;
  }
}
