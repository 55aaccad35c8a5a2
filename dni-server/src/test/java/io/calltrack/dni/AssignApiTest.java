package io.calltrack.dni;

import static io.calltrack.dni.AdminApiTest.assertInvalid;
import static io.calltrack.dni.testing.DniClient.await;
import static io.calltrack.dni.testing.DniClient.headers;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.attribution.Attribution;
import io.calltrack.core.config.RedisConfigStore;
import io.calltrack.core.pool.RedisPoolEngine;
import io.calltrack.core.pool.Session;
import io.calltrack.core.redis.RedisClientFactory;
import io.calltrack.core.testing.TestRedis;
import io.calltrack.dni.testing.DniClient.Reply;
import io.calltrack.dni.testing.DniTestBase;
import io.calltrack.dni.testing.TestNumbers;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The snippet's endpoints through a real server and client: assign, heartbeat, release and their errors. */
class AssignApiTest extends DniTestBase {

  @Test
  void assignLeasesANumberOfThePool() {
    Site site = site(5);
    Reply r = api.assign(assignBody(site.property(), "visitor-1"));
    assertEquals(200, r.status(), r::toString);
    JsonObject a = r.json();
    assertEquals(
        java.util.Set.of("sessionId", "visitorId", "number", "swap", "leaseSeconds", "leaseExpiresAt", "fallback"),
        a.fieldNames(), "exactly the fields of docs/contract.md");
    assertNotNull(a.getString("sessionId"));
    assertEquals("visitor-1", a.getString("visitorId"));
    assertTrue(site.numbers().contains(a.getString("number")), a::encode);
    assertEquals(new JsonArray().add(site.defaultNumber()), a.getJsonArray("swap"));
    assertEquals(120, a.getInteger("leaseSeconds"));
    assertEquals(clock.instant().plusSeconds(120), Instant.parse(a.getString("leaseExpiresAt")));
    assertFalse(a.getBoolean("fallback"));
    assertEquals("no-store", r.header("cache-control"));

    JsonObject pool = api.adminGet("/v1/pools/" + site.poolId()).json();
    assertEquals(1, pool.getInteger("leased"));
    assertEquals(4, pool.getInteger("free"));
    assertEquals(0.2, pool.getDouble("utilization"), 1e-9);
  }

  @Test
  void theSessionRemembersWhereTheVisitCameFrom() {
    Site site = site(2);
    String sessionId = api.assign(assignBody(site.property(), "from-google")).json().getString("sessionId");
    // read the session back with the engine itself, on the same Redis
    Redis redis = RedisClientFactory.create(vertx, TestRedis.url());
    try {
      RedisConfigStore store = new RedisConfigStore(vertx, redis);
      Session session = await(new RedisPoolEngine(vertx, redis, store, clock).session(sessionId))
          .orElseThrow();
      Attribution a = session.attribution();
      assertEquals("/landing/spring?utm_source=google&utm_medium=cpc", a.landingPage(), "path and query of page.url");
      assertEquals("https://www.google.com/", a.referrer());
      assertEquals("google", a.source());
      assertEquals("cpc", a.medium());
      assertEquals("spring", a.campaign());
      assertEquals("abc123", a.gclid());
      assertEquals("from-google", session.visitorId());
      assertEquals(site.property(), session.property());
    } finally {
      redis.close();
    }
  }

  @Test
  void aNewVisitorGetsAnIdAndKeepsItsNumber() {
    Site site = site(5);
    JsonObject first = api.assign(assignBody(site.property(), null)).json();
    String visitorId = first.getString("visitorId");
    assertNotNull(visitorId);
    assertFalse(visitorId.isBlank());

    clock.advance(Duration.ofSeconds(30));
    JsonObject again = api.assign(assignBody(site.property(), visitorId)).json();
    assertEquals(first.getString("number"), again.getString("number"), "sticky: same visitor, same number");
    assertEquals(clock.instant().plusSeconds(120), Instant.parse(again.getString("leaseExpiresAt")),
        "the lease was renewed");

    JsonObject other = api.assign(assignBody(site.property(), "someone-else")).json();
    assertNotEquals(first.getString("number"), other.getString("number"), "another visitor, another number");
    assertEquals(2, api.adminGet("/v1/pools/" + site.poolId()).json().getInteger("leased"));
  }

  @Test
  void theSessionTheSnippetSendsBackIsAHintNeverAnOrder() {
    Site site = site(5);
    JsonObject first = api.assign(assignBody(site.property(), null)).json();
    String visitorId = first.getString("visitorId");
    JsonObject someoneElse = api.assign(assignBody(site.property(), "someone-else")).json();
    clock.advance(Duration.ofSeconds(30));
    // its own session, another visitor's, and one that is no session id: each time its own number back
    for (String hint : new String[] {first.getString("sessionId"), someoneElse.getString("sessionId"), "garbage"}) {
      JsonObject again = api.assign(assignBody(site.property(), visitorId).put("sessionId", hint)).json();
      assertEquals(first.getString("sessionId"), again.getString("sessionId"), hint);
      assertEquals(first.getString("number"), again.getString("number"), hint);
    }
    assertEquals(2, api.adminGet("/v1/pools/" + site.poolId()).json().getInteger("leased"));
    assertInvalid(api.post("/v1/assign", assignBody(site.property(), visitorId).put("sessionId", "s".repeat(129))),
        "long session id");
    assertInvalid(api.post("/v1/assign", assignBody(site.property(), visitorId).put("sessionId", 42)),
        "a session id that is not a string");
  }

  @Test
  void heartbeatExtendsTheLeaseUntilItRunsOut() {
    Site site = site(3);
    String sessionId = api.assign(assignBody(site.property(), "hb")).json().getString("sessionId");

    clock.advance(Duration.ofSeconds(100));
    Reply hb = api.post("/v1/sessions/" + sessionId + "/heartbeat", null);
    assertEquals(200, hb.status(), hb::toString);
    assertEquals(java.util.Set.of("leaseExpiresAt"), hb.json().fieldNames());
    assertEquals(clock.instant().plusSeconds(120), Instant.parse(hb.json().getString("leaseExpiresAt")));

    clock.advance(Duration.ofSeconds(100));
    assertEquals(200, api.post("/v1/sessions/" + sessionId + "/heartbeat", new JsonObject()).status(),
        "200 s after the assign the lease lives because of the heartbeat");

    clock.advance(Duration.ofSeconds(121));
    Reply gone = api.post("/v1/sessions/" + sessionId + "/heartbeat", null);
    assertEquals(410, gone.status(), gone::toString);
    assertEquals("gone", gone.error());
  }

  /**
   * A Redis failover can lose a session written just before it (replication is asynchronous): the
   * new master has the pool as it was before the assign, the number free in it, and the page still
   * shows the number. Its next heartbeat must say the lease is gone (410: the snippet then asks for a
   * number again), not 404, on which a page kept showing a number that is now another visitor's.
   */
  @Test
  void aSessionAFailoverLostIsGoneSoThePageAsksAgain() {
    Site site = site(1);
    Redis redis = RedisClientFactory.create(vertx, TestRedis.url());
    io.vertx.redis.client.RedisAPI store = io.vertx.redis.client.RedisAPI.api(redis);
    String poolKeys = "*{pool:" + site.poolId() + "}*"; // every key of the pool shares its hash tag
    try {
      // the replica's copy of the pool, as it is before the assign
      java.util.Map<String, Buffer> replica = new java.util.HashMap<>();
      for (String key : TestRedis.keys(store, poolKeys)) {
        io.vertx.redis.client.Response dump = await(store.dump(key));
        if (dump != null) {
          replica.put(key, dump.toBuffer());
        }
      }
      JsonObject first = api.assign(assignBody(site.property(), "lost-in-failover")).json();
      assertFalse(first.getBoolean("fallback"), first::encode);
      // the failover: the replica, without the assign, is the master now
      await(store.del(TestRedis.keys(store, poolKeys)));
      replica.forEach((key, dump) -> await(redis.send(io.vertx.redis.client.Request.cmd(
          io.vertx.redis.client.Command.RESTORE).arg(key).arg(0).arg(dump).arg("REPLACE"))));
      JsonObject other = api.assign(assignBody(site.property(), "another-visitor")).json();
      assertEquals(first.getString("number"), other.getString("number"), "the one number went to another visit");

      Reply hb = api.post("/v1/sessions/" + first.getString("sessionId") + "/heartbeat", null);
      assertEquals(410, hb.status(), hb::toString);
      assertEquals("gone", hb.error());
      assertEquals(1, api.adminGet("/v1/pools/" + site.poolId()).json().getInteger("leased"),
          "the heartbeat renewed nothing");
    } finally {
      redis.close();
    }
  }

  @Test
  void releaseStartsTheHold() {
    Site site = site(3);
    JsonObject a = api.assign(assignBody(site.property(), "leaver")).json();
    Reply released = api.post("/v1/sessions/" + a.getString("sessionId") + "/release", null);
    assertEquals(204, released.status(), released::toString);
    assertEquals(0, released.body() == null ? 0 : released.body().length());

    JsonObject pool = api.adminGet("/v1/pools/" + site.poolId()).json();
    assertEquals(0, pool.getInteger("leased"));
    assertEquals(1, pool.getInteger("holding"));
    assertEquals(2, pool.getInteger("free"));

    assertEquals(204, api.post("/v1/sessions/" + a.getString("sessionId") + "/release", null).status(),
        "releasing twice is harmless");
    Reply heartbeat = api.post("/v1/sessions/" + a.getString("sessionId") + "/heartbeat", null);
    assertEquals(410, heartbeat.status(), "a released lease cannot be renewed");
    assertEquals(1, api.adminGet("/v1/pools/" + site.poolId()).json().getInteger("holding"), "still held");

    clock.advance(Duration.ofSeconds(1801));
    assertEquals(3, api.adminGet("/v1/pools/" + site.poolId()).json().getInteger("free"), "the hold ran out");
  }

  @Test
  void beaconReleaseWithTextPlainBody() {
    Site site = site(2);
    JsonObject a = api.assign(assignBody(site.property(), "beacon")).json();
    Reply r = api.request(HttpMethod.POST, "/v1/sessions/" + a.getString("sessionId") + "/release",
        Buffer.buffer("{\"reason\":\"pagehide\"}"), headers("content-type", "text/plain;charset=UTF-8", "origin", ORIGIN));
    assertEquals(204, r.status(), r::toString);
    assertEquals(ORIGIN, r.header("access-control-allow-origin"));
    assertEquals(1, api.adminGet("/v1/pools/" + site.poolId()).json().getInteger("holding"));
  }

  /**
   * The visitor leaves (pagehide: the release beacon goes out) and comes back with the Back button at
   * once: the restored page renews its lease, and the beacon, delayed on a slow network, arrives after.
   * It names the lease the page had when it left, which the heartbeat replaced: the number the page
   * shows stays leased to it, not put on hold and then leased to someone else's visit.
   */
  @Test
  void aReleaseArrivingAfterTheLeaseWasRenewedLeavesTheRenewedLeaseLive() {
    Site site = site(2);
    JsonObject a = api.assign(assignBody(site.property(), "back-button")).json();
    String release = "/v1/sessions/" + a.getString("sessionId") + "/release";
    String heartbeat = "/v1/sessions/" + a.getString("sessionId") + "/heartbeat";
    clock.advance(Duration.ofSeconds(3));
    Reply renewed = api.post(heartbeat, null);
    assertEquals(200, renewed.status(), renewed::toString);

    Reply late = api.request(HttpMethod.POST, release, Buffer.buffer(new JsonObject()
        .put("leaseExpiresAt", a.getString("leaseExpiresAt")).encode()), headers("content-type", "text/plain;charset=UTF-8"));
    assertEquals(204, late.status(), late::toString);
    JsonObject pool = api.adminGet("/v1/pools/" + site.poolId()).json();
    assertEquals(1, pool.getInteger("leased"), "the renewed lease is live: " + pool);
    assertEquals(0, pool.getInteger("holding"));
    clock.advance(Duration.ofSeconds(3));
    Reply beat = api.post(heartbeat, null);
    assertEquals(200, beat.status(), "the page goes on renewing it: " + beat);

    // the page leaves again: its release names the lease the last heartbeat gave it, and ends it
    Reply leaving = api.request(HttpMethod.POST, release, Buffer.buffer(new JsonObject()
        .put("leaseExpiresAt", beat.json().getString("leaseExpiresAt")).encode()), headers("content-type", "text/plain"));
    assertEquals(204, leaving.status(), leaving::toString);
    pool = api.adminGet("/v1/pools/" + site.poolId()).json();
    assertEquals(0, pool.getInteger("leased"), pool::toString);
    assertEquals(1, pool.getInteger("holding"));
    assertEquals(410, api.post(heartbeat, null).status(), "released");
  }

  @Test
  void aReleaseWhoseBodyIsNotALeaseIsRefusedAndEndsNothing() {
    Site site = site(2);
    JsonObject a = api.assign(assignBody(site.property(), "bad-release")).json();
    String release = "/v1/sessions/" + a.getString("sessionId") + "/release";
    Reply badTime = api.request(HttpMethod.POST, release, Buffer.buffer("{\"leaseExpiresAt\":\"yesterday\"}"),
        headers("content-type", "text/plain"));
    assertInvalid(badTime, "a lease end that is no time");
    assertTrue(badTime.json().getString("detail").contains("leaseExpiresAt"), badTime::toString);
    assertInvalid(api.request(HttpMethod.POST, release, Buffer.buffer("pagehide"), headers("content-type", "text/plain")),
        "a body that is no JSON object");
    assertEquals(1, api.adminGet("/v1/pools/" + site.poolId()).json().getInteger("leased"), "nothing released");
  }

  @Test
  void assignAcceptsJsonSentAsTextPlain() {
    Site site = site(2);
    Reply r = api.request(HttpMethod.POST, "/v1/assign", assignBody(site.property(), "plain").toBuffer(),
        headers("content-type", "text/plain"));
    assertEquals(200, r.status(), r::toString);
    assertFalse(r.json().getBoolean("fallback"));
  }

  @Test
  void sessionsNoPoolHoldsAreGoneUnknownPoolsAre404MalformedIds400() {
    Site site = site(1);
    String wellFormed = site.poolId() + ".AAAAAAAAAAAAAAAAAAAAAA";
    Reply hb = api.post("/v1/sessions/" + wellFormed + "/heartbeat", null);
    assertEquals(410, hb.status(), "a session its pool does not hold has no lease to renew: " + hb);
    assertEquals("gone", hb.error());
    Reply rel = api.post("/v1/sessions/" + wellFormed + "/release", null);
    assertEquals(404, rel.status(), rel::toString);
    Reply otherPool = api.post("/v1/sessions/" + TestRedis.uniqueId("nopool") + ".AAAAAAAAAAAAAAAAAAAAAA/heartbeat", null);
    assertEquals(404, otherPool.status(), otherPool::toString);

    assertInvalid(api.post("/v1/sessions/not-a-session-id/heartbeat", null), "malformed session id");
    assertInvalid(api.post("/v1/sessions/" + "s".repeat(300) + "/release", null), "long session id");
  }

  @Test
  void anExhaustedPoolFallsBackToTheDefaultNumber() {
    Site site = site(1);
    JsonObject first = api.assign(assignBody(site.property(), "first")).json();
    assertFalse(first.getBoolean("fallback"));

    Reply r = api.assign(assignBody(site.property(), "second"));
    assertEquals(200, r.status());
    JsonObject second = r.json();
    assertTrue(second.getBoolean("fallback"));
    assertEquals(site.defaultNumber(), second.getString("number"));
    assertNull(second.getString("sessionId"));
    assertEquals("second", second.getString("visitorId"));
    assertTrue(second.containsKey("sessionId"), "the field is there, null");

    JsonObject pool = api.adminGet("/v1/pools/" + site.poolId()).json();
    assertEquals(1, pool.getLong("exhausted"));
    assertEquals(1, pool.getInteger("leased"));
  }

  @Test
  void recycleOldestGivesTheOldestNumber() {
    Site site = site(api, 1, 60, 600, "recycle-oldest");
    JsonObject first = api.assign(assignBody(site.property(), "first")).json();
    clock.advance(Duration.ofSeconds(5));
    JsonObject second = api.assign(assignBody(site.property(), "second")).json();
    assertFalse(second.getBoolean("fallback"));
    assertEquals(first.getString("number"), second.getString("number"));
    JsonObject pool = api.adminGet("/v1/pools/" + site.poolId()).json();
    assertEquals(1, pool.getLong("recycled"));
  }

  @Test
  void aPropertyWithoutPoolsFallsBack() {
    String property = TestRedis.uniqueId("prop");
    String printed = TestNumbers.one();
    assertEquals(200, api.adminPut("/v1/properties/" + property, propertyBody(printed, ORIGIN)).status());
    JsonObject a = api.assign(assignBody(property, "v")).json();
    assertTrue(a.getBoolean("fallback"));
    assertEquals(printed, a.getString("number"));
  }

  @Test
  void badAssignsAreRefusedAndLeaseNothing() {
    Site site = site(2);
    assertInvalid(api.post("/v1/assign", "{\"property\": "), "malformed JSON");
    assertInvalid(api.post("/v1/assign", ""), "empty body");
    assertInvalid(api.post("/v1/assign", "[]"), "array");
    assertInvalid(api.post("/v1/assign", "null"), "null");
    assertInvalid(api.post("/v1/assign", new JsonObject()), "no property");
    assertInvalid(api.post("/v1/assign", new JsonObject().put("property", new JsonObject())), "property not a string");
    assertInvalid(api.post("/v1/assign", assignBody(site.property(), "v").put("page", "https://x")), "page not an object");
    assertInvalid(api.post("/v1/assign", assignBody(site.property(), "v").put("attribution", new JsonArray())),
        "attribution not an object");
    assertInvalid(api.post("/v1/assign", assignBody(site.property(), "bad visitor id!")), "bad visitor id");
    assertInvalid(api.post("/v1/assign", assignBody(site.property(), "v".repeat(129))), "long visitor id");
    assertInvalid(api.post("/v1/assign", assignBody("bad/id", "v")), "bad property id");

    Reply unknown = api.assign(assignBody(TestRedis.uniqueId("nope"), "v"));
    assertEquals(404, unknown.status(), unknown::toString);
    assertEquals("not_found", unknown.error());

    JsonObject pool = api.adminGet("/v1/pools/" + site.poolId()).json();
    assertEquals(0, pool.getInteger("leased"), "no bad request leased a number");
    assertEquals(0, pool.getLong("exhausted"));
  }
}
