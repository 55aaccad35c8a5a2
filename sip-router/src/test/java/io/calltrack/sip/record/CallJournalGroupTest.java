package io.calltrack.sip.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.attribution.Attribution;
import io.calltrack.core.calls.CallEvent;
import io.calltrack.core.calls.CallOutcome;
import io.calltrack.core.calls.CallPage;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.CallStore;
import io.calltrack.core.calls.RedisCallStore;
import io.calltrack.core.redis.RedisClientFactory;
import io.calltrack.core.testing.Await;
import io.calltrack.core.testing.TestNumbers;
import io.calltrack.core.testing.TestRedis;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal's group writes, against a real Redis: events given together reach Redis as one group
 * (one batch per shard), each with its own answer; an event whose attribution is still to be looked
 * up goes on its own, after it, and does not hold the group back.
 */
class CallJournalGroupTest {
  @TempDir Path dir;
  Vertx vertx;
  Context context;
  RedisCallStore redisStore;
  /** What the journal handed the store: the size of each group, and events written alone. */
  final List<Integer> groups = Collections.synchronizedList(new ArrayList<>());
  final List<String> alone = Collections.synchronizedList(new ArrayList<>());
  /** The store refuses every write, as an unreachable Redis does. */
  volatile boolean down;
  /** The store refuses this property's writes, as a cluster whose shard of it is down does. */
  volatile String downShard = "";

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
    redisStore = new RedisCallStore(RedisClientFactory.create(vertx, TestRedis.url()));
  }

  @AfterEach
  void stop() {
    Await.result(vertx.close());
  }

  @Test
  void eventsGivenTogetherReachRedisAsOneGroup() {
    String property = TestRedis.uniqueId("group");
    String other = TestRedis.uniqueId("group-other"); // another shard: its own batch, the same group
    CallJournal journal = journal(Future::succeededFuture);
    Instant t0 = Instant.parse("2031-02-01T10:00:00Z");
    List<CallEvent> events = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      String id = TestRedis.uniqueId("call" + i);
      events.add(new CallEvent(id, 0, CallEvent.Type.STARTED, t0, started(id, i % 4 == 0 ? other : property, t0)));
    }
    // given from the journal's own context, as the calls' later events are: the group's timer cannot
    // fire before the last of them is given
    List<Future<Boolean>> written = Await.result(onContext(() -> events.stream().map(journal::write).toList()));
    Await.result(Future.all(written));
    assertTrue(written.stream().allMatch(Future::result), "every event answered as in Redis, none spooled");

    assertEquals(List.of(200), groups, "one group of every event");
    assertEquals(List.of(), alone);
    for (CallEvent e : events) {
      CallRecord stored = Await.result(redisStore.get(e.record().property(), e.callId())).orElseThrow();
      assertEquals(e.record(), stored);
    }
    // a replay, in a later group of its own, is taken (and changes nothing: RedisCallStoreTest)
    CallEvent again = events.get(7);
    Await.result(onContext(() -> journal.write(again)).compose(f -> f));
    assertEquals(List.of(200, 1), groups);
    journal.close();
  }

  @Test
  void aGroupPartlyRefusedSpoolsOnlyTheEventsRedisDidNotTake() {
    String property = TestRedis.uniqueId("group");
    downShard = TestRedis.uniqueId("group-down");
    CallJournal journal = journal(Future::succeededFuture);
    Instant t0 = Instant.parse("2031-02-01T10:30:00Z");
    List<CallEvent> events = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      String id = TestRedis.uniqueId("call" + i);
      events.add(new CallEvent(id, 0, CallEvent.Type.STARTED, t0, started(id, i % 4 == 0 ? downShard : property, t0)));
    }
    List<Future<Boolean>> written = Await.result(onContext(() -> events.stream().map(journal::write).toList()));
    Await.result(Future.all(written));
    assertEquals(List.of(20), groups, "one group");
    for (int i = 0; i < 20; i++) {
      assertEquals(i % 4 != 0, written.get(i).result(), "event " + i + ": in Redis, or spooled if its shard refused it");
    }
    assertEquals(5, journal.depth(), "only the refused shard's events in the spool");
    assertTrue(Await.result(redisStore.get(property, events.get(1).callId())).isPresent());
    journal.close();
  }

  @Test
  void anEventStillToBeAttributedIsWrittenAloneAndDoesNotHoldTheGroup() {
    String property = TestRedis.uniqueId("group");
    Instant t0 = Instant.parse("2031-02-01T11:00:00Z");
    String late = TestRedis.uniqueId("late");
    Promise<CallEvent> attribution = Promise.promise();
    CallJournal journal = journal(e -> e.callId().equals(late) ? attribution.future() : Future.succeededFuture(e));
    List<CallEvent> events = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      String id = i == 2 ? late : TestRedis.uniqueId("call" + i);
      events.add(new CallEvent(id, 0, CallEvent.Type.STARTED, t0, started(id, property, t0)));
    }
    List<Future<Boolean>> written = Await.result(onContext(() -> events.stream().map(journal::write).toList()));
    for (int i = 0; i < 5; i++) {
      if (i != 2) {
        Await.result(written.get(i));
      }
    }
    assertEquals(List.of(4), groups);
    assertTrue(!written.get(2).isComplete(), "the late one waits for its attribution");

    CallEvent attributed = events.get(2);
    CallRecord withVisit = attributed.record().withAttribution("lease", "visit-9", attributed.record().attribution(),
        List.of());
    context.runOnContext(v -> attribution.complete(new CallEvent(late, 0, CallEvent.Type.STARTED, t0, withVisit)));
    Await.result(written.get(2));
    assertEquals(List.of(late), alone);
    assertEquals("visit-9", Await.result(redisStore.get(property, late)).orElseThrow().sessionId());
    journal.close();
  }

  @Test
  void aReplayRoundCarriesEachCallsEventsTogetherAndRedisTakesThemInOrder() {
    String property = TestRedis.uniqueId("replay");
    down = true; // every write refused: each event goes to the spool
    CallJournal journal = journal(Future::succeededFuture);
    Instant t0 = Instant.parse("2031-02-01T12:00:00Z");
    List<String> ids = new ArrayList<>();
    List<CallEvent> events = new ArrayList<>();
    for (int i = 0; i < 30; i++) { // as a spool fills: a call's events one after another
      String id = TestRedis.uniqueId("call" + i);
      ids.add(id);
      CallRecord started = started(id, property, t0);
      CallRecord answered = started.answered(t0.plusSeconds(2), 200);
      events.add(new CallEvent(id, 0, CallEvent.Type.STARTED, t0, started));
      events.add(new CallEvent(id, 1, CallEvent.Type.ANSWERED, t0.plusSeconds(2), answered));
      events.add(new CallEvent(id, 2, CallEvent.Type.ENDED, t0.plusSeconds(9),
          answered.ended(t0.plusSeconds(9), io.calltrack.core.calls.CallStatus.ANSWERED, null)));
    }
    for (CallEvent e : events) { // a call waits for each of its events before it gives the next
      assertEquals(false, Await.result(Await.result(onContext(() -> journal.write(e)))), "spooled");
    }
    assertEquals(90, journal.depth());
    groups.clear();

    journal.start(Duration.ofMillis(20)); // Redis still down: the replay is refused, check after check
    Await.until(Duration.ofSeconds(30), () -> groups.size() >= 4);
    List<Integer> refused = List.copyOf(groups);
    assertEquals(90, refused.get(0), "one round of every event: a call's later events do not end it");
    assertEquals(Collections.nCopies(refused.size() - 1, 1), refused.subList(1, refused.size()),
        "after a refusal one event tries whether Redis is back, not a whole round");

    down = false;
    Await.until(Duration.ofSeconds(30), () -> journal.depth() == 0);
    // (a check may have been refused between the snapshot and Redis coming back: only the last two count)
    List<Integer> taken = List.copyOf(groups.subList(groups.size() - 2, groups.size()));
    assertEquals(List.of(1, 89), taken, "the event that found Redis back, then the rest in one round");
    io.vertx.redis.client.RedisAPI api = io.vertx.redis.client.RedisAPI.api(
        RedisClientFactory.create(vertx, TestRedis.url()));
    List<String> streamed = new ArrayList<>();
    for (var entry : Await.result(api.xrange(List.of(RedisCallStore.eventsStream(property), "-", "+")))) {
      var fields = entry.get(1);
      streamed.add(fields.get(1) + "#" + fields.get(3)); // callId, seq
    }
    List<String> expected = new ArrayList<>();
    for (String id : ids) {
      expected.add(id + "#0");
      expected.add(id + "#1");
      expected.add(id + "#2");
      assertEquals(events.get(expected.size() - 1).record(), Await.result(redisStore.get(property, id)).orElseThrow(),
          "the record as its last event left it");
    }
    assertEquals(expected, streamed, "every event in the stream once, each call's in order");
    journal.close();
  }

  @Test
  void eventsInFlightWhenRedisStopsAnsweringAreLoggedOnceAndTheReplaysEndSaysHowMany() {
    String property = TestRedis.uniqueId("quiet");
    CallJournal journal = journal(Future::succeededFuture);
    Instant t0 = Instant.parse("2031-02-01T13:00:00Z");
    List<CallEvent> events = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      String id = TestRedis.uniqueId("quiet" + i);
      events.add(new CallEvent(id, 0, CallEvent.Type.STARTED, t0, started(id, property, t0)));
    }
    java.io.PrintStream err = System.err;
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      down = true;
      // given together, as the events in flight when Redis stops answering: each is refused
      List<Future<Boolean>> written = Await.result(onContext(() -> events.stream().map(journal::write).toList()));
      for (Future<Boolean> w : written) {
        assertEquals(false, Await.result(w), "spooled");
      }
      down = false;
      journal.start(Duration.ofMillis(20));
      Await.until(Duration.ofSeconds(30), () -> captured.toString(java.nio.charset.StandardCharsets.UTF_8)
          .contains("call spool replayed into Redis"));
    } finally {
      System.setErr(err);
    }
    List<String> lines = captured.toString(java.nio.charset.StandardCharsets.UTF_8).lines()
        .filter(l -> l.contains("CallJournal")).toList();
    assertEquals(1, lines.stream().filter(l -> l.contains("did not take call event")).count(),
        "one line for the 25 events Redis did not take: " + lines);
    assertTrue(lines.stream().anyMatch(l -> l.contains("call spool replayed into Redis: 25 event(s) in 1 round(s)")),
        "the replay's end says how many: " + lines);
    journal.close();
  }

  private CallJournal journal(java.util.function.Function<CallEvent, Future<CallEvent>> enrich) {
    CallJournal journal = new CallJournal(vertx, context, new Counting(redisStore), dir, Executors.newSingleThreadExecutor(),
        completing(enrich), Duration.ofSeconds(10), Clock.systemUTC());
    return journal;
  }

  /** An enricher that only completes events: these tests count no calls. */
  private static CallJournal.Enricher completing(java.util.function.Function<CallEvent, Future<CallEvent>> enrich) {
    return new CallJournal.Enricher() {
      @Override
      public Future<CallEvent> enrich(CallEvent event) {
        return enrich.apply(event);
      }

      @Override
      public void written(CallEvent written, boolean applied) {}
    };
  }

  private <T> Future<T> onContext(java.util.function.Supplier<T> work) {
    Promise<T> p = Promise.promise();
    context.runOnContext(v -> p.complete(work.get()));
    return p.future();
  }

  private static CallRecord started(String id, String property, Instant at) {
    return CallRecord.started(id, id + "@sip", TestNumbers.fresh(), "+15557770001", property, at)
        .withAttribution("lease", "s1", new Attribution("google", "cpc", null, "boiler repair", null,
            "/heating", null, null, null, null, null, null), List.of());
  }

  /** The real store, counting how the journal used it. */
  private final class Counting implements CallStore {
    private final CallStore store;

    Counting(CallStore store) {
      this.store = store;
    }

    @Override
    public Future<Boolean> apply(CallEvent event) {
      alone.add(event.callId());
      return down ? Future.failedFuture("Redis unreachable") : store.apply(event);
    }

    @Override
    public List<Future<Boolean>> applyEach(List<CallEvent> events) {
      groups.add(events.size());
      if (down) {
        return java.util.Collections.nCopies(events.size(), Future.failedFuture("Redis unreachable"));
      }
      // the shard of the property downShard names refuses its events; the others take theirs
      List<CallEvent> taken = events.stream().filter(e -> !e.record().property().equals(downShard)).toList();
      java.util.Iterator<Future<Boolean>> answers = store.applyEach(taken).iterator();
      return events.stream().map(e -> e.record().property().equals(downShard)
          ? Future.<Boolean>failedFuture("shard unreachable") : answers.next()).toList();
    }

    @Override
    public Future<Optional<CallRecord>> get(String callId) {
      return store.get(callId);
    }

    @Override
    public Future<CallPage> page(String property, Instant from, Instant to, int limit, String cursor) {
      return store.page(property, from, to, limit, cursor);
    }

    @Override
    public Future<CallRecord> setOutcome(String callId, CallOutcome outcome) {
      return store.setOutcome(callId, outcome);
    }

    @Override
    public Future<String> setOutcomeEvent(String callId, CallOutcome outcome) {
      return store.setOutcomeEvent(callId, outcome);
    }

    @Override
    public Future<List<String>> missing(List<String> callIds) {
      return store.missing(callIds);
    }
  }
}
