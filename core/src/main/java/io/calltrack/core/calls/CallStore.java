package io.calltrack.core.calls;

import io.vertx.core.Future;
import java.time.Instant;
import java.util.Optional;

/** Call records and the call event stream. */
public interface CallStore {
  /** Applies an event; true if it was new, false if it was a replay of one already applied. */
  Future<Boolean> apply(CallEvent event);

  Future<Optional<CallRecord>> get(String callId);

  /**
   * Calls that started in {@code [from, to)}, newest first, at most {@code limit}; {@code cursor} is
   * the {@code next} of the previous page (or null for the first).
   */
  Future<CallPage> page(Instant from, Instant to, int limit, String cursor);

  /** Replaces the call's outcome. Fails with NotFound if the call is unknown. */
  Future<CallRecord> setOutcome(String callId, CallOutcome outcome);
}
