package io.calltrack.core.calls;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.calltrack.core.attribution.Attribution;
import io.calltrack.core.attribution.Candidate;
import io.calltrack.core.phone.PhoneNumber;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One call to a tracking or static number (docs/contract.md {@code GET /v1/calls/{callId}}). Written by the
 * SIP router as the call progresses; {@code outcome} is added later by the business. Every field
 * is always in the JSON (null until known), so clients see one shape.
 *
 * @param callId      our id for the call (URL-safe); {@code sipCallId} is the SIP Call-ID it came with
 * @param resolution  how the session was found: lease, hold, static, unattributed; null while not yet
 *                    resolved (Redis was down at the call's start)
 * @param candidates  the visits that could have made the call, most likely first, each with its
 *                    likelihood (0..1) and the evidence behind it (see {@link io.calltrack.core.attribution.CallAttributor})
 * @param confidence  exact, channel, probable, ambiguous or unattributed (null while not resolved)
 * @param finalCode   the SIP status that ended the call's setup (200, 486, 408, 487, ...)
 * @param media       relay, recording and conversation measures (docs/metrics.md); null when the router
 *                    had no media relay, or until the call is over and its audio measured
 * @param endReason   null when the call ended by SIP (BYE, CANCEL, a final error, the answer timeout);
 *                    {@value #END_ROUTER_RESTART} when the router that carried it stopped before the
 *                    call ended, and the record was closed when the router started again
 * @param direction   {@value #INBOUND}, or {@value #CALLBACK} for a call placed for a callback request
 *                    (then {@code caller} is the lead called and {@code number} is null)
 * @param attempt     a callback call's attempts ({@link CallAttempt}): one record for all of them, its
 *                    {@code startedAt} the first attempt's; null for an inbound call
 * @param overflowLine which of the property's overflow lines the call went to last (1: the first), its
 *                    business line busy, unavailable or unanswered; null: the business line's call alone
 * @param routedAfterHours true when the call started while its property was closed and went to the
 *                    property's after-hours line ({@code afterHours}); null otherwise
 * @param transfers   how many transfers of the call the router relayed (a REFER from either party the
 *                    other accepted with a 2xx); null: none
 * @param callerVerification what the trunk's caller-ID verification (STIR/SHAKEN, its {@code verstat})
 *                    said of the caller's number: {@value #VERIFIED}, {@value #VERIFICATION_FAILED} or
 *                    {@value #NOT_VERIFIED}; null when the trunk said nothing
 * @param callerSweep how many different tracking numbers the caller had dialled through the router in
 *                    the last 10 minutes, this call's included, when more than one; null otherwise
 *                    (a withheld caller is never counted)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CallRecord(
    String callId,
    String sipCallId,
    PhoneNumber number,
    String caller,
    String property,
    Instant startedAt,
    Instant ringingAt,
    Instant answeredAt,
    Instant endedAt,
    CallStatus status,
    Long durationSeconds,
    Integer finalCode,
    String resolution,
    String sessionId,
    Attribution attribution,
    List<Candidate> candidates,
    String confidence,
    CallOutcome outcome,
    String endReason,
    CallMedia media,
    String direction,
    CallAttempt attempt,
    Integer overflowLine,
    Boolean routedAfterHours,
    Integer transfers,
    String callerVerification,
    Integer callerSweep) {

  /** See {@code endReason}: closed at the router's restart, at most the maximum call length after the answer. */
  public static final String END_ROUTER_RESTART = "router-restart";
  /** A call a caller placed to a tracking or static number. */
  public static final String INBOUND = "inbound";
  /** A call calltrack placed for a visitor's callback request: business line first, then the lead. */
  public static final String CALLBACK = "callback";

  /** See {@code callerVerification}: the caller's number verified (verstat TN-Validation-Passed, any attestation). */
  public static final String VERIFIED = "passed";
  /** See {@code callerVerification}: the verification of the caller's number failed (TN-Validation-Failed). */
  public static final String VERIFICATION_FAILED = "failed";
  /** See {@code callerVerification}: the trunk did not verify the number (No-TN-Validation). */
  public static final String NOT_VERIFIED = "none";

  /** An inbound call. */
  public CallRecord(String callId, String sipCallId, PhoneNumber number, String caller, String property,
      Instant startedAt, Instant ringingAt, Instant answeredAt, Instant endedAt, CallStatus status,
      Long durationSeconds, Integer finalCode, String resolution, String sessionId, Attribution attribution,
      List<Candidate> candidates, String confidence, CallOutcome outcome, String endReason) {
    this(callId, sipCallId, number, caller, property, startedAt, ringingAt, answeredAt, endedAt, status,
        durationSeconds, finalCode, resolution, sessionId, attribution, candidates, confidence, outcome, endReason,
        null, INBOUND, null, null, null, null, null, null);
  }

  public CallRecord {
    Objects.requireNonNull(callId, "callId");
    Objects.requireNonNull(startedAt, "startedAt");
    status = status == null ? CallStatus.RINGING : status;
    candidates = candidates == null ? List.of() : List.copyOf(candidates);
    direction = direction == null ? INBOUND : direction;
  }

  /** A call that has just arrived and is being forwarded. */
  public static CallRecord started(String callId, String sipCallId, PhoneNumber number, String caller,
      String property, Instant at) {
    return new CallRecord(callId, sipCallId, number, caller, property, at, null, null, null,
        CallStatus.RINGING, null, null, null, null, null, List.of(), null, null, null, null, INBOUND, null, null, null, null, null, null);
  }

  /** A callback call's first attempt, placed as it was asked for: to the business line then to {@code lead}. */
  public static CallRecord callback(String callId, String sipCallId, String lead, String property, Instant at) {
    return callback(callId, sipCallId, lead, property, at, new CallAttempt(1, at, null, at));
  }

  /**
   * A callback call at one of its attempts: the record its first attempt began at {@code startedAt},
   * ringing again from {@code attempt.startedAt()} (the attempts before it leave nothing but their count).
   */
  public static CallRecord callback(String callId, String sipCallId, String lead, String property,
      Instant startedAt, CallAttempt attempt) {
    return new CallRecord(callId, sipCallId, null, lead, property, startedAt, null, null, null,
        CallStatus.RINGING, null, null, null, null, null, List.of(), null, null, null, null, CALLBACK, attempt, null, null, null, null, null);
  }

  /**
   * When the phone began to ring for the outcome this record shows: its attempt's start for a callback
   * (the minutes between attempts are no one's ringing time), else the call's start. Answer-speed
   * figures count from here.
   */
  public Instant ringingFrom() {
    return attempt != null && attempt.startedAt() != null ? attempt.startedAt() : startedAt;
  }

  /** The same record with {@code newAttempt} (see {@code attempt}). */
  public CallRecord withAttempt(CallAttempt newAttempt) {
    return new CallRecord(callId, sipCallId, number, caller, property, startedAt, ringingAt, answeredAt,
        endedAt, status, durationSeconds, finalCode, resolution, sessionId, attribution, candidates, confidence, outcome,
        endReason, media, direction, newAttempt, overflowLine, routedAfterHours, transfers, callerVerification, callerSweep);
  }

  public boolean finished() {
    return status != CallStatus.RINGING && endedAt != null;
  }

  public CallRecord withAttribution(String resolution, String sessionId, Attribution attribution,
      List<Candidate> candidates) {
    return withAttribution(resolution, sessionId, attribution, candidates, confidence);
  }

  public CallRecord withAttribution(String resolution, String sessionId, Attribution attribution,
      List<Candidate> candidates, String confidence) {
    return new CallRecord(callId, sipCallId, number, caller, property, startedAt, ringingAt, answeredAt,
        endedAt, status, durationSeconds, finalCode, resolution, sessionId, attribution, candidates, confidence, outcome,
        endReason, media, direction, attempt, overflowLine, routedAfterHours, transfers, callerVerification, callerSweep);
  }

  public CallRecord ringing(Instant at) {
    return ringingAt != null ? this : new CallRecord(callId, sipCallId, number, caller, property, startedAt,
        at, answeredAt, endedAt, status, durationSeconds, finalCode, resolution, sessionId, attribution,
        candidates, confidence, outcome, endReason, media, direction, attempt, overflowLine, routedAfterHours, transfers, callerVerification, callerSweep);
  }

  public CallRecord answered(Instant at, int code) {
    return new CallRecord(callId, sipCallId, number, caller, property, startedAt, ringingAt, at, endedAt,
        CallStatus.ANSWERED, durationSeconds, code, resolution, sessionId, attribution, candidates, confidence, outcome,
        endReason, media, direction, attempt, overflowLine, routedAfterHours, transfers, callerVerification, callerSweep);
  }

  /** The call is over: unanswered with {@code status}, or an answered call hung up (status stays answered). */
  public CallRecord ended(Instant at, CallStatus finalStatus, Integer code) {
    CallStatus s = answeredAt != null ? CallStatus.ANSWERED : finalStatus;
    Long duration = answeredAt == null ? Long.valueOf(0)
        : Long.valueOf(Math.round(Duration.between(answeredAt, at).toMillis() / 1000.0));
    return new CallRecord(callId, sipCallId, number, caller, property, startedAt, ringingAt, answeredAt, at,
        s, duration, finalCode != null && answeredAt != null ? finalCode : code, resolution, sessionId,
        attribution, candidates, confidence, outcome, endReason, media, direction, attempt, overflowLine, routedAfterHours, transfers, callerVerification, callerSweep);
  }

  /** The same record, marked as ended for {@code reason} (see {@code endReason}). */
  public CallRecord withEndReason(String reason) {
    return new CallRecord(callId, sipCallId, number, caller, property, startedAt, ringingAt, answeredAt,
        endedAt, status, durationSeconds, finalCode, resolution, sessionId, attribution, candidates, confidence, outcome,
        reason, media, direction, attempt, overflowLine, routedAfterHours, transfers, callerVerification, callerSweep);
  }

  public CallRecord withOutcome(CallOutcome newOutcome) {
    return new CallRecord(callId, sipCallId, number, caller, property, startedAt, ringingAt, answeredAt,
        endedAt, status, durationSeconds, finalCode, resolution, sessionId, attribution, candidates, confidence, newOutcome,
        endReason, media, direction, attempt, overflowLine, routedAfterHours, transfers, callerVerification, callerSweep);
  }

  /** The same record with {@code newCaller} for its caller (an erasure's token). */
  public CallRecord withCaller(String newCaller) {
    return new CallRecord(callId, sipCallId, number, newCaller, property, startedAt, ringingAt, answeredAt,
        endedAt, status, durationSeconds, finalCode, resolution, sessionId, attribution, candidates, confidence, outcome,
        endReason, media, direction, attempt, overflowLine, routedAfterHours, transfers, callerVerification, callerSweep);
  }

  /** The same record, the call gone to its property's overflow line {@code line} (see {@code overflowLine}). */
  public CallRecord withOverflowLine(Integer line) {
    return new CallRecord(callId, sipCallId, number, caller, property, startedAt, ringingAt, answeredAt,
        endedAt, status, durationSeconds, finalCode, resolution, sessionId, attribution, candidates, confidence, outcome,
        endReason, media, direction, attempt, line, routedAfterHours, transfers, callerVerification, callerSweep);
  }

  /** The same record, the call sent to its property's after-hours line (see {@code routedAfterHours}). */
  public CallRecord withRoutedAfterHours() {
    return new CallRecord(callId, sipCallId, number, caller, property, startedAt, ringingAt, answeredAt,
        endedAt, status, durationSeconds, finalCode, resolution, sessionId, attribution, candidates, confidence, outcome,
        endReason, media, direction, attempt, overflowLine, Boolean.TRUE, transfers, callerVerification, callerSweep);
  }

  /** The same record with {@code n} transfers relayed (see {@code transfers}; 0: null). */
  public CallRecord withTransfers(int n) {
    return new CallRecord(callId, sipCallId, number, caller, property, startedAt, ringingAt, answeredAt,
        endedAt, status, durationSeconds, finalCode, resolution, sessionId, attribution, candidates, confidence, outcome,
        endReason, media, direction, attempt, overflowLine, routedAfterHours, n == 0 ? null : n, callerVerification, callerSweep);
  }

  /** The same record with what the trunk said of the caller's number (see {@code callerVerification}). */
  public CallRecord withCallerVerification(String verification) {
    return new CallRecord(callId, sipCallId, number, caller, property, startedAt, ringingAt, answeredAt,
        endedAt, status, durationSeconds, finalCode, resolution, sessionId, attribution, candidates, confidence, outcome,
        endReason, media, direction, attempt, overflowLine, routedAfterHours, transfers, verification, callerSweep);
  }

  /** The same record with {@code n} numbers dialled lately by its caller (see {@code callerSweep}; 1 or less: null). */
  public CallRecord withCallerSweep(int n) {
    return new CallRecord(callId, sipCallId, number, caller, property, startedAt, ringingAt, answeredAt,
        endedAt, status, durationSeconds, finalCode, resolution, sessionId, attribution, candidates, confidence, outcome,
        endReason, media, direction, attempt, overflowLine, routedAfterHours, transfers, callerVerification,
        n > 1 ? n : null);
  }

  /**
   * Why the call looks like spam ({@link io.calltrack.core.spam.SpamSignals}); empty when nothing does.
   * Derived from the record, so a call read back is judged by today's rules.
   */
  @com.fasterxml.jackson.annotation.JsonProperty(value = "spamSignals", access = com.fasterxml.jackson.annotation.JsonProperty.Access.READ_ONLY)
  @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY)
  public List<String> spamSignals() {
    return io.calltrack.core.spam.SpamSignals.of(this);
  }

  /** The same record with what the media relay measured (see {@code media}). */
  public CallRecord withMedia(CallMedia newMedia) {
    return new CallRecord(callId, sipCallId, number, caller, property, startedAt, ringingAt, answeredAt,
        endedAt, status, durationSeconds, finalCode, resolution, sessionId, attribution, candidates, confidence, outcome,
        endReason, newMedia, direction, attempt, overflowLine, routedAfterHours, transfers, callerVerification, callerSweep);
  }
}
