package io.calltrack.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.phone.PhoneNumber;
import java.util.List;
import org.junit.jupiter.api.Test;

class BlockedCallersTest {
  static final PhoneNumber LONDON = PhoneNumber.parse("+442079460000", "GB");

  static PropertyConfig blocking(List<String> callers) {
    return new PropertyConfig("shop", null, List.of(), List.of(LONDON), LONDON, "sip:desk@203.0.113.1", "Europe/London")
        .withBlockedCallers(callers);
  }

  /** A national number is read in the property's country; the list is kept once each, sorted, searched. */
  @Test
  void aPropertyBlocksTheCallersItNamesAndNoOther() {
    PropertyConfig p = blocking(List.of("020 7946 0958", "+13125550123", "Anonymous", "+44 20 7946 0958"));
    assertEquals(List.of("+13125550123", "+442079460958", "anonymous"), p.blockedCallers());
    assertTrue(p.blocks("+442079460958"));
    assertTrue(p.blocks("+13125550123"));
    assertTrue(p.blocks(PropertyConfig.ANONYMOUS));
    assertFalse(p.blocks("+442079460959"));
    assertFalse(p.blocks(null));
    assertFalse(blocking(null).blocks("+442079460958"));
    assertNull(blocking(List.of()).blockedCallers(), "an empty list is none");
  }
}
