package io.calltrack.sip.callback;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.attribution.Attribution;
import io.calltrack.core.callback.Callback;
import io.calltrack.core.callback.CallbackKeys;
import io.calltrack.core.callback.CallbackSettings;
import io.calltrack.core.callback.CallbackState;
import io.calltrack.core.callback.RedisCallbackStore;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.CallStatus;
import io.calltrack.core.calls.RedisCallStore;
import io.calltrack.core.config.PoolConfig;
import io.calltrack.core.config.PropertyConfig;
import io.calltrack.core.config.RedisConfigStore;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.core.pool.Assignment;
import io.calltrack.core.pool.RedisPoolEngine;
import io.calltrack.core.redis.RedisClientFactory;
import io.calltrack.core.testing.Await;
import io.calltrack.core.testing.MutableClock;
import io.calltrack.core.testing.TestNumbers;
import io.calltrack.core.testing.TestRedis;
import io.calltrack.localredis.EmbeddedRedis;
import io.calltrack.sip.testing.Dnsmasq;
import io.calltrack.sip.testing.RawSip;
import io.calltrack.sip.testing.SipPhone;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.sip.address.SipURI;
import javax.sip.message.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The callback dialer against two JAIN-SIP phones: one is the property's business line, the other
 * the outbound trunk (the lead's phone behind it). Real Redis; the dialer's clock is the test's.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CallbackDialerTest {
  static final Duration WAIT = Duration.ofSeconds(30);
  static final String BUSINESS_OFFER = "v=0\r\no=business 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
      + "t=0 0\r\nm=audio 40000 RTP/AVP 0\r\n";
  static final String LEAD_ANSWER = "v=0\r\no=lead 2 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
      + "t=0 0\r\nm=audio 42000 RTP/AVP 0\r\n";
  static final String LEAD = "+13125550123";

  @TempDir Path spool;
  Vertx vertx;
  Redis redis;
  RedisConfigStore config;
  RedisCallbackStore callbacks;
  RedisCallStore calls;
  RedisPoolEngine engine;
  MutableClock clock;
  SipPhone business;
  SipPhone trunk;
  CallbackDialer dialer;
  int dialers;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    redis = RedisClientFactory.create(vertx, TestRedis.url());
    config = Await.result(RedisConfigStore.create(vertx, redis));
    clock = new MutableClock(Instant.now());
    callbacks = new RedisCallbackStore(RedisAPI.api(redis), clock, RedisCallbackStore.Limits.DEFAULT);
    calls = new RedisCallStore(redis);
    engine = new RedisPoolEngine(vertx, redis, config, clock);
    business = SipPhone.start("business");
    business.answerSdp = BUSINESS_OFFER;
    trunk = SipPhone.start("trunk");
    trunk.answerSdp = LEAD_ANSWER;
    dialer = startDialer();
  }

  /** A dialer (a router's) on a port of its own, with the test's clock. */
  private CallbackDialer startDialer() {
    return startDialer(List.of());
  }

  /** A dialer that asks {@code dns} ({@code host:port}) where business lines named by their domain are. */
  private CallbackDialer startDialer(List<String> dns) {
    Path ownSpool = spool.resolve("router-" + (++dialers)); // each router has its own spool
    return Await.result(CallbackDialer.start(vertx, new CallbackOptions("127.0.0.1", EmbeddedRedis.freePort(),
        "sip:127.0.0.1:" + trunk.port, TestRedis.url(), ownSpool, new SimpleMeterRegistry(), clock,
        Duration.ofMillis(100), dns)));
  }

  /** Stops the dialer as a router that stops would (its SIP stack and Redis client go away). */
  private void stopDialer() {
    Await.result(dialer.close());
    dialer = null;
  }

  private void awaitTicks(CallbackDialer d, int n) {
    long ticks = d.ticks();
    Await.until(WAIT, () -> d.ticks() >= ticks + n);
  }

  @AfterEach
  void stop() {
    try {
      if (dialer != null) {
        Await.result(dialer.close());
      }
      business.close();
      trunk.close();
      Await.result(config.close());
    } finally {
      Await.result(vertx.close());
    }
  }

  /** A property whose business line is the business phone, with a pool, and one visit from Google. */
  private record Site(String property, String sessionId) {}

  private Site site(CallbackSettings settings, String timezone) {
    return site(settings, timezone, business.uri("+15559990000", "udp"));
  }

  private Site site(CallbackSettings settings, String timezone, String businessLine) {
    String property = TestRedis.uniqueId("cb");
    PhoneNumber main = TestNumbers.fresh();
    Await.result(config.putProperty(new PropertyConfig(property, property, List.of(), List.of(main), main,
        businessLine, timezone, Map.of(), settings)));
    Await.result(config.putPool(new PoolConfig(TestRedis.uniqueId("pool"), property, List.of(TestNumbers.fresh()),
        300, 1800, null, null)));
    Assignment visit = Await.result(engine.assign(property, null,
        new Attribution("google", "cpc", "spring", "plumber", null, "/plumbing", null, null, null, null, null, null)));
    return new Site(property, visit.sessionId());
  }

  private Callback request(Site site, String phone) {
    return Await.result(callbacks.request(Callback.requested(RedisCallbackStore.newId(site.property()),
        site.property(), phone, site.sessionId(), "about a leak", clock.instant()), "127.0.0.1"));
  }

  private Callback awaitState(String id, CallbackState state) {
    return Await.until(WAIT, () -> Await.result(callbacks.get(id)).orElseThrow(), c -> c.state() == state);
  }

  @Test
  void businessLineFirstThenTheLeadBridgedAndTheLeadsByeEndsBoth() {
    Site site = site(CallbackSettings.DEFAULT, "UTC");
    Callback cb = request(site, LEAD);

    Request toBusiness = business.awaitRequest(Request.INVITE, WAIT);
    assertNull(toBusiness.getRawContent(), "the business line is invited without an offer (RFC 3725 flow I)");
    assertEquals("+13125550123", ((SipURI) ((javax.sip.header.FromHeader) toBusiness.getHeader("From"))
        .getAddress().getURI()).getUser(), "the business line sees the lead's number");

    Request toLead = trunk.awaitRequest(Request.INVITE, WAIT);
    SipURI leadUri = (SipURI) toLead.getRequestURI();
    assertEquals(LEAD, leadUri.getUser());
    assertEquals(trunk.port, leadUri.getPort(), "the lead is called through the outbound trunk");
    // the business line's offer goes to the lead: it can only have come after the business line answered
    assertEquals(BUSINESS_OFFER, new String(toLead.getRawContent(), StandardCharsets.UTF_8));

    Request ack = Await.until(WAIT, () -> business.requests.stream()
        .filter(r -> Request.ACK.equals(r.getMethod())).findFirst(), Optional::isPresent).get();
    assertEquals(LEAD_ANSWER, new String(ack.getRawContent(), StandardCharsets.UTF_8),
        "the business line's ACK carries the lead's answer: the two are bridged");
    Callback connected = awaitState(cb.id(), CallbackState.CONNECTED);
    assertEquals(1, connected.attempts());

    clock.advance(Duration.ofSeconds(42));
    trunk.bye(); // the lead hangs up
    business.awaitRequest(Request.BYE, WAIT);
    Callback done = awaitState(cb.id(), CallbackState.COMPLETED);

    CallRecord call = Await.until(WAIT, () -> Await.result(calls.get(done.callId())),
        c -> c.isPresent() && c.get().finished()).get();
    assertEquals(CallRecord.CALLBACK, call.direction());
    assertEquals(CallStatus.ANSWERED, call.status());
    assertEquals(LEAD, call.caller());
    assertEquals(site.property(), call.property());
    assertEquals(site.sessionId(), call.sessionId(), "attributed to the visit that asked");
    assertEquals("callback", call.resolution());
    assertEquals("exact", call.confidence(), "the visit asked for this call: no doubt about who made it");
    assertEquals(site.sessionId(), call.candidates().get(0).sessionId());
    assertEquals("google", call.attribution().source());
    assertEquals(42L, call.durationSeconds());
    assertEquals(1, business.count(Request.INVITE));
    assertEquals(1, trunk.count(Request.INVITE));
  }

  @Test
  void theBusinessLinesByeEndsTheLeadsLegToo() {
    Site site = site(CallbackSettings.DEFAULT, "UTC");
    Callback cb = request(site, LEAD);
    trunk.awaitRequest(Request.INVITE, WAIT);
    awaitState(cb.id(), CallbackState.CONNECTED);
    business.bye();
    trunk.awaitRequest(Request.BYE, WAIT);
    assertEquals("the business line hung up", awaitState(cb.id(), CallbackState.COMPLETED).detail());
  }

  @Test
  void aMissedCallsCallbackIsPlacedAsALeadsAndItsRecordNamesTheCallItReturns() {
    Site site = site(CallbackSettings.DEFAULT.withMissedCalls(true), "UTC");
    Callback cb = Await.result(callbacks.request(
        Callback.forMissedCall(site.property(), LEAD, site.sessionId(), "cmissed01", clock.instant()), null));
    trunk.awaitRequest(Request.INVITE, WAIT); // after the business line answered, as for a lead
    awaitState(cb.id(), CallbackState.CONNECTED);
    business.bye();
    trunk.awaitRequest(Request.BYE, WAIT);
    Callback done = awaitState(cb.id(), CallbackState.COMPLETED);
    CallRecord call = Await.until(WAIT, () -> Await.result(calls.get(done.callId())),
        c -> c.isPresent() && c.get().finished()).get();
    assertEquals("cmissed01", call.attempt().returnsCall());
    assertEquals(site.sessionId(), call.sessionId(), "attributed to the missed call's visit");
    assertEquals(CallStatus.ANSWERED, call.status());
  }

  /**
   * A callback the business line answered, whose lead's phone rings on: for 120 s, so a CANCEL within
   * WAIT is the dialer's own doing, not its ring timeout.
   */
  Callback leadRinging() {
    trunk.mode = SipPhone.Mode.RING_FOREVER;
    Callback cb = request(site(new CallbackSettings(null, 2, 60, 120), "UTC"), LEAD);
    trunk.awaitRequest(Request.INVITE, WAIT);
    awaitState(cb.id(), CallbackState.CALLING_LEAD);
    return cb;
  }

  @Test
  void theBusinessLineHangingUpWhileTheLeadRingsCancelsTheLeadAndIsNoCompletedCall() {
    Callback cb = leadRinging();
    business.bye(); // the business line gives up while the lead's phone rings
    business.awaitResponse(Request.BYE, 200, WAIT);
    trunk.awaitRequest(Request.CANCEL, WAIT); // the lead's phone stops ringing
    Callback retry = awaitState(cb.id(), CallbackState.RETRY_WAIT);
    assertEquals(1, retry.attempts());
    CallRecord call = Await.until(WAIT, () -> Await.result(calls.get(retry.callId())),
        c -> c.isPresent() && c.get().finished()).get();
    assertEquals(CallStatus.MISSED, call.status(), "the lead never answered");
  }

  @Test
  void aBusyBusinessLineIsRetriedOnTheClockThenTheCallbackFails() {
    business.mode = SipPhone.Mode.BUSY;
    Site site = site(new CallbackSettings(null, 2, 60, null), "UTC");
    Callback cb = request(site, LEAD);
    Callback retry = awaitState(cb.id(), CallbackState.RETRY_WAIT);
    assertEquals(1, retry.attempts());
    assertEquals(1, business.count(Request.INVITE));
    clock.advance(Duration.ofSeconds(59));
    long ticks = dialer.ticks();
    Await.until(WAIT, () -> dialer.ticks() >= ticks + 3);
    assertEquals(1, business.count(Request.INVITE), "not before the retry delay");
    clock.advance(Duration.ofSeconds(1));
    Callback failed = awaitState(cb.id(), CallbackState.FAILED);
    assertEquals(2, failed.attempts());
    assertEquals(2, business.count(Request.INVITE));
    assertEquals(0, trunk.count(Request.INVITE), "the lead is never called without the business line");
    // the call record goes to Redis through the journal, on its own time: it may follow the callback's state
    CallRecord call = Await.until(WAIT, () -> Await.result(calls.get(failed.callId())),
        c -> c.isPresent() && c.get().finished()).get();
    assertEquals(CallStatus.BUSY, call.status());
    assertEquals(CallRecord.CALLBACK, call.direction());
  }

  /**
   * The business line busy at the first attempt, {@code at} the second, which {@code second} places:
   * the lead answers and talks 30 s. Answers the completed callback.
   */
  private Callback busyThenAnswered(Site site, java.util.function.Supplier<CallbackDialer> second) {
    business.mode = SipPhone.Mode.BUSY;
    Callback cb = request(site, LEAD);
    Callback retry = awaitState(cb.id(), CallbackState.RETRY_WAIT);
    CallRecord first = Await.until(WAIT, () -> Await.result(calls.get(retry.callId())),
        c -> c.isPresent() && c.get().finished()).get();
    assertEquals(CallStatus.BUSY, first.status());
    assertEquals(retry.notBefore(), first.attempt().retryAt(), "the record says a retry is due, and when");
    business.mode = SipPhone.Mode.ANSWER;
    dialer = second.get();
    clock.advance(Duration.ofMinutes(10)); // the retry delay: no one rings meanwhile
    awaitState(cb.id(), CallbackState.CONNECTED);
    clock.advance(Duration.ofSeconds(30));
    trunk.bye();
    return awaitState(cb.id(), CallbackState.COMPLETED);
  }

  /**
   * Rolls up the property's calls stream (a consumer group of this test's) until {@code done} holds for
   * the totals of the UTC day (the site's zone) of {@code started}: the call's day, not the clock's
   * after the test moved it (minutes before midnight, the two differ).
   */
  private Map<String, String> rolledUp(String property, Instant started,
      java.util.function.Predicate<Map<String, String>> done) {
    var rollups = new io.calltrack.core.rollup.RollupStore(redis, config);
    var consumer = new io.calltrack.core.rollup.RollupConsumer(vertx, redis, rollups, TestRedis.uniqueId("g"), null,
        Duration.ofSeconds(30), List.of(property));
    String total = new io.calltrack.core.rollup.RollupKeys(property)
        .day(started.atZone(java.time.ZoneOffset.UTC).toLocalDate(), "total");
    return Await.until(WAIT, () -> {
      Await.result(consumer.pollOnce());
      return io.calltrack.core.rollup.Hashes.toMap(Await.result(RedisAPI.api(redis).hgetall(total)));
    }, done::test);
  }

  private void assertOneCallAnsweredAtTheSecondAttempt(Site site, Callback done, Instant firstAttemptAt) {
    CallRecord call = Await.until(WAIT, () -> Await.result(calls.get(done.callId())),
        c -> c.isPresent() && c.get().finished() && c.get().status() == CallStatus.ANSWERED).get();
    assertEquals(1L, Await.result(RedisAPI.api(redis).zcard(RedisCallStore.index(site.property()))).toLong(),
        "one call in the property's calls, not one per attempt");
    Map<String, String> total = rolledUp(site.property(), call.startedAt(), t -> "1".equals(t.get("answered")));
    assertEquals("1", total.get("calls"), "one call in the rollups: " + total);
    assertNull(total.get("missed"), "the busy first attempt is no missed call: " + total);
    // the calls stream (rollups, CRM webhooks) has the call started once, then its retry ringing again
    List<String> types = new java.util.ArrayList<>();
    for (var e : Await.result(RedisAPI.api(redis).xrange(List.of(RedisCallStore.eventsStream(site.property()), "-", "+")))) {
      Map<String, String> f = io.calltrack.core.rollup.Hashes.toMap(e.get(1));
      if (done.callId().equals(f.get("callId"))) {
        types.add(f.get("type"));
      }
    }
    assertEquals(1, types.stream().filter("started"::equals).count(), types.toString());
    // (a ringing or answered step may be folded into the step after it: CallRecorder)
    assertEquals(List.of("retry", "ended"), types.subList(Math.max(0, types.indexOf("retry")), types.size())
        .stream().filter(t -> !t.equals("ringing") && !t.equals("answered")).toList(),
        "the second attempt's events all applied, whichever router wrote them: " + types);
    assertEquals(2, done.attempts());
    assertEquals(2, call.attempt().number(), "the record shows the second attempt");
    assertNull(call.attempt().retryAt(), "the callback is over: no retry due");
    assertEquals(firstAttemptAt, call.startedAt(), "the call began with the first attempt");
    assertEquals(firstAttemptAt.plus(Duration.ofMinutes(10)), call.attempt().startedAt());
    assertEquals(30L, call.durationSeconds());
    io.calltrack.core.rollup.Contribution c = io.calltrack.core.rollup.Contribution.of(call, java.time.ZoneOffset.UTC);
    assertEquals(0L, c.m().get("answerSeconds"), "the ten minutes between attempts are no ringing time");
    assertEquals(0L, c.m().get("waitSeconds"));
    assertEquals(1L, c.m().get("answeredWithin10"));
    assertEquals(done.requestedAt(), call.attempt().requestedAt(), "the record keeps when the lead asked");
    assertEquals(Math.round(Duration.between(done.requestedAt(), call.answeredAt()).toMillis() / 1000.0),
        c.m().get("callbackSpeedSeconds"),
        "speed to lead counts the ten minutes: the lead waited them");
    assertEquals(1L, c.m().get("callbacksConnected"));
    assertEquals(0L, c.m().get("callbacksConnectedWithin5Minutes"));
  }

  @Test
  void aCallbackBusyAtItsFirstAttemptAndAnsweredAtTheSecondIsOneAnsweredCall() {
    Site site = site(new CallbackSettings(null, 3, 600, null), "UTC");
    Instant firstAttemptAt = clock.instant();
    Callback done = busyThenAnswered(site, () -> dialer);
    assertOneCallAnsweredAtTheSecondAttempt(site, done, firstAttemptAt);
  }

  @Test
  void theRetryPlacedByAnotherRouterContinuesTheSameCallRecord() {
    Site site = site(new CallbackSettings(null, 3, 600, null), "UTC");
    Instant firstAttemptAt = clock.instant();
    Callback done = busyThenAnswered(site, () -> {
      stopDialer(); // the first router goes; another one, sharing Redis, places the retry
      return startDialer();
    });
    assertOneCallAnsweredAtTheSecondAttempt(site, done, firstAttemptAt);
  }

  @Test
  void outsideOpeningHoursTheCallbackWaitsForTheOpening() {
    clock.set(Instant.parse("2026-11-30T23:00:00Z")); // Monday 17:00 in Chicago: just closed
    Site site = site(new CallbackSettings(Map.of("tuesday", List.of("09:00", "17:00")), null, null, null),
        "America/Chicago");
    Callback cb = request(site, LEAD);
    Callback waiting = awaitState(cb.id(), CallbackState.WAITING_FOR_OPENING);
    assertEquals(Instant.parse("2026-12-01T15:00:00Z"), waiting.notBefore());
    clock.set(Instant.parse("2026-12-01T14:59:59Z"));
    awaitTicks(dialer, 3);
    assertEquals(0, dialer.held(), "a waiting callback is kept in Redis, not by the router");
    assertEquals((double) waiting.notBefore().toEpochMilli(), Await.result(RedisAPI.api(redis)
        .zscore(new CallbackKeys(cb.property()).due(), cb.id())).toDouble(), "due at the opening");
    assertEquals(0, business.count(Request.INVITE));
    clock.set(Instant.parse("2026-12-01T15:00:00Z"));
    business.awaitRequest(Request.INVITE, WAIT);
    awaitState(cb.id(), CallbackState.CONNECTED);
  }

  @Test
  void aNumberThatSlippedIntoTheQueueUncheckedIsNeverDialled() {
    Site site = site(CallbackSettings.DEFAULT, "UTC");
    // written past dni-server's check: the dialer checks again
    Callback premium = request(site, "+19005550123");
    Callback emergency = request(site, "911");
    assertTrue(awaitState(premium.id(), CallbackState.FAILED).detail().startsWith("phone is"));
    assertTrue(awaitState(emergency.id(), CallbackState.FAILED).detail().contains("emergency"));
    assertEquals(0, business.count(Request.INVITE));
    assertEquals(0, trunk.count(Request.INVITE));
    assertArrayEquals(new long[] {0, 0}, new long[] {business.requests.size(), trunk.requests.size()});
  }

  /** A business line an API key set is called only at a public address, whatever its name points at now. */
  @Test
  void aLineAnApiKeySetIsNotCalledWhenItsNameNowPointsInside() {
    Site site = site(CallbackSettings.DEFAULT, "UTC", "sip:+15559990000@localhost:" + business.port);
    PropertyConfig set = Await.result(config.property(site.property())).orElseThrow();
    Await.result(config.putProperty(set.withLinesSetByKey(List.of(set.businessLine()))));
    Callback cb = request(site, LEAD);
    assertEquals("the business line is not on a public address", awaitState(cb.id(), CallbackState.FAILED).detail());
    assertEquals(0, business.count(Request.INVITE));
    assertEquals(0, trunk.count(Request.INVITE));
  }

  /** Without callback hours, a property that routes by the time of day is rung back in its open hours. */
  @Test
  void withoutCallbackHoursTheCallbackWaitsForTheHoursCallsAreRoutedIn() {
    clock.set(Instant.parse("2026-11-30T23:00:00Z")); // Monday 17:00 in Chicago
    Site site = site(CallbackSettings.DEFAULT.withMissedCalls(true), "America/Chicago");
    PropertyConfig stored = Await.result(config.property(site.property())).orElseThrow();
    Await.result(config.putProperty(stored.withAfterHours(new io.calltrack.core.config.AfterHours(
        Map.of("tuesday", List.of("09:00", "17:00")), "sip:night@127.0.0.1:5999"))));
    Callback cb = Await.result(callbacks.request(
        Callback.forMissedCall(site.property(), LEAD, site.sessionId(), "cmissed02", clock.instant()), null));
    assertEquals(Instant.parse("2026-12-01T15:00:00Z"), awaitState(cb.id(), CallbackState.WAITING_FOR_OPENING).notBefore());
    assertEquals(0, business.count(Request.INVITE));
  }

  @Test
  void aCallbackWaitingForOpeningIsPlacedByTheRouterThatRunsAtOpeningTime() {
    clock.set(Instant.parse("2026-11-30T23:00:00Z")); // Monday 17:00 in Chicago: just closed
    Site site = site(new CallbackSettings(Map.of("tuesday", List.of("09:00", "17:00")), null, null, null),
        "America/Chicago");
    Callback cb = request(site, LEAD);
    awaitState(cb.id(), CallbackState.WAITING_FOR_OPENING);
    stopDialer(); // the router restarts overnight
    dialer = startDialer();
    clock.set(Instant.parse("2026-12-01T15:00:00Z"));
    business.awaitRequest(Request.INVITE, WAIT);
    trunk.awaitRequest(Request.INVITE, WAIT);
    Callback connected = awaitState(cb.id(), CallbackState.CONNECTED);
    assertEquals(1, connected.attempts());
    assertEquals(1, business.count(Request.INVITE));
  }

  @Test
  void aCallbackHeldByARouterThatStoppedIsRetriedOnceItsLeaseRunsOut() {
    stopDialer();
    Site site = site(new CallbackSettings(null, 2, 60, null), "UTC");
    Callback cb = request(site, LEAD);
    // a router claimed it, started calling the business line and stopped (crashed) there
    Callback claimed = Await.result(callbacks.claim(site.property(), "router-that-stopped", CallbackDialer.LEASE, 1))
        .orElseThrow();
    assertEquals(cb.id(), claimed.id());
    assertTrue(Await.result(callbacks.hold(claimed.attempt("c-lost", clock.instant()), "router-that-stopped", CallbackDialer.LEASE,
        true)));

    dialer = startDialer();
    awaitTicks(dialer, 3);
    assertEquals(0, business.count(Request.INVITE), "not while the other router's lease lasts");
    assertEquals(CallbackState.CALLING_BUSINESS, Await.result(callbacks.get(cb.id())).orElseThrow().state());

    clock.advance(CallbackDialer.LEASE.plusSeconds(1));
    Callback retry = awaitState(cb.id(), CallbackState.RETRY_WAIT);
    assertEquals("the router placing it stopped", retry.detail());
    assertEquals(0, business.count(Request.INVITE), "retried after the property's retry delay, like a busy line");
    clock.advance(Duration.ofSeconds(60));
    business.awaitRequest(Request.INVITE, WAIT);
    trunk.awaitRequest(Request.INVITE, WAIT);
    Callback connected = awaitState(cb.id(), CallbackState.CONNECTED);
    assertEquals(2, connected.attempts(), "the stopped router's attempt counts");
  }

  /**
   * This router did not renew its lease in time (a pause, Redis away): another one claimed the
   * callback, as claim.lua does once the lease has run out, and will retry it as an attempt whose
   * router stopped.
   */
  private void takenOverByAnotherRouter(Callback cb) {
    CallbackKeys k = new CallbackKeys(cb.property());
    RedisAPI api = RedisAPI.api(redis);
    Await.result(api.hset(List.of(k.owners(), cb.id(), "router-that-took-over")));
    Await.result(api.zadd(List.of(k.due(), Long.toString(clock.millis() + CallbackDialer.LEASE.toMillis()), cb.id())));
  }

  @Test
  void aRouterThatLostItsLeaseWhileTheLeadRingsHangsUpItsLegs() {
    Callback cb = leadRinging();
    takenOverByAnotherRouter(cb);
    // so this one must stop placing it: else the lead may answer here and be called again from there
    trunk.awaitRequest(Request.CANCEL, WAIT);
    business.awaitRequest(Request.BYE, WAIT);
    assertEquals(0, dialer.held());
    assertEquals(CallbackState.CALLING_LEAD, Await.result(callbacks.get(cb.id())).orElseThrow().state(),
        "the callback is the other router's to write");
  }

  @Test
  void aCallbackIsPlacedByOneRouterOnlyWhenTwoRun() {
    CallbackDialer second = startDialer();
    try {
      Site site = site(CallbackSettings.DEFAULT, "UTC");
      Callback cb = request(site, LEAD);
      awaitState(cb.id(), CallbackState.CONNECTED);
      awaitTicks(second, 5);
      awaitTicks(dialer, 5);
      assertEquals(1, business.count(Request.INVITE));
      assertEquals(1, trunk.count(Request.INVITE));
      assertEquals(1, dialer.held() + second.held(), "held by one router, renewed by it");
    } finally {
      Await.result(second.close());
    }
  }

  /**
   * Two leads ask at once. The business line is one receptionist unless the property says otherwise
   * ({@code callbacks.concurrent}, default 1): it is called for the second lead only once the first
   * callback is over, whichever of two routers places them.
   */
  @Test
  void aPropertysCallbacksArePlacedOneAtATimeAcrossRouters() {
    CallbackDialer second = startDialer();
    try {
      trunk.mode = SipPhone.Mode.RING_FOREVER;
      Site site = site(new CallbackSettings(null, 2, 60, 120), "UTC");
      Callback first = request(site, LEAD);
      clock.advance(Duration.ofSeconds(1)); // due after the first
      Callback next = request(site, "+13125550124");
      trunk.awaitRequest(Request.INVITE, WAIT);
      awaitState(first.id(), CallbackState.CALLING_LEAD); // the business line answered, the lead rings
      awaitTicks(dialer, 5);
      awaitTicks(second, 5);
      assertEquals(1, business.count(Request.INVITE), "the business line is on the first callback");
      assertEquals(CallbackState.QUEUED, Await.result(callbacks.get(next.id())).orElseThrow().state());

      business.bye(); // the first attempt is over (retried in 60 s)
      awaitState(first.id(), CallbackState.RETRY_WAIT);
      awaitState(next.id(), CallbackState.CALLING_LEAD);
      assertEquals(2, business.count(Request.INVITE));
      assertEquals(1, dialer.held() + second.held(), "one callback in progress");
    } finally {
      Await.result(second.close());
    }
  }

  /**
   * A business line named by its domain, as a hosted PBX gives it: the dialer calls it where the
   * domain's SRV records say (a real DNS server, dnsmasq), with the line's URI unchanged, and its
   * CANCEL goes where the INVITE went (the stack sends a CANCEL on its INVITE's channel).
   */
  @Test
  void aBusinessLineNamedByItsDomainIsCalledWhereItsSrvRecordsSay() throws Exception {
    try (Dnsmasq dns = Dnsmasq.start(spool.resolve("dns"), "calltrack.test", List.of(
        "--srv-host=_sip._udp.pbx.calltrack.test,business.calltrack.test," + business.port + ",10,100",
        "--host-record=business.calltrack.test,127.0.0.1"))) {
      stopDialer();
      dialer = startDialer(List.of(dns.address()));
      business.mode = SipPhone.Mode.RING_FOREVER;
      String line = "sip:+15559990000@pbx.calltrack.test";
      Callback cb = request(site(new CallbackSettings(null, 2, 60, 120), "UTC", line), LEAD);
      Request invite = business.awaitRequest(Request.INVITE, WAIT);
      assertEquals(line, invite.getRequestURI().toString());
      awaitState(cb.id(), CallbackState.CALLING_BUSINESS);
      takenOverByAnotherRouter(cb);
      business.awaitRequest(Request.CANCEL, WAIT); // this router stops ringing it
    }
  }

  /**
   * A business line whose first SRV target is out of service (503) or down (it sends nothing: UDP has
   * no refusal) is called at its next target within the attempt, as the router's calls are (RFC 3263
   * 4.3), not failed: the callback goes on to the lead. A silent target that answers after all is hung up.
   */
  @Test
  void aBusinessLineWhoseFirstTargetFailsIsCalledAtItsNextTarget() throws Exception {
    SipPhone primary = SipPhone.start("dialer-primary");
    try (Dnsmasq dns = Dnsmasq.start(spool.resolve("dns-failover"), "calltrack.test", List.of(
        "--srv-host=_sip._udp.pbx.calltrack.test,primary.calltrack.test," + primary.port + ",10,100",
        "--srv-host=_sip._udp.pbx.calltrack.test,backup.calltrack.test," + business.port + ",20,100",
        "--host-record=primary.calltrack.test,127.0.0.1", "--host-record=backup.calltrack.test,127.0.0.1"))) {
      stopDialer();
      dialer = startDialer(List.of(dns.address()));
      String line = "sip:+15559990000@pbx.calltrack.test";
      trunk.mode = SipPhone.Mode.RING_FOREVER; // each callback stays at the lead's ringing

      primary.mode = SipPhone.Mode.UNAVAILABLE;
      Callback outOfService = request(site(new CallbackSettings(null, 1, 60, 120), "UTC", line), LEAD);
      awaitState(outOfService.id(), CallbackState.CALLING_LEAD); // the backup answered, the lead rings
      assertEquals(1, primary.count(Request.INVITE), "the primary was tried first");
      assertEquals(1, business.count(Request.INVITE));
      assertEquals(line, business.awaitRequest(Request.INVITE, WAIT).getRequestURI().toString());
      trunk.awaitRequest(Request.INVITE, WAIT);
      takenOverByAnotherRouter(outOfService);

      primary.requests.clear();
      primary.mode = SipPhone.Mode.ANSWER;
      primary.silent = true;
      Callback down = request(site(new CallbackSettings(null, 1, 60, 120), "UTC", line), "+13125550124");
      Await.until(WAIT, () -> business.count(Request.INVITE) == 2); // at the backup after the primary's silence
      awaitState(down.id(), CallbackState.CALLING_LEAD);
      primary.silent = false; // it answers a retransmission after all: ACKed and hung up, the callback goes on
      primary.awaitRequest(Request.BYE, WAIT);
      assertEquals(CallbackState.CALLING_LEAD, Await.result(callbacks.get(down.id())).orElseThrow().state());
    } finally {
      primary.close();
    }
  }

  /**
   * The dialer's port takes no calls, and no request it refuses makes it a reflector: answered once,
   * to the packet's source, never to a host the request's Via names (maddr), and never sent again (a
   * refused INVITE answered in a transaction had its 403 resent until Timer H, ten times, to wherever
   * that Via said).
   */
  @Test
  void aRequestTheDialerRefusesIsAnsweredOnceWhereItCameFrom() {
    try (RawSip outsider = new RawSip("127.0.0.2"); RawSip victim = new RawSip("127.0.0.4")) {
      for (String method : List.of("INVITE", "OPTIONS")) {
        long n = System.nanoTime();
        outsider.send(method + " sip:+15550000000@127.0.0.1:" + dialer.port() + " SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP " + victim.host + ":" + victim.port() + ";branch=z9hG4bKdl" + n + ";rport;maddr="
            + victim.host + "\r\nFrom: <sip:+15557770001@127.0.0.2>;tag=d" + n
            + "\r\nTo: <sip:+15550000000@127.0.0.1>\r\nCall-ID: dl-" + n + "\r\nCSeq: 1 " + method
            + "\r\nMax-Forwards: 70\r\nContact: <sip:x@" + victim.host + ":" + victim.port()
            + ">\r\nContent-Length: 0\r\n\r\n", dialer.port());
        String answer = outsider.receiveFinal(WAIT);
        assertEquals(method.equals("INVITE") ? 403 : 481, RawSip.status(answer), method + ": " + answer);
      }
      assertNull(outsider.receive(Duration.ofSeconds(2)), "a refusal was sent again");
      assertNull(victim.receive(Duration.ofMillis(200)), "the dialer answered a host only a Via named");
    }
  }

  /**
   * Over TCP a message larger than the largest (8 KB) is not read: here one whose Content-Length asks
   * for 20 MB. The dialer closes the connection at once; it used to take the length as said, hold the
   * bytes for a body that never comes, and so let any host that reaches its port take the router's heap
   * a connection at a time.
   */
  @Test
  void aTcpMessageLargerThanTheLargestIsNotReadByTheDialer() throws Exception {
    try (java.net.Socket s = RawSip.connect("127.0.0.2", dialer.port())) {
      long n = System.nanoTime();
      s.getOutputStream().write(("INVITE sip:+15550000000@127.0.0.1:" + dialer.port() + ";transport=tcp SIP/2.0\r\n"
          + "Via: SIP/2.0/TCP 127.0.0.2:" + s.getLocalPort() + ";branch=z9hG4bKbig" + n + "\r\n"
          + "From: <sip:+15557770001@127.0.0.2>;tag=b" + n + "\r\nTo: <sip:+15550000000@127.0.0.1>\r\n"
          + "Call-ID: big-" + n + "\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\nContent-Type: application/sdp\r\n"
          + "Content-Length: 20000000\r\n\r\nv=0\r\n").getBytes(StandardCharsets.US_ASCII));
      assertTrue(RawSip.closedByPeer(s, WAIT), "the dialer kept a connection whose message is past the limit");
    }
    try (java.net.Socket s = RawSip.connect("127.0.0.2", dialer.port())) {
      assertEquals("SIP/2.0 481 ", RawSip.options(s, dialer.port()), "the dialer stopped answering");
    }
  }

  /**
   * TCP connections to the dialer's port are limited as the router's are (JAIN-SIP spends two threads
   * on each): one past the per-source limit is closed at once, and the ones within it still work.
   * Unlimited, any host reaching the port could open connections until the JVM, router and all, had no
   * thread or file left.
   */
  @Test
  void tcpConnectionsToTheDialerAreLimitedPerSource() throws Exception {
    int perSource = io.calltrack.sip.RouterLimits.DEFAULTS.tcpConnectionsPerSource();
    List<java.net.Socket> open = new java.util.ArrayList<>();
    try {
      for (int i = 0; i < perSource; i++) {
        open.add(RawSip.connect("127.0.0.2", dialer.port()));
      }
      try (java.net.Socket past = RawSip.connect("127.0.0.2", dialer.port())) {
        assertTrue(RawSip.closedByPeer(past, WAIT), "a connection past " + perSource + " from one address was kept");
      }
      assertEquals("SIP/2.0 481 ", RawSip.options(open.get(0), dialer.port()), "an accepted connection does not work");
    } finally {
      for (java.net.Socket s : open) {
        s.close();
      }
    }
  }

  /**
   * A BYE in the lead's name, with the leg's Call-ID and both tags (copied, as a host on the path could),
   * from an address that is neither the outbound trunk nor the business line ends nothing: 403, the two
   * stay bridged, and the lead's own BYE ends the call. The router's proxy refuses such a BYE the same way.
   */
  @Test
  void aByeFromAHostThatIsNeitherLegIsRefused() {
    Site site = site(CallbackSettings.DEFAULT, "UTC");
    Callback cb = request(site, LEAD);
    awaitState(cb.id(), CallbackState.CONNECTED);
    Request toTrunk = trunk.awaitRequest(Request.ACK, WAIT); // the dialer's ACK of the lead's answer
    try (RawSip forger = new RawSip("127.0.0.2")) {
      forger.send("BYE sip:callback@127.0.0.1:" + dialer.port() + " SIP/2.0\r\n"
          + "Via: " + forger.via("z9hG4bKfbye" + System.nanoTime()) + "\r\nMax-Forwards: 70\r\n"
          + toTrunk.getHeader("To").toString().replaceFirst("^To:", "From:")
          + toTrunk.getHeader("From").toString().replaceFirst("^From:", "To:")
          + toTrunk.getHeader("Call-ID") + "CSeq: 9 BYE\r\nContent-Length: 0\r\n\r\n", dialer.port());
      assertEquals(403, RawSip.status(forger.receiveFinal(WAIT)), "the forged BYE was not refused");
    }
    trunk.bye(); // the lead hangs up
    assertEquals(200, trunk.awaitFinal(Request.BYE, WAIT).getStatusCode(), "the lead's own BYE was refused");
    business.awaitRequest(Request.BYE, WAIT);
    awaitState(cb.id(), CallbackState.COMPLETED);
    assertEquals(1, business.count(Request.BYE), "the forged BYE ended the call");
  }

  /**
   * A 486 in the business line's name (its INVITE's Via, tags and Call-ID, as a host on the path could
   * copy them), from an address the INVITE did not go to, is dropped: the dialer took it and gave up
   * the line that was ringing. The line's own answer then bridges the call.
   */
  @Test
  void aResponseFromAHostTheRequestDidNotGoToIsDropped() {
    business.mode = SipPhone.Mode.ANSWER_LATE;
    business.lateAnswerDelay = Duration.ofSeconds(2);
    Site site = site(CallbackSettings.DEFAULT, "UTC");
    Callback cb = request(site, LEAD);
    Request toBusiness = business.awaitRequest(Request.INVITE, WAIT);
    try (RawSip forger = new RawSip("127.0.0.2")) {
      forger.send("SIP/2.0 486 Busy Here\r\n" + toBusiness.getHeader("Via") + toBusiness.getHeader("From")
          + toBusiness.getHeader("To").toString().replace("\r\n", ";tag=forged\r\n")
          + toBusiness.getHeader("Call-ID") + toBusiness.getHeader("CSeq") + "Content-Length: 0\r\n\r\n",
          dialer.port());
    }
    Callback connected = awaitState(cb.id(), CallbackState.CONNECTED);
    assertEquals(1, connected.attempts(), "the forged 486 counted as an attempt");
    assertEquals(1, business.count(Request.INVITE));
  }
}
