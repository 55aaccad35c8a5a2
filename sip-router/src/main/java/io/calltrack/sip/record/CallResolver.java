package io.calltrack.sip.record;

import io.calltrack.core.calls.CallEvent;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.pool.PoolEngine;
import io.calltrack.core.pool.Resolution;
import io.calltrack.core.pool.Session;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Attributes a call: the session that held its number when it started (through
 * {@link PoolEngine#resolve}), else the static number's source, else unattributed. Resolution is by
 * the call's start instant, so a call that arrived while Redis was down is resolved just as well when
 * its events are replayed later.
 */
public final class CallResolver {
  private final Context context;
  private final PoolEngine engine;
  private final Duration timeout;

  public CallResolver(Context context, PoolEngine engine, Duration timeout) {
    this.context = context;
    this.engine = engine;
    this.timeout = timeout;
  }

  /** The record with its attribution; fails if Redis could not answer in time (the record stays unresolved). */
  public Future<CallRecord> resolve(CallRecord record) {
    if (record.resolution() != null || record.number() == null) {
      return Future.succeededFuture(record);
    }
    Promise<CallRecord> p = Promise.promise();
    context.runOnContext(v -> engine.resolve(record.number(), record.startedAt())
        .timeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .map(res -> apply(record, res))
        .onComplete(p));
    return p.future();
  }

  /** For the journal: fills in an event's record that was written before it could be resolved. */
  public Future<CallEvent> enrich(CallEvent event) {
    if (event.record().resolution() != null) {
      return Future.succeededFuture(event);
    }
    return resolve(event.record())
        .map(r -> new CallEvent(event.callId(), event.seq(), event.type(), event.at(), r));
  }

  static CallRecord apply(CallRecord record, Resolution res) {
    String kind = res.kind().name().toLowerCase(Locale.ROOT);
    var candidates = res.ambiguous() ? res.candidates().stream().map(Session::sessionId).toList()
        : java.util.List.<String>of();
    return switch (res.kind()) {
      case LEASE, HOLD -> record.withAttribution(kind, res.session().sessionId(),
          res.session().attribution(), candidates);
      case STATIC -> record.withAttribution(kind, null, res.staticNumber().attribution(), candidates);
      case UNATTRIBUTED -> record.withAttribution(kind, null, null, candidates);
    };
  }
}
