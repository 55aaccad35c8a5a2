package io.calltrack.core.attribution;

import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.core.pool.Candidates;
import io.calltrack.core.pool.PoolEngine;
import io.calltrack.core.pool.Session;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import io.vertx.core.Future;

/**
 * Which visit made this call: the one place that answers it, for the SIP router as a call arrives and
 * for calls replayed from its spool alike. It reads only the few sessions of the dialled number that
 * could own the call ({@link PoolEngine#candidates}), the caller's previous resolved visitor, and
 * scores them with {@link AttributionModel}: time (on the page, in hold, minutes since, soft hold
 * after the hold ended while no later visit took the number), what the page saw (tap, copy, hidden),
 * the caller's time zones against the browser's, and history. The result carries every candidate
 * with its likelihood and reasons, the top one's attribution, and a {@link Confidence}; each pool counts
 * its calls by confidence (pool status, {@code /metrics}, dashboard).
 */
public final class CallAttributor {
  private final PoolEngine engine;

  public CallAttributor(PoolEngine engine) {
    this.engine = engine;
  }

  /**
   * The attribution of a callback call: the visit that asked for it ({@code visit}, from the request's
   * sessionId) made it, for certain; without a visit it is unattributed.
   */
  public static CallAttribution callback(Session visit) {
    if (visit == null) {
      return new CallAttribution("callback", Confidence.UNATTRIBUTED, null, null, null, List.of());
    }
    return new CallAttribution("callback", Confidence.EXACT, visit.poolId(), visit, visit.attribution(),
        List.of(new Candidate(visit.sessionId(), 1.0, List.of("requested the callback"))));
  }

  /** The attribution of a call to {@code number} from {@code caller} (E.164 or null) at {@code at}. */
  public Future<CallAttribution> attribute(PhoneNumber number, String caller, Instant at) {
    return attributeUncounted(number, caller, at).compose(a -> count(a, caller));
  }

  /**
   * The same, neither counted in its pool's attribution counts nor its caller remembered: for a caller
   * that decides itself which of a call's lookups counts it ({@link #count}), as the router does for a
   * call looked up both live and from its spool.
   */
  public Future<CallAttribution> attributeUncounted(PhoneNumber number, String caller, Instant at) {
    return engine.candidates(number, caller, at).map(c -> attribution(c, caller, at));
  }

  /**
   * {@link #attributeUncounted} for several calls at once, the answers in the order asked: the engine
   * may read them together ({@link PoolEngine#candidatesAll}).
   */
  public List<Future<CallAttribution>> attributeAllUncounted(List<PoolEngine.CandidatesQuery> calls) {
    List<Future<Candidates>> read = engine.candidatesAll(calls);
    List<Future<CallAttribution>> answers = new ArrayList<>(read.size());
    for (int i = 0; i < read.size(); i++) {
      PoolEngine.CandidatesQuery q = calls.get(i);
      answers.add(read.get(i).map(c -> attribution(c, q.caller(), q.at())));
    }
    return answers;
  }

  private static CallAttribution attribution(Candidates c, String caller, Instant at) {
    if (c.poolId() == null) {
      if (c.staticNumber() != null) {
        // the static number's own attribution carries its region, if it has one
        return new CallAttribution("static", Confidence.CHANNEL, null, null, c.staticNumber().attribution(), List.of());
      }
      return CallAttribution.UNATTRIBUTED;
    }
    return score(c, at, caller, c.previousVisitor());
  }

  /**
   * Counts a call found uncounted ({@link #attributeUncounted}) in its pool's attribution counts and
   * remembers its caller. Nothing for a call to a number of no pool (static, or unknown).
   */
  public Future<CallAttribution> count(CallAttribution a, String caller) {
    if (a.poolId() == null) {
      return Future.succeededFuture(a);
    }
    engine.countAttributed(a.poolId(), a.confidence().json());
    if (a.top() != null && (a.confidence() == Confidence.EXACT || a.confidence() == Confidence.PROBABLE)) {
      return engine.rememberCaller(a.poolId(), caller, a.top().visitorId())
          .otherwiseEmpty()
          .map(v -> a);
    }
    return Future.succeededFuture(a);
  }

  static CallAttribution score(Candidates c, Instant at, String caller, String previousVisitor) {
    AttributionModel.Scored scored = AttributionModel.score(c.sessions(), at, caller, previousVisitor);
    if (scored.ranked().isEmpty()) {
      return new CallAttribution("unattributed", Confidence.UNATTRIBUTED, c.poolId(), null, null, List.of());
    }
    List<Candidate> candidates = new ArrayList<>();
    for (AttributionModel.Scored.Entry e : scored.ranked()) {
      candidates.add(new Candidate(e.session().sessionId(), Math.round(e.weight() * 10_000) / 10_000.0,
          e.reasons()));
    }
    Session top = scored.top();
    String kind = at.isBefore(top.leaseExpiresAt()) ? "lease" : at.isBefore(top.naturalEndsAt()) ? "hold" : "soft";
    return new CallAttribution(kind, scored.confidence(), c.poolId(), top, top.attribution(), candidates);
  }

  /**
   * @param resolution  lease, hold, soft (after the hold, number not taken since), static or unattributed
   * @param top         the most likely visit (null for static and unattributed)
   * @param attribution what reports credit: the top visit's, or the static number's source
   */
  public record CallAttribution(String resolution, Confidence confidence, String poolId, Session top,
      Attribution attribution, List<Candidate> candidates) {
    public static final CallAttribution UNATTRIBUTED =
        new CallAttribution("unattributed", Confidence.UNATTRIBUTED, null, null, null, List.of());

    public String sessionId() {
      return top == null ? null : top.sessionId();
    }
  }
}
