package io.calltrack.core.phone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.calltrack.core.CalltrackException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PhoneNumberTest {

  @ParameterizedTest(name = "{0} in {1} -> {2}")
  @CsvSource(delimiter = '|', value = {
      "(555) 123-4567   | US | +15551234567",
      "555-123-4567     | US | +15551234567",
      "555.123.4567     | US | +15551234567",
      "+1 555 123 4567  | US | +15551234567",
      "1-555-123-4567   | US | +15551234567",
      "5551234567       | US | +15551234567",
      "+1 (555) 123-4567| GB | +15551234567",
      "+44 20 7946 0958 | US | +442079460958",
      "020 7946 0958    | GB | +442079460958",
      "tel:+15551230001 | US | +15551230001",
  })
  void parsesWhatSitesPrint(String printed, String region, String e164) {
    assertEquals(e164, PhoneNumber.parse(printed, region).e164());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "   ", "555-1234", "1-800-FLOWERS", "+1 555 123 45678", "call us", "++15551234567", "12"})
  void refusesWhatIsNotAFullNumber(String text) {
    CalltrackException.Invalid e =
        assertThrows(CalltrackException.Invalid.class, () -> PhoneNumber.parse(text, "US"));
    assertEquals("invalid_request", e.code());
  }

  /** The detail says what is wrong with the number in the user's terms, never in the parsing library's. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "+999 555 1234      | not a phone number: '+999 555 1234' (no country's calling code follows the +)",
      "+1 555 123 45678   | not a valid phone number for its country: '+1 555 123 45678' (too long for +1)",
      "555-1234           | not a valid phone number for its country: '555-1234' (a local number: write it with its area code)",
      "55512               | not a valid phone number for its country: '55512' (too short for a national number of US)",
      "011 2              | not a phone number: '011 2' (too short after the international prefix)",
  })
  void saysWhatIsWrongInTheUsersTerms(String text, String detail) {
    CalltrackException.Invalid e =
        assertThrows(CalltrackException.Invalid.class, () -> PhoneNumber.parse(text, "US"));
    assertEquals(detail, e.getMessage());
  }

  @ParameterizedTest
  @CsvSource({"15551230001,+15551230001", "+15551230001,+15551230001", "5551230001,+15551230001",
      "442079460958,+442079460958"})
  void readsDialledUserParts(String userPart, String e164) {
    assertEquals(e164, PhoneNumber.fromDialled(userPart, "US").e164());
  }

  @org.junit.jupiter.api.Test
  void equalityIsByE164() {
    assertEquals(PhoneNumber.parse("(555) 123-4567"), PhoneNumber.parse("+15551234567"));
    assertEquals("15551234567", PhoneNumber.parse("+15551234567").digits());
  }

  @Test
  void aNumberKnowsItsRegion() {
    assertEquals("US", PhoneNumber.parse("+15551230001").region());
    assertEquals("GB", PhoneNumber.parse("+442079460958").region());
    assertEquals("DE", PhoneNumber.parse("+493012345678").region());
    assertEquals("CA", PhoneNumber.parse("+14165550123").region());
    // a caller's national number read in the region of the number it dialled
    assertEquals("+442079460000", PhoneNumber.fromDialled("02079460000",
        PhoneNumber.parse("+442079460958").region()).e164());
  }
}
