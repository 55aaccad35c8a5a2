package io.calltrack.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The listener retries every second for as long as Redis is away; it used to warn at every attempt
 * (233 lines in a 4-minute outage of a router). Now a streak warns at its first attempt and then
 * once a minute.
 */
class ConfigChangeListenerWarningsTest {
  @Test
  void aStreakOfFailedAttemptsWarnsAtItsFirstAndThenOnceAMinute() {
    List<Integer> warned = IntStream.rangeClosed(1, 240).filter(ConfigChangeListener::warnsAt).boxed().toList();
    assertEquals(List.of(1, 61, 121, 181), warned, "a 4-minute outage: 4 lines, not 240");
  }
}
