package io.calltrack.dni.marketing;

import io.calltrack.core.CalltrackException;
import io.calltrack.core.config.ConfigStore;
import io.calltrack.core.json.JsonMapper;
import io.calltrack.core.marketing.PropertySettings;
import io.calltrack.core.marketing.SettingsStore;
import io.calltrack.core.webhooks.CallAnalyticsEvents;
import io.calltrack.core.webhooks.CallEventForwarder;
import io.calltrack.core.webhooks.CallMetaEvents;
import io.calltrack.core.webhooks.WebhookSender;
import io.calltrack.dni.http.AdminApi;
import io.calltrack.dni.http.Bodies;
import io.calltrack.dni.http.Timeouts;
import io.calltrack.dni.report.ReportParams;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * {@code POST /v1/properties/{property}/marketing/test {"to": "webhook"|"analytics"|"meta"}} (admin): sends
 * one test event where the property's settings say, now, and answers with what came back, so a setup can
 * be checked before the first call: the CRM webhook gets a signed {@code test} event; GA4 gets a
 * {@code phone_call} on its validation endpoint ({@code /debug/mp/collect}, which records nothing and
 * answers its {@code validationMessages}); Meta gets a {@code Contact} under the property's
 * {@code testEventCode} only (Events Manager's Test events; without one, 400: a test must not count as a
 * call). 200 {@code {to, url, status, delivered, answer}} whatever the receiver said ({@code url}
 * without its query, which holds GA's secret; {@code answer} its JSON, else text); no answer at all
 * (refused address, connection, timeout) is {@code delivered: false} with {@code detail}.
 */
public final class DeliveryTestRoutes {
  /** The body: where to send the test. */
  public record Test(String to) {}

  private static final List<String> TO = List.of("webhook", "analytics", "meta");
  private static final int MAX_TEXT = 4096;

  private final ConfigStore store;
  private final SettingsStore settings;
  private final WebhookSender sender;
  private final Clock clock;

  public DeliveryTestRoutes(ConfigStore store, SettingsStore settings, WebhookSender sender, Clock clock) {
    this.store = store;
    this.settings = settings;
    this.sender = sender;
    this.clock = clock;
  }

  public void mount(AdminApi admin) {
    admin.post("/v1/properties/:property/marketing/test", this::test).timeout(Timeouts.SLOW_ADMIN);
  }

  private Future<Map<String, Object>> test(RoutingContext ctx) {
    Test t = Bodies.read(ctx, Test.class);
    if (t == null || t.to() == null || !TO.contains(t.to())) {
      throw new CalltrackException.Invalid("to must be one of webhook, analytics, meta");
    }
    return ReportParams.named(store, ctx.pathParam("property")).compose(p -> settings.get(p.id()).compose(s -> {
      String key = p.id() + ":test:" + UUID.randomUUID();
      return switch (t.to()) {
        case "webhook" -> webhook(s, p.id(), key);
        case "analytics" -> analytics(s, key);
        default -> meta(s, key);
      };
    }));
  }

  private Future<Map<String, Object>> webhook(PropertySettings s, String property, String key) {
    if (s.webhook() == null) {
      throw new CalltrackException.Invalid("to: the property has no webhook set (marketing.webhook)");
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("id", key);
    body.put("type", "test");
    body.put("property", property);
    body.put("at", clock.instant().toString());
    return send("webhook", new CallEventForwarder.Event("test", s.webhook().url(), JsonMapper.write(body)),
        s.webhook().secret(), key);
  }

  private Future<Map<String, Object>> analytics(PropertySettings s, String key) {
    PropertySettings.Analytics ga = s.analytics();
    if (ga == null) {
      throw new CalltrackException.Invalid("to: the property has no GA4 stream set (marketing.analytics)");
    }
    CallEventForwarder.Event test = CallAnalyticsEvents.test(ga, key);
    if (test == null) {
      throw new CalltrackException.Invalid("to: analytics.endpoint does not end in /mp/collect, so there is no "
          + "validation endpoint to ask");
    }
    return send("analytics", test, null, key);
  }

  private Future<Map<String, Object>> meta(PropertySettings s, String key) {
    PropertySettings.Meta meta = s.meta();
    if (meta == null) {
      throw new CalltrackException.Invalid("to: the property has no Meta pixel set (marketing.meta)");
    }
    if (meta.testEventCode() == null) {
      throw new CalltrackException.Invalid("to: set meta.testEventCode (Events Manager, Test events) to send a "
          + "test event: without it the test would count as a call");
    }
    return send("meta", CallMetaEvents.test(meta, key, clock.instant()), null, key);
  }

  /** Posts {@code event} once ({@code secret} signs it, if any) and says what came back. */
  private Future<Map<String, Object>> send(String to, CallEventForwarder.Event event, String secret, String key) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("to", to);
    out.put("url", WebhookSender.withoutQuery(event.url()));
    return sender.exchange(event.url(), secret, key, event.once(), event.body()).map(answer -> {
      out.put("status", answer.status());
      out.put("delivered", answer.status() / 100 == 2);
      out.put("answer", parsed(answer.body()));
      return out;
    }).recover(err -> {
      out.put("status", null);
      out.put("delivered", false);
      out.put("detail", err.getMessage());
      return Future.succeededFuture(out);
    });
  }

  /** The answer's JSON when it is JSON, else its text (cut), else null. */
  private static Object parsed(String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    try {
      return JsonMapper.tree(text);
    } catch (RuntimeException e) {
      return text.length() > MAX_TEXT ? text.substring(0, MAX_TEXT) : text;
    }
  }
}
