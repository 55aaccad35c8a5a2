package io.calltrack.core.calls;

import io.vertx.core.Future;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Call records and the call event stream. */
public interface CallStore {
  /** Applies an event; true if it was new, false if it was a replay of one already applied. */
  Future<Boolean> apply(CallEvent event);

  /**
   * Applies events together; the answers in the events' order, as {@link #apply} gives them. Events of
   * one call are applied in the order given (a later seq first would make the earlier one a replay,
   * skipped). Fails as a whole if the store could not be reached (then any of them may have been
   * applied: applying one again changes nothing).
   */
  default Future<List<Boolean>> applyAll(List<CallEvent> events) {
    return answers(applyEach(events));
  }

  /**
   * The answers of {@link #applyEach}, in order, once every one is in; fails if any failed. Not at
   * the first failure: a writer that sends the batch again meanwhile would have its events' answers
   * of both sends come back in either order.
   */
  static Future<List<Boolean>> answers(List<Future<Boolean>> each) {
    return Future.join(each).map(all -> each.stream().map(Future::result).toList());
  }

  /**
   * Applies events together as {@link #applyAll} does, with an answer for each: a store of several
   * shards may take one shard's events while another shard is unreachable, and a writer that acts on
   * what was applied (the router counts a replayed call once its attributed event is in) must know
   * which were.
   */
  default List<Future<Boolean>> applyEach(List<CallEvent> events) {
    List<Future<Boolean>> each = new ArrayList<>(events.size());
    Map<String, Future<Boolean>> lastOfCall = new HashMap<>();
    for (CallEvent e : events) {
      Future<Boolean> before = lastOfCall.get(e.callId());
      Future<Boolean> applied = before == null ? apply(e) : before.compose(v -> apply(e));
      lastOfCall.put(e.callId(), applied);
      each.add(applied);
    }
    return each;
  }

  Future<Optional<CallRecord>> get(String callId);

  /**
   * Calls of every property that started in {@code [from, to)}, newest first, at most {@code limit};
   * {@code cursor} is the {@code next} of the previous page (or null for the first).
   */
  default Future<CallPage> page(Instant from, Instant to, int limit, String cursor) {
    return page(null, from, to, limit, cursor);
  }

  /** The same, of {@code property}'s calls only (null: every property's). */
  Future<CallPage> page(String property, Instant from, Instant to, int limit, String cursor);

  /** Replaces the call's outcome. Fails with NotFound if the call is unknown. */
  Future<CallRecord> setOutcome(String callId, CallOutcome outcome);

  /**
   * Replaces the call's outcome like {@link #setOutcome} and returns the id of the calls-stream entry
   * that announced it (for bringing the rollups up to date at once). NotFound if the call is unknown.
   */
  Future<String> setOutcomeEvent(String callId, CallOutcome outcome);

  /** Which of {@code callIds} are not known calls (in the order given). */
  Future<java.util.List<String>> missing(java.util.List<String> callIds);
}
