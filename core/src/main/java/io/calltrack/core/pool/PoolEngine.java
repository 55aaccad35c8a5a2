package io.calltrack.core.pool;

import io.calltrack.core.attribution.Attribution;
import io.calltrack.core.phone.PhoneNumber;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;

/**
 * Leases tracking numbers to website sessions and remembers who held which number when. All state
 * lives in Redis and every state change is one Lua script; time comes from the engine's injectable
 * {@link java.time.Clock}, passed into the scripts, never from Redis's own clock.
 */
public interface PoolEngine {
  /**
   * Gives the visitor a number from the property's best-matching pool (most specific match wins).
   * A visitor that already holds a number of the property (leased or held) gets the same one back,
   * its lease renewed. Fails with NotFound for an unknown property; a property without pools, or an
   * exhausted pool under the fallback policy, gives a fallback assignment (the default number).
   *
   * @param visitorId the first-party visitor id, or null for a new visitor (one is made up)
   */
  Future<Assignment> assign(String propertyId, String visitorId, Attribution attribution);

  /** {@link #assign(String, String, Attribution)} that also keeps the browser's IANA time zone (may be null). */
  default Future<Assignment> assign(String propertyId, String visitorId, Attribution attribution, String timeZone) {
    return assign(propertyId, visitorId, attribution);
  }

  /**
   * {@link #assign(String, String, Attribution, String)} with the session the browser says it was last
   * given (may be null): a hint that spares a returning visitor's assign a lookup when another process
   * gave it the session. A hint that is not the visitor's live session changes nothing.
   */
  default Future<Assignment> assign(String propertyId, String visitorId, Attribution attribution, String timeZone,
      String sessionHint) {
    return assign(propertyId, visitorId, attribution, timeZone);
  }

  /**
   * Extends the session's lease. Fails with Gone when the lease has run out, and when the session's
   * pool no longer holds it; NotFound when no pool is the session's.
   */
  Future<Instant> heartbeat(String sessionId);

  /** Ends the session's lease, whichever it is now, and starts its hold. */
  default Future<Void> release(String sessionId) {
    return release(sessionId, null);
  }

  /**
   * Ends the session's lease and starts its hold, if the lease is still the one that was to end at
   * {@code leaseExpiresAt} (null: whichever it is now). A heartbeat since then made it another lease,
   * which a late release leaves alone: a page back from the back/forward cache renewed it and shows
   * its number. Releasing twice is harmless; NotFound if unknown.
   */
  Future<Void> release(String sessionId, Instant leaseExpiresAt);

  /** Counts for one pool, after reclaiming what has expired. NotFound if the pool does not exist. */
  Future<PoolStatus> status(String poolId);

  /** The session with this id, if it is still in history. */
  Future<java.util.Optional<Session>> session(String sessionId);

  /**
   * Which session a call to {@code number} at {@code at} belongs to: the session that leased the
   * number then, else the one whose hold covered it, else the static number's attribution, else
   * unattributed. Where more than one session could have been the caller's, all are candidates.
   */
  Future<Resolution> resolve(PhoneNumber number, Instant at);

  /**
   * The sessions that could own a call to {@code number} at {@code at}: only the latest few of that
   * number that started at or before it (bounded), with the pool, or the static number's source.
   */
  Future<Candidates> candidates(PhoneNumber number, Instant at);

  /**
   * {@link #candidates(PhoneNumber, Instant)} and, for a pool number and an E.164 {@code caller}, the
   * visitor that caller's last resolved call in the pool went to (returning callers), read together.
   */
  Future<Candidates> candidates(PhoneNumber number, String caller, Instant at);

  /**
   * One call's question to {@link #candidatesAll}: as the arguments of
   * {@link #candidates(PhoneNumber, String, Instant)}.
   */
  record CandidatesQuery(PhoneNumber number, String caller, Instant at) {}

  /**
   * {@link #candidates(PhoneNumber, String, Instant)} for several calls at once, the answers in the
   * order asked, each as it would be alone (one failing does not fail the others). An engine may read
   * them together: the router asks for the calls that started within one round of its event loop.
   */
  default java.util.List<Future<Candidates>> candidatesAll(java.util.List<CandidatesQuery> queries) {
    java.util.List<Future<Candidates>> answers = new java.util.ArrayList<>(queries.size());
    for (CandidatesQuery q : queries) {
      answers.add(candidates(q.number(), q.caller(), q.at()));
    }
    return answers;
  }

  /**
   * Records what the page saw on a live session. True when recorded; false (and nothing changed) for
   * a session whose hold is over or that sent too many; NotFound for an unknown one.
   */
  Future<Boolean> evidence(String sessionId, Session.Evidence.Kind kind);

  /**
   * Records on a live session the site's analytics ids the page read only after its assign (GA's
   * cookies are often written after the snippet asked for its number): the {@code gaClientId},
   * {@code gaSessionId} and {@code fbp} of {@code ids}. They fill the ids the session's attribution
   * lacks. Same rules as {@link #evidence}: false when the session is over or took its share of beacons.
   */
  default Future<Boolean> identify(String sessionId, io.calltrack.core.attribution.Attribution ids) {
    return Future.succeededFuture(false);
  }

  /**
   * Counts one call attributed in the pool with that confidence (pool status, metrics, dashboard);
   * the count may reach the status a few milliseconds after this completes.
   */
  Future<Void> countAttributed(String poolId, String confidence);

  /** Remembers that {@code caller}'s call went to {@code visitorId} (for the history window). */
  Future<Void> rememberCaller(String poolId, String caller, String visitorId);

  /** Reclaims expired leases and holds in every pool (for metrics; assign does it inline too). */
  Future<Integer> sweep();

  /**
   * {@link #sweep()}, leaving out every pool that any engine swept less than {@code gap} ago: engines
   * sweeping on a timer share one sweep per pool per interval instead of each running its own.
   */
  default Future<Integer> sweepUnlessSweptWithin(Duration gap) {
    return sweep();
  }
}
