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

  /**
   * A random number a callback may dial (Chicago, never an N11 service code): erasing a caller or a
   * visitor reaches every property, so a test that erases one needs a number no other test asks for.
   */
  public static String lead() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    int exchange = 200 + random.nextInt(800);
    return String.format("+1312%d%04d", exchange % 100 == 11 ? exchange + 1 : exchange, random.nextInt(10_000));
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
