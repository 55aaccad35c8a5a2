package io.calltrack.dni.callback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.callback.Callback;
import io.calltrack.core.callback.CallbackKeys;
import io.calltrack.core.callback.CallbackState;
import io.calltrack.core.callback.RedisCallbackStore;
import io.calltrack.core.redis.RedisClientFactory;
import io.calltrack.core.testing.Await;
import io.calltrack.core.testing.TestRedis;
import io.calltrack.dni.testing.DniClient;
import io.calltrack.dni.testing.DniClient.Reply;
import io.calltrack.dni.testing.DniTestBase;
import io.calltrack.dni.testing.TestNumbers;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.RedisAPI;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code POST /v1/callbacks} and {@code GET /v1/callbacks/{id}} over HTTP, on real Redis (no router runs). */
class CallbacksApiTest extends DniTestBase {
  RedisAPI redis;
  Site site;

  @BeforeEach
  void setUp() {
    redis = RedisAPI.api(RedisClientFactory.create(vertx, TestRedis.url()));
    site = site(2);
  }

  /** Callbacks waiting for a router (due or held; none is placed here: no router runs). */
  private long queued(String property) {
    return Await.result(redis.zcard(new CallbackKeys(property).due())).toLong();
  }

  private long pttl(String key) {
    return Await.result(redis.pttl(key)).toLong();
  }

  private Reply ask(JsonObject body) {
    return api.post("/v1/callbacks", body, DniClient.headers("origin", ORIGIN, "content-type", "application/json"));
  }

  private static JsonObject callback(String property, String phone) {
    return new JsonObject().put("property", property).put("phone", phone);
  }

  @Test
  void aVisitorsRequestIsQueuedForTheRouterAndItsStateCanBeRead() {
    String sessionId = api.assign(assignBody(site.property(), null)).json().getString("sessionId");
    Reply r = ask(callback(site.property(), "(312) 555-0123").put("sessionId", sessionId).put("note", "leak"));
    assertEquals(202, r.status(), r::toString);
    assertEquals(ORIGIN, r.header("access-control-allow-origin"));
    String id = r.json().getString("id");
    assertTrue(id.startsWith(site.property() + "."), id);
    assertEquals(1, queued(site.property()));

    JsonObject state = api.adminGet("/v1/callbacks/" + id).json();
    assertEquals("queued", state.getString("state"));
    assertEquals("+13125550123", state.getString("phone"));
    assertEquals(sessionId, state.getString("sessionId"));
    assertEquals("leak", state.getString("note"));
    assertEquals(401, api.get("/v1/callbacks/" + id).status(), "reading a callback is admin only");
    assertEquals(404, api.adminGet("/v1/callbacks/" + site.property() + ".AAAAAAAAAAAAAAAAAAAAAA").status());
  }

  /**
   * {@code GET /v1/callbacks?property=P}: the callbacks the routers have still to place, next first, a
   * page at a time; the property's API key reads them and its callbacks, another property's does not.
   */
  @Test
  void aPropertysPendingCallbacksAreListedNextFirst() {
    List<String> ids = new java.util.ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Reply r = ask(callback(site.property(), "+1312555014" + i));
      assertEquals(202, r.status(), r::toString);
      ids.add(r.json().getString("id"));
    }
    java.util.Collections.sort(ids); // asked within one millisecond or not, ties go by id
    Reply first = api.adminGet("/v1/callbacks?property=" + site.property() + "&limit=2");
    assertEquals(200, first.status(), first::toString);
    JsonArray page = first.json().getJsonArray("callbacks");
    Reply second = api.adminGet("/v1/callbacks?property=" + site.property() + "&limit=2&cursor="
        + first.json().getString("next"));
    assertEquals(200, second.status(), second::toString);
    assertNull(second.json().getValue("next"));
    List<String> listed = new java.util.ArrayList<>();
    page.forEach(c -> listed.add(((JsonObject) c).getString("id")));
    second.json().getJsonArray("callbacks").forEach(c -> listed.add(((JsonObject) c).getString("id")));
    List<String> inOrder = new java.util.ArrayList<>();
    for (Object c : api.adminGet("/v1/callbacks?property=" + site.property()).json().getJsonArray("callbacks")) {
      inOrder.add(((JsonObject) c).getString("id"));
    }
    assertEquals(inOrder, listed, "two pages, the whole list once");
    assertEquals(new java.util.HashSet<>(ids), new java.util.HashSet<>(listed));
    assertEquals("queued", page.getJsonObject(0).getString("state"));

    String key = apiKey(site.property());
    assertEquals(200, api.request(HttpMethod.GET, "/v1/callbacks?property=" + site.property(), null, bearer(key)).status());
    assertEquals(200, api.request(HttpMethod.GET, "/v1/callbacks/" + ids.get(0), null, bearer(key)).status());
    Site other = site(1);
    String othersKey = apiKey(other.property());
    assertEquals(403, api.request(HttpMethod.GET, "/v1/callbacks?property=" + site.property(), null, bearer(othersKey)).status());
    assertEquals(403, api.request(HttpMethod.GET, "/v1/callbacks/" + ids.get(0), null, bearer(othersKey)).status());
    assertEquals(401, api.get("/v1/callbacks?property=" + site.property()).status());
    assertEquals(404, api.adminGet("/v1/callbacks?property=" + TestRedis.uniqueId("none")).status());
    for (String bad : new String[] {"", "?property=", "?property=" + site.property() + "&limit=0",
        "?property=" + site.property() + "&limit=501", "?property=" + site.property() + "&limit=many",
        "?property=" + site.property() + "&cursor=bm90LW9uZQ"}) {
      Reply r = api.adminGet("/v1/callbacks" + bad);
      assertEquals(400, r.status(), bad + ": " + r);
    }
    assertEquals(202, ask(callback(site.property(), "+13125550149")).status(), "POST still public beside the admin GET");
  }

  private String apiKey(String property) {
    Reply r = api.request(HttpMethod.POST, "/v1/api-keys", DniClient.body(new JsonObject().put("property", property)
        .put("scope", "read").put("name", "callbacks")), api.admin());
    assertEquals(201, r.status(), r::toString);
    return r.json().getString("key");
  }

  private static MultiMap bearer(String key) {
    return DniClient.headers("authorization", "Bearer " + key);
  }

  /**
   * A lead form may send the session the snippet stored long ago (its visit since gone with the
   * retention) or one a Redis failover lost: the lead is still taken, unattributed. A malformed id or
   * another property's visit is still refused.
   */
  @Test
  void aVisitTheStoreNoLongerKnowsDoesNotCostTheLead() {
    String forgotten = site.poolId() + ".AAAAAAAAAAAAAAAAAAAAAA";
    Reply r = ask(callback(site.property(), "+13125550126").put("sessionId", forgotten));
    assertEquals(202, r.status(), r::toString);
    JsonObject state = api.adminGet("/v1/callbacks/" + r.json().getString("id")).json();
    assertEquals("+13125550126", state.getString("phone"));
    assertNull(state.getValue("sessionId"), "not attributed to a visit nobody knows: " + state.encode());
    assertEquals(1, queued(site.property()));

    Reply malformed = ask(callback(site.property(), "+13125550127").put("sessionId", "not a session"));
    assertEquals(400, malformed.status(), malformed::toString);
    assertEquals(1, queued(site.property()), "nothing queued for it");
  }

  /** A British property's visitors type British numbers: read in its country, not the default US. */
  @Test
  void aNationalNumberIsReadInThePropertysCountry() {
    String property = TestRedis.uniqueId("pub");
    JsonObject body = propertyBody("+442079460958", ORIGIN).put("timezone", "Europe/London");
    assertEquals(200, api.adminPut("/v1/properties/" + property, body).status());
    Reply r = ask(callback(property, "020 7946 0123"));
    assertEquals(202, r.status(), r::toString);
    assertEquals("+442079460123", api.adminGet("/v1/callbacks/" + r.json().getString("id")).json().getString("phone"));
    Reply emergency = ask(callback(property, "999"));
    assertEquals(400, emergency.status(), emergency::toString);
    assertTrue(emergency.json().getString("detail").contains("emergency"), emergency::toString);
    assertEquals(1, queued(property));
  }

  @ParameterizedTest
  @ValueSource(strings = {"911", "112", "+1 900 555 0123", "+44 909 879 0000", "12345", "call me", "+1 312 555 01",
      "tel:+13125550123", ""})
  void undialableNumbersAreRefusedAndNothingIsQueued(String phone) {
    Reply r = ask(callback(site.property(), phone));
    assertEquals(400, r.status(), r::toString);
    assertTrue(r.json().getString("detail").startsWith("phone"), r::toString);
    assertEquals(0, queued(site.property()));
  }

  @Test
  void aPropertyWithoutABusinessLineCannotTakeCallbacks() {
    String property = TestRedis.uniqueId("noline");
    JsonObject body = propertyBody(TestNumbers.one(), ORIGIN);
    body.remove("businessLine");
    assertEquals(200, api.adminPut("/v1/properties/" + property, body).status());
    Reply r = ask(callback(property, "+13125550123"));
    assertEquals(409, r.status(), r::toString);
    assertTrue(r.json().getString("detail").contains("businessLine"), r::toString);
    assertEquals(0, queued(property));
    assertEquals(404, ask(callback(TestRedis.uniqueId("nobody"), "+13125550123")).status());
  }

  /** A number the property blocks gets no callback: refused (403), nothing queued; other numbers are called. */
  @Test
  void aNumberThePropertyBlocksGetsNoCallback() {
    String property = TestRedis.uniqueId("blocks");
    JsonObject body = propertyBody(TestNumbers.one(), ORIGIN).put("blockedCallers", List.of("+13125550123"));
    assertEquals(200, api.adminPut("/v1/properties/" + property, body).status());
    for (String blocked : List.of("+13125550123", "(312) 555-0123")) {
      Reply r = ask(callback(property, blocked));
      assertEquals(403, r.status(), r::toString);
      assertEquals("forbidden", r.error(), r::toString);
      assertTrue(r.json().getString("detail").contains("takes no callbacks to this number"), r::toString);
    }
    assertEquals(0, queued(property));
    assertEquals(202, ask(callback(property, "+13125550124")).status());
    assertEquals(1, queued(property));
  }

  /** {@code callbacks.missedCalls}: off unless asked, kept as set, and a boolean or nothing. */
  @Test
  void aPropertyAsksForItsMissedCallsToBeCalledBack() {
    String property = TestRedis.uniqueId("returns");
    JsonObject body = propertyBody(TestNumbers.one(), ORIGIN);
    assertEquals(200, api.adminPut("/v1/properties/" + property, body).status());
    assertEquals(false, api.adminGet("/v1/properties/" + property).json().getJsonObject("callbacks")
        .getBoolean("missedCalls"), "off unless asked");
    body.put("callbacks", new JsonObject().put("missedCalls", true).put("attempts", 2));
    assertEquals(200, api.adminPut("/v1/properties/" + property, body).status());
    JsonObject callbacks = api.adminGet("/v1/properties/" + property).json().getJsonObject("callbacks");
    assertEquals(true, callbacks.getBoolean("missedCalls"));
    assertEquals(2, callbacks.getInteger("attempts"));
    Reply refused = api.adminPut("/v1/properties/" + property,
        body.copy().put("callbacks", new JsonObject().put("missedCalls", "yes")));
    assertEquals(400, refused.status(), refused::toString);
    assertTrue(refused.json().getString("detail").contains("callbacks.missedCalls"), refused::toString);
    assertEquals(true, api.adminGet("/v1/properties/" + property).json().getJsonObject("callbacks")
        .getBoolean("missedCalls"), "a refused write changes nothing");
  }

  /** A router placing the property's callback due longest, to its end (none runs in these tests). */
  private void placedByARouter(String property) {
    RedisCallbackStore store = new RedisCallbackStore(redis, clock, RedisCallbackStore.Limits.DEFAULT);
    Callback claimed = Await.result(store.claim(property, "router-1", java.time.Duration.ofSeconds(60), 1)).orElseThrow();
    assertTrue(Await.result(store.finish(claimed.attempt("c1", clock.instant()).ended(CallbackState.COMPLETED, clock.instant(),
        "the lead hung up"), "router-1")));
  }

  /** Two Authorization headers are refused, as on the admin API: a proxy in front could read the other. */
  @Test
  void twoAuthorizationHeadersAreRefused() {
    Reply r = api.request(HttpMethod.POST, "/v1/callbacks", DniClient.body(callback(site.property(), "+13125550123")),
        DniClient.headers("content-type", "application/json", "authorization", "Bearer " + TOKEN,
            "authorization", "Bearer wrong-token"));
    assertEquals(401, r.status(), r::toString);
    assertEquals(0, queued(site.property()), "nothing queued");
  }

  /**
   * A lead form sent twice (a double click, a second tab, an impatient visitor) while the first
   * request is still to be placed is one callback: the business line and the lead are called once.
   */
  @Test
  void aFormSentAgainWhileItsCallbackIsPendingIsThatCallback() {
    double queuedBefore = formRequests("queued");
    double pendingBefore = formRequests("pending");
    String first = ask(callback(site.property(), "+13125550123").put("note", "leak")).json().getString("id");
    Reply again = ask(callback(site.property(), "(312) 555-0123").put("note", "still leaking"));
    assertEquals(202, again.status(), again::toString);
    assertEquals(first, again.json().getString("id"));
    Reply byAdmin = api.request(HttpMethod.POST, "/v1/callbacks",
        DniClient.body(callback(site.property(), "+13125550123")), api.admin());
    assertEquals(first, byAdmin.json().getString("id"), byAdmin::toString);
    assertEquals(1, queued(site.property()));
    assertEquals("leak", api.adminGet("/v1/callbacks/" + first).json().getString("note"), "the first request stands");
    assertEquals(queuedBefore + 1, formRequests("queued"), 0.0001);
    assertEquals(pendingBefore + 2, formRequests("pending"), 0.0001, "the form sent again, twice, counted as such");
    // once it has been placed, asking again is a new callback
    placedByARouter(site.property());
    String later = ask(callback(site.property(), "+13125550123")).json().getString("id");
    assertTrue(!later.equals(first), later);
    assertEquals(1, queued(site.property()));
  }

  @Test
  void aFloodForOnePhoneOrFromOneAddressIsRefusedWith429() {
    for (int i = 0; i < 3; i++) {
      assertEquals(202, ask(callback(site.property(), "+13125550123")).status());
      placedByARouter(site.property());
    }
    Reply flood = ask(callback(site.property(), "+13125550123"));
    assertEquals(429, flood.status(), flood::toString);
    assertEquals("too_many_requests", flood.error());
    assertTrue(flood.json().getString("detail").contains("phone number"), flood::toString);
    assertEquals(0, queued(site.property()));
    // the admin path is limited per phone too
    Reply admin = api.request(HttpMethod.POST, "/v1/callbacks",
        DniClient.body(callback(site.property(), "+13125550123")), api.admin());
    assertEquals(429, admin.status(), admin::toString);
    // per address: 10 requests an hour, whatever the phone
    for (int i = 0; i < 7; i++) {
      assertEquals(202, ask(callback(site.property(), "+1312555020" + i)).status());
    }
    Reply fromOneAddress = ask(callback(site.property(), "+13125550299"));
    assertEquals(429, fromOneAddress.status());
    assertTrue(fromOneAddress.json().getString("detail").contains("address"), fromOneAddress::toString);
    assertEquals(7, queued(site.property()));
    // the next hour (the injected clock) opens new windows
    clock.advance(java.time.Duration.ofHours(1));
    assertEquals(202, ask(callback(site.property(), "+13125550123")).status());
  }

  /**
   * Lead forms from many addresses (a botnet, a form scraper) each within the per-address limit:
   * without a ceiling per property each one would ring the business line. The property says how
   * many requests it takes an hour.
   */
  @Test
  void aPropertyTakesAtMostItsRequestsPerHourFromAllAddresses() {
    String property = TestRedis.uniqueId("capped");
    double refusedBefore = formRequests("refused_site");
    assertEquals(200, api.adminPut("/v1/properties/" + property, propertyBody(TestNumbers.one(), ORIGIN)
        .put("callbacks", new JsonObject().put("requestsPerHour", 5))).status());
    assertEquals(5, api.adminGet("/v1/properties/" + property).json().getJsonObject("callbacks")
        .getInteger("requestsPerHour"));
    for (int i = 0; i < 5; i++) {
      Reply r = api.post("/v1/callbacks", callback(property, "+1312555060" + i),
          DniClient.headers("origin", ORIGIN, "content-type", "application/json", "x-forwarded-for", "198.51.100." + i));
      assertEquals(202, r.status(), r::toString);
    }
    Reply sixth = api.post("/v1/callbacks", callback(property, "+13125550609"),
        DniClient.headers("origin", ORIGIN, "content-type", "application/json", "x-forwarded-for", "198.51.100.9"));
    assertEquals(429, sixth.status(), sixth::toString);
    assertTrue(sixth.json().getString("detail").contains("this hour"), sixth::toString);
    assertEquals(refusedBefore + 1, formRequests("refused_site"), 0.0001, "ops see the flood");
    assertEquals(5, queued(property));
    clock.advance(java.time.Duration.ofHours(1));
    assertEquals(202, api.post("/v1/callbacks", callback(property, "+13125550609"),
        DniClient.headers("origin", ORIGIN, "content-type", "application/json", "x-forwarded-for", "198.51.100.9"))
        .status());
    Reply bad = api.adminPut("/v1/properties/" + property, propertyBody(TestNumbers.one(), ORIGIN)
        .put("callbacks", new JsonObject().put("concurrent", 0)));
    assertEquals(400, bad.status(), bad::toString);
    assertTrue(bad.json().getString("detail").contains("callbacks.concurrent"), bad::toString);
  }

  /**
   * Behind a reverse proxy every request comes from the proxy: counted by the TCP peer, ten visitors'
   * callbacks an hour filled the whole site's allowance. The client is the forwarded address.
   */
  @Test
  void behindATrustedProxyEachVisitorHasTheirOwnAllowance() {
    for (int i = 0; i < 12; i++) {
      Reply r = api.post("/v1/callbacks", callback(site.property(), "+1312555030" + (i % 10)),
          DniClient.headers("origin", ORIGIN, "content-type", "application/json", "x-forwarded-for", "198.51.100." + i));
      assertEquals(202, r.status(), r::toString);
    }
    for (int i = 0; i < 10; i++) {
      assertEquals(202, api.post("/v1/callbacks", callback(site.property(), "+1312555040" + i),
          DniClient.headers("origin", ORIGIN, "content-type", "application/json", "x-forwarded-for",
              "2001:db8:5:5::" + (i + 1))).status());
    }
    Reply sameSlash64 = api.post("/v1/callbacks", callback(site.property(), "+13125550499"),
        DniClient.headers("origin", ORIGIN, "content-type", "application/json", "x-forwarded-for", "2001:db8:5:5::ff"));
    assertEquals(429, sameSlash64.status(), sameSlash64::toString);
  }

  @Test
  void originsTokensAndVisitsAreChecked() {
    Reply foreign = api.post("/v1/callbacks", callback(site.property(), "+13125550123"),
        DniClient.headers("origin", "https://evil.example", "content-type", "application/json"));
    assertEquals(403, foreign.status());
    MultiMap wrongToken = DniClient.headers("authorization", "Bearer nope", "content-type", "application/json");
    assertEquals(401, api.post("/v1/callbacks", callback(site.property(), "+13125550123"), wrongToken).status());
    Reply asAdmin = api.request(HttpMethod.POST, "/v1/callbacks",
        DniClient.body(callback(site.property(), "+13125550124")), api.admin());
    assertEquals(202, asAdmin.status(), asAdmin::toString);
    Site other = site(1);
    String otherVisit = api.assign(assignBody(other.property(), null)).json().getString("sessionId");
    Reply wrongVisit = ask(callback(site.property(), "+13125550125").put("sessionId", otherVisit));
    assertEquals(400, wrongVisit.status(), wrongVisit::toString);
    assertEquals(1, queued(site.property()));
    Reply preflight = api.request(HttpMethod.OPTIONS, "/v1/callbacks?property=" + site.property(), null,
        DniClient.headers("origin", ORIGIN, "access-control-request-method", "POST"));
    assertEquals(204, preflight.status());
  }

  @Test
  void visitsGetTheirRegionsPoolElseTheGeneralOneAndUnmatchedVisitsAreCounted() {
    String property = TestRedis.uniqueId("regions");
    JsonObject body = propertyBody(TestNumbers.one(), ORIGIN)
        .put("timeZoneRegions", new JsonObject().put("America/Chicago", "Chicago"));
    assertEquals(200, api.adminPut("/v1/properties/" + property, body).status());
    List<String> numbers = TestNumbers.block(3);
    assertEquals(200, api.adminPut("/v1/pools/" + TestRedis.uniqueId("chicago"),
        poolBody(property, List.of(numbers.get(0)), 60, 60, "fallback")
            .put("match", new JsonObject().put("region", "chicago"))).status());
    assertEquals(200, api.adminPut("/v1/pools/" + TestRedis.uniqueId("boston"),
        poolBody(property, List.of(numbers.get(1)), 60, 60, "fallback")
            .put("match", new JsonObject().put("region", "Boston").put("landingPage", "/landing/"))).status());
    JsonObject byZone = api.assign(assignBody(property, null).put("timeZone", "America/Chicago")).json();
    assertEquals(numbers.get(0), byZone.getString("number"));
    JsonObject bySite = api.assign(assignBody(property, null).put("region", "Boston")
        .put("timeZone", "America/Chicago")).json();
    assertEquals(numbers.get(1), bySite.getString("number"), "the site's region wins over the time zone's");
    double before = unmatched();
    JsonObject nowhere = api.assign(assignBody(property, null).put("region", "Denver")).json();
    assertTrue(nowhere.getBoolean("fallback"));
    assertEquals(before + 1, unmatched(), 0.0001);
    assertEquals(200, api.adminPut("/v1/pools/" + TestRedis.uniqueId("general"),
        poolBody(property, List.of(numbers.get(2)), 60, 60, "fallback")).status());
    assertEquals(numbers.get(2), api.assign(assignBody(property, null).put("region", "Denver")).json().getString("number"));
    Reply badMatch = api.adminPut("/v1/pools/" + TestRedis.uniqueId("bad"), poolBody(property,
        TestNumbers.block(1), 60, 60, "fallback").put("match", new JsonObject().put("landingPage", "landing")));
    assertEquals(400, badMatch.status());
    assertTrue(badMatch.json().getString("detail").contains("match.landingPage"), badMatch::toString);
    assertEquals(new JsonArray().add("Chicago"), new JsonArray().add(api.adminGet("/v1/properties/" + property)
        .json().getJsonObject("timeZoneRegions").getString("America/Chicago")));
  }

  private double unmatched() {
    return metric("calltrack_assign_unmatched_total");
  }

  /** The value of the series {@code series} (name and labels as /metrics prints them); 0 if absent. */
  private double metric(String series) {
    String text = api.get("/metrics").text();
    for (String line : text.split("\n")) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return 0;
  }

  private double formRequests(String result) {
    return metric("calltrack_callback_form_requests_total{result=\"" + result + "\"}");
  }

  @Test
  void erasingACallerDeletesTheCallbacksAskedForTheirNumber() {
    String phone = TestNumbers.lead();
    String exchange = phone.substring(5, 8);
    String line = phone.substring(8);
    String sessionId = api.assign(assignBody(site.property(), null)).json().getString("sessionId");
    String mine = ask(callback(site.property(), phone).put("sessionId", sessionId).put("note", "leak"))
        .json().getString("id");
    placedByARouter(site.property());
    String again = ask(callback(site.property(), "(312) " + exchange + "-" + line)).json().getString("id");
    String someoneElses = ask(callback(site.property(), "+13125550177")).json().getString("id");
    assertEquals(2, queued(site.property()));

    Reply erased = api.request(HttpMethod.DELETE, "/v1/callers/%2B" + phone.substring(1), null, api.admin());
    assertEquals(200, erased.status(), erased::toString);
    assertEquals(2, erased.json().getInteger("callbacks"), "the one placed and the one waiting");
    assertEquals(404, api.adminGet("/v1/callbacks/" + mine).status());
    assertEquals(404, api.adminGet("/v1/callbacks/" + again).status());
    assertEquals(1, queued(site.property()), "an erased callback is never placed");
    assertEquals("+13125550177", api.adminGet("/v1/callbacks/" + someoneElses).json().getString("phone"));
    // nothing with the number is left under the property's callback keys (index, request counters)
    assertEquals(0, Await.result(redis.keys("{cb:" + site.property() + "}*" + phone.substring(1) + "*")).size());
    assertEquals(0, api.request(HttpMethod.DELETE, "/v1/callers/%2B" + phone.substring(1), null, api.admin()).json()
        .getInteger("callbacks"), "erasing again finds nothing");
  }

  @Test
  void aCallbackIsKeptForThePropertysRetention() {
    String twoDays = TestRedis.uniqueId("kept");
    assertEquals(200, api.adminPut("/v1/properties/" + twoDays, propertyBody(TestNumbers.one(), ORIGIN)
        .put("retention", new JsonObject().put("callerNumbersDays", 2).put("callRecordsDays", 400))).status());
    String records = TestRedis.uniqueId("kept");
    assertEquals(200, api.adminPut("/v1/properties/" + records, propertyBody(TestNumbers.one(), ORIGIN)
        .put("retention", new JsonObject().put("callRecordsDays", 5))).status());

    long day = java.time.Duration.ofDays(1).toMillis();
    String a = ask(callback(twoDays, "+13125550123")).json().getString("id");
    long ttl = pttl(new CallbackKeys(twoDays).callback(a));
    assertTrue(ttl > 2 * day - 600_000 && ttl <= 2 * day, "callerNumbersDays: " + ttl);
    long indexTtl = pttl(new CallbackKeys(twoDays).phone("+13125550123"));
    assertTrue(indexTtl > 2 * day - 600_000 && indexTtl <= 2 * day, "the phone's index goes with it: " + indexTtl);
    String b = ask(callback(records, "+13125550123")).json().getString("id");
    ttl = pttl(new CallbackKeys(records).callback(b));
    assertTrue(ttl > 5 * day - 600_000 && ttl <= 5 * day, "else callRecordsDays: " + ttl);
    String c = ask(callback(site.property(), "+13125550123")).json().getString("id");
    ttl = pttl(new CallbackKeys(site.property()).callback(c));
    assertTrue(ttl > 30 * day - 600_000 && ttl <= 30 * day, "else 30 days: " + ttl);
  }
}
