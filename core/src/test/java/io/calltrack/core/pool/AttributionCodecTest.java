package io.calltrack.core.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.calltrack.core.attribution.Attribution;
import org.junit.jupiter.api.Test;

class AttributionCodecTest {
  private static final Attribution FIRST = new Attribution("facebook", "paid-social", "winter", null, "video-a",
      "/promo", "https://m.facebook.com/", null, null, null, null, "fb.1.abc", "lookalike", "ad-7", null, null);

  @Test
  void adGroupAdFirstTouchAndRegionSurviveTheSession() {
    Attribution last = new Attribution("google", "cpc", "spring", "plumber", null, "/landing",
        "https://www.google.com/", "Cj0-gclid", null, null, null, null, "emergency", "ad-42", FIRST, "Chicago");
    assertEquals(last, AttributionCodec.decode(AttributionCodec.encode(last)));
  }

  @Test
  void aFirstTouchLikeTheLastIsNotStoredTwice() {
    Attribution touch = new Attribution("google", "cpc", "spring", null, null, "/x", null, null, null, null, null,
        null);
    Attribution same = new Attribution(touch.source(), touch.medium(), touch.campaign(), null, null, "/x", null,
        null, null, null, null, null, null, null, touch, null);
    assertEquals(AttributionCodec.encode(touch), AttributionCodec.encode(same));
    assertNull(AttributionCodec.decode(AttributionCodec.encode(same)).firstTouch());
  }

  @Test
  void sessionsStoredBeforeAdGroupAndFirstTouchStillRead() {
    // thirteen fields, region last: what the previous version wrote
    Attribution a = AttributionCodec.decode("google\u001fcpc\u001fspring\u001f\u001f\u001f/l\u001f\u001f\u001f\u001f"
        + "\u001f\u001f\u001fBoston");
    assertEquals("google", a.source());
    assertEquals("/l", a.landingPage());
    assertEquals("Boston", a.region());
    assertNull(a.adGroup());
    assertNull(a.firstTouch());
  }

  @Test
  void theJourneySurvivesTheSessionSeparatorsInItsValuesIncluded() {
    java.util.List<io.calltrack.core.attribution.Touch> journey = java.util.List.of(
        new io.calltrack.core.attribution.Touch("news\u001eletter", "email", "march\u001d2026", null),
        new io.calltrack.core.attribution.Touch("google", "cpc", null, java.time.Instant.parse("2026-03-02T09:00:00Z")));
    Attribution a = new Attribution("google", "cpc", null, null, null, "/x", null, null, null, null, null, null, null,
        null, null, "Boston", journey);
    Attribution back = AttributionCodec.decode(AttributionCodec.encode(a));
    assertEquals("Boston", back.region());
    assertEquals(java.util.List.of(
        new io.calltrack.core.attribution.Touch("news letter", "email", "march 2026", null), journey.get(1)),
        back.journey());
    Attribution without = new Attribution("google", "cpc", null, null, null, "/x", null, null, null, null, null, null);
    assertEquals("google\u001fcpc\u001f\u001f\u001f\u001f/x", AttributionCodec.encode(without),
        "no journey, no field: a visit without one costs nothing more");
    assertNull(AttributionCodec.decode(AttributionCodec.encode(without)).journey());
  }

  @Test
  void googleAnalyticsIdsSurviveTheSessionAndOlderSessionsReadWithout() {
    java.util.List<io.calltrack.core.attribution.Touch> journey = java.util.List.of(
        new io.calltrack.core.attribution.Touch("news", "email", null, null),
        new io.calltrack.core.attribution.Touch("google", "cpc", null, null));
    Attribution a = new Attribution("google", "cpc", null, null, null, "/x", null, null, null, null, null, null,
        null, null, null, null, journey, "1234567890.1763990000", "1764000000");
    Attribution back = AttributionCodec.decode(AttributionCodec.encode(a));
    assertEquals("1234567890.1763990000", back.gaClientId());
    assertEquals("1764000000", back.gaSessionId());
    assertEquals(journey.size(), back.journey().size());
    assertEquals(a, back);
    // a session stored before the GA ids (the journey its last field) reads with none
    Attribution older = new Attribution("google", "cpc", null, null, null, "/x", null, null, null, null, null, null,
        null, null, null, null, journey);
    Attribution olderBack = AttributionCodec.decode(AttributionCodec.encode(older));
    assertEquals(older, olderBack);
    assertNull(olderBack.gaClientId());
    // what is not GA's id is not kept (it goes into a request to Google)
    assertNull(new Attribution(null, null, null, null, null, null, null, null, null, null, null, null, null, null,
        null, null, null, "1234&api_secret=x", "17640000001764000000176400").gaClientId());
  }

  @Test
  void theMetaBrowserIdSurvivesAndTheWorstCaseCutAttributionStillFitsTheSession() {
    Attribution a = new Attribution("facebook", "cpc", null, null, null, "/x", null, null, null, null, null,
        "fb-click", null, null, null, null, null, null, null, "fb.1.1764000000123.1234567890");
    assertEquals("fb.1.1764000000123.1234567890", AttributionCodec.decode(AttributionCodec.encode(a)).fbp());
    assertNull(new Attribution(null, null, null, null, null, null, null, null, null, null, null, null, null, null,
        null, null, null, null, null, "fb.1.x.<script>").fbp(), "what is not the pixel's id is not kept");
    // RedisPoolEngine's last resort: nine fields of 50 four-byte characters and the longest GA and Meta ids
    String wide = "\uD83D\uDCDE".repeat(50); // 50 code points of 4 bytes
    String digits = "9".repeat(20);
    Attribution worst = new Attribution(wide, wide, wide, null, null, null, null, wide, wide, wide, wide, wide, null,
        null, null, wide, null, digits + "." + digits, digits, "fb.1." + digits + "." + digits);
    assertEquals(digits + "." + digits, worst.gaClientId());
    assertEquals("fb.1." + digits + "." + digits, worst.fbp());
    String encoded = AttributionCodec.encode(worst);
    assertEquals(1939, encoded.getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
    assertNotNull(SessionCodec.pieces(encoded), "fits the session's 32 pieces of 64 bytes");
    assertEquals(worst, AttributionCodec.decode(encoded));
  }
}
