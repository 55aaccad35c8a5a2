package io.calltrack.sip.record;

import io.calltrack.core.Deadline;
import io.calltrack.core.attribution.CallAttributor;
import io.calltrack.core.attribution.CallAttributor.CallAttribution;
import io.calltrack.core.calls.CallEvent;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.pool.PoolEngine;
import io.calltrack.core.pool.Session;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Fills in a call record's attribution through core's {@link CallAttributor} (which visit made the
 * call, scored, with a confidence), by the call's start instant, so a call that arrived while Redis was
 * down is attributed just as well when its events are replayed. Counts attributed calls by pool and
 * confidence ({@code calltrack_calls_attributed_total}). Callback calls are attributed here too, to the
 * visit that asked for them ({@link CallAttributor#callback}).
 */
public final class CallResolver implements CallJournal.Enricher {
  private final Context context;
  /** Where a call's lookup starts: the context's next round, with the other calls' (one wake-up for all). */
  private final ContextRounds rounds;
  private final CallAttributor attributor;
  private final Duration timeout;
  private final MeterRegistry registry;
  private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();
  /**
   * Lookups under way, by call id. A call whose lookup outlasted the timeout (Redis slow, or the router
   * behind, as in a cold start) had each of its later events looked up again, read and counted again
   * (1.57 lookups a call over a cold start at 300 calls/s), more work for a router already behind.
   * A lookup asked for while one of the same call is under way now waits for that one.
   */
  private final ConcurrentHashMap<String, Future<CallAttribution>> underWay = new ConcurrentHashMap<>();
  /** On the context: lookups asked for since the context last read them, read together ({@link #together}). */
  private final List<Asked> asked = new ArrayList<>();
  /**
   * Answers that came after a wait for them timed out, by call id: the events written meanwhile are
   * still unattributed, and the journal asks again when it writes them (or replays them from the
   * spool). Kept until every event of the call is in Redis ({@link #settled}; for a call with an event spooled,
   * once the spool is replayed). They were once kept by count (the newest 2,048):
   * a router 2 s behind at 1,000 calls/s dropped answers its journal still needed, and looked up 417
   * calls again in a cold start. The bound is now only a guard against a call that never settles.
   */
  private final Map<String, CallAttribution> answeredLate;
  /**
   * Calls in progress here (from {@link #opened} until {@link #settled}), and whether one of their
   * lookups has counted them yet. A call whose first event went to the spool unattributed while it
   * went on is looked up twice, by its own next step and by the replay of that event, in either
   * order: the first answer counts it, the other does not. Calls not in progress (ended, or an
   * earlier run's) are counted once their first event is in Redis, attributed ({@link #enrich},
   * {@link #written}).
   */
  private final ConcurrentHashMap<String, AtomicBoolean> inProgress = new ConcurrentHashMap<>();
  /** Late answers kept at most, the oldest going first (a few KB each: about 8 s of calls at 1,000 calls/s). */
  static final int LATE_KEPT = 8_192;
  /**
   * Calls not in progress whose event that was to count them was written unattributed (its lookup
   * failed or came late): the next event of the call counts it ({@link #enrich}). Bounded like the
   * late answers (a call whose last event it was stays uncounted, as its record is unattributed).
   */
  private final Map<String, Boolean> uncounted = bounded(LATE_KEPT);
  /**
   * Calls not in progress looked up at a journal event, counted once that event is in Redis, new there
   * ({@link #written}). Counted at the lookup, a call whose round the replay sent again (Redis took the
   * read and refused the write; on a cluster, one shard failing while the pool's answered) was counted
   * at every try.
   */
  private final Map<String, CountOnWrite> countOnWrite = bounded(LATE_KEPT);

  private record CountOnWrite(int seq, CallAttribution attribution, String caller) {}

  public CallResolver(Context context, PoolEngine engine, Duration timeout, MeterRegistry registry) {
    this(context, engine, timeout, registry, LATE_KEPT);
  }

  CallResolver(Context context, PoolEngine engine, Duration timeout, MeterRegistry registry, int lateKept) {
    this.context = context;
    this.rounds = ContextRounds.of(context);
    this.attributor = new CallAttributor(engine);
    this.timeout = timeout;
    this.registry = registry;
    this.answeredLate = bounded(lateKept);
  }

  /** A map by call id that keeps at most {@code max} entries, the oldest going first. */
  private static <V> Map<String, V> bounded(int max) {
    return Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
        return size() > max;
      }
    });
  }

  /** Without counting attributed calls. */
  public CallResolver(Context context, PoolEngine engine, Duration timeout) {
    this(context, engine, timeout, null);
  }

  /**
   * A callback call's record, attributed to the visit that asked for it (none: unattributed); counted
   * when {@code counted} (its first attempt: a callback's later attempts continue one call).
   */
  public CallRecord callback(CallRecord record, Session visit, boolean counted) {
    CallAttribution a = CallAttributor.callback(visit);
    if (counted) {
      count(a);
    }
    return apply(record, a);
  }

  /**
   * The call's attribution, not bounded in time: the one lookup of the call under way if there is
   * one, else a new one. Counted when found (a call in progress once, by the first of its lookups to
   * answer). With {@link #resolve(CallRecord, Future)} a caller waits for it within the timeout, and
   * keeps it to apply a late answer without looking up again.
   */
  public Future<CallAttribution> lookUp(CallRecord record) {
    Promise<CallAttribution> p = Promise.promise();
    rounds.submit(() -> lookUpOnContext(record, true).onComplete(p));
    return p.future();
  }

  /** The record with what {@code lookup} found, if it finds it in time; fails otherwise. */
  public Future<CallRecord> resolve(CallRecord record, Future<CallAttribution> lookup) {
    Promise<CallRecord> p = Promise.promise();
    rounds.submit(() -> within(record, lookup).map(a -> apply(record, a)).onComplete(p));
    return p.future();
  }

  /** On the context: the lookup's answer if it comes in time; a late answer is kept. */
  private Future<CallAttribution> within(CallRecord record, Future<CallAttribution> lookup) {
    return Deadline.within(lookup, timeout.toMillis())
        .onFailure(err -> lookup.onSuccess(a -> answeredLate.put(record.callId(), a)));
  }

  /** {@code counted}: a new lookup counts the call (its pool's counts, the attributed-calls meter). */
  private Future<CallAttribution> lookUpOnContext(CallRecord record, boolean counted) {
    Future<CallAttribution> running = underWay.get(record.callId());
    if (running != null) {
      return running;
    }
    CallAttribution late = answeredLate.get(record.callId());
    if (late != null) {
      return Future.succeededFuture(late);
    }
    String callId = record.callId();
    Future<CallAttribution> lookup = together(record)
        .compose(a -> counts(callId, counted) ? attributor.count(a, record.caller()).onSuccess(this::count)
            : Future.succeededFuture(a));
    if (!lookup.isComplete()) {
      underWay.put(record.callId(), lookup);
      lookup.onComplete(ar -> underWay.remove(record.callId(), lookup));
    }
    return lookup;
  }

  /**
   * On the context: the call's attribution, read with the other calls' asked for until the context
   * has run what it has queued now (a round's lookups, or a replay's): one batch per pool
   * ({@link CallAttributor#attributeAllUncounted}). Each call's lookup on its own cost the event loop a
   * socket write, a pooled connection and a wake-up for its reply.
   */
  private Future<CallAttribution> together(CallRecord record) {
    Promise<CallAttribution> answer = Promise.promise();
    if (asked.isEmpty()) {
      context.runOnContext(v -> readAsked()); // after the tasks queued now: no wake-up, the loop is running
    }
    asked.add(new Asked(new PoolEngine.CandidatesQuery(record.number(), record.caller(), record.startedAt()), answer));
    return answer.future();
  }

  private void readAsked() {
    List<Asked> batch = new ArrayList<>(asked);
    asked.clear();
    List<PoolEngine.CandidatesQuery> queries = new ArrayList<>(batch.size());
    batch.forEach(a -> queries.add(a.query()));
    List<Future<CallAttribution>> answers;
    try {
      answers = attributor.attributeAllUncounted(queries);
    } catch (RuntimeException e) { // one call's bad lookup must not leave the round's others unanswered
      batch.forEach(a -> a.answer().tryFail(e));
      return;
    }
    for (int i = 0; i < batch.size(); i++) {
      answers.get(i).onComplete(batch.get(i).answer());
    }
  }

  private record Asked(PoolEngine.CandidatesQuery query, Promise<CallAttribution> answer) {}

  /**
   * Whether this answer of the call's lookups is the one that counts the call: for a call in
   * progress, the first answer; for any other, as {@code counted} says.
   */
  private boolean counts(String callId, boolean counted) {
    AtomicBoolean done = inProgress.get(callId);
    return done == null ? counted : done.compareAndSet(false, true);
  }

  /** A call began here: its lookups, its own and its replayed events', count it once between them. */
  public void opened(String callId) {
    inProgress.putIfAbsent(callId, new AtomicBoolean());
  }

  /** Calls in progress here (tests: none may stay once every call has settled). */
  int callsInProgress() {
    return inProgress.size();
  }

  /** Whether a lookup has counted the call, which is in progress here. */
  public boolean countedInProgress(String callId) {
    AtomicBoolean done = inProgress.get(callId);
    return done != null && done.get();
  }

  /**
   * Every event of the call is in Redis (none in the spool): nothing will ask for its late answer any
   * more, nor look it up again while it is in progress.
   */
  public void settled(String callId) {
    inProgress.remove(callId);
    answeredLate.remove(callId);
    Future<CallAttribution> running = underWay.get(callId);
    if (running != null) { // its answer, kept when it comes, is not wanted either (after the keeping, in order)
      running.onComplete(ar -> answeredLate.remove(callId));
    }
  }

  boolean keepsLateAnswer(String callId) {
    return answeredLate.containsKey(callId);
  }

  /**
   * Whether the call has a late answer kept, or a lookup that may yet give one: only then can a
   * replayed event of the call need it. A call whose lookup failed (Redis down) has neither, and its
   * replayed events are looked up afresh.
   */
  public boolean mayKeepLateAnswer(String callId) {
    return answeredLate.containsKey(callId) || underWay.containsKey(callId);
  }

  /**
   * For the journal: fills in an event's record that was written before it could be resolved. Each
   * such event is looked up again (its call's lookups failed, as in a Redis outage, or it was replayed
   * long after the call). A call in progress is counted by the first answer of its lookups, this one
   * or its own; any other is counted at its first event ({@code seq} 0), once that event is in Redis
   * with its attribution ({@link #written}), or at the next event if that one went in unattributed.
   */
  @Override
  public Future<CallEvent> enrich(CallEvent event) {
    if (event.record().resolution() != null || event.record().number() == null) {
      return Future.succeededFuture(event);
    }
    String callId = event.callId();
    CallRecord record = event.record();
    // a call in progress cannot settle before this event is written (its recorder writes its events
    // one after another, and waits for the replay of a spooled one it was counted for), so whether it
    // is in progress does not change between the lookup's answer and these handlers
    boolean counts = event.seq() == 0 || uncounted.containsKey(callId);
    Promise<CallAttribution> found = Promise.promise();
    context.runOnContext(v -> within(record, lookUpOnContext(record, false)).onComplete(found));
    return found.future()
        .onSuccess(a -> {
          if (counts && !inProgress.containsKey(callId)) {
            countOnWrite.put(callId, new CountOnWrite(event.seq(), a, record.caller()));
          }
        })
        .onFailure(err -> {
          if (counts && !inProgress.containsKey(callId)) {
            uncounted.put(callId, Boolean.TRUE);
          }
        })
        .map(a -> new CallEvent(callId, event.seq(), event.type(), event.at(), apply(record, a)));
  }

  /** For the journal: an event is in Redis; counts its call if it was the event to count it, and new there. */
  @Override
  public void written(CallEvent written, boolean applied) {
    CountOnWrite due = countOnWrite.get(written.callId());
    if (due == null || due.seq() != written.seq() || written.record().resolution() == null) {
      return;
    }
    uncounted.remove(written.callId());
    // not applied: Redis had this event already, from an earlier write of it (a round that timed out
    // and went again) whose answer may still come, after this one: that answer counts the call. One
    // that never comes leaves the call uncounted rather than counted twice; the entry ages out.
    if (applied && countOnWrite.remove(written.callId(), due)) {
      attributor.count(due.attribution(), due.caller()).onSuccess(this::count);
    }
  }

  static CallRecord apply(CallRecord record, CallAttribution a) {
    return record.withAttribution(a.resolution(), a.sessionId(), a.attribution(), a.candidates(),
        a.confidence().json());
  }

  private void count(CallAttribution a) {
    if (registry == null) {
      return;
    }
    String pool = a.poolId() == null ? "none" : a.poolId();
    String confidence = a.confidence().json();
    // found once per pool and confidence, not built and looked up in the registry for every call
    counters.computeIfAbsent(pool + '\n' + confidence, k -> Counter.builder("calltrack.calls.attributed")
        .description("Calls attributed, by pool (none: static or unknown number) and confidence")
        .tag("pool", pool)
        .tag("confidence", confidence)
        .register(registry))
        .increment();
  }
}
