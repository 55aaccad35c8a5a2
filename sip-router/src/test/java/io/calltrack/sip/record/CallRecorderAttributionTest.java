package io.calltrack.sip.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.attribution.Attribution;
import io.calltrack.core.calls.CallEvent;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.CallStatus;
import io.calltrack.core.calls.RedisCallStore;
import io.calltrack.core.config.PoolConfig;
import io.calltrack.core.config.PropertyConfig;
import io.calltrack.core.config.RedisConfigStore;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.core.pool.Assignment;
import io.calltrack.core.pool.PoolEngine;
import io.calltrack.core.pool.RedisPoolEngine;
import io.calltrack.core.redis.RedisClientFactory;
import io.calltrack.core.testing.Await;
import io.calltrack.core.testing.TestNumbers;
import io.calltrack.core.testing.TestRedis;
import io.calltrack.localredis.EmbeddedRedis;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.calltrack.core.attribution.CallAttributor.CallAttribution;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A call whose attribution outlasts the resolver's timeout (Redis slow, the router behind) is looked
 * up once, not again at each of its events: its later events wait for that one lookup, the answer it
 * gives late is applied to the record, and the call is counted attributed once. Against a real Redis
 * and the real engine; only the engine's answer to the candidates read is held back until the test
 * lets it through.
 */
class CallRecorderAttributionTest {
  @TempDir Path dir;
  Vertx vertx;
  Context context;
  Redis client;
  RedisPoolEngine engine;
  final AtomicInteger candidateReads = new AtomicInteger();
  /** Holds the candidates reads' answers until completed (a test may put a new one in). */
  final java.util.concurrent.atomic.AtomicReference<Promise<Void>> gate =
      new java.util.concurrent.atomic.AtomicReference<>(Promise.promise());

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
    client = RedisClientFactory.create(vertx, TestRedis.url());
    RedisConfigStore config = Await.result(RedisConfigStore.create(vertx, client));
    engine = new RedisPoolEngine(vertx, client, config, Clock.systemUTC());
    property = TestRedis.uniqueId("late");
    PhoneNumber main = TestNumbers.fresh();
    Await.result(config.putProperty(new PropertyConfig(property, property, List.of(), List.of(main), main,
        "sip:+15559990000@127.0.0.1:5060", "UTC", Map.of(), null)));
    Await.result(config.putPool(new PoolConfig(TestRedis.uniqueId("pool"), property, List.of(TestNumbers.fresh()),
        300, 1800, null, null)));
    visit = Await.result(engine.assign(property, "visitor-1",
        new Attribution("google", "cpc", "spring", "plumber", null, "/plumbing", null, null, null, null, null, null)));
  }

  String property;
  Assignment visit;

  @AfterEach
  void stop() {
    Await.result(vertx.close());
  }

  /** A journal writing to {@code store}, giving up a Redis write after {@code writeTimeout}, resolving with {@code resolver}. */
  private CallJournal journal(CallResolver resolver, RedisCallStore store, Duration writeTimeout) {
    return new CallJournal(vertx, context, store, dir, Executors.newSingleThreadExecutor(), resolver,
        writeTimeout, Clock.systemUTC());
  }

  @Test
  void theLookupsOfCallsGivenInOneRoundAreReadTogether() {
    List<Integer> batches = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    PoolEngine counting = seeingCandidatesAll(queries -> batches.add(queries.size()));
    CallResolver resolver = new CallResolver(context, counting, Duration.ofSeconds(10));
    Instant t0 = Instant.now();
    List<CallRecord> calls = new java.util.ArrayList<>();
    for (int i = 0; i < 4; i++) {
      String callId = TestRedis.uniqueId("call");
      calls.add(CallRecord.started(callId, callId + "@sip", visit.number(), "+1555777002" + i, property, t0));
    }
    CallRecord unknownNumber = CallRecord.started("unknown-" + TestRedis.uniqueId("call"), "x@sip",
        TestNumbers.fresh(), "+15557770030", property, t0);
    calls.add(unknownNumber);
    // given from the context itself, so that no round can run between them
    Promise<List<Future<CallAttribution>>> given = Promise.promise();
    context.runOnContext(x -> given.complete(calls.stream().map(resolver::lookUp).toList()));
    List<Future<CallAttribution>> lookups = Await.result(given.future());

    List<CallAttribution> answers = lookups.stream().map(Await::result).toList();
    assertEquals(List.of(5), batches, "one read for the round's five lookups");
    for (int i = 0; i < 4; i++) {
      assertEquals(visit.sessionId(), answers.get(i).sessionId(), "call " + i);
    }
    assertEquals(CallAttribution.UNATTRIBUTED, answers.get(4));
  }

  @Test
  void aReadThatThrowsFailsEveryLookupOfItsRoundInsteadOfLeavingThemUnanswered() {
    PoolEngine throwing = seeingCandidatesAll(queries -> {
      throw new IllegalStateException("a bug in one call's lookup");
    });
    // a timeout far past the test's: an unanswered lookup would show as a wait, not as a failure
    CallResolver resolver = new CallResolver(context, throwing, Duration.ofMinutes(5));
    Instant t0 = Instant.now();
    List<CallRecord> calls = List.of(
        CallRecord.started(TestRedis.uniqueId("call"), "a@sip", visit.number(), "+15557770041", property, t0),
        CallRecord.started(TestRedis.uniqueId("call"), "b@sip", visit.number(), "+15557770042", property, t0));
    Promise<List<Future<CallAttribution>>> given = Promise.promise();
    context.runOnContext(x -> given.complete(calls.stream().map(resolver::lookUp).toList()));

    for (Future<CallAttribution> lookup : Await.result(given.future())) {
      assertEquals("a bug in one call's lookup", Await.failure(lookup).getMessage());
    }
  }

  @Test
  void aCallWhoseLookupOutlastsTheTimeoutIsLookedUpOnceAndWrittenAttributed() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    // 1 ms: every wait for the held lookup times out, as on a router far behind
    CallResolver resolver = new CallResolver(context, held(engine), Duration.ofMillis(1), registry);
    RedisCallStore store = new RedisCallStore(client);
    CallJournal journal = journal(resolver, store, Duration.ofSeconds(10));
    String callId = TestRedis.uniqueId("call");
    Instant t0 = Instant.now();
    CallRecorder recorder = new CallRecorder(journal, resolver,
        CallRecord.started(callId, callId + "@sip", visit.number(), "+15557770001", property, t0));
    Await.result(recorder.settled());
    recorder.ringing(t0.plusSeconds(1));
    recorder.answered(t0.plusSeconds(2), 200);
    Await.result(recorder.settled());
    CallRecord meanwhile = Await.result(store.get(property, callId)).orElseThrow();
    assertEquals(null, meanwhile.resolution(), "written before the lookup answered: not attributed yet");
    assertEquals(1, candidateReads.get(), "the call's later events and their writes waited for its one lookup");

    context.runOnContext(v -> gate.get().complete());
    Await.until(Duration.ofSeconds(30), () -> attributedCount(registry) == 1);
    Await.result(onContext()); // the answer's other handlers ran in the same task on the context
    // an event written while the lookup was late, asked again (as the journal does when it writes or
    // replays one): the kept answer, not another read
    CallEvent earlier = new CallEvent(callId, 1, CallEvent.Type.ANSWERED, t0.plusSeconds(2), meanwhile);
    assertEquals(visit.sessionId(), Await.result(resolver.enrich(earlier)).record().sessionId());
    recorder.ended(t0.plusSeconds(60), CallStatus.ANSWERED, 200);
    Await.result(recorder.settled());

    CallRecord stored = Await.result(store.get(property, callId)).orElseThrow();
    assertEquals(visit.sessionId(), stored.sessionId(), "the late answer is in the record");
    assertEquals(1, candidateReads.get(), "the late answer was applied without reading again");
    assertEquals(1.0, attributedCount(registry), "the call is counted attributed once");
    journal.close();
  }

  @Test
  void aLateAnswerStaysUntilItsCallIsSettledHoweverManyOtherCallsAnswerLate() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    // room for two late answers, as on a router far behind whose journal lags more calls than that
    CallResolver resolver = new CallResolver(context, held(engine), Duration.ofMillis(1), registry, 2);
    RedisCallStore store = new RedisCallStore(client);
    CallJournal journal = journal(resolver, store, Duration.ofSeconds(10));
    Instant t0 = Instant.now();
    // the first call answers late and goes on; two more answer late after it, and end
    CallRecorder going = lateCall(journal, resolver, registry, t0, 1);
    for (int i = 2; i <= 3; i++) {
      CallRecorder ending = lateCall(journal, resolver, registry, t0, i);
      ending.ended(t0.plusSeconds(30), CallStatus.ANSWERED, 200);
      Await.result(ending.settled());
    }
    Await.result(onContext());

    CallRecord meanwhile = Await.result(store.get(property, going.callId())).orElseThrow();
    assertEquals(null, meanwhile.resolution(), "its started event was written before the lookup answered");
    CallEvent earlier = new CallEvent(going.callId(), 0, CallEvent.Type.STARTED, t0, meanwhile);
    assertEquals(visit.sessionId(), Await.result(resolver.enrich(earlier)).record().sessionId(),
        "the call still going kept its late answer");
    assertEquals(3, candidateReads.get(), "no call read twice");
    assertEquals(3.0, attributedCount(registry), "each call counted attributed once");
    journal.close();
  }

  @Test
  void aCallWithAnEventInTheSpoolKeepsItsLateAnswerUntilTheSpoolIsReplayed() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    CallResolver resolver = new CallResolver(context, held(engine), Duration.ofMillis(1), registry);
    // the calls go to a Redis of their own, down while the call is going: its events are spooled
    EmbeddedRedis callsRedis = TestRedis.dedicated();
    try {
      RedisCallStore store = new RedisCallStore(RedisClientFactory.create(vertx, callsRedis.url()));
      CallJournal journal = journal(resolver, store, Duration.ofSeconds(2));
      journal.start(Duration.ofMillis(20)); // as the router does: replays whenever Redis takes them
      callsRedis.stop();
      Instant t0 = Instant.now();
      CallRecorder call = lateCall(journal, resolver, registry, t0, 1);
      call.ended(t0.plusSeconds(30), CallStatus.ANSWERED, 200);
      Await.result(call.settled());
      assertEquals(2, journal.depth(), "both events in the spool, the started one not attributed");
      assertTrue(resolver.keepsLateAnswer(call.callId()), "the call ended, its started event still needs the answer");

      callsRedis.start();
      Await.until(Duration.ofSeconds(30), () -> journal.depth() == 0 && !resolver.keepsLateAnswer(call.callId()));
      List<String> entries = Await.result(RedisAPI.api(RedisClientFactory.create(vertx, callsRedis.url()))
          .xrange(List.of(RedisCallStore.eventsStream(property), "-", "+"))).stream()
          .map(e -> e.get(1).toString()).toList();
      assertEquals(2, entries.size(), entries::toString);
      assertTrue(entries.get(0).contains("STARTED") || entries.get(0).contains("started"), entries::toString);
      assertTrue(entries.get(0).contains(visit.sessionId()), "the replayed started event carries the late answer");
      assertEquals(1, candidateReads.get(), "not read again for the replay");
      assertEquals(1.0, attributedCount(registry));
      journal.close();
    } finally {
      callsRedis.stop();
    }
  }

  @Test
  void callsSpooledInARedisOutageLeaveNoWaitForTheReplayBehindAndAreCountedOnce() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    // one Redis for everything, down: every lookup fails and every event goes to the spool
    OwnRedis redis = ownRedis(registry);
    try {
      CallResolver resolver = redis.resolver();
      CallJournal journal = redis.journal();
      journal.start(Duration.ofMillis(20));
      redis.redis().stop();
      Instant t0 = Instant.now();
      int calls = 20;
      for (int i = 0; i < calls; i++) {
        String callId = TestRedis.uniqueId("outage");
        CallRecorder call = new CallRecorder(journal, resolver,
            CallRecord.started(callId, callId + "@sip", visit.number(), "+15557771" + (100 + i), property, t0));
        call.ended(t0.plusSeconds(30), CallStatus.ANSWERED, 200);
        Await.result(call.settled());
        // not resolver.mayKeepLateAnswer: a replay try (every 20 ms) may have a lookup of the call under way
        assertEquals(0, Await.result(journal.waitsForReplay()),
            "its lookups failed: no answer a replayed event could need, so no wait for the replay");
      }
      assertEquals(2 * calls, journal.depth(), "every event in the spool");

      redis.redis().start();
      Await.until(Duration.ofSeconds(30), () -> journal.depth() == 0);
      Await.result(onContext());
      // every replayed event was looked up again (none carried its attribution): each call counted once
      assertEquals((double) calls, attributedCount(registry), "each call counted attributed once");
      assertEquals(0, resolver.callsInProgress(), "every call settled at its end: nothing kept");
      journal.close();
    } finally {
      redis.redis().stop();
    }
  }

  @Test
  void aCallThatEndsBeforeItsLookupAnswersKeepsNothing() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    CallResolver resolver = new CallResolver(context, held(engine), Duration.ofMillis(1), registry);
    CallJournal journal = journal(resolver, new RedisCallStore(client), Duration.ofSeconds(10));
    String callId = TestRedis.uniqueId("call");
    Instant t0 = Instant.now();
    CallRecorder call = new CallRecorder(journal, resolver,
        CallRecord.started(callId, callId + "@sip", visit.number(), "+15557770009", property, t0));
    call.ended(t0.plusSeconds(5), CallStatus.FAILED, 486);
    Await.result(call.settled());

    context.runOnContext(v -> gate.get().complete());
    Await.until(Duration.ofSeconds(30), () -> attributedCount(registry) == 1);
    Await.result(onContext());
    assertEquals(false, resolver.keepsLateAnswer(callId), "every event of the call was written: nothing asks again");
    journal.close();
  }

  @Test
  void aReplayedCallWhoseFirstLookupFailedIsCountedAtItsNextEventAndOnlyThere() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    // the first read refused, as by a Redis coming back between an event's lookup and its write
    AtomicInteger refusals = new AtomicInteger(1);
    PoolEngine refusingOnce = askingOneByOne((proxy, method, args) -> {
      if (method.getName().equals("candidates") && refusals.getAndDecrement() > 0) {
        return Future.failedFuture(new java.io.IOException("Connection refused"));
      }
      return forward(engine, method, args);
    });
    CallResolver resolver = new CallResolver(context, refusingOnce, Duration.ofSeconds(10), registry);
    String callId = TestRedis.uniqueId("call");
    Instant t0 = Instant.now();
    CallRecord started = CallRecord.started(callId, callId + "@sip", visit.number(), "+15557770011", property, t0);
    CallRecord answered = started.answered(t0.plusSeconds(2), 200);

    // the journal writes an event whose lookup failed as it is, unattributed, and tells the resolver
    CallEvent first = new CallEvent(callId, 0, CallEvent.Type.STARTED, t0, started);
    Await.failure(resolver.enrich(first));
    resolver.written(first, true);
    CallEvent next = Await.result(resolver.enrich(new CallEvent(callId, 1, CallEvent.Type.ANSWERED, t0.plusSeconds(2),
        answered)));
    assertEquals(visit.sessionId(), next.record().sessionId());
    Await.result(onContext());
    assertEquals(0.0, attributedCount(registry), "not counted before its event is in Redis");
    resolver.written(next, true);
    CallEvent last = Await.result(resolver.enrich(new CallEvent(callId, 2, CallEvent.Type.ENDED, t0.plusSeconds(9),
        answered.ended(t0.plusSeconds(9), CallStatus.ANSWERED, 200))));
    resolver.written(last, true);
    Await.result(onContext());
    assertEquals(1.0, attributedCount(registry), "counted at the event after the failed one, and not again");
  }

  @Test
  void aReplayedEventWhoseEarlierWriteIsAnsweredAfterItsRetryIsCountedOnce() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    CallResolver resolver = new CallResolver(context, engine, Duration.ofSeconds(10), registry);
    String callId = TestRedis.uniqueId("reordered");
    Instant t0 = Instant.now();
    // an earlier run's call, replayed: its first event is what counts it, once it is in Redis
    CallEvent first = new CallEvent(callId, 0, CallEvent.Type.STARTED, t0,
        CallRecord.started(callId, callId + "@sip", visit.number(), "+15557770012", property, t0));
    CallEvent sent = Await.result(resolver.enrich(first));
    CallEvent sentAgain = Await.result(resolver.enrich(first)); // its round timed out and went again
    // Redis applied the first write; the retry's answer ("had it already") came back before the first's
    resolver.written(sentAgain, false);
    resolver.written(sent, true);
    Await.until(Duration.ofSeconds(10), () -> attributedCount(registry) >= 1.0);
    resolver.written(sentAgain, false);
    Await.result(onContext());
    assertEquals(1.0, attributedCount(registry), "counted by the write Redis applied, whichever answer came first");
  }

  @Test
  void aReplayedCallWhoseWriteRedisRefusedAfterItsLookupAnsweredIsCountedOnce() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    // the pools answer from the shared Redis; the calls go to a Redis of their own, which the test stops
    AtomicBoolean poolsDown = new AtomicBoolean(true);
    CallResolver resolver = new CallResolver(context, readsRefusedWhile(poolsDown), Duration.ofSeconds(1), registry);
    EmbeddedRedis callsRedis = TestRedis.dedicated();
    try {
      RedisCallStore store = new RedisCallStore(RedisClientFactory.create(vertx, callsRedis.url()));
      CallJournal journal = journal(resolver, store, Duration.ofSeconds(1));
      callsRedis.stop();
      String callId = TestRedis.uniqueId("refused");
      Instant t0 = Instant.now();
      CallRecorder call = new CallRecorder(journal, resolver,
          CallRecord.started(callId, callId + "@sip", visit.number(), "+15557774001", property, t0));
      call.ended(t0.plusSeconds(20), CallStatus.ANSWERED, 200);
      Await.result(call.settled());
      assertEquals(2, journal.depth(), "both events spooled unattributed");

      // the calls' Redis does not answer yet: every replay try looks the call up and is refused
      replayWithPoolsBack(journal, poolsDown, 5);
      assertEquals(0.0, attributedCount(registry), "nothing counted while its record is not in Redis");

      callsRedis.start();
      Await.until(Duration.ofSeconds(30), () -> journal.depth() == 0);
      Await.result(onContext());
      assertEquals(1.0, attributedCount(registry), "counted once, when its attributed event went in");
      CallRecord stored = Await.result(store.get(property, callId)).orElseThrow();
      assertEquals(visit.sessionId(), stored.sessionId());
      journal.close();
    } finally {
      callsRedis.stop();
    }
  }

  @Test
  void aReplayRoundPartlyTakenCountsEachCallOnceWhenItIsSentAgain() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    AtomicBoolean poolsDown = new AtomicBoolean(true);
    CallResolver resolver = new CallResolver(context, readsRefusedWhile(poolsDown), Duration.ofSeconds(1), registry);
    // the real store, refusing the events of the calls in {@code refused}: as a cluster with one shard
    // down takes the other shards' events of a round
    java.util.Set<String> refused = java.util.concurrent.ConcurrentHashMap.newKeySet();
    RedisCallStore real = new RedisCallStore(client);
    io.calltrack.core.calls.CallStore partly = partlyRefusing(real, refused);
    CallJournal journal = new CallJournal(vertx, context, partly, dir, Executors.newSingleThreadExecutor(), resolver,
        Duration.ofSeconds(1), Clock.systemUTC());
    Instant t0 = Instant.now();
    List<String> calls = List.of(TestRedis.uniqueId("taken"), TestRedis.uniqueId("refused"));
    refused.addAll(calls); // all down: every event spooled
    for (int i = 0; i < calls.size(); i++) {
      String callId = calls.get(i);
      CallRecorder call = new CallRecorder(journal, resolver,
          CallRecord.started(callId, callId + "@sip", visit.number(), "+1555777500" + i, property, t0));
      call.ended(t0.plusSeconds(20), CallStatus.ANSWERED, 200);
      Await.result(call.settled());
    }
    assertEquals(4, journal.depth());

    refused.remove(calls.get(0)); // the first call's shard is back, the second's is not
    replayWithPoolsBack(journal, poolsDown, 6);
    // counted once its first event is in Redis (a write, then the pool's count, then the meter)
    Await.until(Duration.ofSeconds(30), () -> attributedCount(registry) >= 1.0);
    int readsThen = candidateReads.get();
    Await.until(Duration.ofSeconds(30), () -> candidateReads.get() >= readsThen + 3); // the round sent again
    Await.result(onContext());
    assertEquals(1.0, attributedCount(registry), "the call whose events went in, once, however often sent again");

    refused.clear();
    Await.until(Duration.ofSeconds(30), () -> journal.depth() == 0);
    Await.until(Duration.ofSeconds(30), () -> attributedCount(registry) >= 2.0);
    Await.result(onContext());
    assertEquals(2.0, attributedCount(registry), "each call once");
    for (String callId : calls) {
      assertEquals(visit.sessionId(), Await.result(real.get(property, callId)).orElseThrow().sessionId());
    }
    journal.close();
  }

  @Test
  void aCallInProgressWhenRedisComesBackIsCountedOnceWhenItsOwnLookupAnswersFirst() {
    countedOnceAcrossARedisReturn(false);
  }

  @Test
  void aCallInProgressWhenRedisComesBackIsCountedOnceWhenTheReplayAnswersFirst() {
    countedOnceAcrossARedisReturn(true);
  }

  @Test
  void aCallOfAnOutageWhoseMediaMeasuresComeAfterRedisIsBackIsCountedOnce() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    OwnRedis redis = ownRedis(registry);
    try {
      CallJournal journal = redis.journal();
      journal.start(Duration.ofHours(1)); // running, as in a router, but it replays only when told
      redis.redis().stop();
      String callId = TestRedis.uniqueId("media");
      Instant t0 = Instant.now();
      CallRecorder call = new CallRecorder(journal, redis.resolver(),
          CallRecord.started(callId, callId + "@sip", visit.number(), "+15557773001", property, t0));
      call.ended(t0.plusSeconds(9), CallStatus.ANSWERED, 200);
      Await.result(call.settled());
      redis.redis().start();

      call.media(t0.plusSeconds(10), io.calltrack.core.calls.CallMedia.anchoredOnly()); // the relay's report, later
      Await.result(call.settled());
      journal.checkNow();
      Await.until(Duration.ofSeconds(30), () -> journal.depth() == 0);
      Await.result(onContext());
      assertEquals(1.0, attributedCount(registry), "counted once: by the replay, not also by the media step");
      CallRecord stored = Await.result(redis.store().get(property, callId)).orElseThrow();
      assertTrue(stored.media() != null && stored.resolution() != null, "the media event is in, attributed: " + stored);
      journal.close();
    } finally {
      redis.redis().stop();
    }
  }

  /**
   * A call starts while Redis is down (its first event spooled unattributed) and goes on after Redis
   * is back: it is looked up by its own next step and by the replay of that event, in either order.
   */
  private void countedOnceAcrossARedisReturn(boolean replayFirst) {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    OwnRedis redis = ownRedis(registry);
    try {
      CallResolver resolver = redis.resolver();
      CallJournal journal = redis.journal(); // not started: replays when told
      redis.redis().stop();
      String callId = TestRedis.uniqueId("straddle");
      Instant t0 = Instant.now();
      CallRecorder call = new CallRecorder(journal, resolver,
          CallRecord.started(callId, callId + "@sip", visit.number(), "+15557772001", property, t0));
      Await.result(call.settled());
      assertEquals(1, journal.depth(), "its first event in the spool, unattributed");
      redis.redis().start();

      if (replayFirst) {
        journal.start(Duration.ofMillis(20));
        Await.until(Duration.ofSeconds(30), () -> journal.depth() == 0);
        Await.result(onContext());
        assertEquals(1.0, attributedCount(registry), "counted by the replay of its first event");
      }
      call.answered(t0.plusSeconds(2), 200);
      Await.result(call.settled());
      Await.result(onContext());
      assertEquals(1.0, attributedCount(registry), replayFirst ? "its own lookup found it counted"
          : "counted by its own next step");
      call.ended(t0.plusSeconds(9), CallStatus.ANSWERED, 200);
      Await.result(call.settled());
      if (!replayFirst) {
        journal.start(Duration.ofMillis(20));
      }
      Await.until(Duration.ofSeconds(30), () -> journal.depth() == 0);
      Await.until(Duration.ofSeconds(30), () -> Await.result(journal.waitsForReplay()) == 0);
      Await.result(onContext());
      assertEquals(1.0, attributedCount(registry), "counted once");
      assertEquals(CallStatus.ANSWERED, Await.result(redis.store().get(property, callId)).orElseThrow().status());
      assertEquals(0, resolver.callsInProgress(), "settled once the replay is done: nothing kept");
      journal.close();
    } finally {
      redis.redis().stop();
    }
  }

  /** A dedicated Redis (a test may stop it) for everything: the engine, the resolver (1 s), the store, the journal. */
  private record OwnRedis(EmbeddedRedis redis, CallResolver resolver, RedisCallStore store, CallJournal journal) {}

  private OwnRedis ownRedis(SimpleMeterRegistry registry) {
    EmbeddedRedis redis = TestRedis.dedicated();
    Redis client = RedisClientFactory.create(vertx, redis.url());
    RedisPoolEngine engine = new RedisPoolEngine(vertx, client,
        Await.result(RedisConfigStore.create(vertx, client)), Clock.systemUTC());
    CallResolver resolver = new CallResolver(context, engine, Duration.ofSeconds(1), registry);
    RedisCallStore store = new RedisCallStore(client);
    return new OwnRedis(redis, resolver, store, journal(resolver, store, Duration.ofSeconds(1)));
  }

  /** A call started, its lookup held past the timeout and then let through: its answer came late. */
  private CallRecorder lateCall(CallJournal journal, CallResolver resolver, SimpleMeterRegistry registry,
      Instant t0, int n) {
    String callId = TestRedis.uniqueId("call");
    CallRecorder recorder = new CallRecorder(journal, resolver,
        CallRecord.started(callId, callId + "@sip", visit.number(), "+1555777000" + n, property, t0));
    Await.result(recorder.settled());
    Promise<Void> gate = this.gate.getAndSet(Promise.promise());
    context.runOnContext(v -> gate.complete());
    Await.until(Duration.ofSeconds(30), () -> attributedCount(registry) == n);
    Await.result(onContext()); // the answer's other handlers ran in the same task on the context
    return recorder;
  }

  private Future<Void> onContext() {
    Promise<Void> p = Promise.promise();
    context.runOnContext(v -> p.complete());
    return p.future();
  }

  private static double attributedCount(SimpleMeterRegistry registry) {
    return registry.find("calltrack.calls.attributed").counters().stream().mapToDouble(c -> c.count()).sum();
  }

  /** The pools answer again: the journal replays, and tries until the pools were read {@code reads} times. */
  private void replayWithPoolsBack(CallJournal journal, AtomicBoolean poolsDown, int reads) {
    poolsDown.set(false);
    candidateReads.set(0);
    journal.start(Duration.ofMillis(20));
    Await.until(Duration.ofSeconds(30), () -> candidateReads.get() >= reads);
    Await.result(onContext());
  }

  /** The engine, showing each {@code candidatesAll}'s queries to {@code seen} first (which may throw). */
  private PoolEngine seeingCandidatesAll(java.util.function.Consumer<List<?>> seen) {
    return (PoolEngine) Proxy.newProxyInstance(PoolEngine.class.getClassLoader(), new Class<?>[] {PoolEngine.class},
        (proxy, method, args) -> {
          if (method.getName().equals("candidatesAll")) {
            seen.accept((List<?>) args[0]);
          }
          return forward(engine, method, args);
        });
  }

  /**
   * A test engine answered by {@code handler}, except {@code candidatesAll}, which asks {@code
   * candidates} call by call through the handler (the interface's default), so a handler that watches
   * or refuses {@code candidates} sees every call's read.
   */
  private static PoolEngine askingOneByOne(InvocationHandler handler) {
    return (PoolEngine) Proxy.newProxyInstance(PoolEngine.class.getClassLoader(), new Class<?>[] {PoolEngine.class},
        (proxy, method, args) -> method.getName().equals("candidatesAll")
            ? InvocationHandler.invokeDefault(proxy, method, args)
            : handler.invoke(proxy, method, args));
  }

  /** {@code method} on {@code target}, throwing what it throws (not its reflective wrapper). */
  private static Object forward(Object target, java.lang.reflect.Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  /** The engine, with its candidates reads counted and refused while {@code down}, as by a Redis not answering. */
  private PoolEngine readsRefusedWhile(AtomicBoolean down) {
    return askingOneByOne((proxy, method, args) -> {
      if (method.getName().equals("candidates")) {
        candidateReads.incrementAndGet();
        if (down.get()) {
          return Future.failedFuture(new java.io.IOException("Connection refused"));
        }
      }
      return forward(engine, method, args);
    });
  }

  /** {@code real}, refusing the events of the calls in {@code refused} and taking the others of the same batch. */
  private static io.calltrack.core.calls.CallStore partlyRefusing(RedisCallStore real, java.util.Set<String> refused) {
    return (io.calltrack.core.calls.CallStore) Proxy.newProxyInstance(io.calltrack.core.calls.CallStore.class.getClassLoader(),
        new Class<?>[] {io.calltrack.core.calls.CallStore.class}, (proxy, method, args) -> {
          if (method.getName().equals("apply") && refused.contains(((CallEvent) args[0]).callId())) {
            return Future.failedFuture(new java.io.IOException("Connection refused"));
          }
          if (method.getName().equals("applyEach")) {
            @SuppressWarnings("unchecked")
            List<CallEvent> events = (List<CallEvent>) args[0];
            List<CallEvent> taken = events.stream().filter(e -> !refused.contains(e.callId())).toList();
            java.util.Iterator<Future<Boolean>> answers = real.applyEach(taken).iterator();
            return events.stream().map(e -> refused.contains(e.callId())
                ? Future.<Boolean>failedFuture(new java.io.IOException("Connection refused")) : answers.next()).toList();
          }
          if (method.getName().equals("applyAll")) {
            throw new AssertionError("the journal asks for each event's answer");
          }
          return forward(real, method, args);
        });
  }

  /** The engine, with its candidates reads counted and their answers held until {@link #gate}. */
  private PoolEngine held(PoolEngine real) {
    return askingOneByOne((proxy, method, args) -> {
      Object answer = forward(real, method, args);
      if (!method.getName().equals("candidates")) {
        return answer;
      }
      candidateReads.incrementAndGet();
      return gate.get().future().compose(v -> (Future<?>) answer);
    });
  }
}
