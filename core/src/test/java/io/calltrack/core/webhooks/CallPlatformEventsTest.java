package io.calltrack.core.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.calltrack.core.json.JsonMapper;
import io.calltrack.core.marketing.PropertySettings;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What GA4 and Meta are sent of a stream entry: pure mapping, no I/O. */
class CallPlatformEventsTest {
  static final PropertySettings.Analytics GA = new PropertySettings.Analytics("G-ABCD1234", "secret-12345", null);
  static final PropertySettings.Meta META =
      new PropertySettings.Meta("123456789012", "EAAtoken_0123456789abcdef", false, null, null);
  static final Instant AT = Instant.parse("2026-03-02T10:00:00Z");

  static JsonNode json(String s) {
    return JsonMapper.tree(s);
  }

  @Test
  void ga4TakesOnlyCallsWithAClientIdAndNeverStallsOnAnOddValue() {
    JsonNode noGa = json("{\"callId\":\"c1\",\"attribution\":{\"source\":\"google\"}}");
    assertTrue(CallAnalyticsEvents.of(GA, "ended", noGa, null, "USD").isEmpty());
    JsonNode ga = json("{\"callId\":\"c1\",\"status\":\"" + "x".repeat(150) + "\",\"startedAt\":\"2026-03-02T08:00:00Z\","
        + "\"attribution\":{\"gaClientId\":\"1.2\"}}");
    List<CallEventForwarder.Event> ended = CallAnalyticsEvents.of(GA, "ended", ga, null, "USD");
    assertEquals(1, ended.size());
    assertEquals("https://www.google-analytics.com/mp/collect?measurement_id=G-ABCD1234&api_secret=secret-12345",
        ended.get(0).url());
    JsonNode body = json(ended.get(0).body());
    assertEquals(100, body.path("events").get(0).path("params").path("call_status").asText().length(),
        "cut to GA4's 100 characters");
    assertFalse(body.path("events").get(0).path("params").has("session_id"));
    // a value that is not one (only a damaged record has that): the event, without a value
    List<CallEventForwarder.Event> lead = CallAnalyticsEvents.of(GA, "outcome", ga,
        json("{\"qualified\":true,\"value\":\"12,50\"}"), "EUR");
    assertEquals(List.of("qualify_lead"), lead.stream().map(CallEventForwarder.Event::once).toList());
    assertFalse(json(lead.get(0).body()).path("events").get(0).path("params").has("value"));
    assertTrue(CallAnalyticsEvents.of(GA, "answered", ga, null, "USD").isEmpty(), "only the end and outcomes");
  }

  @Test
  void metaNeedsAClickIdOrAnAllowedCallerNumberAndHashesTheNumberOnly() {
    JsonNode anonymous = json("{\"callId\":\"c2\",\"caller\":\"anonymous\",\"startedAt\":\"2026-03-02T08:00:00Z\"}");
    PropertySettings.Meta matching = new PropertySettings.Meta("123456789012", "EAAtoken_0123456789abcdef", true,
        "TEST1", "https://graph.example/v23.0/");
    assertTrue(CallMetaEvents.of(matching, "ended", anonymous, null, "USD", AT).isEmpty(), "no one to match");
    JsonNode uk = json("{\"callId\":\"c3\",\"caller\":\"+442079460958\",\"startedAt\":\"2026-03-02T08:00:00Z\"}");
    assertTrue(CallMetaEvents.of(META, "ended", uk, null, "USD", AT).isEmpty(), "the number only when allowed");
    // the pixel's browser id is enough for Meta to know the visitor
    JsonNode pixel = json("{\"callId\":\"c4\",\"caller\":\"+442079460958\",\"startedAt\":\"2026-03-02T08:00:00Z\","
        + "\"attribution\":{\"fbp\":\"fb.1.1764000000123.1234567890\"}}");
    JsonNode byPixel = json(CallMetaEvents.of(META, "ended", pixel, null, "USD", AT).get(0).body()).path("data").get(0);
    assertEquals("fb.1.1764000000123.1234567890", byPixel.path("user_data").path("fbp").asText());
    assertFalse(byPixel.path("user_data").has("ph"));
    assertFalse(byPixel.path("user_data").has("fbc"));
    List<CallEventForwarder.Event> contact = CallMetaEvents.of(matching, "ended", uk, null, "USD", AT);
    assertEquals("https://graph.example/v23.0/123456789012/events", contact.get(0).url());
    JsonNode event = json(contact.get(0).body()).path("data").get(0);
    assertEquals(CallMetaEvents.sha256("442079460958"), event.path("user_data").path("ph").get(0).asText());
    assertEquals(64, event.path("user_data").path("ph").get(0).asText().length());
    assertFalse(contact.get(0).body().contains("2079460958"), "the number leaves hashed");
    assertEquals("c3:Contact", event.path("event_id").asText());
    assertEquals(Instant.parse("2026-03-02T08:00:00Z").getEpochSecond(), event.path("event_time").asLong());
    assertEquals("TEST1", json(contact.get(0).body()).path("test_event_code").asText());
    List<CallEventForwarder.Event> sale = CallMetaEvents.of(matching, "outcome", uk,
        json("{\"converted\":true,\"value\":\"99.90\",\"currency\":\"GBP\"}"), "USD", AT);
    assertEquals(List.of("meta:Purchase"), sale.stream().map(CallEventForwarder.Event::once).toList());
    assertTrue(sale.get(0).body().contains("\"value\":99.90,\"currency\":\"GBP\""), sale.get(0).body());
    assertEquals(AT.getEpochSecond(), json(sale.get(0).body()).path("data").get(0).path("event_time").asLong(),
        "an outcome is dated when it came");
  }
}
