package io.calltrack.core.webhooks;

import static io.calltrack.core.webhooks.RecordFields.text;

import com.fasterxml.jackson.databind.JsonNode;
import io.calltrack.core.json.JsonMapper;
import io.calltrack.core.marketing.PropertySettings;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What Meta's Conversions API hears of a call ({@link PropertySettings.Meta}), from the calls stream's
 * entries as the CRM webhooks read them: the standard events {@code Contact} when the call ends (dated
 * at its start), {@code Lead} the first time an outcome says qualified and {@code Purchase} (value and
 * currency) the first time it says converted, with {@code action_source: phone_call}. A call is sent
 * only when Meta can tie it to a person: its visit's Facebook click id ({@code fbclid}, as the
 * {@code fbc} parameter), its Meta Pixel browser id ({@code fbp}, the site's {@code _fbp} cookie), or,
 * when the property allows it ({@code matchCallerNumber}), the caller's number hashed as Meta asks
 * (SHA-256 of its digits with the country code). Each event carries an
 * {@code event_id} (call id and event), by which Meta drops a repeat.
 */
public final class CallMetaEvents {
  private static final Pattern E164 = Pattern.compile("\\+[1-9]\\d{6,14}");

  private CallMetaEvents() {}

  /**
   * The events of one stream entry ({@code ended} or {@code outcome}) written at {@code entryAt}; none for
   * other entries or a call Meta could not tie to anyone. {@code currency}: the property's, for an
   * outcome without one.
   */
  public static List<CallEventForwarder.Event> of(PropertySettings.Meta meta, String entryType, JsonNode record,
      JsonNode outcome, String currency, Instant entryAt) {
    List<CallEventForwarder.Event> events = new ArrayList<>();
    if (record == null || !record.isObject()) {
      return events;
    }
    Map<String, Object> user = userData(meta, record);
    if (user.isEmpty()) {
      return events;
    }
    String callId = text(record, "callId");
    if ("ended".equals(entryType)) {
      Instant start = RecordFields.instant(record, "startedAt");
      Map<String, Object> custom = new LinkedHashMap<>();
      custom.put("call_id", callId);
      custom.put("call_status", text(record, "status"));
      custom.put("call_duration", record.path("durationSeconds").asLong(0));
      events.add(event(meta, callId, "Contact", start != null ? start : entryAt, user, custom));
    } else if ("outcome".equals(entryType) && outcome != null && outcome.isObject()) {
      for (String[] e : new String[][] {{"qualified", "Lead"}, {"converted", "Purchase"}}) {
        if (!outcome.path(e[0]).asBoolean(false)) {
          continue;
        }
        Map<String, Object> custom = new LinkedHashMap<>();
        custom.put("call_id", callId);
        BigDecimal value = RecordFields.amount(outcome, "value");
        String c = text(outcome, "currency");
        if (value != null || "Purchase".equals(e[1])) {
          // a Purchase needs both: a sale without a value is worth 0 in Meta's books, as in ours
          custom.put("value", value != null ? value : BigDecimal.ZERO.setScale(2));
          custom.put("currency", c != null ? c : currency);
        }
        events.add(event(meta, callId, e[1], entryAt, user, custom));
      }
    }
    return events;
  }

  /**
   * A {@code Contact} of no real call, for a setup check: Meta keeps it apart only under the pixel's
   * test event code, which the caller sees there is.
   */
  public static CallEventForwarder.Event test(PropertySettings.Meta meta, String key, Instant at) {
    return event(meta, key, "Contact", at, Map.of("fbp", "fb.1." + at.toEpochMilli() + ".1234567890"),
        Map.of("call_id", key));
  }

  private static CallEventForwarder.Event event(PropertySettings.Meta meta, String callId, String name, Instant at,
      Map<String, ?> user, Map<String, ?> custom) {
    Map<String, Object> event = new LinkedHashMap<>();
    event.put("event_name", name);
    event.put("event_time", at.getEpochSecond());
    event.put("event_id", callId + ":" + name);
    event.put("action_source", "phone_call");
    event.put("user_data", user);
    event.put("custom_data", custom);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("data", List.of(event));
    if (meta.testEventCode() != null) {
      body.put("test_event_code", meta.testEventCode());
    }
    // in the body, not the URL: the URL is what logs and proxies show
    body.put("access_token", meta.accessToken());
    return new CallEventForwarder.Event("meta:" + name, meta.eventsUrl(), JsonMapper.write(body));
  }

  /** {@code fbc} from the visit's fbclid (the last touch's, else the first's), its {@code fbp}, {@code ph} when allowed. */
  private static Map<String, Object> userData(PropertySettings.Meta meta, JsonNode record) {
    Map<String, Object> user = new LinkedHashMap<>();
    JsonNode a = record.path("attribution");
    String fbclid = text(a, "fbclid");
    if (fbclid == null) {
      fbclid = text(a.path("firstTouch"), "fbclid");
    }
    if (fbclid != null) {
      // fb.1.<when the click id was first seen, ms>.<fbclid>: the call's start stands for the visit's
      Instant seen = RecordFields.instant(record, "startedAt");
      user.put("fbc", "fb.1." + (seen == null ? 0 : seen.toEpochMilli()) + "." + fbclid);
    }
    String fbp = text(a, "fbp");
    if (fbp != null) {
      user.put("fbp", fbp);
    }
    String caller = text(record, "caller");
    if (meta.matchCallerNumber() && caller != null && E164.matcher(caller).matches()) {
      user.put("ph", List.of(sha256(caller.substring(1))));
    }
    return user;
  }

  static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
