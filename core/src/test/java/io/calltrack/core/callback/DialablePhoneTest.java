package io.calltrack.core.callback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.CalltrackException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DialablePhoneTest {
  @Test
  void validNumbersComeOutInE164() {
    assertEquals("+13125550123", DialablePhone.require("(312) 555-0123"));
    assertEquals("+13125550123", DialablePhone.require("+1 312 555 0123"));
    assertEquals("+442079460000", DialablePhone.require("+44 20 7946 0000"));
  }

  @Test
  void aNationalNumberIsReadInThePropertysCountry() {
    assertEquals("+442079460000", DialablePhone.require("020 7946 0000", "GB"));
    assertEquals("+447400123456", DialablePhone.require("07400 123456", "GB"));
    assertEquals("+13125550123", DialablePhone.require("+1 312 555 0123", "GB"));
    assertEquals("+13125550123", DialablePhone.require("(312) 555-0123", "US"));
    // the country's own emergency numbers are refused as such
    for (String emergency : new String[] {"999", "112"}) {
      CalltrackException.Invalid e = assertThrows(CalltrackException.Invalid.class,
          () -> DialablePhone.require(emergency, "GB"));
      assertTrue(e.getMessage().contains("emergency"), emergency + ": " + e.getMessage());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"911", "112", "+1 911", "999", "+44 999", "1-900-555-0123", "+1 900 555 0123",
      "+44 909 879 0000", "12", "555-CALL", "+1 312 555 01234567", "", "javascript:alert(1)", "+1 000 555 0123"})
  void emergencyPremiumAndMalformedNumbersAreRefused(String phone) {
    CalltrackException.Invalid e = assertThrows(CalltrackException.Invalid.class, () -> DialablePhone.require(phone));
    assertTrue(e.getMessage().startsWith("phone"), e.getMessage());
  }

  @Test
  void outsideOpeningHoursACallbackWaitsForTheNextOpening() {
    CallbackSettings s = new CallbackSettings(
        Map.of("monday", List.of("09:00", "17:00"), "tuesday", List.of("09:00", "17:00")), null, null, null);
    ZoneId chicago = ZoneId.of("America/Chicago");
    Instant mondayNoon = Instant.parse("2026-11-30T18:00:00Z"); // 12:00 in Chicago
    assertEquals(mondayNoon, s.nextOpening(mondayNoon, chicago));
    Instant mondayEvening = Instant.parse("2026-12-01T00:00:00Z"); // Monday 18:00 in Chicago
    assertEquals(Instant.parse("2026-12-01T15:00:00Z"), s.nextOpening(mondayEvening, chicago));
    Instant tuesdayNight = Instant.parse("2026-12-02T04:00:00Z"); // Tuesday 22:00: next is Monday
    assertEquals(Instant.parse("2026-12-07T15:00:00Z"), s.nextOpening(tuesdayNight, chicago));
    Instant mondayEarly = Instant.parse("2026-11-30T12:00:00Z"); // Monday 06:00
    assertEquals(Instant.parse("2026-11-30T15:00:00Z"), s.nextOpening(mondayEarly, chicago));
    assertEquals(mondayEvening, CallbackSettings.DEFAULT.nextOpening(mondayEvening, chicago));
  }
}
