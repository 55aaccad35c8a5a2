package io.calltrack.dni.http;

import io.netty.handler.codec.DateFormatter;
import java.util.Date;

/**
 * The {@code Date} header's value (IMF-fixdate, "Sun, 06 Dec 2026 09:40:00 GMT"): the wall clock's
 * second, formatted once per second rather than once per answer.
 */
final class HttpDate {
  private record Formatted(long second, String text) {}

  private static volatile Formatted last = new Formatted(-1, "");

  private HttpDate() {}

  static String now() {
    long millis = System.currentTimeMillis();
    long second = millis / 1000;
    Formatted f = last;
    if (f.second() != second) {
      f = new Formatted(second, DateFormatter.format(new Date(second * 1000)));
      last = f;
    }
    return f.text();
  }
}
