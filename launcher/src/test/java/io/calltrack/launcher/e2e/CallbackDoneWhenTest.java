package io.calltrack.launcher.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.calltrack.core.testing.Await;
import io.calltrack.core.testing.TestNumbers;
import io.calltrack.core.testing.TestRedis;
import io.calltrack.dni.DniServer;
import io.calltrack.dni.DniServerOptions;
import io.calltrack.localredis.EmbeddedRedis;
import io.calltrack.sip.callback.CallbackDialer;
import io.calltrack.sip.callback.CallbackOptions;
import io.calltrack.sip.testing.SipPhone;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.sip.address.SipURI;
import javax.sip.message.Request;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15's second done-when, over the product's own entry points: a visit gets a number from
 * dni-server, its lead form asks for a callback ({@code POST /v1/callbacks}), the router's callback
 * dialer calls the business line (a JAIN-SIP phone) first, then the lead through the outbound trunk
 * (another JAIN-SIP phone), bridges them, the lead's BYE ends both legs, and the call shows in
 * {@code GET /v1/calls} as a callback attributed to the visit. A refused number is never dialled.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class CallbackDoneWhenTest {
  static final String TOKEN = "e2e-admin-token-0123456789";
  static final String ORIGIN = "https://www.plumber.example";
  static final Duration WAIT = Duration.ofSeconds(30);
  static final String OFFER = "v=0\r\no=line 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
      + "m=audio 40000 RTP/AVP 0\r\n";
  static final String ANSWER = "v=0\r\no=lead 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
      + "m=audio 42000 RTP/AVP 0\r\n";

  @TempDir Path spool;

  @Test
  void aVisitsCallbackCallsTheBusinessLineThenTheLeadAndIsAttributedToTheVisit() {
    Vertx vertx = Vertx.vertx();
    try (SipPhone business = SipPhone.start("business"); SipPhone trunk = SipPhone.start("trunk")) {
      business.answerSdp = OFFER;
      trunk.answerSdp = ANSWER;
      DniServer dni = Await.result(DniServer.start(vertx, DniServerOptions.of(TestRedis.url(), TOKEN)
          .withStoreTimeout(Duration.ofSeconds(20)))); // a loaded build machine must not turn the visit into a fallback
      CallbackDialer dialer = Await.result(CallbackDialer.start(vertx, new CallbackOptions("127.0.0.1",
          EmbeddedRedis.freePort(), "sip:127.0.0.1:" + trunk.port, TestRedis.url(), spool,
          new SimpleMeterRegistry(), Clock.systemUTC(), Duration.ofMillis(200))));
      WebClient http = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
          .setDefaultPort(dni.port()));
      try {
        String property = TestRedis.uniqueId("plumber");
        String printed = TestNumbers.fresh().e164();
        assertEquals(200, send(http, HttpMethod.PUT, "/v1/properties/" + property, new JsonObject()
            .put("allowedOrigins", new JsonArray().add(ORIGIN)).put("swapNumbers", new JsonArray().add(printed))
            .put("businessLine", business.uri("+15559990000", "udp")).put("timezone", "UTC"), true).statusCode());
        assertEquals(200, send(http, HttpMethod.PUT, "/v1/pools/" + TestRedis.uniqueId("paid"), new JsonObject()
            .put("property", property).put("numbers", new JsonArray().add(TestNumbers.fresh().e164())), true)
            .statusCode());

        // the visit, from a Google ad, then its lead form
        JsonObject visit = send(http, HttpMethod.POST, "/v1/assign", new JsonObject().put("property", property)
            .put("page", new JsonObject().put("url", ORIGIN + "/drains?utm_source=google&utm_medium=cpc"))
            .put("attribution", new JsonObject().put("source", "google").put("medium", "cpc")), false)
            .bodyAsJsonObject();
        assertEquals(false, visit.getBoolean("fallback"), visit::encode);
        String sessionId = visit.getString("sessionId");
        HttpResponse<Buffer> refused = send(http, HttpMethod.POST, "/v1/callbacks", new JsonObject()
            .put("property", property).put("phone", "1-900-555-0123").put("sessionId", sessionId), false);
        assertEquals(400, refused.statusCode(), refused.bodyAsString());
        HttpResponse<Buffer> asked = send(http, HttpMethod.POST, "/v1/callbacks", new JsonObject()
            .put("property", property).put("phone", "(312) 555-0123").put("sessionId", sessionId)
            .put("note", "water everywhere"), false);
        assertEquals(202, asked.statusCode(), asked.bodyAsString());
        String id = asked.bodyAsJsonObject().getString("id");

        // business line first, without an offer; then the lead, through the trunk, with its offer
        Request toBusiness = business.awaitRequest(Request.INVITE, WAIT);
        assertNull(toBusiness.getRawContent());
        Request toLead = trunk.awaitRequest(Request.INVITE, WAIT);
        assertEquals("+13125550123", ((SipURI) toLead.getRequestURI()).getUser());
        assertEquals(OFFER, new String(toLead.getRawContent(), StandardCharsets.UTF_8));
        Request ack = Await.until(WAIT, () -> business.requests.stream()
            .filter(r -> Request.ACK.equals(r.getMethod())).findFirst().orElse(null), r -> r != null);
        assertEquals(ANSWER, new String(ack.getRawContent(), StandardCharsets.UTF_8), "bridged");
        Await.until(WAIT, () -> "connected".equals(callback(http, id).getString("state")));

        trunk.bye(); // the lead hangs up: the business line's leg ends too
        business.awaitRequest(Request.BYE, WAIT);
        JsonObject done = Await.until(WAIT, () -> callback(http, id), c -> "completed".equals(c.getString("state")));

        JsonObject call = Await.until(WAIT, () -> send(http, HttpMethod.GET, "/v1/calls/" + done.getString("callId"),
            null, true), r -> r.statusCode() == 200 && r.bodyAsJsonObject().getString("endedAt") != null)
            .bodyAsJsonObject();
        assertEquals("callback", call.getString("direction"));
        assertEquals("answered", call.getString("status"));
        assertEquals("+13125550123", call.getString("caller"));
        assertEquals(sessionId, call.getString("sessionId"));
        assertEquals("google", call.getJsonObject("attribution").getString("source"));
        JsonArray listed = send(http, HttpMethod.GET, "/v1/calls?limit=500", null, true).bodyAsJsonObject()
            .getJsonArray("calls");
        assertEquals(1, listed.stream().filter(c -> done.getString("callId").equals(((JsonObject) c)
            .getString("callId"))).count(), "in the list of calls too");
        // the refused number was never dialled: one INVITE each, to the business line and to the lead
        assertEquals(1, business.count(Request.INVITE));
        assertEquals(1, trunk.count(Request.INVITE));
        assertEquals(List.of("+13125550123"), trunk.requests.stream().filter(r -> Request.INVITE.equals(r.getMethod()))
            .map(r -> ((SipURI) r.getRequestURI()).getUser()).toList());
      } finally {
        http.close();
        Await.result(dialer.close());
        Await.result(dni.close());
      }
    } finally {
      Await.result(vertx.close());
    }
  }

  private static JsonObject callback(WebClient http, String id) {
    return send(http, HttpMethod.GET, "/v1/callbacks/" + id, null, true).bodyAsJsonObject();
  }

  private static HttpResponse<Buffer> send(WebClient http, HttpMethod method, String path, JsonObject body,
      boolean admin) {
    var req = http.request(method, path);
    if (admin) {
      req.bearerTokenAuthentication(TOKEN);
    } else {
      req.putHeader("origin", ORIGIN);
    }
    Future<HttpResponse<Buffer>> sent = body == null ? req.send() : req.sendJsonObject(body);
    return Await.result(sent);
  }
}
