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
    return answered(CallRecord.started(id, id + "@trunk", io.calltrack.core.testing.TestNumbers.fresh(), caller,
            property, start)
        .withAttribution(sessionId == null ? "unattributed" : "lease", sessionId, a, List.of()));
  }

  /** Stores {@code started} as the router would: started, answered two seconds later, a minute long. */
  CallRecord answered(CallRecord started) {
    String id = started.callId();
    Instant start = started.startedAt();
    await(calls.apply(new CallEvent(id, 0, CallEvent.Type.STARTED, start, started)));
    CallRecord r = started.answered(start.plusSeconds(2), 200).ended(start.plusSeconds(62), CallStatus.ANSWERED, 200);
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

  JsonObject roiTotal(String property, Instant from, Instant to) {
    Reply r = api.adminGet("/v1/reports/roi?property=" + property + "&from=" + from.toString().substring(0, 10)
        + "&to=" + to.toString().substring(0, 10));
    assertEquals(200, r.status(), r::toString);
    return r.json().getJsonObject("total");
  }

  /** A webhook body as the dispatcher keeps it once given up on: its id is call id and stream id. */
  static String deadLetter(String property, CallRecord call, long streamMs) {
    return new JsonObject().put("id", call.callId() + ":" + streamMs + "-0").put("type", "call.ended")
        .put("property", property).put("callId", call.callId())
        .put("call", new JsonObject(io.calltrack.core.json.JsonMapper.write(call))).encode();
  }

  String caller(CallRecord c) {
    return api.adminGet("/v1/calls/" + c.callId()).json().getString("caller");
  }

  /** Every record field on the property's calls stream, as stored. */
  List<String> streamRecords(String property) {
    List<String> out = new java.util.ArrayList<>();
    for (var entry : await(redis.xrange(List.of(RedisCallStore.eventsStream(property), "-", "+")))) {
      var fields = entry.get(1);
      for (int i = 0; i + 1 < fields.size(); i += 2) {
        if ("record".equals(fields.get(i).toString())) {
          out.add(fields.get(i + 1).toString());
        }
      }
    }
    return out;
  }

  @Test
  void callerNumbersPastTheirRetentionAreAnonymisedAndTheStreamIsTrimmed() {
    // stream entry ids are Redis time: this test's clock starts at the real time, then moves by hand
    clock.set(Instant.now());
    Site site = siteWithRetention(2, new JsonObject().put("callRecordsDays", 400));
    Instant now = clock.instant();
    String returning = "+14155550211";
    String gone = "+14155550212";
    String recent = "+14155550213";
    CallRecord firstOfReturning = call(site.property(), returning, now.minus(Duration.ofDays(40)), null,
        CallSeeder.source("google", "cpc"));
    CallRecord old = call(site.property(), gone, now.minus(Duration.ofDays(35)), null, CallSeeder.source("bing", "cpc"));
    CallRecord againOfReturning = call(site.property(), returning, now.minus(Duration.ofDays(5)), null,
        CallSeeder.source("google", "cpc"));
    CallRecord fresh = call(site.property(), recent, now.minus(Duration.ofDays(1)), null, CallSeeder.source("bing", "cpc"));
    Instant from = now.minus(Duration.ofDays(41));
    Await.until(Duration.ofSeconds(60), () -> roiTotal(site.property(), from, now), t -> t.getLong("calls") == 4);
    CallSeeder.awaitConsumerCaughtUp(vertx, site.property());
    JsonObject before = roiTotal(site.property(), from, now);
    RollupKeys keys = new RollupKeys(site.property());
    // the first-caller hash keeps "<start ms>|<call id>" of the caller's earliest call
    assertEquals(firstOfReturning.startedAt().toEpochMilli() + "|" + firstOfReturning.callId(),
        await(redis.hget(keys.callers(), returning)).toString());

    // the property gets a caller-number retention of 30 days
    Reply put = api.adminPut("/v1/properties/" + site.property(), propertyBody(site.defaultNumber(), ORIGIN)
        .put("timezone", "UTC").put("retention", new JsonObject().put("callRecordsDays", 400).put("callerNumbersDays", 30)));
    assertEquals(200, put.status(), put::toString);
    // the sweep (every few seconds, maybe already done; here by hand too): calls that started over 30 days ago lose their number
    Await.until(Duration.ofSeconds(30), () -> {
      await(server.sweepNow());
      return caller(old).startsWith("erased:") && caller(firstOfReturning).startsWith("erased:");
    });
    assertEquals(returning, caller(againOfReturning));
    assertEquals(recent, caller(fresh));
    assertNotEquals(caller(old), caller(firstOfReturning), "one token per caller");
    // the compliance figures (G9): both calls past the retention handled
    Reply compliance = api.adminGet("/v1/privacy/compliance?property=" + site.property());
    assertEquals(200, compliance.status(), compliance::toString);
    assertEquals(30, compliance.json().getInteger("callerNumbersDays"));
    assertEquals(2L, compliance.json().getLong("callsPastCallerRetention"), compliance::toString);
    assertEquals(0L, compliance.json().getLong("callerNumbersOverdue"));
    assertNull(compliance.json().getValue("oldestOverdueCallStartedAt"));
    assertEquals(1.0, compliance.json().getDouble("privacyComplianceRate"), 0.0);
    assertEquals(404, api.adminGet("/v1/privacy/compliance?property=no-such-property").status());
    // first-caller hash: the numbers whose first call is past retention are forgotten
    assertNull(await(redis.hget(keys.callers(), returning)));
    assertNull(await(redis.hget(keys.callers(), gone)));
    assertEquals(fresh.startedAt().toEpochMilli() + "|" + fresh.callId(),
        await(redis.hget(keys.callers(), recent)).toString());
    assertFalse(await(redis.get(keys.contribution(old.callId()))).toString().contains(gone));
    assertFalse(await(redis.get(keys.contribution(firstOfReturning.callId()))).toString().contains(returning));
    assertTrue(await(redis.get(keys.contribution(againOfReturning.callId()))).toString().contains(returning));
    assertEquals(before, roiTotal(site.property(), from, now));
    // a later outcome re-applies the repeat call: it stays a repeat call although its caller's first call is forgotten
    Reply o = api.request(HttpMethod.POST, "/v1/calls/" + againOfReturning.callId() + "/outcome",
        DniClient.body(new JsonObject().put("qualified", true)), api.admin());
    assertEquals(200, o.status(), o::toString);
    Await.until(Duration.ofSeconds(60), () -> roiTotal(site.property(), from, now), t -> t.getLong("qualified", 0L) == 1);
    JsonObject afterOutcome = roiTotal(site.property(), from, now);
    for (String f : List.of("calls", "firstTimeCallers", "repeatCalls", "uniqueCallers")) {
      assertEquals(before.getValue(f), afterOutcome.getValue(f), f + ": " + afterOutcome.encode());
    }

    // a webhook given up on is kept only as long as the property keeps caller numbers
    String deadLetters = io.calltrack.core.webhooks.CallWebhookDispatcher.DEAD_LETTERS;
    String stale = deadLetter(site.property(), old, now.minus(Duration.ofDays(31)).toEpochMilli());
    String young = deadLetter(site.property(), fresh, now.minus(Duration.ofDays(1)).toEpochMilli());
    await(redis.rpush(List.of(deadLetters, stale, young)));
    Await.until(Duration.ofSeconds(30), () -> {
      await(server.sweepNow());
      return !await(redis.lrange(deadLetters, "0", "-1")).stream().map(Object::toString).toList().contains(stale);
    });
    assertTrue(await(redis.lrange(deadLetters, "0", "-1")).stream().map(Object::toString).toList().contains(young));

    // the caller index of attribution lives no longer than the caller-number retention
    var client = RedisClientFactory.create(vertx, TestRedis.url());
    var engine = new io.calltrack.core.pool.RedisPoolEngine(vertx, client,
        await(io.calltrack.core.config.RedisConfigStore.create(vertx, client)), clock);
    await(engine.rememberCaller(site.poolId(), recent, "visitor-index-1"));
    long indexTtl = pttl(new PoolKeys(site.poolId()).caller(recent));
    assertTrue(indexTtl > 0 && indexTtl <= Duration.ofDays(30).toMillis(), "caller index ttl " + indexTtl);

    // the stream still has every entry (written now); 31 days on, it is trimmed and every caller is past retention
    assertTrue(streamRecords(site.property()).stream().anyMatch(r -> r.contains(recent)));
    clock.advance(Duration.ofDays(31));
    Await.until(Duration.ofSeconds(30), () -> {
      await(server.sweepNow());
      return caller(fresh).startsWith("erased:") && streamRecords(site.property()).isEmpty();
    });
    assertTrue(caller(againOfReturning).startsWith("erased:"));
    assertEquals(afterOutcome, roiTotal(site.property(), from, now));
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
    // a converted call puts the caller in the first-buyer hash; a resolved call in attribution's caller index
    Reply converted = api.request(HttpMethod.POST, "/v1/calls/" + first.callId() + "/outcome",
        DniClient.body(new JsonObject().put("converted", true).put("value", "50.00")), api.admin());
    assertEquals(200, converted.status(), converted::toString);
    String callerIndex = new PoolKeys(site.poolId()).caller(caller);
    await(redis.set(List.of(callerIndex, "visitor-of-caller")));
    Await.until(Duration.ofSeconds(60), () -> roiTotal(site.property(), "2026-03-02"),
        t -> t.getLong("calls") == 3 && t.getLong("conversions", 0L) == 1);
    CallSeeder.awaitConsumerCaughtUp(vertx, site.property());
    // the caller bought: the first-buyer hash (repeat purchases) holds the number too
    Reply sold = api.request(HttpMethod.POST, "/v1/calls/" + first.callId() + "/outcome",
        DniClient.body(new JsonObject().put("converted", true).put("value", "10.00")), api.admin());
    assertEquals(200, sold.status(), sold::toString);
    assertNotNull(await(redis.hget(new RollupKeys(site.property()).buyers(), caller)));
    // erasure leaves stream entries the rollups have not read yet (the stream's retention trim takes them):
    // the sale's entry must be read before the erasure for the check on the stream below
    CallSeeder.awaitConsumerCaughtUp(vertx, site.property());
    JsonObject before = roiTotal(site.property(), "2026-03-02");

    String deadLetters = io.calltrack.core.webhooks.CallWebhookDispatcher.DEAD_LETTERS;
    String theirs = deadLetter(site.property(), first, System.currentTimeMillis());
    String others = deadLetter(site.property(), other, System.currentTimeMillis());
    await(redis.rpush(List.of(deadLetters, theirs, others)));
    Reply erased = api.request(HttpMethod.DELETE, "/v1/callers/" + caller, null, api.admin());
    assertEquals(200, erased.status(), erased::toString);
    assertEquals(2, erased.json().getInteger("calls"));
    List<String> letters = await(redis.lrange(deadLetters, "0", "-1")).stream().map(Object::toString).toList();
    assertFalse(letters.contains(theirs), "the caller's webhook given up on is erased");
    assertTrue(letters.contains(others));

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
    assertNull(await(redis.hget(keys.buyers(), caller)));
    assertEquals(0, await(redis.exists(List.of(callerIndex))).toInteger());
    // the calls stream: the caller's entries (read by the rollups already) are gone, the others stay
    List<String> stream = streamRecords(site.property());
    assertTrue(stream.stream().noneMatch(r -> r.contains("4155550177")), stream::toString);
    assertTrue(stream.stream().anyMatch(r -> r.contains("+14155550999")), stream::toString);
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
    Reply again = api.request(HttpMethod.DELETE, "/v1/callers/" + caller, null, api.admin());
    assertEquals(200, again.status(), again::toString);
    assertEquals(0, again.json().getInteger("calls"), again::toString);
  }

  /**
   * A call still ringing when its caller and its visitor are erased. The router writes the whole
   * record again at the answer and at the end, from what it knew at the call's start, and the
   * recording's name comes after: none of them brings the number, the click ids or the recording back.
   */
  @Test
  void aCallRingingWhileItsCallerAndVisitorAreErasedStaysErasedAtItsLaterEvents() {
    Site site = siteWithRetention(2, null);
    String visitor = TestRedis.uniqueId("visitor");
    String sid = api.assign(assignBody(site.property(), visitor)).json().getString("sessionId");
    String caller = TestNumbers.lead();
    String id = TestRedis.uniqueId("ringing");
    Instant start = clock.instant();
    CallRecord started = CallRecord.started(id, id + "@trunk", io.calltrack.core.testing.TestNumbers.fresh(), caller,
        site.property(), start).withAttribution("lease", sid, fromAGoogleAd("gclid-ringing-1"), List.of());
    await(calls.apply(new CallEvent(id, 0, CallEvent.Type.STARTED, start, started)));
    CallSeeder.awaitConsumerCaughtUp(vertx, site.property());

    Reply callerErased = api.request(HttpMethod.DELETE, "/v1/callers/" + caller, null, api.admin());
    assertEquals(200, callerErased.status(), callerErased::toString);
    Reply visitorErased = api.request(HttpMethod.DELETE, "/v1/visitors/" + visitor, null, api.admin());
    assertEquals(200, visitorErased.status(), visitorErased::toString);
    String token = caller(started);
    assertTrue(token.startsWith("erased:"), token);

    // the router goes on with the call as it knew it: one event, then two in one batch as its spool sends them
    CallRecord answered = started.answered(start.plusSeconds(4), 200);
    assertTrue(await(calls.apply(new CallEvent(id, 1, CallEvent.Type.ANSWERED, answered.answeredAt(), answered))));
    CallRecord ended = answered.ended(start.plusSeconds(64), CallStatus.ANSWERED, 200);
    CallRecord recorded = ended.withMedia(new io.calltrack.core.calls.CallMedia(true, true, id + ".wav", 60.0,
        null, null, null, null));
    io.vertx.redis.client.Redis client = io.calltrack.core.redis.RedisClientFactory.create(vertx, TestRedis.url());
    try {
      List<io.vertx.core.Future<Boolean>> batch = new RedisCallStore(client).applyEach(List.of(
          new CallEvent(id, 2, CallEvent.Type.ENDED, ended.endedAt(), ended),
          new CallEvent(id, 3, CallEvent.Type.MEDIA, ended.endedAt(), recorded)));
      assertTrue(await(batch.get(0)) && await(batch.get(1)), "both written");
    } finally {
      client.close();
    }

    JsonObject stored = api.adminGet("/v1/calls/" + id).json();
    assertEquals(token, stored.getString("caller"), "the caller's token stays: " + stored.encode());
    assertEquals("answered", stored.getString("status"), "the events were written: " + stored.encode());
    assertNotNull(stored.getString("endedAt"), stored::encode);
    assertNull(stored.getJsonObject("attribution").getString("gclid"), stored::encode);
    assertNull(stored.getJsonObject("attribution").getString("gaClientId"), stored::encode);
    assertNull(stored.getJsonObject("attribution").getString("gaSessionId"), stored::encode);
    assertNull(stored.getJsonObject("attribution").getString("fbp"), stored::encode);
    assertFalse(stored.getJsonObject("attribution").getString("landingPage").contains("gclid"), stored::encode);
    assertEquals("google", stored.getJsonObject("attribution").getString("source"), "what reports count by stays");
    assertNull(stored.getJsonObject("media").getString("recording"), "the recording stays gone: " + stored.encode());
    assertTrue(stored.getJsonObject("media").getBoolean("recorded"), stored::encode);
    List<String> stream = streamRecords(site.property());
    String digits = caller.substring(1);
    assertTrue(stream.stream().noneMatch(r -> r.contains(digits) || r.contains("gclid-ringing-1")), stream::toString);
    assertEquals(3, stream.stream().filter(r -> r.contains(id)).count(), "the later events are on the stream: " + stream);
    assertTrue(stream.stream().anyMatch(r -> r.contains(id) && r.contains("\"endedAt\":\"") && !r.contains(".wav")),
        "the end's own entry, before the recording's: " + stream);
  }

  @Test
  void aCallerIsErasedByTheirE164NumberOnlyAndAnyOtherFormErasesNothing() {
    Site site = siteWithRetention(1, null);
    String e164 = TestNumbers.lead();
    String national = e164.substring(2);
    String exchange = national.substring(3, 6);
    String line = national.substring(6);
    CallRecord call = call(site.property(), e164, Instant.parse("2026-03-02T10:00:00Z"), null,
        CallSeeder.source("google", "cpc"));
    Reply asked = api.post("/v1/callbacks", new JsonObject().put("property", site.property()).put("phone", e164),
        DniClient.headers("origin", ORIGIN, "content-type", "application/json"));
    assertEquals(202, asked.status(), asked::toString);
    String callback = asked.json().getString("id");

    for (String other : List.of(national, "1" + national, "%2B1%20(312)%20" + exchange + "-" + line)) {
      Reply refused = api.request(HttpMethod.DELETE, "/v1/callers/" + other, null, api.admin());
      assertEquals(400, refused.status(), refused::toString);
      assertEquals("invalid_request", refused.json().getString("error"), refused::toString);
      assertTrue(refused.json().getString("detail").contains("E.164")
          && refused.json().getString("detail").contains("+14155550100"), refused::toString);
      // nothing erased: neither the call nor the callback
      assertEquals(e164, api.adminGet("/v1/calls/" + call.callId()).json().getString("caller"), other);
      assertEquals(200, api.adminGet("/v1/callbacks/" + callback).status(), other);
    }

    Reply erased = api.request(HttpMethod.DELETE, "/v1/callers/" + e164, null, api.admin());
    assertEquals(200, erased.status(), erased::toString);
    assertEquals(1, erased.json().getInteger("calls"), erased::toString);
    assertEquals(1, erased.json().getInteger("callbacks"), erased::toString);
    assertTrue(api.adminGet("/v1/calls/" + call.callId()).json().getString("caller").startsWith("erased:"));
    assertEquals(404, api.adminGet("/v1/callbacks/" + callback).status());
  }

  @Test
  void aVisitorIsErasedFromSessionsCallsAndExports() {
    Site site = siteWithRetention(2, RETENTION);
    String visitor = TestRedis.uniqueId("visitor");
    JsonObject assign = assignBody(site.property(), visitor);
    // ad platforms put the click ids in the landing page's query too
    assign.getJsonObject("page").put("url", "https://www.shop.example/landing?gclid=abc123&utm_campaign=spring&FBCLID=fb-1");
    // and the site's GA ids, which the snippet reads from its cookies
    assign.getJsonObject("attribution").put("gaClientId", "918273645.1764000000").put("gaSessionId", "1764000777")
        .put("fbp", "fb.1.1764000000123.5556667778");
    Reply a = api.assign(assign);
    String sid = a.json().getString("sessionId");
    String number = a.json().getString("number");
    assertNotNull(sid, a::toString);
    Attribution withClick = new Attribution("google", "cpc", "spring", "plumber", null,
        "/landing?gclid=gclid-visitor-1&utm_campaign=spring", "https://www.google.com/", "gclid-visitor-1", null,
        null, null, null, null, null, null, null, null, "918273645.1764000000", "1764000777",
        "fb.1.1764000000123.5556667778");
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
    assertTrue(storedAttribution(new PoolKeys(site.poolId()).session(sid)).contains("918273645.1764000000"),
        "GA client id stored");
    assertTrue(storedAttribution(new PoolKeys(site.poolId()).session(sid)).contains("fb.1.1764000000123.5556667778"),
        "Meta browser id stored");
    assertEquals("918273645.1764000000", api.adminGet("/v1/calls/" + c.callId()).json().getJsonObject("attribution")
        .getString("gaClientId"));
    assertEquals(visitor, await(redis.hget(new PoolKeys(site.poolId()).live(), sid.substring(sid.indexOf('.') + 1)))
        .toString(), "a live session's visitor, for when its number's hold runs out");
    // attribution remembered which visitor the caller's call went to
    String callerIndex = new PoolKeys(site.poolId()).caller("+14155550188");
    await(redis.set(List.of(callerIndex, visitor)));
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
    assertFalse(sessionAttribution.contains("fb-1"), sessionAttribution); // and a click id in its landing page
    assertTrue(sessionAttribution.contains("/landing?utm_campaign=spring"), sessionAttribution); // the page stays
    assertFalse(sessionAttribution.contains("www.google.com"), sessionAttribution); // its referrer
    assertFalse(sessionAttribution.contains("918273645") || sessionAttribution.contains("1764000777")
        || sessionAttribution.contains("5556667778"), sessionAttribution); // the GA and Meta ids
    assertNull(await(redis.hget(k.visitors(), visitor)));
    assertNull(await(redis.hget(k.live(), sid.substring(sid.indexOf('.') + 1))), "the live session forgets its visitor");
    assertEquals(0, await(redis.exists(List.of(k.visitorSessions(visitor)))).toInteger());
    JsonObject stored = api.adminGet("/v1/calls/" + c.callId()).json();
    assertNull(stored.getJsonObject("attribution").getString("gclid"), stored::encode);
    assertNull(stored.getJsonObject("attribution").getString("gaClientId"), stored::encode);
    assertNull(stored.getJsonObject("attribution").getString("gaSessionId"), stored::encode);
    assertEquals("/landing?utm_campaign=spring", stored.getJsonObject("attribution").getString("landingPage"),
        stored::encode);
    assertEquals("google", stored.getJsonObject("attribution").getString("source"));
    assertFalse(api.adminGet(exportPath).text().contains("gclid-visitor-1"));
    assertTrue(streamRecords(site.property()).stream().noneMatch(r -> r.contains(sid) || r.contains("gclid-visitor-1")));
    assertEquals(0, await(redis.exists(List.of(callerIndex))).toInteger(), "the caller → visitor link is gone");
    assertEquals(before, roiTotal(site.property(), day));
    // the session keeps its number: its lease goes on, later calls are still attributed
    assertEquals(number, await(redis.hget(k.session(sid), "n")).toString());
  }

  /**
   * A property keeping call records a day (no callerNumbersDays): once a caller's record is gone, the
   * first-caller hash and the first call's contribution still hold the number, and an erasure that
   * found the calls through their records alone never reached them.
   */
  @Test
  void erasingACallerReachesTheRollupsOfCallsWhoseRecordsExpired() {
    String property = TestRedis.uniqueId("priv");
    JsonObject body = propertyBody(io.calltrack.dni.testing.TestNumbers.one(), ORIGIN).put("timezone", "UTC")
        .put("retention", new JsonObject().put("callRecordsDays", 1));
    assertEquals(200, api.adminPut("/v1/properties/" + property, body).status());
    String caller = "+14155550166";
    CallRecord c = call(property, caller, clock.instant(), null,
        new Attribution("google", "cpc", "spring", null, null, "/landing", null, null, null, null, null, null));
    CallSeeder.awaitConsumerCaughtUp(vertx, property);
    io.calltrack.core.rollup.RollupKeys keys = new io.calltrack.core.rollup.RollupKeys(property);
    assertNotNull(await(redis.hget(keys.callers(), caller)), "the rollups know the caller");
    // the call's contribution (it holds the number) expires with the record, not after it
    String record = io.calltrack.core.calls.RedisCallStore.key(property, c.callId());
    long recordTtl = pttl(record);
    long contributionTtl = pttl(keys.contribution(c.callId()));
    // the record's time left is read, then set on the contribution a moment later: they end within
    // that moment of each other (a day, not kept "until erased")
    assertTrue(contributionTtl > 0 && contributionTtl <= recordTtl + 1_000, contributionTtl + " ms against " + recordTtl);
    // the record's TTL runs out (what Redis does a day later)
    assertEquals(1, await(redis.del(List.of(io.calltrack.core.calls.RedisCallStore.key(property, c.callId()))))
        .toInteger());

    Reply erased = api.request(HttpMethod.DELETE, "/v1/callers/%2B14155550166", null, api.admin());
    assertEquals(200, erased.status(), erased::toString);
    assertNull(await(redis.hget(keys.callers(), caller)), "the first-caller hash forgot the number");
    String contribution = String.valueOf(await(redis.get(keys.contribution(c.callId()))));
    assertFalse(contribution.contains("4155550166"), contribution);
    assertTrue(contribution.contains("erased:"), contribution);
  }

  Reply askCallback(String property, String phone, String sessionId, String note) {
    JsonObject body = new JsonObject().put("property", property).put("phone", phone).put("note", note);
    if (sessionId != null) {
      body.put("sessionId", sessionId);
    }
    Reply r = api.post("/v1/callbacks", body, DniClient.headers("origin", ORIGIN, "content-type", "application/json"));
    assertEquals(202, r.status(), r::toString);
    return r;
  }

  /** A call a router placed for a callback: the lead as caller, attributed to the visit that asked (or none). */
  /** A visit from a Google ad click: its gclid in the landing page and the attribution, Google as referrer. */
  static Attribution fromAGoogleAd(String gclid) {
    return new Attribution("google", "cpc", "spring", null, null, "/landing?gclid=" + gclid, "https://www.google.com/",
        gclid, null, null, null, null);
  }

  CallRecord callbackCall(String property, String lead, Instant start, String sessionId, Attribution a) {
    String id = TestRedis.uniqueId("cb-call");
    CallRecord r = CallRecord.callback(id, id + "@router", lead, property, start);
    return answered(sessionId == null ? r : r.withAttribution("callback", sessionId, a, List.of()));
  }

  /**
   * A visitor's lead form asked for two callbacks (two numbers, with notes); a router is placing one
   * of them; each became calls. Erasing the visitor deletes both callbacks, stops the router, and
   * takes the lead's numbers out of the calls they became (records, rollups, stream, dead letters),
   * while another visitor's callback for the same number and the number's own inbound call stay.
   */
  @Test
  void erasingAVisitorDeletesTheCallbacksItAskedForAndTheLeadsNumberInTheirCalls() {
    Site site = siteWithRetention(2, null);
    String visitor = TestRedis.uniqueId("visitor");
    String sid = api.assign(assignBody(site.property(), visitor)).json().getString("sessionId");
    String othersSid = api.assign(assignBody(site.property(), TestRedis.uniqueId("visitor"))).json()
        .getString("sessionId");
    String lead = TestNumbers.lead();
    String second = TestNumbers.lead();
    var store = new io.calltrack.core.callback.RedisCallbackStore(redis, clock,
        io.calltrack.core.callback.RedisCallbackStore.Limits.DEFAULT);
    // another visitor asked for the same number first, and was called back (a pending one would be the
    // callback the visitor's request gets: one callback per number at a time)
    String someoneElses = askCallback(site.property(), lead, othersSid, "same number, another visit").json()
        .getString("id");
    var placed = await(store.claim(site.property(), "router-test", Duration.ofSeconds(60), 1)).orElseThrow();
    assertTrue(await(store.finish(placed.attempt("c-others", clock.instant())
        .ended(io.calltrack.core.callback.CallbackState.COMPLETED, clock.instant(), "the lead hung up"), "router-test")));
    String mine = askCallback(site.property(), lead, sid, "the boiler leaks, call after 5").json().getString("id");
    String alsoMine = askCallback(site.property(), second, sid, null).json().getString("id");

    // a router takes both of the visitor's callbacks and is calling for each (the property lets it: two at once)
    java.util.Map<String, io.calltrack.core.callback.Callback> held = new java.util.HashMap<>();
    for (int i = 0; i < 3; i++) {
      var claimed = await(store.claim(site.property(), "router-test", Duration.ofSeconds(60), 2));
      claimed.ifPresent(c -> held.put(c.id(), c));
    }
    assertTrue(held.keySet().containsAll(List.of(mine, alsoMine)), held::toString);
    Attribution withClick = fromAGoogleAd("gclid-lead-1");
    Instant start = clock.instant();
    // the first attempt of the first callback, then its retry (the one the callback names now)
    CallRecord tried = callbackCall(site.property(), lead, start, sid, withClick);
    CallRecord retried = callbackCall(site.property(), lead, start.plusSeconds(180), sid, withClick);
    assertTrue(await(store.hold(held.get(mine).attempt(retried.callId(), retried.startedAt()), "router-test",
        Duration.ofSeconds(60), true)));
    // the second one was placed once its visit's session was gone: only the callback names its call
    CallRecord unattributed = callbackCall(site.property(), second, start.plusSeconds(60), null, null);
    assertTrue(await(store.hold(held.get(alsoMine).attempt(unattributed.callId(), unattributed.startedAt()), "router-test",
        Duration.ofSeconds(60), true)));
    // the lead's number also called in, and another visitor's callback was placed to it
    CallRecord inbound = call(site.property(), lead, start.plusSeconds(600), null, CallSeeder.source("bing", "cpc"));
    CallRecord othersCall = callbackCall(site.property(), lead, start.plusSeconds(900), othersSid, withClick);
    String day = start.toString().substring(0, 10);
    Await.until(Duration.ofSeconds(60), () -> roiTotal(site.property(), day), t -> t.getLong("calls") == 5);
    CallSeeder.awaitConsumerCaughtUp(vertx, site.property());
    JsonObject before = roiTotal(site.property(), day);
    RollupKeys keys = new RollupKeys(site.property());
    assertTrue(await(redis.hget(keys.callers(), lead)).toString().endsWith(tried.callId()));
    String deadLetters = io.calltrack.core.webhooks.CallWebhookDispatcher.DEAD_LETTERS;
    String theirs = deadLetter(site.property(), unattributed, System.currentTimeMillis());
    String inboundLetter = deadLetter(site.property(), inbound, System.currentTimeMillis());
    await(redis.rpush(List.of(deadLetters, theirs, inboundLetter)));

    Reply erased = api.request(HttpMethod.DELETE, "/v1/visitors/" + visitor, null, api.admin());
    assertEquals(200, erased.status(), erased::toString);
    assertEquals(404, api.adminGet("/v1/callbacks/" + mine).status(), "the note and the number are gone");
    assertEquals(404, api.adminGet("/v1/callbacks/" + alsoMine).status());
    assertEquals(2, erased.json().getInteger("callbacks"), erased::toString);
    assertEquals(1, erased.json().getInteger("sessions"), erased::toString);
    assertEquals(3, erased.json().getInteger("calls"), erased::toString);
    // the router placing them stops writing them, and no router takes them again
    assertFalse(await(store.hold(held.get(mine), "router-test", Duration.ofSeconds(60), true)));
    assertFalse(await(store.finish(held.get(alsoMine), "router-test")));
    List<String> due = await(redis.zrange(List.of(new io.calltrack.core.callback.CallbackKeys(site.property()).due(),
        "0", "-1"))).stream().map(Object::toString).toList();
    assertFalse(due.contains(mine) || due.contains(alsoMine), due::toString);
    // another visitor's request for the same number stays, and so does its place in the number's index
    JsonObject others = api.adminGet("/v1/callbacks/" + someoneElses).json();
    assertEquals(lead, others.getString("phone"), others::encode);
    var cbKeys = new io.calltrack.core.callback.CallbackKeys(site.property());
    assertEquals(List.of(someoneElses), await(redis.smembers(cbKeys.phone(lead))).stream().map(Object::toString).toList());
    // nothing of the second number or of the visitor is left under the property's callback keys
    assertEquals(0, await(redis.keys("{cb:" + site.property() + "}*" + second.substring(1) + "*")).size());
    assertEquals(0, await(redis.keys("{cb:" + site.property() + "}*" + visitor + "*")).size());

    // the calls the visitor's callbacks became: the lead's number is a token (one per number), the click ids go
    for (CallRecord c : List.of(tried, retried, unattributed)) {
      JsonObject stored = api.adminGet("/v1/calls/" + c.callId()).json();
      assertTrue(stored.getString("caller").startsWith("erased:"), stored::encode);
      assertFalse(stored.encode().contains("gclid-lead-1"), stored::encode);
    }
    assertEquals(caller(tried), caller(retried), "one token for the number's calls");
    assertNotEquals(caller(tried), caller(unattributed), "another number, another token");
    // the number's own inbound call and another visitor's callback call are another person's erasure
    assertEquals(lead, caller(inbound));
    assertEquals(lead, caller(othersCall));
    assertEquals("gclid-lead-1", api.adminGet("/v1/calls/" + othersCall.callId()).json()
        .getJsonObject("attribution").getString("gclid"));
    // rollups: the first-caller entry named the visitor's callback call: it moves to the token; counts stay
    assertNull(await(redis.hget(keys.callers(), lead)));
    for (CallRecord c : List.of(tried, retried, unattributed)) {
      String contribution = await(redis.get(keys.contribution(c.callId()))).toString();
      assertFalse(contribution.contains(lead.substring(1)) || contribution.contains(second.substring(1)), contribution);
    }
    assertTrue(await(redis.get(keys.contribution(inbound.callId()))).toString().contains(lead));
    assertEquals(before, roiTotal(site.property(), day));
    // the stream and the webhooks given up on
    List<String> stream = streamRecords(site.property());
    assertTrue(stream.stream().noneMatch(r -> r.contains(tried.callId()) || r.contains(retried.callId())
        || r.contains(unattributed.callId())), stream::toString);
    assertTrue(stream.stream().anyMatch(r -> r.contains(inbound.callId())), stream::toString);
    List<String> letters = await(redis.lrange(deadLetters, "0", "-1")).stream().map(Object::toString).toList();
    assertFalse(letters.contains(theirs));
    assertTrue(letters.contains(inboundLetter));

    Reply again = api.request(HttpMethod.DELETE, "/v1/visitors/" + visitor, null, api.admin());
    assertEquals(200, again.status(), again::toString);
    assertEquals(0, again.json().getInteger("callbacks"), again::toString);
  }

  /**
   * A property keeping sessions a day and callbacks 30: once the visit that asked is gone (the session,
   * the visitor's session index), the visitor's erasure still reaches its callback.
   */
  @Test
  void erasingAVisitorReachesCallbacksThatOutlivedItsSessions() {
    Site site = siteWithRetention(1, new JsonObject().put("sessionsDays", 1).put("callerNumbersDays", 30));
    String visitor = TestRedis.uniqueId("visitor");
    String sid = api.assign(assignBody(site.property(), visitor)).json().getString("sessionId");
    String id = askCallback(site.property(), TestNumbers.lead(), sid, "call me").json().getString("id");
    PoolKeys k = new PoolKeys(site.poolId());
    // what Redis does a day later (the session's TTL) and the end of its number's hold
    await(redis.del(List.of(k.session(sid), k.visitorSessions(visitor))));
    await(redis.hdel(List.of(k.visitors(), visitor)));

    Reply erased = api.request(HttpMethod.DELETE, "/v1/visitors/" + visitor, null, api.admin());
    assertEquals(200, erased.status(), erased::toString);
    assertEquals(0, erased.json().getInteger("sessions"), erased::toString);
    assertEquals(404, api.adminGet("/v1/callbacks/" + id).status());
    assertEquals(1, erased.json().getInteger("callbacks"), erased::toString);
  }

  /**
   * A call attributed to another visitor's session lists the erased visitor's session among its
   * candidates (a recycled number): its attribution, click id and all, is the other visitor's, and
   * stays (it used to be stripped: the other visitor's conversion would leave the Google Ads export).
   */
  @Test
  void erasingAVisitorLeavesTheClickIdsOfACallAttributedToAnotherVisitor() {
    Site site = siteWithRetention(2, RETENTION);
    String erased = TestRedis.uniqueId("visitor");
    String erasedSid = api.assign(assignBody(site.property(), erased)).json().getString("sessionId");
    String otherSid = api.assign(assignBody(site.property(), TestRedis.uniqueId("visitor"))).json()
        .getString("sessionId");
    Attribution others = fromAGoogleAd("gclid-other-1");
    String id = TestRedis.uniqueId("pc");
    Instant start = clock.instant();
    CallRecord c = answered(CallRecord.started(id, id + "@trunk", io.calltrack.core.testing.TestNumbers.fresh(),
            "+14155550189", site.property(), start)
        .withAttribution("probable", otherSid, others, List.of(
            new io.calltrack.core.attribution.Candidate(otherSid, 0.7, List.of()),
            new io.calltrack.core.attribution.Candidate(erasedSid, 0.3, List.of()))));
    // read through the API, whose answers are held to openapi.json (candidates as objects)
    JsonObject before = api.adminGet("/v1/calls/" + c.callId()).json();
    assertEquals(erasedSid, before.getJsonArray("candidates").getJsonObject(1).getString("sessionId"), before::encode);

    Reply reply = api.request(HttpMethod.DELETE, "/v1/visitors/" + erased, null, api.admin());
    assertEquals(200, reply.status(), reply::toString);
    assertEquals(1, reply.json().getInteger("sessions"), reply::toString);
    String stored = api.adminGet("/v1/calls/" + c.callId()).json().encode();
    assertTrue(stored.contains("\"gclid\":\"gclid-other-1\"") && stored.contains("www.google.com"), stored);
    assertEquals(0, reply.json().getInteger("calls"), reply::toString);
  }

  /**
   * A visitor's erasure that fails midway (here a record it cannot read; in production a Redis that
   * times out or drops the connection) answers an error and is sent again: the second one must still
   * find the visitor's sessions, which the first one already anonymised, and finish with their calls.
   */
  @Test
  void aVisitorsErasureSentAgainAfterAFailureFinishesWithItsCalls() {
    Site site = siteWithRetention(2, RETENTION);
    String visitor = TestRedis.uniqueId("visitor");
    String sid = api.assign(assignBody(site.property(), visitor)).json().getString("sessionId");
    Attribution withClick = fromAGoogleAd("gclid-retry-1");
    CallRecord c = call(site.property(), "+14155550187", clock.instant(), sid, withClick);
    // a record the erasure cannot read, listed after the visitor's call (paging is newest first)
    String broken = TestRedis.uniqueId("broken");
    String brokenKey = RedisCallStore.key(site.property(), broken);
    String member = String.format("%013d|%s", clock.instant().minusSeconds(3600).toEpochMilli(), broken);
    await(redis.hset(List.of(brokenKey, "seq", "0", "record", "{\"callId\": ")));
    await(redis.zadd(List.of(RedisCallStore.index(site.property()), "0", member)));
    try {
      Reply failed = api.request(HttpMethod.DELETE, "/v1/visitors/" + visitor, null, api.admin());
      // the store's fault, not the request's: a 500 that says nothing of parsers, never a 400
      assertEquals(500, failed.status(), failed::toString);
      assertEquals("internal", failed.error(), failed::toString);
      assertFalse(failed.json().getString("detail").toLowerCase().contains("json"), failed::toString);
    } finally {
      await(redis.del(List.of(brokenKey)));
      await(redis.zrem(List.of(RedisCallStore.index(site.property()), member)));
    }

    Reply again = api.request(HttpMethod.DELETE, "/v1/visitors/" + visitor, null, api.admin());
    assertEquals(200, again.status(), again::toString);
    JsonObject stored = api.adminGet("/v1/calls/" + c.callId()).json();
    assertNull(stored.getJsonObject("attribution").getString("gclid"), stored::encode);
    assertNull(stored.getJsonObject("attribution").getString("gaClientId"), stored::encode);
    assertNull(stored.getJsonObject("attribution").getString("gaSessionId"), stored::encode);
    assertEquals(1, again.json().getInteger("sessions"), again::toString);
    assertEquals(1, again.json().getInteger("calls"), again::toString);
    assertEquals(0, await(redis.exists(List.of(new PoolKeys(site.poolId()).visitorSessions(visitor)))).toInteger(),
        "the visitor's index goes once the erasure is whole");
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
