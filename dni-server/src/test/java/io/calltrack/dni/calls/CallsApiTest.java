package io.calltrack.dni.calls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.attribution.Attribution;
import io.calltrack.core.calls.CallEvent;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.CallStatus;
import io.calltrack.core.calls.RedisCallStore;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.core.redis.RedisClientFactory;
import io.calltrack.core.testing.TestRedis;
import io.calltrack.dni.testing.DniClient;
import io.calltrack.dni.testing.DniClient.Reply;
import io.calltrack.dni.testing.DniTestBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code GET /v1/calls} and {@code GET /v1/calls/{callId}} over real HTTP, on records written as the SIP router writes them. */
class CallsApiTest extends DniTestBase {

  private RedisCallStore store;

  private RedisCallStore store() {
    if (store == null) {
      store = new RedisCallStore(RedisClientFactory.create(vertx, TestRedis.url()));
    }
    return store;
  }

  /** An answered call of a minute, written event by event like the router does. */
  private String answeredCall(Instant start) {
    String id = TestRedis.uniqueId("call");
    CallRecord r = CallRecord.started(id, id + "@trunk", PhoneNumber.parse("+15551230001"), "+15557770001", "shop", start)
        .withAttribution("lease", "sess-1", new Attribution("google", "cpc", "spring", "emergency plumber", null,
            "/plumbing", "https://www.google.com/", "gclid-1", null, null, null, null), List.of());
    RedisCallStore store = store();
    DniClient.await(store.apply(new CallEvent(id, 0, CallEvent.Type.STARTED, start, r)));
    r = r.ringing(start.plusSeconds(1)).answered(start.plusSeconds(4), 200);
    DniClient.await(store.apply(new CallEvent(id, 1, CallEvent.Type.ANSWERED, start, r)));
    r = r.ended(start.plusSeconds(64), CallStatus.ANSWERED, null);
    DniClient.await(store.apply(new CallEvent(id, 2, CallEvent.Type.ENDED, start, r)));
    return id;
  }

  /** An answered call of {@code property} at {@code start}. */
  private String callOf(String property, Instant start) {
    String id = TestRedis.uniqueId("call");
    CallRecord r = CallRecord.started(id, id + "@trunk", PhoneNumber.parse("+15551230001"), "+15557770001", property,
        start);
    DniClient.await(store().apply(new CallEvent(id, 0, CallEvent.Type.STARTED, start, r)));
    r = r.answered(start.plusSeconds(4), 200).ended(start.plusSeconds(64), CallStatus.ANSWERED, null);
    DniClient.await(store().apply(new CallEvent(id, 1, CallEvent.Type.ENDED, start, r)));
    return id;
  }

  /**
   * {@code ?property=} lists that property's calls alone, page after page, however many calls other
   * properties have in the same hours; its API keys may ask for them, not for another's or for all.
   */
  @Test
  void aPropertysCallsAreListedAloneAndItsApiKeysMayListThem() {
    Site mine = site(1);
    Site busy = site(1);
    Instant t = Instant.parse("2031-07-0" + (1 + (int) (Math.random() * 8)) + "T10:00:00Z");
    List<String> own = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      own.add(0, callOf(mine.property(), t.plusSeconds(60L * i)));
      for (int j = 0; j < 3; j++) {
        callOf(busy.property(), t.plusSeconds(60L * i + 10 + j)); // a neighbour's calls in between
      }
    }
    String range = "&from=" + q(t) + "&to=" + q(t.plusSeconds(3600));
    List<String> listed = new ArrayList<>();
    String cursor = null;
    do {
      Reply page = api.adminGet("/v1/calls?property=" + mine.property() + "&limit=2" + range
          + (cursor == null ? "" : "&cursor=" + cursor));
      assertEquals(200, page.status(), page::toString);
      for (Object c : page.json().getJsonArray("calls")) {
        assertEquals(mine.property(), ((JsonObject) c).getString("property"), page::toString);
        listed.add(((JsonObject) c).getString("callId"));
      }
      cursor = page.json().getString("next");
    } while (cursor != null);
    assertEquals(own, listed, "the property's five calls, newest first");

    Reply key = api.request(io.vertx.core.http.HttpMethod.POST, "/v1/api-keys", DniClient.body(new JsonObject()
        .put("property", mine.property()).put("scope", "read").put("name", "crm")), api.admin());
    assertEquals(201, key.status(), key::toString);
    io.vertx.core.MultiMap asKey = DniClient.headers("authorization", "Bearer " + key.json().getString("key"));
    Reply byKey = api.request(io.vertx.core.http.HttpMethod.GET, "/v1/calls?property=" + mine.property() + range,
        null, asKey);
    assertEquals(200, byKey.status(), byKey::toString);
    assertEquals(5, byKey.json().getJsonArray("calls").size(), byKey::toString);
    for (String path : List.of("/v1/calls?property=" + busy.property(), "/v1/calls")) {
      Reply refused = api.request(io.vertx.core.http.HttpMethod.GET, path, null, asKey);
      assertEquals(403, refused.status(), path + ": " + refused);
    }
    Reply unknown = api.adminGet("/v1/calls?property=" + TestRedis.uniqueId("nosuch"));
    assertEquals(404, unknown.status(), unknown::toString);
    // an empty property= names none, as in the reports, pools and API keys: every property's calls
    Reply blank = api.adminGet("/v1/calls?property=&limit=50" + range);
    assertEquals(200, blank.status(), blank::toString);
    List<String> properties = blank.json().getJsonArray("calls").stream()
        .map(c -> ((JsonObject) c).getString("property")).toList();
    assertEquals(5, properties.stream().filter(mine.property()::equals).count(), "both properties' calls: " + blank);
    assertEquals(15, properties.stream().filter(busy.property()::equals).count(), "both properties' calls: " + blank);
    Reply blankByKey = api.request(io.vertx.core.http.HttpMethod.GET, "/v1/calls?property=" + range, null, asKey);
    assertEquals(403, blankByKey.status(), "an API key names its property: " + blankByKey);
  }

  private static String q(Instant t) {
    return URLEncoder.encode(t.toString(), StandardCharsets.UTF_8);
  }

  @Test
  void oneCallWithEveryDesignField() {
    Instant start = Instant.parse("2033-05-0" + (1 + (int) (Math.random() * 8)) + "T10:00:00Z").plusMillis((long) (Math.random() * 1e7));
    String id = answeredCall(start);
    Reply reply = api.adminGet("/v1/calls/" + id);
    assertEquals(200, reply.status(), reply::toString);
    JsonObject call = reply.json();
    assertEquals(id, call.getString("callId"));
    assertEquals("+15551230001", call.getString("number"));
    assertEquals("+15557770001", call.getString("caller"));
    assertEquals(start.toString(), call.getString("startedAt"));
    assertEquals(start.plusSeconds(4).toString(), call.getString("answeredAt"));
    assertEquals(start.plusSeconds(64).toString(), call.getString("endedAt"));
    assertEquals("answered", call.getString("status"));
    assertEquals(60, call.getInteger("durationSeconds"));
    assertEquals("sess-1", call.getString("sessionId"));
    JsonObject a = call.getJsonObject("attribution");
    assertEquals("google", a.getString("source"));
    assertEquals("emergency plumber", a.getString("keyword"));
    assertEquals("/plumbing", a.getString("landingPage"));
    assertEquals("gclid-1", a.getString("gclid"));
    assertTrue(call.containsKey("outcome"), "every field is present, null until known");
    assertNull(call.getValue("outcome"));
  }

  @Test
  void pagesThroughAWindowNewestFirst() {
    Instant base = Instant.parse("2034-0" + (1 + (int) (Math.random() * 8)) + "-01T00:00:00Z").plusMillis((long) (Math.random() * 1e9));
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ids.add(answeredCall(base.plusSeconds(i)));
    }
    String window = "/v1/calls?from=" + q(base) + "&to=" + q(base.plusSeconds(5)) + "&limit=2";
    List<String> seen = new ArrayList<>();
    String path = window;
    for (int page = 0; page < 5 && path != null; page++) {
      Reply reply = api.adminGet(path);
      assertEquals(200, reply.status(), reply::toString);
      JsonArray calls = reply.json().getJsonArray("calls");
      calls.forEach(c -> seen.add(((JsonObject) c).getString("callId")));
      String next = reply.json().getString("next");
      path = next == null ? null : window + "&cursor=" + next;
    }
    assertEquals(List.of(ids.get(4), ids.get(3), ids.get(2), ids.get(1), ids.get(0)), seen);
  }

  @Test
  void needsTheAdminToken() {
    Reply reply = api.get("/v1/calls");
    assertEquals(401, reply.status());
    assertEquals("unauthorized", reply.error());
  }

  @Test
  void unknownCallIs404AndBadQueriesAre400() {
    Reply missing = api.adminGet("/v1/calls/" + TestRedis.uniqueId("nope"));
    assertEquals(404, missing.status());
    assertEquals("not_found", missing.error());
    for (String bad : List.of("/v1/calls?from=yesterday", "/v1/calls?limit=0", "/v1/calls?limit=5000",
        "/v1/calls?limit=ten", "/v1/calls?cursor=bm9wZQ", "/v1/calls?from=2030-01-02T00:00:00Z&to=2030-01-01T00:00:00Z")) {
      Reply reply = api.adminGet(bad);
      assertEquals(400, reply.status(), bad + " -> " + reply);
      assertEquals("invalid_request", reply.error(), bad);
    }
  }
}
