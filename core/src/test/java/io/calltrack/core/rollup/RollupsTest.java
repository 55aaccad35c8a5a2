package io.calltrack.core.rollup;

import static io.calltrack.core.testing.Await.result;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.attribution.Attribution;
import io.calltrack.core.calls.CallEvent;
import io.calltrack.core.calls.CallOutcome;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.CallStatus;
import io.calltrack.core.calls.RedisCallStore;
import io.calltrack.core.config.PropertyConfig;
import io.calltrack.core.config.RedisConfigStore;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.core.redis.RedisClientFactory;
import io.calltrack.core.report.RoiReport;
import io.calltrack.core.report.RoiReporter;
import io.calltrack.core.report.RoiRow;
import io.calltrack.core.spend.SpendRow;
import io.calltrack.core.spend.SpendStore;
import io.calltrack.core.testing.TestNumbers;
import io.calltrack.core.testing.TestRedis;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Rollups from a known set of calls fed through the real calls stream and a consumer group: an
 * outcome changed three times, stream entries delivered twice (a consumer "crashes" holding them, a
 * second claims them, then the first finishes late), days cut in the property's timezone.
 */
class RollupsTest {
  static final ZoneId NY = ZoneId.of("America/New_York");
  Vertx vertx;
  Redis redis;
  RedisAPI api;
  RedisConfigStore config;
  RedisCallStore calls;
  RollupStore rollups;
  String property;
  final String caller1 = "+1202555" + (1000 + (int) (Math.random() * 8999));
  final String caller2 = "+1303555" + (1000 + (int) (Math.random() * 8999));
  final String caller3 = "+1404555" + (1000 + (int) (Math.random() * 8999));

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    redis = RedisClientFactory.create(vertx, TestRedis.url());
    api = RedisAPI.api(redis);
    config = result(RedisConfigStore.create(vertx, redis));
    calls = new RedisCallStore(redis);
    rollups = new RollupStore(redis, config);
    PhoneNumber business = TestNumbers.fresh();
    property = TestRedis.uniqueId("roll");
    result(config.putProperty(new PropertyConfig(property, null, List.of(), List.of(business), business, null,
        "America/New_York")));
  }

  @AfterEach
  void tearDown() {
    result(config.close());
    result(vertx.close());
  }

  Attribution attr(String source, String medium, String campaign, String keyword, String page) {
    return new Attribution(source, medium, campaign, keyword, null, page, null, null, null, null, null, null);
  }

  /** Plays a call through the store: started, then answered (if talkSeconds >= 0) and ended. */
  CallRecord play(String caller, PhoneNumber number, Instant start, Attribution a, Integer talkSeconds,
      CallStatus unanswered) {
    String callId = TestRedis.uniqueId("call");
    CallRecord r = CallRecord.started(callId, callId + "@sip", number, caller, property, start)
        .withAttribution(a == null ? "unattributed" : "lease", null, a, List.of());
    int seq = 0;
    result(calls.apply(new CallEvent(callId, seq++, CallEvent.Type.STARTED, start, r)));
    if (talkSeconds == null) {
      return r;
    }
    if (unanswered == null) {
      r = r.answered(start.plusSeconds(5), 200);
      result(calls.apply(new CallEvent(callId, seq++, CallEvent.Type.ANSWERED, start.plusSeconds(5), r)));
      r = r.ended(start.plusSeconds(5 + talkSeconds), CallStatus.ANSWERED, 200);
    } else {
      r = r.ended(start.plusSeconds(30), unanswered, 408);
    }
    result(calls.apply(new CallEvent(callId, seq, CallEvent.Type.ENDED, r.endedAt(), r)));
    return r;
  }

  Map<String, Long> hash(String key) {
    Map<String, Long> out = new HashMap<>();
    Hashes.toMap(result(api.hgetall(key))).forEach((k, v) -> out.put(k, Long.parseLong(v)));
    return out;
  }

  /** Reads entries as a consumer that then "crashes": they stay pending, never acknowledged. */
  List<String> readAndCrash(String group) {
    Response res = result(api.xreadgroup(List.of("GROUP", group, "crashed", "COUNT", "10000", "STREAMS",
        RedisCallStore.eventsStream(property), ">")));
    List<String> ids = new ArrayList<>();
    Response entries = res.isMap() ? res.get(RedisCallStore.eventsStream(property)) : res.get(0).get(1);
    for (Response e : entries) {
      ids.add(e.get(0).toString());
    }
    return ids;
  }

  @Test
  void knownCallSetGivesExactFigures() {
    String group = TestRedis.uniqueId("grp");
    // the group starts at the stream's end: this test's calls only
    result(api.xgroup(List.of("CREATE", RedisCallStore.eventsStream(property), group, "$", "MKSTREAM")));
    RollupConsumer consumer = new RollupConsumer(vertx, redis, rollups, group, "survivor", Duration.ZERO,
        List.of(property));

    PhoneNumber n1 = TestNumbers.fresh();
    PhoneNumber n2 = TestNumbers.fresh();
    // 2026-11-20 10:00 in New York: answered, 60 s of talk — caller1's first call
    CallRecord c1 = play(caller1, n1, Instant.parse("2026-11-20T15:00:00Z"),
        attr("google", "cpc", "winter", "plumber", "/a"), 60, null);
    // 11:00 the same day: caller1 again (a repeat call), missed
    play(caller1, n1, Instant.parse("2026-11-20T16:00:00Z"), attr("google", "cpc", "winter", "drain", "/a"),
        0, CallStatus.MISSED);
    // 03:00 UTC on the 21st is still the 20th (22:00) in New York: caller2, answered, 30 s
    play(caller2, n2, Instant.parse("2026-11-21T03:00:00Z"), attr("bing", "cpc", null, null, "/b"), 30, null);
    // 06:00 UTC on the 21st is 01:00 on the 21st in New York: caller3, unattributed, still ringing
    CallRecord c4 = play(caller3, n2, Instant.parse("2026-11-21T06:00:00Z"), null, null, null);

    // the outcome of call 1, changed three times; only the last counts
    result(calls.setOutcome(c1.callId(), new CallOutcome(true, false, new BigDecimal("100.00"), "USD")));
    result(calls.setOutcome(c1.callId(), new CallOutcome(true, true, new BigDecimal("250.50"), "USD")));
    result(calls.setOutcome(c1.callId(), new CallOutcome(true, true, new BigDecimal("199.99"), "USD")));

    // a consumer takes every entry and dies before acknowledging; the survivor claims them all
    List<String> pending = readAndCrash(group);
    assertEquals(3 + 2 + 3 + 1 + 3, pending.size(), "every event and outcome change is on the stream");
    int handled = result(consumer.pollOnce());
    assertEquals(pending.size(), handled);
    // ...then the crashed consumer comes back and finishes its (late, duplicate) deliveries
    for (String id : pending) {
      assertFalse(result(rollups.refresh(idToCall(id), id)), "a redelivered entry changes nothing");
    }
    assertEquals(0, result(consumer.pollOnce()), "nothing left");
    assertEquals(0L, result(api.xpending(List.of(RedisCallStore.eventsStream(property), group))).get(0).toLong(),
        "every entry acknowledged");

    RollupKeys k = new RollupKeys(property);
    LocalDate d20 = LocalDate.parse("2026-11-20");
    LocalDate d21 = LocalDate.parse("2026-11-21");
    java.util.Map<String, Long> expected20 = new java.util.HashMap<>(Map.of("calls", 3L, "answered", 2L,
        "missed", 1L, "qualified", 1L, "conversions", 1L, "revenue", 19999L, "duration", 90L, "first", 2L,
        "repeatCalls", 1L));
    // handling figures: two calls answered after 5 s each, one missed after 30 s; one outcome, first-time
    expected20.putAll(Map.of("finished", 3L, "waitSeconds", 40L, "answerSeconds", 10L, "answeredWithin10", 2L,
        "answeredWithin20", 2L, "answeredWithin30", 2L, "answeredWithin60", 2L, "withOutcome", 1L,
        "firstRevenue", 19999L, "missedInbound", 1L));
    // three calls of a known source, one touch each
    expected20.putAll(Map.of("withJourney", 3L, "touchpoints", 3L));
    assertEquals(expected20, hash(k.day(d20, "total")));
    assertEquals(Map.of("calls", 1L, "first", 1L), hash(k.day(d21, "total")));
    assertEquals(counts("calls:google", 2L, "answered:google", 1L, "missed:google", 1L, "qualified:google", 1L,
        "conversions:google", 1L, "revenue:google", 19999L, "duration:google", 60L, "first:google", 1L,
        "repeatCalls:google", 1L, "calls:bing", 1L, "answered:bing", 1L, "duration:bing", 30L, "first:bing", 1L),
        classic(hash(k.day(d20, "source"))));
    assertEquals(Map.of("calls:", 1L, "first:", 1L), classic(hash(k.day(d21, "source"))));
    // the multi-touch models' credit (one touch each: a whole call), only the last outcome's revenue
    for (String model : List.of("linear", "position", "timeDecay")) {
      assertEquals(Map.of("calls:google", 2_000_000L, "conversions:google", 1_000_000L, "revenue:google", 19999L,
          "calls:bing", 1_000_000L), hash(k.day(d20, "source@" + model)), model);
      assertEquals(Map.of("calls:", 1_000_000L), hash(k.day(d21, "campaign@" + model)), model);
    }
    assertEquals(Map.of("calls:winter", 2_000_000L, "conversions:winter", 1_000_000L, "revenue:winter", 19999L,
        "calls:", 1_000_000L), hash(k.day(d20, "campaign@linear")));
    // a stored contribution keeps its counts other than 0 (most are 0), every digit of them
    io.vertx.core.json.JsonObject stored = new io.vertx.core.json.JsonObject(result(api.get(k.contribution(c1.callId()))).toString());
    io.vertx.core.json.JsonObject counts = stored.getJsonObject("m");
    assertTrue(counts.stream().noneMatch(e -> ((Number) e.getValue()).longValue() == 0), counts.encode());
    assertEquals(Map.of("calls", 1L, "answered", 1L, "revenue", 19999L, "conversions", 1L, "first", 1L,
        "firstRevenue", 19999L), Map.of("calls", counts.getLong("calls"), "answered", counts.getLong("answered"),
        "revenue", counts.getLong("revenue"), "conversions", counts.getLong("conversions"), "first",
        counts.getLong("first"), "firstRevenue", counts.getLong("firstRevenue")));
    assertEquals(19999L, hash(k.day(d20, "keyword")).get("revenue:plumber"));
    assertNull(hash(k.day(d20, "keyword")).get("revenue:drain"));
    assertEquals(2L, hash(k.day(d20, "number")).get("calls:" + n1.e164()));
    assertEquals(2L, hash(k.day(d20, "landingPage")).get("calls:/a"));
    assertEquals(2L, result(api.pfcount(List.of(k.hllTotal(d20)))).toLong());
    assertEquals(1L, result(api.pfcount(List.of(k.hll(d20, Dimension.SOURCE, "google")))).toLong());
    assertEquals(3L, result(api.pfcount(List.of(k.hllTotal(d20), k.hllTotal(d21)))).toLong());

    long[] hours = new long[24];
    hours[10] = 1;
    hours[11] = 1;
    hours[22] = 1;
    assertArrayEquals(hours, result(rollups.callsByHour(property, d20)));
    assertEquals(List.of(c4.callId()), result(rollups.liveCallIds(property)));

    // and the report over both days, with 100.00 of google spend on the 20th
    SpendStore spend = new SpendStore(redis);
    result(spend.replaceDays(property, List.of(new SpendRow(d20, "google", "cpc", "", 10000))));
    RoiReport report = result(new RoiReporter(redis, spend).report(property, NY, d20, d21, Dimension.SOURCE));
    RoiRow google = report.rows().get(0);
    assertEquals("google", google.group());
    Map<String, Object> g = google.fields();
    assertEquals(2L, g.get("calls"));
    assertEquals(1L, g.get("uniqueCallers"));
    assertEquals("199.99", g.get("revenue"));
    assertEquals("100.00", g.get("cost"));
    assertEquals(new BigDecimal("2.000"), g.get("roas"));
    assertEquals(new BigDecimal("99.99"), g.get("roiPercent"));
    assertEquals(new BigDecimal("0.5000"), g.get("answerRate"));
    Map<String, Object> bing = report.rows().stream().filter(r -> "bing".equals(r.group())).findFirst()
        .orElseThrow().fields();
    assertNull(bing.get("cost"), "no spend given for bing");
    assertNull(bing.get("roas"));
    Map<String, Object> none = report.rows().stream().filter(r -> r.group() == null).findFirst()
        .orElseThrow().fields();
    assertEquals(1L, none.get("calls"));
    Map<String, Object> total = report.total().fields();
    assertEquals(4L, total.get("calls"));
    assertEquals(3L, total.get("uniqueCallers"));
    assertEquals(3L, total.get("firstTimeCallers"));
    assertEquals("100.00", total.get("cost"));
    assertEquals("25.00", total.get("costPerCall"));
  }

  @Test
  void twoConsumersSharingTheGroupCountEveryCallOnce() {
    String group = TestRedis.uniqueId("grp");
    result(api.xgroup(List.of("CREATE", RedisCallStore.eventsStream(property), group, "$", "MKSTREAM")));
    // two "servers", each with its own Redis client, polling the same group at the same time
    Redis other = RedisClientFactory.create(vertx, TestRedis.url());
    RollupConsumer a = new RollupConsumer(vertx, redis, rollups, group, "a", Duration.ofMinutes(5),
        List.of(property));
    RollupConsumer b = new RollupConsumer(vertx, other, new RollupStore(other, config), group, "b",
        Duration.ofMinutes(5), List.of(property));
    PhoneNumber n = TestNumbers.fresh();
    int count = 60;
    for (int i = 0; i < count; i++) {
      CallRecord c = play("+1505555" + String.format("%04d", i % 40), n, Instant.parse("2026-11-20T15:00:00Z")
          .plusSeconds(i), attr(i % 2 == 0 ? "google" : "bing", "cpc", null, null, "/"), i % 3 == 0 ? 0 : 10,
          i % 3 == 0 ? CallStatus.BUSY : null);
      if (i % 10 == 0) {
        result(calls.setOutcome(c.callId(), new CallOutcome(true, true, new BigDecimal("1.25"), "USD")));
      }
      if (i % 7 == 0) { // let both consumers race while calls are still coming in
        result(io.vertx.core.Future.all(a.pollOnce(), b.pollOnce()));
      }
    }
    for (int round = 0; round < 50; round++) {
      var both = result(io.vertx.core.Future.all(a.pollOnce(), b.pollOnce()));
      if ((int) both.resultAt(0) + (int) both.resultAt(1) == 0) {
        break;
      }
    }
    assertEquals(0L, result(api.xpending(List.of(RedisCallStore.eventsStream(property), group))).get(0).toLong());
    Map<String, Long> total = hash(new RollupKeys(property).day(LocalDate.parse("2026-11-20"), "total"));
    assertEquals((long) count, total.get("calls"));
    assertEquals(20L, total.get("missed"));
    assertEquals(40L, total.get("answered"));
    assertEquals(400L, total.get("duration"));
    assertEquals(6L, total.get("conversions"));
    assertEquals(750L, total.get("revenue"));
    assertEquals(40L, total.get("first"), "40 different callers");
    assertEquals(20L, total.get("repeatCalls"));
    other.close();
  }

  /**
   * A recount rolls calls up again from their records: calls rolled up before the rollups kept credit
   * (their contributions without it) get it, nothing already counted moves, a call outside the range is
   * left as it was, and a call changed just before a recount, its entry applied after it, is counted once as it ends up.
   */
  @Test
  void aRecountGivesOldContributionsWhatTheRollupsCountNowAndMovesNothingElse() {
    String group = TestRedis.uniqueId("grp");
    result(api.xgroup(List.of("CREATE", RedisCallStore.eventsStream(property), group, "$", "MKSTREAM")));
    RollupConsumer consumer = new RollupConsumer(vertx, redis, rollups, group, "c", Duration.ZERO, List.of(property));
    PhoneNumber n = TestNumbers.fresh();
    Instant day = Instant.parse("2026-11-20T15:00:00Z");
    List<CallRecord> played = new ArrayList<>();
    for (int i = 0; i < RollupRecount.PAGE + 20; i++) { // more than a page of the index
      played.add(play("+1505556" + String.format("%04d", i), n, day.plusSeconds(i),
          attr(i % 2 == 0 ? "google" : "bing", "cpc", null, null, "/"), 10, null));
    }
    CallRecord outside = play(caller1, n, Instant.parse("2026-11-22T15:00:00Z"), attr("yahoo", "cpc", null, null, "/"),
        10, null);
    result(calls.setOutcome(played.get(0).callId(), new CallOutcome(true, true, new BigDecimal("9.99"), "USD")));
    while (result(consumer.pollOnce()) > 0) {
      // until every entry is applied
    }
    RollupKeys k = new RollupKeys(property);
    LocalDate d20 = LocalDate.parse("2026-11-20");
    LocalDate d22 = LocalDate.parse("2026-11-22");
    Map<String, Long> total = hash(k.day(d20, "total"));
    Map<String, Long> credit = hash(k.day(d20, "source@position"));
    assertEquals(Map.of("calls:google", 260_000_000L, "calls:bing", 260_000_000L, "conversions:google", 1_000_000L,
        "revenue:google", 999L), credit);

    // as before the rollups kept credit: contributions without it, no credit hashes
    List<CallRecord> all = new ArrayList<>(played);
    all.add(outside);
    for (CallRecord c : all) {
      String json = result(api.get(k.contribution(c.callId()))).toString();
      io.vertx.core.json.JsonObject old = new io.vertx.core.json.JsonObject(json);
      old.remove("credit");
      result(api.set(List.of(k.contribution(c.callId()), old.encode())));
    }
    for (String name : List.of("source", "medium", "campaign")) {
      for (String model : List.of("linear", "position", "timeDecay")) {
        result(api.del(List.of(k.day(d20, name + "@" + model))));
      }
    }
    Map<String, Long> outsideCredit = hash(k.day(d22, "source@linear"));
    result(api.del(List.of(k.day(d22, "source@linear"))));

    RollupRecount recount = new RollupRecount(api, rollups);
    RollupRecount.Result r = result(recount.run(property, Instant.parse("2026-11-20T05:00:00Z"),
        Instant.parse("2026-11-21T05:00:00Z")));
    assertEquals(RollupRecount.PAGE + 20, r.calls());
    assertEquals(credit, hash(k.day(d20, "source@position")), "the credit is back, counted once");
    assertEquals(Map.of("calls:cpc", 520_000_000L, "conversions:cpc", 1_000_000L, "revenue:cpc", 999L),
        hash(k.day(d20, "medium@timeDecay")));
    assertEquals(total, hash(k.day(d20, "total")), "nothing else moved");
    assertEquals(Map.of(), hash(k.day(d22, "source@linear")), "the call outside the range is left alone");
    assertEquals(1_000_000L, outsideCredit.get("calls:yahoo"));

    // a second recount, and a change just before it (its entry applied after it): still counted once
    result(calls.setOutcome(played.get(1).callId(), new CallOutcome(true, true, new BigDecimal("1.00"), "USD")));
    result(recount.run(property, null, null));
    while (result(consumer.pollOnce()) > 0) {
      // the change's own entry, older than the recount's: changes nothing more
    }
    assertEquals(Map.of("calls:google", 260_000_000L, "calls:bing", 260_000_000L, "conversions:google", 1_000_000L,
        "revenue:google", 999L, "conversions:bing", 1_000_000L, "revenue:bing", 100L),
        hash(k.day(d20, "source@position")));
    assertEquals(1_000_000L, hash(k.day(d22, "source@linear")).get("calls:yahoo"), "a recount of every day");
    assertEquals(total.get("calls"), hash(k.day(d20, "total")).get("calls"));
    assertEquals(2L, hash(k.day(d20, "total")).get("conversions"));
    assertNull(outside.outcome());
  }

  /**
   * The id a recount applies a call under (the millisecond before the stream's clock, its last possible
   * sequence) is above every entry of earlier milliseconds and below every entry the stream names from
   * the clock's millisecond on, "now-0" included: an event written right after the recount read the
   * clock is applied after it, not dropped as old.
   */
  @Test
  void theRecountsIdSitsBetweenTheEntriesBeforeItsClockAndThoseAfter() {
    CallRecord c = play(caller1, TestNumbers.fresh(), Instant.parse("2026-11-20T15:00:00Z"),
        attr("google", "cpc", null, null, "/"), 10, null);
    long clock = 1_800_000_000_000L;
    assertTrue(result(rollups.refresh(property, c.callId(), (clock - 1) + "-18446744073709551615")));
    assertFalse(result(rollups.refresh(property, c.callId(), (clock - 1) + "-7")), "an entry before the clock");
    assertTrue(result(rollups.refresh(property, c.callId(), clock + "-0")), "the first entry after it");
  }

  /** The credit of the largest value there is, stored and taken back to the cent. */
  @Test
  void theCreditOfAHugeValueIsTakenBackToTheCent() {
    CallRecord c = play(caller1, TestNumbers.fresh(), Instant.parse("2026-11-20T15:00:00Z"),
        attr("google", "cpc", null, null, "/"), 10, null);
    RollupKeys k = new RollupKeys(property);
    LocalDate d = LocalDate.parse("2026-11-20");
    for (String value : List.of("9999999999999.99", "1.00")) {
      String e = result(calls.setOutcomeEvent(c.callId(), new CallOutcome(true, true, new BigDecimal(value), "USD")));
      assertTrue(result(rollups.refresh(c.callId(), e)));
      long cents = new BigDecimal(value).movePointRight(2).longValueExact();
      assertEquals(cents, hash(k.day(d, "source@linear")).get("revenue:google"), value);
      assertEquals(cents, hash(k.day(d, "total")).get("revenue"), value);
    }
  }

  /** A property's rollups lost whole (contributions included) are rebuilt from its call records. */
  @Test
  void aRecountRebuildsLostRollupsFromTheCallRecords() {
    PhoneNumber n = TestNumbers.fresh();
    List<CallRecord> played = new ArrayList<>();
    played.add(play(caller1, n, Instant.parse("2026-11-20T15:00:00Z"), attr("google", "cpc", "w", "k", "/a"), 60, null));
    played.add(play(caller1, n, Instant.parse("2026-11-20T16:00:00Z"), attr("bing", "cpc", null, null, "/b"), 0,
        CallStatus.MISSED));
    played.add(play(caller2, n, Instant.parse("2026-11-21T15:00:00Z"), attr("google", "cpc", "w", null, "/a"), 30, null));
    result(calls.setOutcome(played.get(2).callId(), new CallOutcome(true, true, new BigDecimal("75.10"), "USD")));
    RollupRecount recount = new RollupRecount(api, rollups);
    result(recount.run(property, null, null)); // every call as it stands, its outcome included
    RollupKeys k = new RollupKeys(property);
    List<String> keys = TestRedis.keys(api, k.prefix() + "*");
    Map<String, Map<String, Long>> before = new HashMap<>();
    for (String key : keys) {
      if (key.startsWith(k.prefix() + "day:") || key.startsWith(k.prefix() + "hour:")) {
        before.put(key, hash(key));
      }
    }
    long uniques = result(api.pfcount(List.of(k.hllTotal(LocalDate.parse("2026-11-20")), k.hllTotal(LocalDate.parse("2026-11-21"))))).toLong();
    assertTrue(before.size() > 10, before.keySet().toString());

    result(api.del(keys)); // lost: figures, contributions, first callers, HyperLogLogs
    assertEquals(Map.of(), hash(k.day(LocalDate.parse("2026-11-20"), "total")));
    RollupRecount.Result r = result(recount.run(property, null, null));
    assertEquals(3, r.calls());
    for (var e : before.entrySet()) {
      assertEquals(e.getValue(), hash(e.getKey()), e.getKey());
    }
    assertEquals(uniques, result(api.pfcount(List.of(k.hllTotal(LocalDate.parse("2026-11-20")),
        k.hllTotal(LocalDate.parse("2026-11-21"))))).toLong());
    assertEquals(2L, hash(k.day(LocalDate.parse("2026-11-20"), "total")).get("calls"));
    assertEquals(1L, hash(k.day(LocalDate.parse("2026-11-20"), "total")).get("repeatCalls"), "caller1's second call");
  }

  @Test
  void outcomeChangesApplyOnlyTheDifferenceAtOnce() {
    PhoneNumber n = TestNumbers.fresh();
    CallRecord c = play(caller1, n, Instant.parse("2026-11-20T15:00:00Z"), attr("google", "cpc", "x", "k", "/"),
        10, null);
    RollupKeys k = new RollupKeys(property);
    LocalDate d = LocalDate.parse("2026-11-20");
    // no consumer here: the outcome's own stream entry is applied directly, as the outcome endpoint does
    for (String value : List.of("10.00", "500.00", "0.50")) {
      String entry = result(calls.setOutcomeEvent(c.callId(), new CallOutcome(true, true, new BigDecimal(value), "USD")));
      assertTrue(result(rollups.refresh(c.callId(), entry)));
      assertFalse(result(rollups.refresh(c.callId(), entry)), "the same entry twice changes nothing");
    }
    String last = result(calls.setOutcomeEvent(c.callId(), new CallOutcome(false, false, null, null)));
    assertTrue(result(rollups.refresh(c.callId(), last)));
    Map<String, Long> total = hash(k.day(d, "total"));
    assertEquals(1L, total.get("calls"));
    assertNull(total.get("qualified"), "qualified went back to 0");
    assertNull(total.get("revenue"));
    assertEquals(10L, total.get("duration"));
    // converted without a value, twice: the stored contribution keeps no revenue of 0, and reading it
    // back counts none (the customer's lifetime revenue included)
    for (boolean qualified : List.of(true, false)) {
      String e = result(calls.setOutcomeEvent(c.callId(), new CallOutcome(qualified, true, null, null)));
      assertTrue(result(rollups.refresh(c.callId(), e)));
    }
    total = hash(k.day(d, "total"));
    assertEquals(1L, total.get("conversions"));
    assertNull(total.get("revenue"));
    assertEquals(1L, hash(k.lifetime()).get("customers"));
    assertEquals(0L, hash(k.lifetime()).getOrDefault("customerRevenue", 0L));
  }

  @Test
  void firstTimeCallerIsDecidedByStartTimeNotRollupOrder() {
    PhoneNumber n = TestNumbers.fresh();
    RollupKeys k = new RollupKeys(property);
    LocalDate d20 = LocalDate.parse("2026-11-20");
    LocalDate d21 = LocalDate.parse("2026-11-21");
    // the later call (21 Nov) with revenue is rolled up first, as when the router replays its spool late
    CallRecord later = play(caller1, n, Instant.parse("2026-11-21T15:00:00Z"), attr("bing", "cpc", "y", "k", "/"),
        10, null).withOutcome(new CallOutcome(true, true, new BigDecimal("40.00"), "USD"));
    assertTrue(result(rollups.apply(later, "100-0")));
    assertEquals(1L, hash(k.day(d21, "total")).get("first"));
    assertEquals(4000L, hash(k.day(d21, "total")).get("firstRevenue"));
    // then the caller's earlier call (20 Nov) arrives: it is the first-time call, the other one a repeat
    CallRecord earlier = play(caller1, n, Instant.parse("2026-11-20T15:00:00Z"),
        attr("google", "cpc", "x", "k", "/"), 10, null);
    assertTrue(result(rollups.apply(earlier, "101-0")));
    Map<String, Long> t20 = hash(k.day(d20, "total"));
    Map<String, Long> t21 = hash(k.day(d21, "total"));
    assertEquals(1L, t20.get("first"));
    assertNull(t20.get("repeatCalls"));
    assertNull(t21.get("first"), "the later call is no longer first");
    assertEquals(1L, t21.get("repeatCalls"));
    assertNull(t21.get("firstRevenue"), "its revenue is no longer first-time revenue");
    assertEquals(4000L, t21.get("revenue"));
    Map<String, Long> sources21 = hash(k.day(d21, "source"));
    assertNull(sources21.get("first:bing"));
    assertEquals(1L, sources21.get("repeatCalls:bing"));
    assertEquals(1L, hash(k.day(d20, "source")).get("first:google"));
    assertEquals(1L, result(api.pfcount(List.of(k.hllRepeat(d21)))).toLong(), "a repeat caller on the 21st");
    assertEquals(1L, result(api.pfcount(List.of(k.hllRepeat(d21, "source", "bing")))).toLong());
    // re-applying either call (a later outcome) keeps the decision
    CallRecord later2 = later.withOutcome(new CallOutcome(true, true, new BigDecimal("50.00"), "USD"));
    assertTrue(result(rollups.apply(later2, "102-0")));
    assertTrue(result(rollups.apply(earlier, "103-0")));
    t20 = hash(k.day(d20, "total"));
    t21 = hash(k.day(d21, "total"));
    assertEquals(1L, t20.get("first"));
    assertNull(t21.get("first"));
    assertEquals(1L, t21.get("repeatCalls"));
    assertEquals(5000L, t21.get("revenue"));
    assertNull(t21.get("firstRevenue"));
    // the report over both days: one first-time caller, one repeat call
    RoiReport report = result(new RoiReporter(redis, new SpendStore(redis))
        .report(property, NY, d20, d21, Dimension.SOURCE));
    Map<String, Object> total = report.total().fields();
    assertEquals(1L, total.get("firstTimeCallers"));
    assertEquals(1L, total.get("repeatCalls"));
    // a call in between, applied last, is a repeat call and demotes nothing
    CallRecord middle = play(caller1, n, Instant.parse("2026-11-20T18:00:00Z"), attr("google", "cpc", "x", "k", "/"),
        10, null);
    assertTrue(result(rollups.apply(middle, "104-0")));
    t20 = hash(k.day(d20, "total"));
    assertEquals(1L, t20.get("first"));
    assertEquals(1L, t20.get("repeatCalls"));
  }

  static Map<String, Long> counts(Object... kv) {
    Map<String, Long> out = new HashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      out.put((String) kv[i], (Long) kv[i + 1]);
    }
    return out;
  }

  String idToCall(String entryId) {
    Response r = result(api.xrange(List.of(RedisCallStore.eventsStream(property), entryId, entryId)));
    Response fields = r.get(0).get(1);
    for (int i = 0; i < fields.size(); i += 2) {
      if ("callId".equals(fields.get(i).toString())) {
        return fields.get(i + 1).toString();
      }
    }
    throw new AssertionError("no callId in " + entryId);
  }

  /** The figures of the ROI report proper (the hashes hold more: handling, stages, ...). */
  private static Map<String, Long> classic(Map<String, Long> fields) {
    java.util.Set<String> names = java.util.Set.of("calls", "answered", "missed", "qualified", "conversions",
        "revenue", "duration", "first", "repeatCalls");
    java.util.Map<String, Long> out = new java.util.HashMap<>();
    fields.forEach((f, v) -> {
      if (names.contains(f.substring(0, f.indexOf(':')))) {
        out.put(f, v);
      }
    });
    return out;
  }
}
