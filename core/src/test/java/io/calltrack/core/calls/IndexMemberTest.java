package io.calltrack.core.calls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Index members sort by start as strings: the start's epoch milliseconds, zero-padded to 13 digits. */
class IndexMemberTest {
  @Test
  void padsTheStartToThirteenDigitsAsBefore() {
    for (long ms : new long[] {0, 7, 999_999_999_999L, 1_764_640_000_123L, 9_999_999_999_999L, 12_345_678_901_234L}) {
      assertEquals(String.format("%013d|c1", ms), RedisCallStore.indexMember(Instant.ofEpochMilli(ms), "c1"));
    }
    assertEquals("0000000000042", RedisCallStore.millis13(42));
  }

  @Test
  void earlierStartsSortFirst() {
    String a = RedisCallStore.indexMember(Instant.ofEpochMilli(999_999_999_999L), "cz");
    String b = RedisCallStore.indexMember(Instant.ofEpochMilli(1_000_000_000_000L), "ca");
    assertTrue(a.compareTo(b) < 0);
  }
}
