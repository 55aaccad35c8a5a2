package io.calltrack.core.rollup;

import io.calltrack.core.attribution.CreditModel;
import io.calltrack.core.attribution.Touch;
import io.calltrack.core.calls.CallAttempt;
import io.calltrack.core.calls.CallOutcome;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.CallStatus;
import io.calltrack.core.calls.OutcomeStage;
import io.calltrack.core.json.JsonMapper;
import io.calltrack.core.marketing.BusinessHours;
import io.calltrack.core.report.Money;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one call adds to its property's rollups as the call stands now: the day and hour it started
 * (in the property's timezone), its value for every dimension (and its local hour as the "hour"
 * dimension), and its counts. The rollup script subtracts the call's previous contribution and adds
 * this one, so a call changing (answered, ended, an outcome set and changed again) only ever moves
 * the figures by the difference.
 *
 * <p>Counting rules: every call counts in {@code calls}; {@code answered} when its status is answered;
 * {@code missed} when it ended unanswered (missed, busy, abandoned, failed), and also under its own
 * status ({@code busy}, {@code abandoned}, {@code failed}); {@code qualified}, {@code conversions}
 * from the outcome's flags; {@code revenue} is the outcome's value (minor units) whether or not the
 * call is marked converted; {@code duration} is talk time in seconds. Ended calls count in
 * {@code finished} and their seconds from start to answer (or to the end, unanswered) in
 * {@code waitSeconds} (a callback's from its last attempt's start: {@link CallRecord#ringingFrom()}); answered ones their seconds to answer in {@code answerSeconds} and in
 * {@code answeredWithin10|20|30|60} when answered that fast. {@code afterHours} (and
 * {@code afterHoursAnswered}) by the property's business hours when the call was rolled up; without
 * them, the calls the router sent to the property's after-hours line ({@code routedAfterHours}).
 * {@code withOutcome}: the business reported an outcome; stages and dispositions from it. Conversation
 * measures from the media relay: {@code relayed}, {@code recorded}, and {@code recordingMillis},
 * {@code callerTalkMillis}, {@code lineTalkMillis}, {@code deadAirMillis}, {@code holdMillis} of recorded calls;
 * {@code recordingAsked} (answered calls whose property asked for a recording) and {@code recordingCaptured}
 * (those of them recorded). Routing: {@code overflowed} (the call went on to an overflow line) and
 * {@code overflowAnswered} (and was answered there).
 * Speed to lead: {@code callbacks} (callback calls a lead asked for), and of those the lead answered, with the time
 * the lead asked kept ({@link CallAttempt#requestedAt()}), {@code callbacksConnected}, their seconds
 * from the request to the lead's answer in {@code callbackSpeedSeconds}, and
 * {@code callbacksConnectedWithin5Minutes}. Missed calls returned: {@code missedInbound} (inbound calls
 * that ended unanswered), {@code missedCallbacks} (callback calls that return one,
 * {@link CallAttempt#returnsCall()}), of those the caller answered {@code missedCallsCalledBack}, and
 * their seconds from the missed call's end to that answer in {@code missedCallbackSeconds}.
 * Two touches: {@code assisted} (the visitor's first touch another channel than the last),
 * {@code assistedConversions}, {@code assistedRevenue}. The journey: {@code withJourney} (calls whose
 * source is known) and their {@code touchpoints} ({@link io.calltrack.core.attribution.Attribution#touchpoints}).
 *
 * <p>Beside the counts, {@code credit}: the call split over its journey's touches under each
 * multi-touch model ({@link #credit}), rolled up per dimension value in its own hashes
 * ({@code day:<date>:source@linear}).
 */
public record Contribution(String day, int hour, Map<String, String> dims, String caller, int live,
    Map<String, Long> m, Map<String, Map<String, Map<String, String>>> credit) {

  /** Seconds-to-answer thresholds of the service-level counts. */
  public static final List<Integer> SERVICE_LEVEL_SECONDS = List.of(10, 20, 30, 60);

  public static Contribution of(CallRecord call, ZoneId zone) {
    return of(call, zone, null);
  }

  public static Contribution of(CallRecord call, ZoneId zone, BusinessHours hours) {
    ZonedDateTime start = call.startedAt().atZone(zone);
    Map<String, String> dims = new LinkedHashMap<>();
    for (Dimension d : Dimension.values()) {
      dims.put(d.json(), d.valueOf(call));
    }
    for (Dimension d : Dimension.values()) {
      if (d.touch()) {
        dims.put(d.firstTouchJson(), d.firstTouchValueOf(call));
      }
    }
    // the same per confidence, so reports can be filtered by it: "<confidence>|<value>"
    String confidence = Dimension.CONFIDENCE.valueOf(call);
    for (Dimension d : Dimension.values()) {
      if (d != Dimension.CONFIDENCE && io.calltrack.core.report.GroupBy.filterable(d)) {
        dims.put(io.calltrack.core.report.GroupBy.byConfidence(d), confidence + "|" + d.valueOf(call));
      }
    }
    dims.put("hour", Integer.toString(start.getHour()));
    CallStatus s = call.status();
    CallOutcome o = call.outcome();
    Map<String, Long> m = new LinkedHashMap<>();
    m.put("calls", 1L);
    boolean answered = s == CallStatus.ANSWERED;
    m.put("answered", answered ? 1L : 0L);
    m.put("missed", s.unanswered() ? 1L : 0L);
    m.put("busy", s == CallStatus.BUSY ? 1L : 0L);
    m.put("abandoned", s == CallStatus.ABANDONED ? 1L : 0L);
    m.put("failed", s == CallStatus.FAILED ? 1L : 0L);
    m.put("qualified", o != null && Boolean.TRUE.equals(o.qualified()) ? 1L : 0L);
    m.put("conversions", o != null && Boolean.TRUE.equals(o.converted()) ? 1L : 0L);
    m.put("revenue", o != null && o.value() != null ? Money.toMinor(o.value(), "value") : 0L);
    m.put("duration", call.durationSeconds() == null ? 0L : call.durationSeconds());
    boolean live = s == CallStatus.RINGING || (answered && call.endedAt() == null);
    boolean ended = answered || call.endedAt() != null;
    Instant until = call.answeredAt() != null ? call.answeredAt() : call.endedAt();
    // from the start of the ringing that led to this outcome: a callback's last attempt, not its first
    Instant from = call.ringingFrom();
    m.put("finished", ended ? 1L : 0L);
    m.put("waitSeconds", ended && until != null ? seconds(from, until) : 0L);
    long toAnswer = call.answeredAt() == null ? -1 : seconds(from, call.answeredAt());
    m.put("answerSeconds", answered && toAnswer >= 0 ? toAnswer : 0L);
    for (int n : SERVICE_LEVEL_SECONDS) {
      m.put("answeredWithin" + n, answered && toAnswer >= 0 && toAnswer <= n ? 1L : 0L);
    }
    // the marketing business hours when set; else a call the router sent to the after-hours line is one
    boolean after = hours != null ? hours.afterHours(start) : Boolean.TRUE.equals(call.routedAfterHours());
    m.put("afterHours", after ? 1L : 0L);
    m.put("afterHoursAnswered", after && answered ? 1L : 0L);
    m.put("withOutcome", o != null ? 1L : 0L);
    for (OutcomeStage stage : OutcomeStage.values()) {
      boolean reached = o != null && o.stages() != null && o.stages().containsKey(stage.json());
      String value = reached ? o.stages().get(stage.json()) : null;
      m.put(stage.metric(), reached ? 1L : 0L);
      m.put(stage.valueMetric(), value == null ? 0L : Money.parseMinor(value, "stages." + stage.json()));
    }
    m.put("scored", o != null && o.leadScore() != null ? 1L : 0L);
    m.put("leadScoreSum", o != null && o.leadScore() != null ? o.leadScore().longValue() : 0L);
    String disposition = o == null ? null : o.disposition();
    m.put("spam", "spam".equals(disposition) ? 1L : 0L);
    spamDetection(call, disposition, m);
    m.put("wrongNumber", "wrong-number".equals(disposition) ? 1L : 0L);
    m.put("voicemail", "voicemail".equals(disposition) ? 1L : 0L);
    // routing: the call went on to an overflow line (the business line busy, unavailable or unanswered),
    // and was answered there
    m.put("overflowed", call.overflowLine() != null ? 1L : 0L);
    m.put("overflowAnswered", call.overflowLine() != null && answered ? 1L : 0L);
    // transfers the router relayed (a REFER accepted), of answered calls: only those can be transferred
    long transfers = answered && call.transfers() != null ? call.transfers() : 0L;
    m.put("transferred", transfers > 0 ? 1L : 0L);
    m.put("transfers", transfers);
    media(call.media(), answered, m);
    speedToLead(call, m);
    assisted(call, m);
    // the journey of calls whose source is known (a visit's, or a static number's single touch)
    boolean journey = call.attribution() != null && !"unattributed".equals(call.resolution());
    m.put("withJourney", journey ? 1L : 0L);
    m.put("touchpoints", journey ? call.attribution().touchpoints() : 0L);
    return new Contribution(start.toLocalDate().toString(), start.getHour(), dims, callerKey(call.caller()),
        live ? 1 : 0, m, credit(call, m.get("conversions"), m.get("revenue")));
  }

  /**
   * The call's credit under each multi-touch model ({@link CreditModel}), for each dimension the
   * journey names: rollup name ("source@linear") → value → {@code calls} and {@code conversions} in
   * millionths of a call, {@code revenue} in minor units, split to the cent. Counts are decimal strings:
   * the rollup script stores the contribution with cjson, which writes a number with 14 digits and would
   * lose cents of a large value (the counts {@code m} have an encoder of their own); parts that are 0
   * are left out.
   */
  static Map<String, Map<String, Map<String, String>>> credit(CallRecord call, long conversions, long revenue) {
    List<Touch> touches = CreditModel.touches(call.attribution());
    Map<String, Map<String, Map<String, String>>> out = new LinkedHashMap<>();
    for (CreditModel model : CreditModel.multiTouchModels()) {
      long[] shares = model.shares(touches, call.startedAt());
      for (Dimension d : Dimension.values()) {
        if (!d.inJourney()) {
          continue;
        }
        Map<String, Long> byValue = new LinkedHashMap<>();
        for (int i = 0; i < shares.length; i++) {
          if (shares[i] > 0) {
            byValue.merge(d.valueOf(touches.get(i)), shares[i], Long::sum);
          }
        }
        long[] revenues = CreditModel.apportion(revenue,
            byValue.values().stream().mapToLong(Long::longValue).toArray());
        Map<String, Map<String, String>> values = new LinkedHashMap<>();
        int i = 0;
        for (Map.Entry<String, Long> e : byValue.entrySet()) {
          Map<String, String> counts = new LinkedHashMap<>();
          counts.put("calls", Long.toString(e.getValue()));
          if (conversions > 0) {
            counts.put("conversions", Long.toString(e.getValue() * conversions));
          }
          if (revenues[i] > 0) {
            counts.put("revenue", Long.toString(revenues[i]));
          }
          values.put(e.getKey(), counts);
          i++;
        }
        out.put(d.creditJson(model), values);
      }
    }
    return out;
  }

  /**
   * The conversation measures (router with a media relay, {@link io.calltrack.core.calls.CallMedia}):
   * {@code relayed} calls whose media went through the relay, {@code recorded} those with a recording,
   * and over the recorded ones their recording, talk (each side), dead-air and hold time in milliseconds;
   * the answered calls whose property asked for a recording, and of those the ones that have it.
   */
  private static void media(io.calltrack.core.calls.CallMedia media, boolean answered, Map<String, Long> m) {
    boolean recorded = media != null && media.recorded() && media.recordingSeconds() != null;
    m.put("relayed", media != null && media.anchored() ? 1L : 0L);
    m.put("recorded", recorded ? 1L : 0L);
    // capture: of the answered calls whose property asked for a recording, those that have one
    boolean asked = answered && media != null && media.recordingWasAsked();
    m.put("recordingAsked", asked ? 1L : 0L);
    m.put("recordingCaptured", asked && recorded ? 1L : 0L);
    m.put("recordingMillis", recorded ? millis(media.recordingSeconds()) : 0L);
    m.put("callerTalkMillis", recorded ? millis(media.callerTalkSeconds()) : 0L);
    m.put("lineTalkMillis", recorded ? millis(media.lineTalkSeconds()) : 0L);
    m.put("deadAirMillis", recorded && media.deadAirShare() != null
        ? millis(media.deadAirShare() * media.recordingSeconds()) : 0L);
    m.put("holdMillis", recorded ? millis(media.holdSeconds()) : 0L);
  }

  /**
   * Calls of two touches: the visitor's first touch came through another channel (source, medium or
   * campaign) than the last one, which made the call. Under the last-touch model a row counts the calls
   * it closed that another channel began; under the first-touch model, those it began and another closed:
   * its assists. With their conversions and revenue (minor units).
   */
  private static void assisted(CallRecord call, Map<String, Long> m) {
    // the journey's touchpoints count a call without one so too (Attribution#touchpoints)
    boolean assisted = call.attribution() != null && call.attribution().firstTouchThroughAnotherChannel();
    m.put("assisted", assisted ? 1L : 0L);
    m.put("assistedConversions", assisted ? m.get("conversions") : 0L);
    m.put("assistedRevenue", assisted ? m.get("revenue") : 0L);
  }

  /**
   * Spam detection ({@link io.calltrack.core.spam.SpamSignals}) against what the business says: {@code
   * suspectedSpam} (calls the signals mark); of the calls the business gave a disposition ({@code
   * spamReviewed}), those marked and reviewed ({@code spamSuspectedReviewed}), marked and said spam
   * ({@code spamCaught}), and judged as the business did, marked spam or not ({@code spamJudgedRight}).
   */
  private static void spamDetection(CallRecord call, String disposition, Map<String, Long> m) {
    boolean suspected = io.calltrack.core.spam.SpamSignals.suspected(call);
    boolean reviewed = disposition != null;
    boolean spam = "spam".equals(disposition);
    m.put("suspectedSpam", suspected ? 1L : 0L);
    m.put("spamReviewed", reviewed ? 1L : 0L);
    m.put("spamSuspectedReviewed", suspected && reviewed ? 1L : 0L);
    m.put("spamCaught", suspected && spam ? 1L : 0L);
    m.put("spamJudgedRight", reviewed && suspected == spam ? 1L : 0L);
  }

  /** Seconds the speed-to-lead benchmark counts a lead reached within (five minutes). */
  public static final int SPEED_TO_LEAD_SECONDS = 300;

  private static void speedToLead(CallRecord call, Map<String, Long> m) {
    boolean callback = CallRecord.CALLBACK.equals(call.direction());
    boolean returnsMissed = callback && call.attempt() != null && call.attempt().returnsCall() != null;
    boolean leadAsked = callback && !returnsMissed;
    Instant requested = call.attempt() == null ? null : call.attempt().requestedAt();
    boolean connected = callback && call.status() == CallStatus.ANSWERED && call.answeredAt() != null
        && requested != null;
    long speed = connected ? seconds(requested, call.answeredAt()) : 0L;
    m.put("callbacks", leadAsked ? 1L : 0L);
    m.put("callbacksConnected", leadAsked && connected ? 1L : 0L);
    m.put("callbackSpeedSeconds", leadAsked ? speed : 0L);
    m.put("callbacksConnectedWithin5Minutes", leadAsked && connected && speed <= SPEED_TO_LEAD_SECONDS ? 1L : 0L);
    // missed calls returned: the missed call's end is the callback's request
    m.put("missedInbound", !callback && call.status().unanswered() ? 1L : 0L);
    m.put("missedCallbacks", returnsMissed ? 1L : 0L);
    m.put("missedCallsCalledBack", returnsMissed && connected ? 1L : 0L);
    m.put("missedCallbackSeconds", returnsMissed ? speed : 0L);
  }

  private static long millis(Double seconds) {
    return seconds == null ? 0L : Math.round(seconds * 1000);
  }

  private static long seconds(Instant from, Instant to) {
    return Math.max(0, Math.round(Duration.between(from, to).toMillis() / 1000.0));
  }

  /** Callers are told apart by what the trunk sent; anonymous or missing callers are not counted as people. */
  static String callerKey(String caller) {
    if (caller == null || caller.isBlank() || caller.strip().equalsIgnoreCase("anonymous")) {
      return "";
    }
    return caller.strip();
  }

  public String json() {
    return JsonMapper.write(this);
  }
}
