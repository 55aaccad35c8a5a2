package io.calltrack.core.attribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.json.JsonMapper;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.core.pool.Session;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The likelihood model on its own: pure, no Redis. */
class AttributionModelTest {
  static final Instant T = Instant.parse("2026-03-01T15:00:00Z");
  static final Attribution GOOGLE = new Attribution("google", "cpc", null, null, null, null, null, null, null, null,
      null, null);
  static final Attribution BING = new Attribution("bing", "cpc", null, null, null, null, null, null, null, null,
      null, null);

  static Session visit(String id, Instant start, Instant leaseEnd, Attribution a, String zone, Session.Evidence ev) {
    return new Session("p." + id, "p", "prop", "v-" + id, PhoneNumber.parse("+15550000001"), a, Session.State.LEASED,
        start, leaseEnd, null, leaseEnd.plusSeconds(1800), leaseEnd.plusSeconds(1800), zone, ev);
  }

  @Test
  void oneLiveVisitAloneIsExactTwoLiveVisitsAreNot() {
    Session a = visit("a", T.minusSeconds(60), T.plusSeconds(60), GOOGLE, null, null);
    Session b = visit("b", T.minusSeconds(30), T.plusSeconds(90), BING, null, null);
    assertEquals(Confidence.EXACT, AttributionModel.score(List.of(a), T, null, null).confidence());
    AttributionModel.Scored two = AttributionModel.score(List.of(a, b), T, null, null);
    assertEquals(Confidence.AMBIGUOUS, two.confidence());
    assertEquals(0.5, two.ranked().get(0).weight(), 0.01);
    // of one channel, every report is right anyway
    Session b2 = visit("b", T.minusSeconds(30), T.plusSeconds(90), GOOGLE, null, null);
    assertEquals(Confidence.CHANNEL, AttributionModel.score(List.of(a, b2), T, null, null).confidence());
  }

  @Test
  void aRecentTapDecidesAnOldTapOrOneAfterTheCallDoesNot() {
    Session tapped = visit("a", T.minusSeconds(60), T.plusSeconds(60), GOOGLE, null,
        new Session.Evidence(T.minusSeconds(5), null, null, null));
    Session other = visit("b", T.minusSeconds(30), T.plusSeconds(90), BING, null, null);
    AttributionModel.Scored s = AttributionModel.score(List.of(other, tapped), T, null, null);
    assertEquals(Confidence.EXACT, s.confidence());
    assertEquals("p.a", s.top().sessionId());
    Session oldTap = visit("a", T.minusSeconds(3600), T.plusSeconds(60), GOOGLE, null,
        new Session.Evidence(T.minus(Duration.ofMinutes(30)), null, null, null));
    assertEquals(Confidence.AMBIGUOUS, AttributionModel.score(List.of(other, oldTap), T, null, null).confidence());
  }

  @Test
  void aVisitThatLeftLongAgoIsLessLikelyThanOneOnThePageAndTimeZonesCount() {
    Session left = visit("a", T.minusSeconds(1800), T.minusSeconds(1200), GOOGLE, "America/New_York", null);
    Session live = visit("b", T.minusSeconds(60), T.plusSeconds(60), BING, "America/New_York", null);
    AttributionModel.Scored s = AttributionModel.score(List.of(left, live), T, "+12125550123", null);
    assertEquals("p.b", s.top().sessionId());
    assertTrue(s.ranked().get(0).reasons().contains("caller's number is in the browser's time zone"));
    // a caller from Los Angeles and a browser in New York: less likely than without the zones
    double match = AttributionModel.score(List.of(live), T, "+12125550123", null).ranked().get(0).weight();
    double mismatch = AttributionModel.score(List.of(live), T, "+14155550123", null).ranked().get(0).weight();
    assertTrue(mismatch < match, mismatch + " vs " + match);
    assertEquals(java.util.Set.of("America/New_York"), AttributionModel.zonesOf("+12125550123"));
  }

  @Test
  void aVisitThatLeftIsNotMarkedDownForNotTapping() {
    // left 6 min before the call, caller's number in Los Angeles, browser in New York, alone on the number
    Session left = visit("a", T.minus(Duration.ofMinutes(10)), T.minus(Duration.ofMinutes(6)), GOOGLE,
        "America/New_York", null);
    AttributionModel.Scored s = AttributionModel.score(List.of(left), T, "+14155550123", null);
    assertEquals(Confidence.EXACT, s.confidence(), s.ranked().toString());
    // on the page, not tapping counts against a visit: one that left 3 min before outweighs it
    Session live = visit("b", T.minusSeconds(60), T.plusSeconds(60), GOOGLE, null, null);
    Session justLeft = visit("c", T.minus(Duration.ofMinutes(5)), T.minus(Duration.ofMinutes(3)), GOOGLE, null, null);
    assertEquals("p.c", AttributionModel.score(List.of(live, justLeft), T, null, null).top().sessionId());
  }

  @Test
  void callRecordsWithScoredCandidatesRoundTripAndOldBareIdsStillRead() {
    CallRecord r = CallRecord.started("c1", "sip-1", PhoneNumber.parse("+15550000001"), "+12125550123", "prop", T)
        .withAttribution("lease", "p.a", GOOGLE, List.of(new Candidate("p.a", 0.9991, List.of("tapped"))), "exact");
    CallRecord back = JsonMapper.read(JsonMapper.write(r), CallRecord.class);
    assertEquals(r, back);
    String old = JsonMapper.write(r).replace("{\"sessionId\":\"p.a\",\"likelihood\":0.9991,\"reasons\":[\"tapped\"]}",
        "\"p.a\"");
    assertEquals("p.a", JsonMapper.read(old, CallRecord.class).candidates().get(0).sessionId());
  }
}
