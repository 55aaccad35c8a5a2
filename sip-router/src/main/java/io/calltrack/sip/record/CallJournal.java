package io.calltrack.sip.record;

import io.calltrack.core.Deadline;
import io.calltrack.core.calls.CallEvent;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.CallStatus;
import io.calltrack.core.calls.CallStore;
import io.calltrack.sip.RouterLimits;
import io.calltrack.sip.proxy.SerialExecutor;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gets call events into Redis, or onto the local {@link Spool} while Redis is slow or down, and
 * replays the spool into Redis once and in order when it is back. While anything waits in the spool,
 * new events queue behind it, so a call's events reach Redis in the order they happened.
 * All decisions and file IO run on one serial executor (off the event loop); Redis calls are
 * started on the router's Vert.x context.
 *
 * <p>Before any of that, each event is in the {@link OpenCallLog} ({@link #logged}), written by the
 * call's own thread before the call goes on. At {@link #start} the calls an earlier run left open
 * (it was killed, or stopped mid-call) are replayed from that log and closed: their BYE died with
 * the process, so nothing else would ever end them. Such a call ends at this start, but never later
 * than the maximum call length ({@link RouterLimits#maxCallDuration}) after its answer (or its start, if never answered), with
 * {@code endReason} {@value CallRecord#END_ROUTER_RESTART}; unanswered ones end as failed.
 */
public final class CallJournal implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CallJournal.class);

  private final Vertx vertx;
  private final Context context;
  private final CallStore store;
  private final Enricher enrich;
  private final Duration writeTimeout;
  private final SerialExecutor io;
  private final Spool spool;
  private final OpenCallLog log;
  private final Clock clock;
  private final Duration maxCall;
  private boolean replaying;
  /** Replay rounds Redis refused since the last one it took (logged once per streak, not every check). */
  private int failedRounds;
  /** The replay under way: when it began, events and rounds Redis took (for the line that ends it). */
  private java.time.Instant replayBegan;
  /** An event Redis did not take was logged since the last replay ended (on {@link #io}). */
  private boolean warnedNotTaken;
  private long replayedEvents;
  private long replayedRounds;
  /**
   * Anything in the spool or being replayed: new events go through {@link #io} to queue behind it.
   * Set on {@link #io} before the event that made it so completes; cleared once the replay ends.
   */
  private volatile boolean spooling;
  /** What waits for everything now in the spool to be in Redis (on {@link #io}). */
  private final List<Runnable> whenReplayed = new ArrayList<>();
  /** Events given to {@link #write} and not yet in Redis or the spool. */
  private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
  /** Calls whose end was given and is not yet in Redis or the spool: what a clean stop waits for. */
  private final java.util.concurrent.atomic.AtomicInteger ending = new java.util.concurrent.atomic.AtomicInteger();
  private long timerId = -1;
  /** Events waiting for the next group write ({@link #groupWrite}), and whether one is due. */
  private final ConcurrentLinkedQueue<Grouped> group = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean groupDue = new AtomicBoolean();
  /** Where the group writes run: the context's rounds, shared with the attribution lookups. */
  private final ContextRounds rounds;
  /** Spooled events sent to Redis together when replaying (a quarter of the spool's in-memory window). */
  static final int REPLAY_ROUND = 256;

  /**
   * What the journal asks of the router around an event it writes: to complete it before (the router
   * resolves calls whose attribution could not be looked up while Redis was down), and what became of
   * it after.
   */
  public interface Enricher {
    /** The event completed; may fail, then the event is written as it is. */
    Future<CallEvent> enrich(CallEvent event);

    /**
     * {@code written} (the event as enriched) is in Redis: {@code applied}, new there; false, a replay
     * of one Redis had already applied. Not called for an event Redis did not take (it is written
     * again later, enriched again). Not a default: a method reference to {@code enrich} alone would
     * pass for an enricher and drop what the router counts here.
     */
    void written(CallEvent written, boolean applied);
  }

  /**
   * @param enrich completes an event before it goes to Redis, and hears what became of it
   */
  public CallJournal(Vertx vertx, Context context, CallStore store, Path spoolDir, Executor pool,
      Enricher enrich, Duration writeTimeout, Clock clock) {
    this(vertx, context, store, spoolDir, pool, enrich, writeTimeout, clock,
        RouterLimits.DEFAULTS.maxCallDuration());
  }

  /**
   * @param maxCall the longest a call may last: the same bound the proxy puts on a live call whose BYE
   *                never came, used to close the calls an earlier run left open
   */
  public CallJournal(Vertx vertx, Context context, CallStore store, Path spoolDir, Executor pool,
      Enricher enrich, Duration writeTimeout, Clock clock, Duration maxCall) {
    this.maxCall = maxCall;
    this.vertx = vertx;
    this.context = context;
    this.store = store;
    this.enrich = enrich;
    this.writeTimeout = writeTimeout;
    this.io = new SerialExecutor(pool);
    this.rounds = ContextRounds.of(context);
    this.clock = clock;
    this.spool = Spool.open(spoolDir);
    this.log = OpenCallLog.open(spoolDir);
    this.spooling = !spool.isEmpty();
  }

  /**
   * Starts replaying what an earlier run left in the spool, and keeps checking every {@code period};
   * closes the calls an earlier run left open.
   */
  public void start(Duration period) {
    context.runOnContext(v -> timerId = vertx.setPeriodic(period.toMillis(), id -> io.execute(this::checkIn)));
    io.execute(this::replay);
    closeLeftovers();
  }

  /**
   * Puts an event in the open-calls log, synchronously: the call may go on once this returns. A disk
   * that refuses it is logged, not thrown: the call is connected anyway, only not crash-safe.
   */
  public void logged(CallEvent event) {
    try {
      log.append(event);
    } catch (RuntimeException e) {
      LOG.error("call event {}#{} not in the open-calls log: {}", event.callId(), event.seq(), e.toString());
    }
  }

  /**
   * The call's last event is in Redis or the spool. Its line in the open-calls log goes out with the
   * next event logged, or at the next periodic check: no file IO here (this runs on the Vert.x context).
   */
  public void closed(String callId) {
    log.closed(callId);
  }

  /** A call's end is given ({@link #endSettled} follows once it is in Redis or the spool, or lost). */
  public void ending() {
    ending.incrementAndGet();
  }

  public void endSettled() {
    ending.decrementAndGet();
  }

  /**
   * Calls whose end is not yet in Redis or the spool. A stopping router waits for none to be left
   * (bounded): else a call that ended just before the stop stayed open in Redis until the router's
   * next start replayed its open-calls log, and for good if it never started again there.
   */
  public int callsEnding() {
    return ending.get();
  }

  /** Calls whose last event is not yet in Redis or the spool (including an earlier run's, until closed). */
  public int openCalls() {
    return log.openCalls();
  }

  private void closeLeftovers() {
    Map<String, List<CallEvent>> leftovers = log.leftovers();
    if (leftovers.isEmpty()) {
      return;
    }
    Instant now = clock.instant();
    LOG.info("closing {} call(s) an earlier run left open", leftovers.size());
    leftovers.forEach((callId, events) -> {
      Future<Void> chain = Future.succeededFuture();
      for (CallEvent e : events) {
        chain = chain.compose(v -> write(e)).mapEmpty();
      }
      CallEvent last = events.get(events.size() - 1);
      if (last.type() != CallEvent.Type.ENDED) {
        CallEvent closing = closing(last, now, maxCall);
        logged(closing);
        chain = chain.compose(v -> write(closing)).mapEmpty();
      }
      chain.onSuccess(v -> closed(callId))
          .onFailure(err -> LOG.error("call {} left open: {}", callId, err.toString()));
    });
  }

  /** The event that ends a call whose router stopped before it ended (see the class comment). */
  static CallEvent closing(CallEvent last, Instant now, Duration maxCall) {
    CallRecord r = last.record();
    Instant cap = (r.answeredAt() != null ? r.answeredAt() : r.ringingFrom()).plus(maxCall);
    Instant at = now.isAfter(cap) ? cap : now;
    if (at.isBefore(last.at())) {
      at = last.at(); // a clock that went back: never end before the last thing seen
    }
    CallRecord ended = r.ended(at, CallStatus.FAILED, null).withEndReason(CallRecord.END_ROUTER_RESTART);
    return new CallEvent(last.callId(), last.seq() + 1, CallEvent.Type.ENDED, at, ended);
  }

  /**
   * Completes when the event is in Redis (true) or safe in the spool (false); never fails for Redis
   * trouble. With nothing spooled the event goes straight to Redis and completes on the Vert.x context;
   * the journal's executor (a thread wake-up each way) is used only to spool or to queue behind the spool.
   */
  public Future<Boolean> write(CallEvent event) {
    inFlight.incrementAndGet();
    Promise<Boolean> done = Promise.promise();
    writeNow(event).onComplete(ar -> {
      done.handle(ar);
      // after the callbacks: a call's next event, written from them, is counted before this one leaves
      inFlight.decrementAndGet();
    });
    return done.future();
  }

  /** Events given to {@link #write} and not yet in Redis or the spool. */
  public int inFlight() {
    return inFlight.get();
  }

  private Future<Boolean> writeNow(CallEvent event) {
    Promise<Boolean> done = Promise.promise();
    if (!spooling) {
      groupWrite(event).onComplete(ar -> {
        if (ar.succeeded()) {
          done.complete(true);
        } else {
          io.execute(() -> {
            notTaken(event, ar.cause());
            toSpool(event, done);
          });
        }
      });
      return done.future();
    }
    io.execute(() -> {
      if (!spool.isEmpty() || replaying) {
        toSpool(event, done);
        return;
      }
      redisWrite(event).onComplete(ar -> io.execute(() -> {
        if (ar.succeeded()) {
          done.complete(true);
        } else {
          notTaken(event, ar.cause());
          toSpool(event, done);
        }
      }));
    });
    return done.future();
  }

  /**
   * Runs {@code then} (on the journal's executor) once everything in the spool now is in Redis: at
   * once if nothing is spooled. A call with an event spooled keeps its late attribution until then.
   */
  public void whenSpoolReplayed(Runnable then) {
    io.execute(() -> {
      if (spool.isEmpty() && !replaying) {
        then.run();
      } else {
        whenReplayed.add(then);
      }
    });
  }

  /** How many waits for the spool's replay there are now (tests: they must not grow with an outage). */
  Future<Integer> waitsForReplay() {
    Promise<Integer> p = Promise.promise();
    io.execute(() -> p.complete(whenReplayed.size()));
    return p.future();
  }

  private void replayed() {
    List<Runnable> waiting = List.copyOf(whenReplayed);
    whenReplayed.clear();
    waiting.forEach(Runnable::run);
  }

  /** Events waiting on disk for Redis. */
  public int depth() {
    return spool.depth();
  }

  /**
   * On {@link #io}: an event Redis did not take, about to be spooled. The first of an outage is logged;
   * the rest, every event in flight when Redis stopped answering (1,650 lines in the first seconds of
   * an outage at 1,000 calls/s), are counted in the line that ends the replay.
   */
  private void notTaken(CallEvent event, Throwable cause) {
    if (!warnedNotTaken) {
      warnedNotTaken = true;
      LOG.warn("Redis did not take call event {}#{} ({}); keeping it, and the events after it, in the spool "
          + "until Redis takes them", event.callId(), event.seq(), cause.toString());
    }
  }

  private void toSpool(CallEvent event, Promise<Boolean> done) {
    try {
      spooling = true;
      spool.append(event);
      done.complete(false);
    } catch (RuntimeException e) {
      LOG.error("call event {}#{} lost: neither Redis nor the spool took it", event.callId(), event.seq(), e);
      done.fail(e);
    }
  }

  private Future<Boolean> redisWrite(CallEvent event) {
    Promise<Boolean> p = Promise.promise();
    context.runOnContext(v -> writeAlone(event, enriched(event)).onComplete(p));
    return p.future();
  }

  private Future<CallEvent> enriched(CallEvent event) {
    return enrich.enrich(event).recover(err -> Future.succeededFuture(event));
  }

  private Future<Boolean> writeAlone(CallEvent event, Future<CallEvent> enriched) {
    return Deadline.within(enriched.compose(e -> store.apply(e).onSuccess(applied -> enrich.written(e, applied))),
        writeTimeout.toMillis());
  }

  /**
   * Like {@link #redisWrite}, but with the other events given until the context's next round
   * ({@link ContextRounds}, every 20-100 ms): one
   * batch, one round trip to Redis for all of them. Each on its own cost the event loop a write to the
   * socket, a pooled connection and a wake-up from the call's thread: at 1,000 calls/s those writes
   * were a third of the event loop's time; grouped (about 11 events a group there, in rounds of 5 ms
   * then) the event loop spent 30 % less per call, Redis as much. A call waits for each of its events
   * before it gives the next, so a group holds at most one event of a call, and a call's events reach
   * Redis in order. The wait is on no call's path: nothing in a call waits for its record to be in
   * Redis.
   */
  private Future<Boolean> groupWrite(CallEvent event) {
    Promise<Boolean> answer = Promise.promise();
    group.add(new Grouped(event, answer));
    if (groupDue.compareAndSet(false, true)) {
      rounds.submit(this::writeGroup);
    }
    return answer.future();
  }

  private record Grouped(CallEvent event, Promise<Boolean> answer) {}

  /** On the context: the events grouped since the last group, those not enriched at once each alone. */
  private void writeGroup() {
    groupDue.set(false); // before taking them: an event added after this schedules the next group
    List<CallEvent> events = new ArrayList<>();
    List<Promise<Boolean>> answers = new ArrayList<>();
    for (Grouped g; (g = group.poll()) != null; ) {
      Future<CallEvent> enriched = enriched(g.event());
      if (enriched.isComplete()) {
        events.add(enriched.result());
        answers.add(g.answer());
      } else { // its attribution still to look up (Redis was down when the call started)
        writeAlone(g.event(), enriched).onComplete(g.answer());
      }
    }
    if (events.isEmpty()) {
      return;
    }
    // each event's own answer, once all are in or the group's time is up (one timer for the group): a
    // shard that refuses its events (a cluster's, one down) sends only those to the spool
    List<Future<Boolean>> each = applyEach(events);
    Deadline.within(CallStore.answers(each), writeTimeout.toMillis()).onComplete(ar -> {
      for (int i = 0; i < answers.size(); i++) {
        Future<Boolean> one = each.get(i);
        if (one.succeeded()) {
          answers.get(i).complete(one.result());
        } else {
          answers.get(i).fail(one.failed() ? one.cause() : ar.cause());
        }
      }
    });
  }

  /** The periodic check, now (tests: a replay when they want it, with a period that never comes). */
  void checkNow() {
    io.execute(this::checkIn);
  }

  /** Periodically: closes logged calls when no event came to carry them, and replays the spool. */
  private void checkIn() {
    try {
      log.flushClosed();
    } catch (RuntimeException e) {
      LOG.error("could not mark calls closed in the open-calls log: {}", e.toString());
    }
    replay();
  }

  private void replay() {
    if (replaying) {
      return;
    }
    if (spool.isEmpty()) {
      spooling = false;
      replayed();
      return;
    }
    replaying = true;
    if (replayBegan == null) {
      replayBegan = clock.instant();
    }
    replayNext();
  }

  /**
   * Replays the spool in rounds: its oldest {@value #REPLAY_ROUND} events at once, enriched together
   * and written in one batch per shard ({@link CallStore#applyAll}, which applies a call's events in
   * their order), acknowledged together. The new events of a busy router queue behind the spool, so
   * the replay must outrun them: one event per round trip never did at 1,000 calls/s, nor did rounds
   * that ended at a call's second event (a spool holds a call's events close together, so those rounds
   * held a few events each).
   */
  private void replayNext() {
    // after a refusal, one event tries whether Redis is back: a whole round would look up and send
    // hundreds of events at every check into a Redis that takes none
    List<CallEvent> round = spool.peekRound(failedRounds > 0 ? 1 : REPLAY_ROUND);
    if (round.isEmpty()) {
      replaying = false;
      spooling = false;
      // a warning, as the line that began it: an operator sees the outage's end as well as its start
      LOG.warn("call spool replayed into Redis: {} event(s) in {} round(s) over {} s", replayedEvents, replayedRounds,
          replayBegan == null ? 0 : Duration.between(replayBegan, clock.instant()).toSeconds());
      warnedNotTaken = false;
      replayBegan = null;
      replayedEvents = 0;
      replayedRounds = 0;
      replayed();
      return;
    }
    replayRound(round).onComplete(ar -> io.execute(() -> {
      if (ar.succeeded()) {
        if (failedRounds > 0) {
          LOG.warn("call spool replaying again after {} refused round(s); {} event(s) left", failedRounds,
              spool.depth() - round.size());
          failedRounds = 0;
        }
        spool.ack(round.size());
        replayedEvents += round.size();
        replayedRounds++;
        replayNext();
      } else {
        // an operator watching a spool that does not drain needs to know why, once, not twice a second
        if (failedRounds++ == 0) {
          LOG.warn("call spool replay refused by Redis ({} event(s) waiting): {}; retrying at every check",
              spool.depth(), ar.cause().toString());
        }
        replaying = false; // the next periodic check tries again; events already in Redis are skipped by seq
      }
    }));
  }

  /** On the context: the round's events, each completed by {@code enrich}, written in one batch. */
  private Future<Void> replayRound(List<CallEvent> round) {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      List<Future<CallEvent>> events = round.stream().map(this::enriched).toList();
      Future<Void> written = Future.all(events)
          .compose(all -> CallStore.answers(applyEach(events.stream().map(Future::result).toList())))
          .mapEmpty();
      Deadline.within(written, writeTimeout.toMillis()).onComplete(done);
    });
    return done.future();
  }

  /**
   * On the context: the events in one batch, an answer for each; the enricher hears of each event Redis
   * took, whatever became of the rest (a shard of a cluster may take its events while another refuses).
   */
  private List<Future<Boolean>> applyEach(List<CallEvent> events) {
    List<Future<Boolean>> each = store.applyEach(events);
    for (int i = 0; i < each.size(); i++) {
      CallEvent e = events.get(i);
      each.get(i).onSuccess(applied -> enrich.written(e, applied));
    }
    return each;
  }

  @Override
  public void close() {
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
    }
    io.execute(spool::close);
    log.close();
  }
}
