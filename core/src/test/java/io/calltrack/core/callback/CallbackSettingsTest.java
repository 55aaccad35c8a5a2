package io.calltrack.core.callback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.calltrack.core.CalltrackException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Opening hours across the days the property's clocks change, and hours that would span midnight. */
class CallbackSettingsTest {
  static final ZoneId CHICAGO = ZoneId.of("America/Chicago");
  static final CallbackSettings SUNDAYS = new CallbackSettings(
      Map.of("sunday", List.of("09:00", "17:00")), null, null, null);

  @Test
  void theOpeningIsLocalTimeOnTheDaysTheClocksChange() {
    // Saturday 20:00 CST before the spring change: Sunday 09:00 is CDT (UTC-5)
    assertEquals(Instant.parse("2026-03-08T14:00:00Z"), SUNDAYS.nextOpening(Instant.parse("2026-03-08T02:00:00Z"), CHICAGO));
    // Sunday 01:00 CST, the night of the change itself
    assertEquals(Instant.parse("2026-03-08T14:00:00Z"), SUNDAYS.nextOpening(Instant.parse("2026-03-08T07:00:00Z"), CHICAGO));
    // Sunday 00:30 CDT, the night of the autumn change: 09:00 is CST (UTC-6)
    assertEquals(Instant.parse("2026-11-01T15:00:00Z"), SUNDAYS.nextOpening(Instant.parse("2026-11-01T05:30:00Z"), CHICAGO));
    // 16:59 CST that Sunday is still open, 17:00 is closed until next Sunday
    Instant open = Instant.parse("2026-11-01T22:59:00Z");
    assertEquals(open, SUNDAYS.nextOpening(open, CHICAGO));
    assertEquals(Instant.parse("2026-11-08T15:00:00Z"), SUNDAYS.nextOpening(Instant.parse("2026-11-01T23:00:00Z"), CHICAGO));
  }

  @Test
  void hoursSpanningMidnightAreRefusedNotMisread() {
    assertThrows(CalltrackException.Invalid.class,
        () -> new CallbackSettings(Map.of("friday", List.of("22:00", "02:00")), null, null, null));
  }
}
