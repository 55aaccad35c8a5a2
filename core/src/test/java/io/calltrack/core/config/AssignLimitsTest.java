package io.calltrack.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.CalltrackException;
import org.junit.jupiter.api.Test;

/** A property's assign limits over the server's defaults (10 / 40 live leases, 30 / 120 assigns a minute). */
class AssignLimitsTest {

  @Test
  void aSoftLimitRaisedAloneTakesTheHardLimitLeftOutWithIt() {
    // an office behind one address: 50 visitors may each have a number, as the property says; with the
    // default hard limit kept (40), every assign past 40 was refused with a 429 and 50 never reached
    AssignLimits office = new AssignLimits(50, null, 200, null, null).over(AssignLimits.DEFAULT);
    assertEquals(50, office.liveLeases());
    assertEquals(50, office.liveLeasesHard());
    assertEquals(200, office.perMinute());
    assertEquals(200, office.perMinuteHard());
    // below the defaults' hard limits, those stay
    AssignLimits strict = new AssignLimits(5, null, 10, null, null).over(AssignLimits.DEFAULT);
    assertEquals(40, strict.liveLeasesHard());
    assertEquals(120, strict.perMinuteHard());
    // a hard limit given stays as given
    assertEquals(60, new AssignLimits(50, 60, null, null, null).over(AssignLimits.DEFAULT).liveLeasesHard());
  }

  @Test
  void aSoftLimitAboveTheHardLimitGivenIsRefusedWhereAClientSetsIt() {
    var e = assertThrows(CalltrackException.Invalid.class,
        () -> new AssignLimits(50, 40, null, null, null).requireSoftBelowHard());
    assertTrue(e.getMessage().contains("assignLimits.liveLeases (50)"), e.getMessage());
    assertThrows(CalltrackException.Invalid.class, () -> new AssignLimits(null, null, 130, 120, null).requireSoftBelowHard());
    new AssignLimits(40, 40, 120, 120, null).requireSoftBelowHard(); // equal: every assign past it refused, as set
    new AssignLimits(50, null, null, null, null).requireSoftBelowHard();
  }
}
