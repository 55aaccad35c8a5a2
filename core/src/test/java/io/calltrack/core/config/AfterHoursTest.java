package io.calltrack.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.CalltrackException;
import io.calltrack.core.json.JsonMapper;
import io.calltrack.core.phone.PhoneNumber;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AfterHoursTest {
  static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
  static final AfterHours NIGHT = new AfterHours(Map.of("monday", List.of("09:00", "17:00"),
      "saturday", List.of("10:00", "12:30")), "sip:night@203.0.113.9");

  static Instant newYork(String localDateTime) {
    return LocalDateTime.parse(localDateTime).atZone(NEW_YORK).toInstant();
  }

  /** Open from the first time, closed from the second, in the property's zone, summer time or not. */
  @Test
  void closedOutsideEachWeekdaysIntervalInThePropertysZone() {
    // Monday 7 December 2026 (winter, UTC-5) and Monday 6 July 2026 (summer, UTC-4)
    for (String day : List.of("2026-12-07", "2026-07-06")) {
      assertTrue(NIGHT.closedAt(newYork(day + "T08:59:59"), NEW_YORK), day);
      assertFalse(NIGHT.closedAt(newYork(day + "T09:00:00"), NEW_YORK), day);
      assertFalse(NIGHT.closedAt(newYork(day + "T16:59:59"), NEW_YORK), day);
      assertTrue(NIGHT.closedAt(newYork(day + "T17:00:00"), NEW_YORK), day);
    }
    assertTrue(NIGHT.closedAt(newYork("2026-12-08T11:00:00"), NEW_YORK), "a Tuesday: not named, closed");
    assertFalse(NIGHT.closedAt(newYork("2026-12-12T12:29:00"), NEW_YORK), "Saturday morning");
    // 15:00 UTC on that Monday is 10:00 in New York (open) but 02:00 Tuesday in Sydney (closed)
    Instant utc15 = Instant.parse("2026-12-07T15:00:00Z");
    assertFalse(NIGHT.closedAt(utc15, NEW_YORK));
    assertTrue(NIGHT.closedAt(utc15, ZoneId.of("Australia/Sydney")));
  }

  @Test
  void whileClosedACallGoesToTheAfterHoursLineAloneElseToTheBusinessLineThenItsOverflow() {
    PhoneNumber n = PhoneNumber.parse("+15551230001", "US");
    PropertyConfig p = new PropertyConfig("shop", null, List.of(), List.of(n), n, "sip:desk@203.0.113.1",
        "America/New_York").withOverflow(new Overflow(List.of("sip:cell@203.0.113.2", "sip:night@203.0.113.9"), 20))
        .withAfterHours(NIGHT);
    assertEquals(List.of("sip:night@203.0.113.9"), p.callLines(p.closedAt(newYork("2026-12-07T20:00:00"))));
    assertTrue(p.closedAt(newYork("2026-12-07T20:00:00")));
    assertEquals(List.of("sip:desk@203.0.113.1", "sip:cell@203.0.113.2", "sip:night@203.0.113.9"),
        p.callLines(p.closedAt(newYork("2026-12-07T10:00:00"))));
    assertFalse(p.closedAt(newYork("2026-12-07T10:00:00")));
    // every line once, named by the field that names it first
    assertEquals(Map.of("sip:desk@203.0.113.1", "businessLine", "sip:cell@203.0.113.2", "overflow.lines[0]",
        "sip:night@203.0.113.9", "overflow.lines[1]"), p.lineFields());
    assertEquals("afterHours.line", p.withOverflow(null).lineFields().get("sip:night@203.0.113.9"));
    assertEquals(List.of("sip:desk@203.0.113.1", "sip:night@203.0.113.9"), p.withOverflow(null).lines());
  }

  /**
   * Callbacks wait for the callback hours; a property without them that routes by the time of day
   * waits for its after-hours routing's open hours, not ringing the business back at night.
   */
  @Test
  void withoutCallbackHoursCallbacksWaitForTheHoursTheCallsAreRoutedIn() {
    PhoneNumber n = PhoneNumber.parse("+15551230001", "US");
    PropertyConfig p = new PropertyConfig("shop", null, List.of(), List.of(n), n, "sip:desk@203.0.113.1",
        "America/New_York");
    Instant mondayNight = newYork("2026-12-07T21:00:00");
    assertEquals(mondayNight, p.nextCallbackOpening(mondayNight), "no hours at all: at once");
    PropertyConfig routed = p.withAfterHours(NIGHT);
    assertEquals(newYork("2026-12-12T10:00:00"), routed.nextCallbackOpening(mondayNight),
        "Saturday at 10, its next opening (NIGHT is open on Mondays and Saturday mornings)");
    Instant mondayTen = newYork("2026-12-07T10:00:00");
    assertEquals(mondayTen, routed.nextCallbackOpening(mondayTen));
    PropertyConfig ownHours = routed.withCallbacks(new io.calltrack.core.callback.CallbackSettings(
        Map.of("monday", List.of("20:00", "22:00")), null, null, null));
    assertEquals(mondayNight, ownHours.nextCallbackOpening(mondayNight), "callback hours of its own come first");
  }

  @Test
  void readAndWrittenAsJson() throws Exception {
    var mapper = JsonMapper.mapper();
    AfterHours read = mapper.readValue("{\"hours\": {\"saturday\": [\"10:00\", \"12:30\"], \"monday\": [\"09:00\","
        + " \"17:00\"]}, \"line\": \"sip:night@203.0.113.9\"}", AfterHours.class);
    assertEquals(NIGHT, read);
    assertEquals("{\"hours\":{\"monday\":[\"09:00\",\"17:00\"],\"saturday\":[\"10:00\",\"12:30\"]},"
        + "\"line\":\"sip:night@203.0.113.9\"}", mapper.writeValueAsString(read));
  }

  @Test
  void refusedWithTheFieldNamed() {
    assertTrue(assertThrows(CalltrackException.Invalid.class, () -> new AfterHours(Map.of(), "sip:a@b"))
        .getMessage().startsWith("afterHours.hours must name the weekdays"));
    assertTrue(assertThrows(CalltrackException.Invalid.class,
        () -> new AfterHours(Map.of("monday", List.of("09:00", "17:00")), "night@b")).getMessage()
        .startsWith("afterHours.line must be a SIP URI"));
    PhoneNumber n = PhoneNumber.parse("+15551230001", "US");
    assertTrue(assertThrows(CalltrackException.Invalid.class, () -> new PropertyConfig("shop", null, List.of(),
        List.of(n), n, null, "UTC").withAfterHours(NIGHT)).getMessage().startsWith("afterHours needs a businessLine"));
  }
}
