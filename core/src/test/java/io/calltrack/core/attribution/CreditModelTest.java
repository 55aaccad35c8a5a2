package io.calltrack.core.attribution;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.calltrack.core.CalltrackException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** How each model splits a call over the journey's touches, exactly (pure logic). */
class CreditModelTest {
  static final Instant CALL = Instant.parse("2026-03-10T12:00:00Z");

  static Touch touch(String source, Instant at) {
    return new Touch(source, "cpc", null, at);
  }

  static List<Touch> untimed(int n) {
    List<Touch> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(touch("s" + i, null));
    }
    return out;
  }

  @Test
  void linearGivesEqualPartsAndTheMillionthLeftOverToTheTouchNearerTheCall() {
    assertArrayEquals(new long[] {1_000_000}, CreditModel.LINEAR.shares(untimed(1), CALL));
    assertArrayEquals(new long[] {500_000, 500_000}, CreditModel.LINEAR.shares(untimed(2), CALL));
    assertArrayEquals(new long[] {333_333, 333_333, 333_334}, CreditModel.LINEAR.shares(untimed(3), CALL));
    assertArrayEquals(new long[] {142_857, 142_857, 142_857, 142_857, 142_857, 142_857, 142_858},
        CreditModel.LINEAR.shares(untimed(7), CALL));
  }

  @Test
  void positionGivesFortyPercentToEachEndAndSharesTwentyBetweenTheMiddle() {
    assertArrayEquals(new long[] {1_000_000}, CreditModel.POSITION.shares(untimed(1), CALL));
    assertArrayEquals(new long[] {500_000, 500_000}, CreditModel.POSITION.shares(untimed(2), CALL));
    assertArrayEquals(new long[] {400_000, 200_000, 400_000}, CreditModel.POSITION.shares(untimed(3), CALL));
    assertArrayEquals(new long[] {400_000, 100_000, 100_000, 400_000}, CreditModel.POSITION.shares(untimed(4), CALL));
    assertArrayEquals(new long[] {400_000, 66_666, 66_667, 66_667, 400_000},
        CreditModel.POSITION.shares(untimed(5), CALL));
  }

  @Test
  void timeDecayHalvesATouchsWeightForEveryWeekBeforeTheCall() {
    Instant weekBefore = CALL.minus(Duration.ofDays(7));
    assertArrayEquals(new long[] {333_333, 666_667},
        CreditModel.TIME_DECAY.shares(List.of(touch("a", weekBefore), touch("b", CALL)), CALL));
    assertArrayEquals(new long[] {200_000, 400_000, 400_000}, CreditModel.TIME_DECAY.shares(List.of(
        touch("a", CALL.minus(Duration.ofDays(14))), touch("b", weekBefore), touch("c", weekBefore)), CALL),
        "the newest touch a week old: the weights are relative, a week's halving each");
    // an untimed touch is taken at the next one's time, the last at the call's
    assertArrayEquals(new long[] {250_000, 250_000, 500_000}, CreditModel.TIME_DECAY.shares(List.of(
        touch("a", null), touch("b", weekBefore), touch("c", null)), CALL));
    // a touch "after" the call (a browser's clock) counts as at the call; one from ages ago gets nothing
    assertArrayEquals(new long[] {0, 500_000, 500_000}, CreditModel.TIME_DECAY.shares(List.of(
        touch("a", Instant.parse("-999999999-01-01T00:00:00Z")), touch("b", CALL),
        touch("c", Instant.parse("+999999999-12-31T23:59:59Z"))), CALL));
    // every touch long ago: still one whole call, shared by their relative ages
    Instant ancient = Instant.parse("1990-01-01T00:00:00Z");
    assertArrayEquals(new long[] {333_333, 666_667}, CreditModel.TIME_DECAY.shares(List.of(
        touch("a", ancient.minus(Duration.ofDays(7))), touch("b", ancient)), CALL));
  }

  @Test
  void everySplitAddsUpToExactlyOneCallAndEveryAmountToTheCent() {
    Random random = new Random(7);
    for (int run = 0; run < 2_000; run++) {
      int n = 1 + random.nextInt(10);
      List<Touch> touches = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        touches.add(touch("s" + random.nextInt(4),
            random.nextInt(5) == 0 ? null : CALL.minusSeconds(random.nextInt(90 * 86_400))));
      }
      for (CreditModel m : CreditModel.multiTouchModels()) {
        long[] shares = m.shares(touches, CALL);
        assertEquals(CreditModel.WHOLE, LongStream.of(shares).sum(), m + " " + touches);
        long amount = random.nextInt(3) == 0 ? 1_000_000_000_000_000L : random.nextInt(100_000);
        long[] parts = CreditModel.apportion(amount, shares);
        assertEquals(amount, LongStream.of(parts).sum());
        for (int i = 0; i < n; i++) {
          double exact = (double) amount * shares[i] / CreditModel.WHOLE;
          assertEquals(exact, parts[i], 1.0 + exact * 1e-12, "each part within a unit of its exact share");
        }
      }
    }
    assertArrayEquals(new long[] {3333, 3333, 3334},
        CreditModel.apportion(10_000, CreditModel.LINEAR.shares(untimed(3), CALL)), "100.00 in three: 33.34 last");
  }

  @Test
  void theTouchesAreTheJourneyEndingAtTheCallsOwnChannel() {
    Attribution noJourney = new Attribution("google", "cpc", "x", null, null, "/l", null, null, null, null, null,
        null);
    assertEquals(List.of(new Touch("google", "cpc", "x", null)), CreditModel.touches(noJourney));
    Attribution organicFirst = new Attribution("google", "cpc", "x", null, null, "/l", null, null, null, null, null,
        null, null, null, new Attribution("duckduckgo", "organic", null, null, null, "/", null, null, null, null,
        null, null));
    assertEquals(List.of(new Touch("duckduckgo", "organic", null, null), new Touch("google", "cpc", "x", null)),
        CreditModel.touches(organicFirst), "a snippet without a journey: its first and last touch");
    List<Touch> journey = List.of(new Touch("bing", "cpc", "y", CALL.minusSeconds(600)),
        new Touch("google", "cpc", "x", CALL.minusSeconds(60)));
    Attribution withJourney = new Attribution("google", "cpc", "x", null, null, "/l", null, null, null, null, null,
        null, null, null, null, null, journey);
    assertEquals(journey, CreditModel.touches(withJourney));
    Attribution movedOn = new Attribution("meta", "paid-social", "z", null, null, "/l", null, null, null, null, null,
        null, null, null, null, null, journey);
    assertEquals(List.of(journey.get(0), journey.get(1), new Touch("meta", "paid-social", "z", null)),
        CreditModel.touches(movedOn), "the call's channel is always the last touch");
    assertEquals(List.of(new Touch(null, null, null, null)), CreditModel.touches(null),
        "a call without a visit: one touch of no channel");
  }

  @Test
  void modelsAreNamedAsInTheReportsAndAnythingElseIsRefused() {
    assertEquals(CreditModel.LAST, CreditModel.parse(null));
    assertEquals(CreditModel.LAST, CreditModel.parse(" "));
    assertEquals(CreditModel.TIME_DECAY, CreditModel.parse("timeDecay"));
    CalltrackException e = assertThrows(CalltrackException.Invalid.class, () -> CreditModel.parse("middle"));
    assertEquals("model must be one of last|first|linear|position|timeDecay: 'middle'", e.getMessage());
  }
}
