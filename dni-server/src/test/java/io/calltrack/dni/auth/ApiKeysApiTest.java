package io.calltrack.dni.auth;

import static io.calltrack.dni.testing.DniClient.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.auth.ApiKeys;
import io.calltrack.core.redis.RedisClientFactory;
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
import io.vertx.redis.client.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * API keys over real HTTP and real Redis: a key opens the admin API of its one property, read keys
 * only for GET; everything else (another property, global endpoints, key management) is 403; a
 * revoked key is 401; Redis holds only the key's SHA-256.
 */
class ApiKeysApiTest extends DniTestBase {

  String issue(String property, String scope) {
    Reply r = api.request(HttpMethod.POST, "/v1/api-keys",
        DniClient.body(new JsonObject().put("property", property).put("scope", scope).put("name", "ci")), api.admin());
    assertEquals(201, r.status(), r::toString);
    JsonObject k = r.json();
    assertEquals(property, k.getString("property"));
    assertEquals(scope, k.getString("scope"));
    assertNotNull(k.getString("id"));
    assertTrue(k.getString("key").startsWith("ctk_" + k.getString("id") + "_"), k::encode);
    return k.getString("key");
  }

  static MultiMap as(String key) {
    return DniClient.headers("authorization", "Bearer " + key, "content-type", "application/json");
  }

  Reply get(String key, String path) {
    return api.request(HttpMethod.GET, path, null, as(key));
  }

  Reply put(String key, String path, JsonObject body) {
    return api.request(HttpMethod.PUT, path, DniClient.body(body), as(key));
  }

  Reply send(String key, HttpMethod method, String path, JsonObject body) {
    return api.request(method, path, body == null ? null : DniClient.body(body), as(key));
  }

  static void forbidden(Reply r) {
    assertEquals(403, r.status(), r::toString);
    assertEquals("forbidden", r.error(), r::toString);
  }

  @Test
  void aReadKeyReadsItsPropertyOnly() {
    Site a = site(2);
    Site b = site(2);
    String read = issue(a.property(), "read");

    assertEquals(200, get(read, "/v1/properties/" + a.property()).status());
    assertEquals(200, get(read, "/v1/properties/" + a.property() + "/pools").status());
    assertEquals(200, get(read, "/v1/pools/" + a.poolId()).status());
    assertEquals(200, get(read, "/v1/pools?property=" + a.property()).status());
    Reply roi = get(read, "/v1/reports/roi?property=" + a.property() + "&from=2026-03-01&to=2026-03-02");
    assertEquals(200, roi.status(), roi::toString);

    // writing, even its own property
    forbidden(put(read, "/v1/properties/" + a.property(), propertyBody(a.defaultNumber(), ORIGIN)));
    // another property, by path, by owner and by query
    forbidden(get(read, "/v1/properties/" + b.property()));
    forbidden(get(read, "/v1/pools/" + b.poolId()));
    forbidden(get(read, "/v1/reports/roi?property=" + b.property() + "&from=2026-03-01&to=2026-03-02"));
    // naming no property, or something that does not exist
    forbidden(get(read, "/v1/pools"));
    forbidden(get(read, "/v1/pools/" + TestRedis.uniqueId("nopool")));
    // global endpoints are the admin token's
    forbidden(get(read, "/v1/properties"));
    forbidden(get(read, "/v1/calls"));
    forbidden(get(read, "/v1/api-keys"));
    forbidden(get(read, "/v1/reports/portfolio"));
    // the dashboard's picker answers a key its own property alone (a client's dashboard)
    Reply picker = get(read, "/v1/dashboard/properties");
    assertEquals(200, picker.status(), picker::toString);
    assertEquals(List.of(a.property()), picker.json().getJsonArray("properties").stream()
        .map(p -> ((JsonObject) p).getString("id")).toList());
    assertEquals(false, picker.json().getBoolean("admin"));
  }

  @Test
  void aWriteKeyWritesItsPropertyOnlyAndCannotManageKeys() {
    Site a = site(2);
    Site b = site(2);
    String write = issue(a.property(), "write");

    Reply changed = put(write, "/v1/properties/" + a.property(),
        propertyBody(a.defaultNumber(), ORIGIN).put("timezone", "Europe/Berlin"));
    assertEquals(200, changed.status(), changed::toString);
    assertEquals("Europe/Berlin", api.adminGet("/v1/properties/" + a.property()).json().getString("timezone"));
    String newPool = TestRedis.uniqueId("pool");
    Reply created = put(write, "/v1/pools/" + newPool, poolBody(a.property(), TestNumbers.block(2), 120, 1800, "fallback"));
    assertEquals(200, created.status(), created::toString);
    assertEquals(200, get(write, "/v1/pools/" + newPool).status());

    // another property's pool, taking it over, or a new pool for another property
    forbidden(put(write, "/v1/pools/" + b.poolId(), poolBody(a.property(), b.numbers(), 120, 1800, "fallback")));
    forbidden(put(write, "/v1/pools/" + a.poolId(), poolBody(b.property(), a.numbers(), 120, 1800, "fallback")));
    forbidden(put(write, "/v1/pools/" + TestRedis.uniqueId("pool"),
        poolBody(b.property(), TestNumbers.block(2), 120, 1800, "fallback")));
    forbidden(put(write, "/v1/properties/" + b.property(), propertyBody(b.defaultNumber(), ORIGIN)));
    assertEquals(a.property(), api.adminGet("/v1/pools/" + a.poolId()).json().getString("property"));
    // a number another property uses is taken, without naming that property's pool
    Reply taken = put(write, "/v1/pools/" + newPool, poolBody(a.property(), List.of(b.numbers().get(0)), 120, 1800, "fallback"));
    assertEquals(409, taken.status(), taken::toString);
    assertEquals(b.numbers().get(0) + " is in use by another property", taken.json().getString("detail"));
    // one of its own pools is named: the key may read it anyway
    Reply own = put(write, "/v1/pools/" + newPool, poolBody(a.property(), List.of(a.numbers().get(0)), 120, 1800, "fallback"));
    assertEquals(409, own.status(), own::toString);
    assertTrue(own.json().getString("detail").endsWith("belongs to pool " + a.poolId()), own::toString);
    Reply fixed = put(write, "/v1/numbers/" + b.numbers().get(1), new JsonObject().put("property", a.property())
        .put("source", "print"));
    assertEquals(409, fixed.status(), fixed::toString);
    assertEquals(b.numbers().get(1) + " is in use by another property", fixed.json().getString("detail"));
    // key management and erasure are the admin token's
    forbidden(send(write, HttpMethod.POST, "/v1/api-keys",
        new JsonObject().put("property", a.property()).put("scope", "write")));
    forbidden(send(write, HttpMethod.DELETE, "/v1/callers/%2B14155550100", null));
    forbidden(send(write, HttpMethod.DELETE, "/v1/visitors/v1", null));
    forbidden(send(write, HttpMethod.POST, "/v1/outcomes", new JsonObject()));
  }

  /**
   * The business line is where the router sends the property's calls and the callback dialer rings: a
   * write key may keep the one it has, or point it at a public host, but not into the operator's own
   * network; nobody may make it a premium-rate or emergency number.
   */
  @Test
  void aWriteKeyPointsTheBusinessLineOnlyAtPublicHosts() {
    Site a = site(2);
    String write = issue(a.property(), "write");
    String path = "/v1/properties/" + a.property();

    for (String inside : List.of("sip:+13125550123@10.0.0.5:5060", "sip:9011882@127.0.0.1", "sip:x@169.254.169.254",
        "sip:x@[fd00::1]", "sip:x@localhost:5080")) {
      Reply r = put(write, path, propertyBody(a.defaultNumber(), ORIGIN).put("businessLine", inside));
      forbidden(r);
      assertTrue(r.json().getString("detail").contains("not a public address"), r::toString);
    }
    assertEquals("sip:+15559990000@127.0.0.1:5070", api.adminGet(path).json().getString("businessLine"),
        "nothing was changed");

    // the line the admin set is kept by a key that changes something else
    Reply kept = put(write, path, propertyBody(a.defaultNumber(), ORIGIN).put("timezone", "Europe/Paris"));
    assertEquals(200, kept.status(), kept::toString);
    // a public host is the tenant's own business
    Reply moved = put(write, path, propertyBody(a.defaultNumber(), ORIGIN).put("businessLine", "sip:+13125550123@203.0.113.7:5060"));
    assertEquals(200, moved.status(), moved::toString);
    // and once it is public, it may not go back inside
    forbidden(put(write, path, propertyBody(a.defaultNumber(), ORIGIN)));
    assertEquals("sip:+13125550123@203.0.113.7:5060", api.adminGet(path).json().getString("businessLine"));
    // the admin token may point it anywhere
    assertEquals(200, api.request(HttpMethod.PUT, path, DniClient.body(propertyBody(a.defaultNumber(), ORIGIN)
        .put("businessLine", "sip:201@10.0.0.5")), api.admin()).status());

    // a premium-rate or emergency number is nobody's line: 400 in the client's terms
    for (String[] bad : List.of(new String[] {"sip:+19005550123@203.0.113.7", "premium-rate"},
        new String[] {"sip:911@203.0.113.7", "emergency"})) {
      Reply r = api.request(HttpMethod.PUT, path, DniClient.body(propertyBody(a.defaultNumber(), ORIGIN)
          .put("businessLine", bad[0])), api.admin());
      assertEquals(400, r.status(), r::toString);
      assertTrue(r.json().getString("detail").contains(bad[1]) && r.json().getString("detail").contains(bad[0]), r::toString);
    }
    assertEquals("sip:201@10.0.0.5", api.adminGet(path).json().getString("businessLine"));
  }

  /**
   * The property keeps which of its lines a key set (the router then holds those to public addresses
   * at every call, whatever their names resolve to later), overflow lines as the business line: a key
   * cannot clear a mark, keeping a line keeps its mark, a line the operator set and a key kept stays the
   * operator's, and only the admin token sets the marks either way (a property it reads back and PUTs
   * keeps them).
   */
  @Test
  void thePropertyKeepsWhichOfItsLinesAKeySet() {
    Site a = site(1);
    String write = issue(a.property(), "write");
    String path = "/v1/properties/" + a.property();
    String inside = "sip:+15559990000@127.0.0.1:5070"; // the line the admin token set
    String outside = "sip:+13125550123@203.0.113.7:5060";
    String overflow = "sip:201@203.0.113.8";
    assertEquals(List.of(), linesSetByKey(path), "the admin token set it");
    Reply kept = put(write, path, propertyBody(a.defaultNumber(), ORIGIN).put("linesSetByKey", List.of(inside)));
    assertEquals(200, kept.status(), kept::toString);
    assertEquals(List.of(), linesSetByKey(path), "the line the admin token set, kept");
    // an overflow line the key adds is its own; the operator's private line it kept is still the operator's
    JsonObject withOverflow = propertyBody(a.defaultNumber(), ORIGIN)
        .put("overflow", new JsonObject().put("lines", List.of(overflow)));
    assertEquals(200, put(write, path, withOverflow).status());
    assertEquals(List.of(overflow), linesSetByKey(path));
    Reply refused = put(write, path, propertyBody(a.defaultNumber(), ORIGIN)
        .put("overflow", new JsonObject().put("lines", List.of(overflow, "sip:202@10.0.0.9"))));
    forbidden(refused);
    assertTrue(refused.json().getString("detail").startsWith("overflow.lines[1] host 10.0.0.9"), refused::toString);

    Reply moved = put(write, path, withOverflow.copy().put("businessLine", outside));
    assertEquals(200, moved.status(), moved::toString);
    assertEquals(List.of(outside, overflow), moved.json().getJsonArray("linesSetByKey").getList());
    for (JsonObject again : List.of(withOverflow.copy().put("businessLine", outside).put("linesSetByKey", List.of()),
        withOverflow.copy().put("businessLine", outside).put("timezone", "Europe/Paris"))) {
      assertEquals(200, put(write, path, again).status());
      assertEquals(List.of(outside, overflow), linesSetByKey(path), again::toString);
    }
    // the admin token: a property read back and PUT keeps the marks; one PUT without them is the operator's
    JsonObject read = api.adminGet(path).json();
    assertEquals(200, api.request(HttpMethod.PUT, path, DniClient.body(read.put("name", "Renamed")), api.admin()).status());
    assertEquals(List.of(outside, overflow), linesSetByKey(path));
    read.remove("linesSetByKey");
    assertEquals(200, api.request(HttpMethod.PUT, path, DniClient.body(read), api.admin()).status());
    assertEquals(List.of(), linesSetByKey(path));
  }

  /**
   * Overflow lines are checked as the business line is, each named in the client's terms
   * ({@code overflow.lines[i]}), and a refused body changes nothing.
   */
  @Test
  void overflowLinesAreCheckedAsTheBusinessLineIs() {
    Site a = site(1);
    String path = "/v1/properties/" + a.property();
    java.util.function.Function<JsonObject, Reply> admin = body -> api.request(HttpMethod.PUT, path,
        DniClient.body(propertyBody(a.defaultNumber(), ORIGIN).put("overflow", body)), api.admin());
    String[][] bad = {
        {"{\"lines\": [\"sip:1@203.0.113.1\", \"sip:2@203.0.113.2\", \"sip:3@203.0.113.3\", \"sip:4@203.0.113.4\"]}",
            "overflow.lines must have at most 3"},
        {"{\"lines\": []}", "overflow.lines must"},
        {"{\"lines\": [\"sip:1@203.0.113.1\"], \"ringSeconds\": 0}", "overflow.ringSeconds must be at least 1"},
        {"{\"lines\": [\"sip:1@203.0.113.1\"], \"ringSeconds\": \"soon\"}", "ringSeconds"},
        {"{\"lines\": [\"sip:+19005550123@203.0.113.7\"]}", "overflow.lines[0] calls a premium-rate"},
        {"{\"lines\": [\"sip:1@203.0.113.1\", \"sip:911@203.0.113.7\"]}", "overflow.lines[1] calls an emergency"},
        {"{\"lines\": [\"sip:1@10.0.0.5@203.0.113.7\"]}", "overflow.lines[0] must be a SIP URI"},
        {"{\"lines\": [\"sip:+15559990000@127.0.0.1:5070\"]}", "overflow.lines names the businessLine"},
        {"{\"lines\": [\"sip:1@203.0.113.1\", \"sip:1@203.0.113.1\"]}", "names a line twice"}};
    eachRefused(admin, bad);
    assertEquals(null, api.adminGet(path).json().getValue("overflow"), "nothing was changed");
    Reply noLine = api.request(HttpMethod.PUT, path, DniClient.body(propertyBody(a.defaultNumber(), ORIGIN)
        .putNull("businessLine").put("overflow", new JsonObject().put("lines", List.of("sip:1@203.0.113.1")))), api.admin());
    assertEquals(400, noLine.status(), noLine::toString);
    assertTrue(noLine.json().getString("detail").contains("overflow needs a businessLine"), noLine::toString);

    Reply ok = admin.apply(new JsonObject().put("lines", List.of("sip:201@203.0.113.8", "sip:voicemail@10.0.0.9")));
    assertEquals(200, ok.status(), ok::toString);
    assertEquals(new JsonObject().put("lines", List.of("sip:201@203.0.113.8", "sip:voicemail@10.0.0.9"))
        .put("ringSeconds", 20), api.adminGet(path).json().getJsonObject("overflow"));
  }

  /**
   * A property's after-hours routing: its hours checked as opening hours are, its line as the business
   * line is ({@code afterHours.line} in errors, 403 for a key's private line), a refused body changes
   * nothing, and what is stored reads back.
   */
  @Test
  void afterHoursAreCheckedAsOpeningHoursAndTheLineAsTheBusinessLineIs() {
    Site a = site(1);
    String path = "/v1/properties/" + a.property();
    java.util.function.Function<JsonObject, Reply> admin = body -> api.request(HttpMethod.PUT, path,
        DniClient.body(propertyBody(a.defaultNumber(), ORIGIN).put("afterHours", body)), api.admin());
    String weekdays = "\"hours\": {\"monday\": [\"09:00\", \"17:00\"]}";
    String[][] bad = {
        {"{\"line\": \"sip:night@203.0.113.9\"}", "afterHours.hours is required"},
        {"{\"hours\": {}, \"line\": \"sip:night@203.0.113.9\"}", "afterHours.hours must name the weekdays"},
        {"{\"hours\": {\"funday\": [\"09:00\", \"17:00\"]}, \"line\": \"sip:night@203.0.113.9\"}",
            "afterHours.hours keys are weekdays"},
        {"{\"hours\": {\"monday\": [\"17:00\", \"09:00\"]}, \"line\": \"sip:night@203.0.113.9\"}",
            "afterHours.hours.monday: opening must be before closing"},
        {"{\"hours\": {\"monday\": [\"9am\", \"5pm\"]}, \"line\": \"sip:night@203.0.113.9\"}",
            "afterHours.hours.monday must be [\"HH:MM\", \"HH:MM\"]"},
        {"{" + weekdays + "}", "afterHours.line is required"},
        {"{" + weekdays + ", \"line\": \"night@203.0.113.9\"}", "afterHours.line must be a SIP URI"},
        {"{" + weekdays + ", \"line\": \"sip:+19005550123@203.0.113.7\"}", "afterHours.line calls a premium-rate"},
        {"{" + weekdays + ", \"line\": \"sip:1@10.0.0.5@203.0.113.7\"}", "afterHours.line must be a SIP URI"}};
    eachRefused(admin, bad);
    assertEquals(null, api.adminGet(path).json().getValue("afterHours"), "nothing was changed");
    JsonObject night = new JsonObject("{" + weekdays + ", \"line\": \"sip:night@10.0.0.9\"}");
    Reply noLine = api.request(HttpMethod.PUT, path, DniClient.body(propertyBody(a.defaultNumber(), ORIGIN)
        .putNull("businessLine").put("afterHours", night)), api.admin());
    assertEquals(400, noLine.status(), noLine::toString);
    assertTrue(noLine.json().getString("detail").contains("afterHours needs a businessLine"), noLine::toString);

    // a write key may not point the night line at the operator's network
    Reply byKey = put(issue(a.property(), "write"), path, propertyBody(a.defaultNumber(), ORIGIN)
        .put("businessLine", "sip:+15559990000@127.0.0.1:5070").put("afterHours", night));
    forbidden(byKey);
    assertTrue(byKey.json().getString("detail").contains("afterHours.line host 10.0.0.9"), byKey::toString);
    assertEquals(null, api.adminGet(path).json().getValue("afterHours"), "nothing was changed");

    Reply ok = admin.apply(new JsonObject().put("line", "sip:night@203.0.113.9").put("hours", new JsonObject()
        .put("friday", List.of("09:30", "16:00")).put("monday", List.of(" 09:00", "17:00"))));
    assertEquals(200, ok.status(), ok::toString);
    assertEquals(new JsonObject().put("hours", new JsonObject().put("monday", List.of("09:00", "17:00"))
            .put("friday", List.of("09:30", "16:00"))).put("line", "sip:night@203.0.113.9"),
        api.adminGet(path).json().getJsonObject("afterHours"));
  }

  /** Each {@code {body, detail}} of {@code bad}, sent by {@code put}, is a 400 whose detail says {@code detail}. */
  private static void eachRefused(java.util.function.Function<JsonObject, Reply> put, String[][] bad) {
    for (String[] b : bad) {
      Reply r = put.apply(new JsonObject(b[0]));
      assertEquals(400, r.status(), () -> b[0] + " -> " + r);
      assertEquals("invalid_request", r.error());
      assertTrue(r.json().getString("detail").contains(b[1]), () -> b[0] + " -> " + r);
    }
  }

  private List<Object> linesSetByKey(String path) {
    io.vertx.core.json.JsonArray marked = api.adminGet(path).json().getJsonArray("linesSetByKey");
    return marked == null ? List.of() : marked.getList();
  }

  /**
   * A line whose last '@' is in its headers or a second userinfo names a private host to the router
   * (which reads the host after the first '@') and a public one to a check that reads the last: such
   * a line is no SIP URI a request may be sent to, and is refused before any host is looked at.
   */
  @Test
  void aWriteKeyCannotHideAPrivateHostBehindASecondAt() {
    Site a = site(1);
    String write = issue(a.property(), "write");
    String path = "/v1/properties/" + a.property();
    for (String hidden : List.of("sip:+13125550123@10.0.0.5?x=@203.0.113.7", "sip:+13125550123@10.0.0.5;x=@203.0.113.7",
        "sip:+13125550123@10.0.0.5@203.0.113.7")) {
      Reply r = put(write, path, propertyBody(a.defaultNumber(), ORIGIN).put("businessLine", hidden));
      assertEquals(400, r.status(), () -> hidden + " -> " + r);
      assertEquals("invalid_request", r.error());
    }
    assertEquals("sip:+15559990000@127.0.0.1:5070", api.adminGet(path).json().getString("businessLine"),
        "nothing was changed");
  }

  @Test
  void revokedAndForgedKeysAre401AndKeysAreListedWithoutSecrets() {
    Site a = site(2);
    String read = issue(a.property(), "read");
    String write = issue(a.property(), "write");
    String id = read.substring("ctk_".length(), read.indexOf('_', "ctk_".length()));

    Reply list = api.adminGet("/v1/api-keys?property=" + a.property());
    assertEquals(200, list.status(), list::toString);
    JsonArray keys = list.json().getJsonArray("apiKeys");
    assertEquals(2, keys.size(), keys::encode);
    for (Object o : keys) {
      JsonObject k = (JsonObject) o;
      assertFalse(k.containsKey("key") || k.containsKey("sha256"), k::encode);
      assertEquals(a.property(), k.getString("property"));
    }

    // the right id with a wrong secret
    Reply forged = get("ctk_" + id + "_" + "A".repeat(43), "/v1/properties/" + a.property());
    assertEquals(401, forged.status(), forged::toString);

    Reply revoked = api.request(HttpMethod.DELETE, "/v1/api-keys/" + id, null, api.admin());
    assertEquals(204, revoked.status(), revoked::toString);
    Reply after = get(read, "/v1/properties/" + a.property());
    assertEquals(401, after.status(), after::toString);
    assertEquals(200, get(write, "/v1/properties/" + a.property()).status());
    assertEquals(404, api.request(HttpMethod.DELETE, "/v1/api-keys/" + id, null, api.admin()).status());
    assertEquals(1, api.adminGet("/v1/api-keys?property=" + a.property()).json().getJsonArray("apiKeys").size());
  }

  /**
   * A key given {@code expiresInDays} works until then and is refused after, saying it expired; every
   * key's last use is listed (to the minute, written once a minute per server) so idle keys show.
   */
  @Test
  void aKeyExpiresWhenItWasToldToAndTheListShowsWhenEachWasLastUsed() {
    Site a = site(1);
    Reply made = api.request(HttpMethod.POST, "/v1/api-keys", DniClient.body(new JsonObject()
        .put("property", a.property()).put("scope", "read").put("name", "agency").put("expiresInDays", 30)), api.admin());
    assertEquals(201, made.status(), made::toString);
    String key = made.json().getString("key");
    java.time.Instant created = clock.instant();
    assertEquals(created.plus(java.time.Duration.ofDays(30)).toString(), made.json().getString("expiresAt"));
    String idle = issue(a.property(), "read");

    JsonObject listed = keyNamed(a.property(), "agency");
    assertFalse(listed.containsKey("lastUsedAt"), "never used: " + listed.encode());
    assertEquals(made.json().getString("expiresAt"), listed.getString("expiresAt"));

    assertEquals(200, get(key, "/v1/properties/" + a.property()).status());
    assertEquals(created.toString(), keyNamed(a.property(), "agency").getString("lastUsedAt"));
    clock.advance(java.time.Duration.ofSeconds(30));
    assertEquals(200, get(key, "/v1/properties/" + a.property()).status());
    assertEquals(created.toString(), keyNamed(a.property(), "agency").getString("lastUsedAt"), "to the minute");
    clock.advance(java.time.Duration.ofSeconds(31));
    assertEquals(200, get(key, "/v1/properties/" + a.property()).status());
    assertEquals(clock.instant().toString(), keyNamed(a.property(), "agency").getString("lastUsedAt"));
    assertFalse(keyNamed(a.property(), "ci").containsKey("lastUsedAt"), "the other key stays idle");
    assertFalse(keyNamed(a.property(), "ci").containsKey("expiresAt"), "without expiresInDays: until revoked");

    // adoption: of the live keys, those used in the last 30 days (the agency key; the other is idle)
    JsonObject listing = api.adminGet("/v1/api-keys?property=" + a.property()).json();
    assertEquals(2, listing.getInteger("live"));
    assertEquals(1, listing.getInteger("usedLast30Days"));
    assertEquals("0.5", listing.getValue("adoptionRate").toString());

    clock.set(created.plus(java.time.Duration.ofDays(30)).minusSeconds(1));
    assertEquals(200, get(key, "/v1/properties/" + a.property()).status());
    clock.set(created.plus(java.time.Duration.ofDays(30)));
    Reply expired = get(key, "/v1/properties/" + a.property());
    assertEquals(401, expired.status(), expired::toString);
    assertEquals("this API key expired at " + made.json().getString("expiresAt") + "; ask for a new one", expired.detail());
    assertEquals(200, get(idle, "/v1/properties/" + a.property()).status());
    // the expired key is no longer live; the other, used just now, is the one in use
    JsonObject after = api.adminGet("/v1/api-keys?property=" + a.property()).json();
    assertEquals(1, after.getInteger("live"));
    assertEquals(1, after.getInteger("usedLast30Days"));
    assertEquals("1.0", after.getValue("adoptionRate").toString());

    for (Object bad : List.of(0, 3651, -1, "30", 1.5)) {
      Reply r = api.request(HttpMethod.POST, "/v1/api-keys", DniClient.body(new JsonObject()
          .put("property", a.property()).put("scope", "read").put("expiresInDays", bad)), api.admin());
      assertEquals(400, r.status(), bad + " -> " + r);
      assertTrue(r.detail().contains("expiresInDays"), r::toString);
    }
  }

  private JsonObject keyNamed(String property, String name) {
    Reply list = api.adminGet("/v1/api-keys?property=" + property);
    assertEquals(200, list.status(), list::toString);
    return list.json().getJsonArray("apiKeys").stream().map(JsonObject.class::cast)
        .filter(k -> name.equals(k.getString("name"))).findFirst().orElseThrow();
  }

  @Test
  void badRequestsForKeysAreClear() {
    Site a = site(1);
    Reply noScope = api.request(HttpMethod.POST, "/v1/api-keys",
        DniClient.body(new JsonObject().put("property", a.property())), api.admin());
    assertEquals(400, noScope.status(), noScope::toString);
    Reply badScope = api.request(HttpMethod.POST, "/v1/api-keys",
        DniClient.body(new JsonObject().put("property", a.property()).put("scope", "admin")), api.admin());
    assertEquals(400, badScope.status(), badScope::toString);
    Reply unknown = api.request(HttpMethod.POST, "/v1/api-keys",
        DniClient.body(new JsonObject().put("property", TestRedis.uniqueId("none")).put("scope", "read")), api.admin());
    assertEquals(404, unknown.status(), unknown::toString);
  }

  @Test
  void redisKeepsOnlyTheHash() throws Exception {
    Site a = site(1);
    String key = issue(a.property(), "write");
    // the secret is everything after the id's separator (the id has no '_'); base64url secrets can
    // hold '_' themselves, so the last '_' could leave a tail of a few characters that any stored
    // digest may contain by chance (this test failed that way once)
    String secret = key.substring(key.indexOf('_', "ctk_".length()) + 1);
    assertEquals(43, secret.length(), "32 random bytes, base64url without padding");
    String digest = HexFormat.of().formatHex(
        MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    RedisAPI redis = RedisClientFactory.api(vertx, TestRedis.url());
    try {
      Response all = await(redis.hgetall(ApiKeys.KEY));
      String stored = all.toString();
      assertTrue(stored.contains(digest), "the record keeps the key's SHA-256");
      assertFalse(stored.contains(secret), "the key's secret is not stored");
      // and no key name anywhere carries it
      assertEquals(List.of(), TestRedis.keys(redis, "*" + secret + "*"), "a Redis key named after the API key");
      // every string, hash, set and list value in Redis, checked for the secret
      for (String name : TestRedis.keys(redis, "*")) {
        Response dumped = await(redis.dump(name));
        if (dumped != null) {
          assertFalse(new String(dumped.toBytes(), StandardCharsets.ISO_8859_1).contains(secret),
              () -> "the key's secret is stored in " + name);
        }
      }
    } finally {
      redis.close();
    }
  }
}
