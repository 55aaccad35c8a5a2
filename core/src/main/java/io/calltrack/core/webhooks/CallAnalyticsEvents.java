package io.calltrack.core.webhooks;

import static io.calltrack.core.webhooks.RecordFields.text;

import com.fasterxml.jackson.databind.JsonNode;
import io.calltrack.core.json.JsonMapper;
import io.calltrack.core.marketing.PropertySettings;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What GA4 hears of a call (Measurement Protocol bodies), from the calls stream's entries as the CRM
 * webhooks read them. Only a call whose visit carried the site's GA client id is sent: without it the
 * event would be a new user of no source in GA. Three events, each at most once per call
 * ({@link CallEventForwarder}):
 * <ul>
 *   <li>{@code phone_call} when the call ends, dated at its start: {@code call_id}, {@code call_status},
 *       {@code call_duration} (seconds of talk), {@code call_direction}, {@code tracking_number}, and the
 *       visit's GA4 {@code session_id}, which puts it in that session (its source, medium, campaign);</li>
 *   <li>{@code qualify_lead} the first time an outcome says qualified, and {@code close_convert_lead}
 *       the first time it says converted, with the outcome's value (a decimal number, never a double)
 *       and currency: GA4's recommended lead events. Dated when the outcome came.</li>
 * </ul>
 * GA4 cannot take an event back: a conversion later withdrawn, or its value changed, stays as sent.
 */
public final class CallAnalyticsEvents {
  /** GA4's limit on an event parameter's text. */
  static final int MAX_PARAM_LENGTH = 100;

  private CallAnalyticsEvents() {}

  /**
   * The events of one stream entry ({@code ended} or {@code outcome}, with the call's record and, for an
   * outcome, the outcome); none for other entries or a call without a GA client id.
   * {@code currency}: the property's, for an outcome without one.
   */
  public static List<CallEventForwarder.Event> of(PropertySettings.Analytics ga, String entryType, JsonNode record,
      JsonNode outcome, String currency) {
    List<CallEventForwarder.Event> events = new ArrayList<>();
    JsonNode attribution = record == null ? null : record.path("attribution");
    String clientId = text(attribution, "gaClientId");
    if (clientId == null) {
      return events;
    }
    String sessionId = text(attribution, "gaSessionId");
    if ("ended".equals(entryType)) {
      Map<String, Object> params = new LinkedHashMap<>();
      params.put("call_id", text(record, "callId"));
      params.put("call_status", text(record, "status"));
      JsonNode duration = record.path("durationSeconds");
      params.put("call_duration", duration.canConvertToLong() ? duration.asLong() : 0L);
      params.put("call_direction", text(record, "direction"));
      params.put("tracking_number", text(record, "number"));
      events.add(new CallEventForwarder.Event("phone_call", ga.collectUrl(),
          body(clientId, micros(RecordFields.instant(record, "startedAt")), "phone_call", sessionId, params)));
    } else if ("outcome".equals(entryType) && outcome != null && outcome.isObject()) {
      for (String[] e : new String[][] {{"qualified", "qualify_lead"}, {"converted", "close_convert_lead"}}) {
        if (!outcome.path(e[0]).asBoolean(false)) {
          continue;
        }
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("call_id", text(record, "callId"));
        BigDecimal value = RecordFields.amount(outcome, "value");
        if (value != null) {
          params.put("value", value);
          String c = text(outcome, "currency");
          params.put("currency", c != null ? c : currency);
        }
        events.add(new CallEventForwarder.Event(e[1], ga.collectUrl(), body(clientId, null, e[1], sessionId, params)));
      }
    }
    return events;
  }

  /**
   * A {@code phone_call} of no real call, for a setup check on GA4's validation endpoint (which records
   * nothing); null when the stream's endpoint has none ({@link PropertySettings.Analytics#validationUrl}).
   */
  public static CallEventForwarder.Event test(PropertySettings.Analytics ga, String key) {
    String url = ga.validationUrl();
    if (url == null) {
      return null;
    }
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("call_id", key);
    params.put("call_status", "answered");
    params.put("call_duration", 0L);
    return new CallEventForwarder.Event("phone_call", url, body("1234567890.1234567890", null, "phone_call", null,
        params));
  }

  private static String body(String clientId, Long timestampMicros, String name, String sessionId,
      Map<String, Object> params) {
    Map<String, Object> p = new LinkedHashMap<>();
    if (sessionId != null) {
      p.put("session_id", sessionId);
    }
    params.forEach((k, v) -> {
      if (v != null) {
        p.put(k, v instanceof String s && s.length() > MAX_PARAM_LENGTH ? s.substring(0, MAX_PARAM_LENGTH) : v);
      }
    });
    Map<String, Object> event = new LinkedHashMap<>();
    event.put("name", name);
    event.put("params", p);
    Map<String, Object> b = new LinkedHashMap<>();
    b.put("client_id", clientId);
    if (timestampMicros != null) {
      b.put("timestamp_micros", timestampMicros);
    }
    b.put("events", List.of(event));
    return JsonMapper.write(b);
  }

  private static Long micros(Instant t) {
    return t == null ? null : t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000;
  }
}
