package io.calltrack.dni.privacy;

import static io.calltrack.dni.testing.DniClient.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.attribution.Attribution;
import io.calltrack.core.calls.CallEvent;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.CallStatus;
import io.calltrack.core.calls.RedisCallStore;
import io.calltrack.core.pool.PoolKeys;
import io.calltrack.core.privacy.RedisSessionRetention;
import io.calltrack.core.redis.RedisClientFactory;
import io.calltrack.core.rollup.RollupKeys;
import io.calltrack.core.testing.Await;
import io.calltrack.core.testing.TestRedis;
import io.calltrack.dni.report.CallSeeder;
import io.calltrack.dni.testing.DniClient;
import io.calltrack.dni.testing.DniClient.Reply;
import io.calltrack.dni.testing.DniTestBase;
import io.calltrack.dni.testing.TestNumbers;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.RedisAPI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Retention and erasure over real HTTP and real Redis: TTLs counted with the injected clock, a caller
 * and a visitor erased everywhere they are stored while the reports' counts stay.
 */
class PrivacyApiTest extends DniTestBase {
  static final JsonObject RETENTION = new JsonObject().put("callRecordsDays", 30).put("callerNumbersDays", 30)
      .put("sessionsDays", 7);

  RedisAPI redis;
  RedisCallStore calls;

  @BeforeEach
  void redis() {
    redis = RedisClientFactory.api(vertx, TestRedis.url());
    calls = new RedisCallStore(redis, clock);
  }

  @AfterEach
  void closeRedis() {
    redis.close();
  }

  Site siteWithRetention(int poolSize, JsonObject retention) {
    String property = TestRedis.uniqueId("priv");
    String printed = TestNumbers.one();
    JsonObject body = propertyBody(printed, ORIGIN).put("timezone", "UTC");
    if (retention != null) {
      body.put("retention", retention);
    }
    Reply p = api.adminPut("/v1/properties/" + property, body);
    assertEquals(200, p.status(), p::toString);
    String poolId = TestRedis.uniqueId("pool");
    List<String> numbers = TestNumbers.block(poolSize);
    assertEquals(200, api.adminPut("/v1/pools/" + poolId, poolBody(property, numbers, 120, 1800, "fallback")).status());
    return new Site(property, printed, poolId, numbers);
  }

  CallRecord call(String property, String caller, Instant start, String sessionId, Attribution a) {
    String id = TestRedis.uniqueId("pc");
    CallRecord r = CallRecord.started(id, id + "@trunk", io.calltrack.core.testing.TestNumbers.fresh(), caller,
            property, start)
        .withAttribution(sessionId == null ? "unattributed" : "lease", sessionId, a, List.of());
    await(calls.apply(new CallEvent(id, 0, CallEvent.Type.STARTED, start, r)));
    r = r.answered(start.plusSeconds(2), 200).ended(start.plusSeconds(62), CallStatus.ANSWERED, 200);
    await(calls.apply(new CallEvent(id, 1, CallEvent.Type.ENDED, r.endedAt(), r)));
    return r;
  }

  long pttl(String key) {
    return await(redis.pttl(key)).toLong();
  }

  @Test
  void retentionIsARedisTtlCountedWithTheInjectedClock() {
    Site site = siteWithRetention(2, RETENTION);
    Instant now = clock.instant();
    // a call that started 29 days ago (by the test's clock) has one day left
    CallRecord recent = call(site.property(), "+14155550001", now.minus(Duration.ofDays(29)), null, null);
    long ttl = pttl(RedisCallStore.key(recent.property(), recent.callId()));
    assertTrue(ttl > Duration.ofDays(1).minusMinutes(5).toMillis() && ttl <= Duration.ofDays(1).toMillis(), "ttl " + ttl);
    // one that started 31 days ago is past its retention: it is not kept
    CallRecord old = call(site.property(), "+14155550002", now.minus(Duration.ofDays(31)), null, null);
    Await.until(Duration.ofSeconds(10), () -> await(redis.exists(List.of(RedisCallStore.key(old.property(), old.callId())))).toInteger() == 0);
    // the clock moves on a week: a new call gets its full 30 days from its own start
    clock.advance(Duration.ofDays(7));
    CallRecord fresh = call(site.property(), "+14155550003", clock.instant(), null, null);
    long freshTtl = pttl(RedisCallStore.key(fresh.property(), fresh.callId()));
    assertTrue(freshTtl > Duration.ofDays(30).minusMinutes(5).toMillis(), "ttl " + freshTtl);

    // a leased session expires 7 days after its assign
    Reply a = api.assign(assignBody(site.property(), "visitor-ttl-1"));
    assertFalse(a.json().getBoolean("fallback"), a::toString);
    String sid = a.json().getString("sessionId");
    long sessionTtl = pttl(new PoolKeys(site.poolId()).session(sid));
    assertTrue(sessionTtl > Duration.ofDays(7).minusMinutes(5).toMillis() && sessionTtl <= Duration.ofDays(7).toMillis(),
        "session ttl " + sessionTtl);

    // a property without retention keeps records until erased
    Site keeper = siteWithRetention(1, null);
    CallRecord kept = call(keeper.property(), "+14155550004", clock.instant(), null, null);
    assertEquals(-1, pttl(RedisCallStore.key(kept.property(), kept.callId())));
  }

  JsonObject roiTotal(String property, String day) {
    Reply r = api.adminGet("/v1/reports/roi?property=" + property + "&from=" + day + "&to=" + day);
    assertEquals(200, r.status(), r::toString);
    return r.json().getJsonObject("total");
  }

  @Test
  void aCallerIsErasedEverywhereWhileTheCountsStay() {
    Site site = siteWithRetention(2, null);
    Instant start = Instant.parse("2026-03-02T10:00:00Z");
    String caller = "+14155550177";
    CallRecord first = call(site.property(), caller, start, null, CallSeeder.source("google", "cpc"));
    CallRecord second = call(site.property(), caller, start.plusSeconds(600), null, CallSeeder.source("google", "cpc"));
    CallRecord other = call(site.property(), "+14155550999", start.plusSeconds(900), null, CallSeeder.source("bing", "cpc"));
    Await.until(Duration.ofSeconds(60), () -> roiTotal(site.property(), "2026-03-02"), t -> t.getLong("calls") == 3);
    CallSeeder.awaitConsumerCaughtUp(vertx, site.property());
    // the caller bought: the first-buyer hash (repeat purchases) holds the number too
    Reply sold = api.request(HttpMethod.POST, "/v1/calls/" + first.callId() + "/outcome",
        DniClient.body(new JsonObject().put("converted", true).put("value", "10.00")), api.admin());
    assertEquals(200, sold.status(), sold::toString);
    assertNotNull(await(redis.hget(new RollupKeys(site.property()).buyers(), caller)));
    JsonObject before = roiTotal(site.property(), "2026-03-02");

    Reply erased = api.request(HttpMethod.DELETE, "/v1/callers/" + caller, null, api.admin());
    assertEquals(200, erased.status(), erased::toString);
    assertEquals(2, erased.json().getInteger("calls"));

    for (CallRecord c : List.of(first, second)) {
      JsonObject stored = api.adminGet("/v1/calls/" + c.callId()).json();
      assertTrue(stored.getString("caller").startsWith("erased:"), stored::encode);
    }
    assertEquals(api.adminGet("/v1/calls/" + first.callId()).json().getString("caller"),
        api.adminGet("/v1/calls/" + second.callId()).json().getString("caller"), "one token for the caller's calls");
    assertEquals("+14155550999", api.adminGet("/v1/calls/" + other.callId()).json().getString("caller"));
    RollupKeys keys = new RollupKeys(site.property());
    assertNull(await(redis.hget(keys.callers(), caller)));
    assertNull(await(redis.hget(keys.buyers(), caller)), "the first-buyer hash forgets the number too");
    for (CallRecord c : List.of(first, second)) {
      assertFalse(await(redis.get(keys.contribution(c.callId()))).toString().contains(caller));
    }
    assertEquals(before, roiTotal(site.property(), "2026-03-02"));

    // a later change to an erased call (an outcome) re-applies its contribution: first/repeat stay as they were
    Reply o = api.request(HttpMethod.POST, "/v1/calls/" + second.callId() + "/outcome",
        DniClient.body(new JsonObject().put("qualified", true)), api.admin());
    assertEquals(200, o.status(), o::toString);
    JsonObject after = roiTotal(site.property(), "2026-03-02");
    JsonObject expected = before.copy();
    // what an outcome itself changes: the qualified counts and the outcome-reporting rates
    java.util.Set<String> byOutcome = java.util.Set.of("withOutcome", "crmMatchRate", "leadCloseRate");
    after.fieldNames().stream().filter(f -> f.toLowerCase().contains("qualif") || byOutcome.contains(f)).toList()
        .forEach(f -> { expected.remove(f); after.remove(f); });
    assertEquals(expected, after);
    // erasing again finds nothing more
    assertEquals(0, api.request(HttpMethod.DELETE, "/v1/callers/" + caller, null, api.admin()).json().getInteger("calls"));
  }

  @Test
  void aVisitorIsErasedFromSessionsCallsAndExports() {
    Site site = siteWithRetention(2, RETENTION);
    String visitor = TestRedis.uniqueId("visitor");
    Reply a = api.assign(assignBody(site.property(), visitor));
    String sid = a.json().getString("sessionId");
    String number = a.json().getString("number");
    assertNotNull(sid, a::toString);
    Attribution withClick = new Attribution("google", "cpc", "spring", "plumber", null, "/landing",
        "https://www.google.com/", "gclid-visitor-1", null, null, null, null);
    CallRecord c = call(site.property(), "+14155550188", clock.instant(), sid, withClick);
    Reply outcome = api.request(HttpMethod.POST, "/v1/calls/" + c.callId() + "/outcome",
        DniClient.body(new JsonObject().put("converted", true).put("value", "100.00")), api.admin());
    assertEquals(200, outcome.status(), outcome::toString);
    String day = clock.instant().toString().substring(0, 10);
    String exportPath = "/v1/exports/google-ads?property=" + site.property() + "&from=" + day + "&to=" + day;
    assertTrue(api.adminGet(exportPath).text().contains("gclid-visitor-1"));
    Await.until(Duration.ofSeconds(60), () -> roiTotal(site.property(), day), t -> t.getLong("calls") == 1);
    CallSeeder.awaitConsumerCaughtUp(vertx, site.property());
    JsonObject before = roiTotal(site.property(), day);

    assertTrue(storedAttribution(new PoolKeys(site.poolId()).session(sid)).contains("abc123"), "gclid stored");
    Reply erased = api.request(HttpMethod.DELETE, "/v1/visitors/" + visitor, null, api.admin());
    assertEquals(200, erased.status(), erased::toString);
    assertEquals(1, erased.json().getInteger("sessions"));
    assertEquals(1, erased.json().getInteger("calls"));

    PoolKeys k = new PoolKeys(site.poolId());
    // the session hash is compact (RedisPoolEngine's key catalogue): v visitor, n number, a1..aN attribution
    assertNotEquals(visitor, await(redis.hget(k.session(sid), "v")).toString());
    String sessionAttribution = storedAttribution(k.session(sid));
    assertTrue(sessionAttribution.startsWith("google"), sessionAttribution);
    assertFalse(sessionAttribution.contains("abc123"), sessionAttribution); // the assign's gclid
    assertFalse(sessionAttribution.contains("www.google.com"), sessionAttribution); // its referrer
    assertNull(await(redis.hget(k.visitors(), visitor)));
    assertEquals(0, await(redis.exists(List.of(RedisSessionRetention.visitorIndex(site.poolId(), visitor)))).toInteger());
    JsonObject stored = api.adminGet("/v1/calls/" + c.callId()).json();
    assertNull(stored.getJsonObject("attribution").getString("gclid"), stored::encode);
    assertEquals("google", stored.getJsonObject("attribution").getString("source"));
    assertFalse(api.adminGet(exportPath).text().contains("gclid-visitor-1"));
    assertEquals(before, roiTotal(site.property(), day));
    // the session keeps its number: its lease goes on, later calls are still attributed
    assertEquals(number, await(redis.hget(k.session(sid), "n")).toString());
  }

  private String storedAttribution(String sessionKey) {
    StringBuilder out = new StringBuilder();
    for (int i = 1; ; i++) {
      var piece = await(redis.hget(sessionKey, "a" + i));
      if (piece == null) {
        return out.toString();
      }
      out.append(piece);
    }
  }
}
