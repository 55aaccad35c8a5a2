package io.calltrack.sip.record;

import io.calltrack.core.attribution.CallAttributor.CallAttribution;
import io.calltrack.core.calls.CallEvent;
import io.calltrack.core.calls.CallMedia;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.CallStatus;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;

/**
 * One call's record as it progresses. Each step turns the record into its next state and hands the
 * event to the {@link CallJournal}; steps are chained so the journal sees them strictly in order,
 * each after the previous is in Redis or in the spool. Steps are given from the call's serial
 * executor; the chain runs them wherever the previous one completed.
 *
 * <p>Each step is also in the journal's open-calls log before the step returns (so before the proxy
 * forwards the INVITE or relays the answer): a router killed at any point after that leaves the
 * call recoverable. That logged copy may lack the attribution (resolution is asynchronous); the
 * journal resolves it when it replays it.
 *
 * <p>A ringing or answered step still waiting for the write before it is absorbed by the next step:
 * that step's record carries its change, so Redis and the calls stream skip a state that was already
 * past (a line that answers at once costs one write, not two). The started and ended events are
 * never skipped: webhooks and rollups key on them.
 */
public final class CallRecorder {
  private final CallJournal journal;
  private final CallResolver resolver;
  private final String callId;
  private CallRecord record;
  /** The record as logged, step by step, without waiting for the resolution. */
  private CallRecord logged;
  private int seq;
  /** The overflow line the call went to last ({@link #overflowed}); null: none. */
  private Integer overflowLine;
  /** Transfers relayed so far ({@link #transferred}). */
  private int transfers;
  private Future<Void> chain;
  /** The last step given: the next step takes over its write if that write has not started. */
  private Step waiting;
  /** The call's attribution lookup, once started (never, for a record that came attributed). */
  private Future<CallAttribution> lookup;
  /**
   * An event of the call went to the spool unattributed, not straight to Redis: its replay will look
   * the call up again (set in the chain, read after it).
   */
  private volatile boolean spooledUnattributed;

  /** A step's write: waiting, then either written or skipped for the step after it. */
  private static final class Step {
    final AtomicBoolean claimed = new AtomicBoolean();
    final boolean absorbable;

    Step(CallEvent.Type type) {
      this.absorbable = type == CallEvent.Type.RINGING || type == CallEvent.Type.ANSWERED;
    }
  }

  public CallRecorder(CallJournal journal, CallResolver resolver, CallRecord initial) {
    this(journal, resolver, initial, 0, CallEvent.Type.STARTED);
  }

  /**
   * A record whose events are numbered from {@code firstSeq}, the first of type {@code firstType}:
   * a callback's later attempt continues its call's record with {@link CallEvent.Type#RETRY} from its
   * attempt's seqs ({@link io.calltrack.core.callback.Callback#firstSeq()}), so that its events win
   * over the earlier attempts' whichever router wrote those.
   */
  public CallRecorder(CallJournal journal, CallResolver resolver, CallRecord initial, int firstSeq,
      CallEvent.Type firstType) {
    this.journal = journal;
    this.resolver = resolver;
    this.callId = initial.callId();
    this.record = initial;
    this.logged = initial;
    this.seq = firstSeq;
    Instant at = initial.ringingFrom();
    resolver.opened(callId);
    journal.logged(new CallEvent(callId, seq++, firstType, at, initial));
    // resolve first: the first event carries the attribution whenever Redis can give it in time
    this.chain = attributed().compose(v -> emit(firstSeq, firstType, at, r -> r));
  }

  /**
   * The call went on to its property's overflow line {@code line}: no event of its own, the record's
   * next step (ringing, answer or end) carries it.
   */
  public void overflowed(int line) {
    overflowLine = line;
  }

  /**
   * A transfer of the call was relayed (a REFER accepted): no event of its own, the record's count is
   * written with the call's next event (its end at the latest).
   */
  public void transferred() {
    transfers++;
  }

  public void ringing(Instant at) {
    step(CallEvent.Type.RINGING, at, r -> r.ringing(at));
  }

  public void answered(Instant at, int code) {
    step(CallEvent.Type.ANSWERED, at, r -> r.answered(at, code));
  }

  public void ended(Instant at, CallStatus status, Integer code) {
    ended(at, status, code, null);
  }

  /**
   * The end of a callback's attempt with another one due at {@code retryAt} (null: none, the call's
   * outcome is final): the record shows this attempt's outcome until the next attempt continues it.
   */
  public void ended(Instant at, CallStatus status, Integer code, Instant retryAt) {
    journal.ending();
    step(CallEvent.Type.ENDED, at, r -> {
      CallRecord ended = r.ended(at, status, code);
      return retryAt == null || ended.attempt() == null ? ended : ended.withAttempt(ended.attempt().retryingAt(retryAt));
    });
    chain.onComplete(ar -> journal.endSettled());
    chain.onSuccess(v -> {
      journal.closed(callId);
      // a spooled event may still need a late answer when it is replayed, or must not count the call
      // again. Only a call that has such an answer (or a lookup that may give one), or that a lookup
      // has counted, waits for the replay: in a Redis outage every call is spooled and none has an
      // answer, and a wait for each grew the heap for as long as the outage lasted (72 MB a minute at
      // 500 calls/s, each wait holding its recorder). The wait holds the id alone.
      if (spooledUnattributed && (resolver.mayKeepLateAnswer(callId) || resolver.countedInProgress(callId))) {
        CallResolver r = resolver;
        String id = callId;
        journal.whenSpoolReplayed(() -> r.settled(id));
      } else {
        resolver.settled(callId);
      }
    });
    // neither Redis nor the disk took its last event: the open-calls log keeps the call for a restart,
    // and the resolver forgets it (it would keep each such call for good)
    chain.onFailure(err -> resolver.settled(callId));
  }

  /**
   * What the media relay measured, after the call ended. Not in the open-calls log: the call is closed
   * there already, and a router that dies before this reaches Redis loses only the measures.
   */
  public void media(Instant at, CallMedia media) {
    int s = seq++;
    chain = chain.recover(err -> Future.succeededFuture()).compose(v -> {
      // no lookup of its own: the call has ended and settled, so a lookup here could not tell whether
      // the replay of its first event counts it too (it did, twice). An answer the call already has
      // is applied; else the journal looks the event up, as it does any event written unattributed.
      if (record.resolution() == null && lookup != null && lookup.succeeded()) {
        record = CallResolver.apply(record, lookup.result());
      }
      return emit(s, CallEvent.Type.MEDIA, at, r -> r.withMedia(media));
    });
  }

  /**
   * The record as its steps so far left it, once each is in Redis or the spool (or neither could take
   * it: the open-calls log keeps it for a restart). Never fails.
   */
  public Future<CallRecord> settledRecord() {
    return chain.transform(ar -> Future.succeededFuture(record));
  }

  /** Completes when every step given so far is in Redis or the spool. */
  public Future<Void> settled() {
    return chain;
  }

  public String callId() {
    return callId;
  }

  private void step(CallEvent.Type type, Instant at, UnaryOperator<CallRecord> stepChange) {
    Integer line = overflowLine;
    int transferred = transfers;
    UnaryOperator<CallRecord> change = line == null && transferred == 0 ? stepChange : r -> {
      CallRecord changed = stepChange.apply(r);
      changed = line == null ? changed : changed.withOverflowLine(line);
      return transferred == 0 ? changed : changed.withTransfers(transferred);
    };
    int s = seq++;
    logged = change.apply(logged);
    journal.logged(new CallEvent(callId, s, type, at, logged));
    Step before = waiting;
    if (before != null && before.absorbable) {
      before.claimed.compareAndSet(false, true); // not started yet: this step writes its change too
    }
    Step step = new Step(type);
    waiting = step;
    chain = chain.recover(err -> Future.succeededFuture()).compose(v -> {
      if (!step.claimed.compareAndSet(false, true)) {
        record = change.apply(record); // skipped: the next step's write carries it
        return Future.succeededFuture();
      }
      return attributed().compose(a -> emit(s, type, at, change));
    });
  }

  /**
   * Attributes the record before a step writes it, if it is not yet: waits for the call's lookup
   * within the resolver's timeout. A lookup that answered after the timeout is applied at the next
   * step without reading Redis again; only one that failed is started again. Never fails: a record
   * Redis could not attribute in time is written as it is (the journal tries again when it writes it).
   */
  private Future<Void> attributed() {
    if (record.resolution() != null || record.number() == null) {
      return Future.succeededFuture();
    }
    if (lookup == null || lookup.failed()) {
      lookup = resolver.lookUp(record);
    }
    return resolver.resolve(record, lookup).transform(ar -> {
      if (ar.succeeded()) {
        record = ar.result();
      }
      return Future.succeededFuture();
    });
  }

  private Future<Void> emit(int s, CallEvent.Type type, Instant at, UnaryOperator<CallRecord> change) {
    record = change.apply(record);
    CallRecord written = record;
    return journal.write(new CallEvent(callId, s, type, at, written)).map(inRedis -> {
      spooledUnattributed |= !inRedis && written.resolution() == null && written.number() != null;
      return null;
    });
  }
}
