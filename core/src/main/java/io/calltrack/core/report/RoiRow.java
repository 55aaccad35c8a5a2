package io.calltrack.core.report;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One row of the ROI report with its derived figures. Definitions (docs/contract.md): ROI % = (revenue −
 * cost) / cost × 100 (0 % is break-even), ROAS = revenue / cost, cost per call / qualified call /
 * conversion = cost / that count, revenue per call = revenue / calls, answer rate = answered / calls,
 * qualified rate = qualified / calls, call-to-sale rate = conversions / calls. Any ratio whose
 * denominator is 0 (or whose cost is unknown) is null.
 *
 * <p>Rounding (HALF_UP, exact decimal arithmetic): money figures to 2 places as decimal strings
 * ("12.50"); ROAS to 3 places, ROI % to 2 places, rates (fractions 0..1) to 4 places, as JSON numbers.
 *
 * <p>Beyond ROI (docs/metrics.md): repeat calls and callers, call handling (average duration, speed of
 * answer, waiting time, service levels at 10/20/30/60 s, abandonment), after-hours calls, CRM match
 * rate, outcome stages (lead, appointment, quote, opportunity, sale: count, value, rate, cost each),
 * dispositions (spam, wrong number, voicemail) and revenue splits; conversation measures of recorded
 * calls (recording rate over answered calls, talk time per side, silence, dead air, hold). Averages of
 * seconds to 1 place.
 *
 * @param group  the dimension value; null for calls without one, and for the total row
 * @param period the time period (day, week, ... label) when the report groups by time, else null
 */
public record RoiRow(String group, RoiCounts counts, String period) {
  public RoiRow(String group, RoiCounts counts) {
    this(group, counts, null);
  }

  /** Every field of a row, in order, after the group's own field (the CSV header). */
  public static final List<String> FIELDS = List.of("calls", "uniqueCallers", "firstTimeCallers", "answered",
      "missed", "qualified", "conversions", "revenue", "cost", "costPerCall", "costPerQualifiedCall",
      "costPerConversion", "revenuePerCall", "roas", "roiPercent", "answerRate", "qualifiedRate",
      "callToSaleRate",
      // beyond ROI (issue 14)
      "repeatCalls", "repeatCallers", "repeatCallRate", "missedRate", "busy", "abandoned", "failed",
      "abandonmentRate", "averageDurationSeconds", "averageSpeedOfAnswerSeconds", "averageWaitSeconds",
      "serviceLevel10s", "serviceLevel20s", "serviceLevel30s", "serviceLevel60s", "afterHoursCalls",
      "afterHoursRate", "afterHoursAnswerRate", "withOutcome", "crmMatchRate",
      "leads", "appointments", "quotes", "opportunities", "sales",
      "leadValue", "appointmentValue", "quoteValue", "opportunityValue", "saleValue",
      "leadRate", "appointmentRate", "quoteRate", "opportunityRate", "saleRate",
      "costPerLead", "costPerAppointment", "costPerQuote", "costPerOpportunity", "costPerSale",
      "spam", "wrongNumber", "voicemail", "spamRate", "wrongNumberRate", "voicemailRate",
      "revenuePerQualifiedCall", "averageOrderValue", "leadCloseRate", "firstTimeRevenue",
      "revenuePerFirstTimeCaller", "revenuePerCaller", "missedRevenueLoss", "costPerAnsweredCall",
      "averageLeadScore", "repeatPurchases", "repeatPurchaseRate",
      // conversation, from the recordings (issue 16)
      "recordedCalls", "recordingRate", "recordingsAsked", "recordingCaptureRate", "averageTalkSeconds",
      "averageCallerTalkSeconds", "averageLineTalkSeconds", "silenceRate", "deadAirRate", "averageHoldSeconds",
      // speed to lead, of web callback requests
      "callbacks", "callbacksConnected", "averageCallbackSpeedSeconds", "callbacksWithin5MinutesRate",
      // missed inbound calls the business called back (callbacks.missedCalls), and how soon
      "missedCallbacks", "missedCallsCalledBack", "callbackRate", "averageMissedCallbackSeconds",
      // routing: calls the business line did not take, sent on to an overflow line
      "overflowedCalls", "overflowRate", "overflowAnswerRate",
      // transfers: answered calls one party transferred (a REFER the other accepted), and how often
      "transferredCalls", "transferRate", "transfersPerCall",
      // two touches: the visitor's first touch another channel than the last (model=first: the assists)
      "assistedCalls", "assistedRate", "assistedConversions", "assistedRevenue",
      // the journey: how many touches (channels, first to last) the calls' visitors had made
      "averageTouchpoints",
      // spam detection (SpamSignals), measured against the business's dispositions
      "suspectedSpam", "suspectedSpamRate", "spamDetectionPrecision", "spamDetectionRecall",
      "spamDetectionAccuracy");

  public BigDecimal revenue() {
    return Money.fromMinor(counts.revenueMinor());
  }

  public BigDecimal cost() {
    return counts.costMinor() == null ? null : Money.fromMinor(counts.costMinor());
  }

  public BigDecimal roas() {
    return roas(revenue(), cost());
  }

  public BigDecimal roiPercent() {
    return roiPercent(revenue(), cost());
  }

  /** ROAS of {@code revenue} over {@code cost}, 3 places; null without a cost (or a cost of 0). */
  static BigDecimal roas(BigDecimal revenue, BigDecimal cost) {
    return ratio(revenue, cost, 3);
  }

  /** ROI % of {@code revenue} over {@code cost}, 2 places; null without a cost (or a cost of 0). */
  static BigDecimal roiPercent(BigDecimal revenue, BigDecimal cost) {
    if (cost == null || cost.signum() == 0) {
      return null;
    }
    return revenue.subtract(cost).multiply(BigDecimal.valueOf(100)).divide(cost, 2, RoundingMode.HALF_UP);
  }

  /** The row's fields by name (money as strings, ratios as BigDecimal, nulls kept). */
  public Map<String, Object> fields() {
    RoiCounts c = counts;
    BigDecimal cost = cost();
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("calls", c.calls());
    f.put("uniqueCallers", c.uniqueCallers());
    f.put("firstTimeCallers", c.firstTimeCallers());
    f.put("answered", c.answered());
    f.put("missed", c.missed());
    f.put("qualified", c.qualified());
    f.put("conversions", c.conversions());
    f.put("revenue", revenue().toPlainString());
    f.put("cost", cost == null ? null : cost.toPlainString());
    f.put("costPerCall", money(ratio(cost, c.calls())));
    f.put("costPerQualifiedCall", money(ratio(cost, c.qualified())));
    f.put("costPerConversion", money(ratio(cost, c.conversions())));
    f.put("revenuePerCall", money(ratio(revenue(), c.calls())));
    f.put("roas", roas());
    f.put("roiPercent", roiPercent());
    f.put("answerRate", rate(c.answered(), c.calls()));
    f.put("qualifiedRate", rate(c.qualified(), c.calls()));
    f.put("callToSaleRate", rate(c.conversions(), c.calls()));
    long finished = c.metric("finished");
    f.put("repeatCalls", c.metric("repeatCalls"));
    f.put("repeatCallers", c.repeatCallers());
    f.put("repeatCallRate", rate(c.metric("repeatCalls"), c.calls()));
    f.put("missedRate", rate(c.missed(), c.calls()));
    f.put("busy", c.metric("busy"));
    f.put("abandoned", c.metric("abandoned"));
    f.put("failed", c.metric("failed"));
    f.put("abandonmentRate", rate(c.metric("abandoned"), finished));
    f.put("averageDurationSeconds", average(c.durationSeconds(), c.answered()));
    f.put("averageSpeedOfAnswerSeconds", average(c.metric("answerSeconds"), c.answered()));
    f.put("averageWaitSeconds", average(c.metric("waitSeconds"), finished));
    f.put("serviceLevel10s", rate(c.metric("answeredWithin10"), finished));
    f.put("serviceLevel20s", rate(c.metric("answeredWithin20"), finished));
    f.put("serviceLevel30s", rate(c.metric("answeredWithin30"), finished));
    f.put("serviceLevel60s", rate(c.metric("answeredWithin60"), finished));
    f.put("afterHoursCalls", c.metric("afterHours"));
    f.put("afterHoursRate", rate(c.metric("afterHours"), c.calls()));
    f.put("afterHoursAnswerRate", rate(c.metric("afterHoursAnswered"), c.metric("afterHours")));
    f.put("withOutcome", c.metric("withOutcome"));
    f.put("crmMatchRate", rate(c.metric("withOutcome"), c.calls()));
    String[] stages = {"lead", "appointment", "quote", "opportunity", "sale"};
    String[] plural = {"leads", "appointments", "quotes", "opportunities", "sales"};
    for (int i = 0; i < stages.length; i++) {
      f.put(plural[i], c.metric("stage_" + stages[i]));
    }
    for (String s : stages) {
      f.put(s + "Value", Money.format(c.metric("stageValue_" + s)));
    }
    for (String s : stages) {
      f.put(s + "Rate", rate(c.metric("stage_" + s), c.calls()));
    }
    for (String s : stages) {
      f.put("costPer" + Character.toUpperCase(s.charAt(0)) + s.substring(1),
          money(ratio(cost, c.metric("stage_" + s))));
    }
    f.put("spam", c.metric("spam"));
    f.put("wrongNumber", c.metric("wrongNumber"));
    f.put("voicemail", c.metric("voicemail"));
    f.put("spamRate", rate(c.metric("spam"), c.calls()));
    f.put("wrongNumberRate", rate(c.metric("wrongNumber"), c.calls()));
    f.put("voicemailRate", rate(c.metric("voicemail"), c.calls()));
    f.put("revenuePerQualifiedCall", money(ratio(revenue(), c.qualified())));
    f.put("averageOrderValue", money(ratio(revenue(), c.conversions())));
    f.put("leadCloseRate", rate(c.conversions(), c.qualified()));
    long firstRevenue = c.metric("firstRevenue");
    f.put("firstTimeRevenue", Money.format(firstRevenue));
    f.put("revenuePerFirstTimeCaller", money(ratio(Money.fromMinor(firstRevenue), c.firstTimeCallers())));
    f.put("revenuePerCaller", money(ratio(revenue(), c.uniqueCallers())));
    // what the missed calls would have brought had they done as well as the answered ones: revenue x
    // missed / answered, rounded once (rounding the per-call figure first, then multiplying, was off by
    // up to half a cent per missed call)
    f.put("missedRevenueLoss", revenue() == null || c.answered() == 0 ? null
        : money(ratio(revenue().multiply(BigDecimal.valueOf(c.missed())), c.answered())));
    f.put("costPerAnsweredCall", money(ratio(cost, c.answered())));
    f.put("averageLeadScore", average(c.metric("leadScoreSum"), c.metric("scored")));
    f.put("repeatPurchases", c.metric("repeatPurchases"));
    f.put("repeatPurchaseRate", rate(c.metric("repeatPurchases"), c.conversions()));
    long recorded = c.metric("recorded");
    long recordingMillis = c.metric("recordingMillis");
    long callerTalk = c.metric("callerTalkMillis");
    long lineTalk = c.metric("lineTalkMillis");
    f.put("recordedCalls", recorded);
    f.put("recordingRate", rate(recorded, c.answered()));
    // capture: answered calls of properties that record, and the share of them with a recording (the
    // relay did not answer, or wrote none that could be read, for the others)
    f.put("recordingsAsked", c.metric("recordingAsked"));
    f.put("recordingCaptureRate", rate(c.metric("recordingCaptured"), c.metric("recordingAsked")));
    f.put("averageTalkSeconds", average(callerTalk + lineTalk, recorded * 1000));
    f.put("averageCallerTalkSeconds", average(callerTalk, recorded * 1000));
    f.put("averageLineTalkSeconds", average(lineTalk, recorded * 1000));
    // each side's silent time over each side's time; dead air: both sides silent at once
    f.put("silenceRate", rate(Math.max(0, 2 * recordingMillis - callerTalk - lineTalk), 2 * recordingMillis));
    f.put("deadAirRate", rate(c.metric("deadAirMillis"), recordingMillis));
    f.put("averageHoldSeconds", average(c.metric("holdMillis"), recorded * 1000));
    // speed to lead: web callback requests, from the form to the lead's answer
    f.put("callbacks", c.metric("callbacks"));
    f.put("callbacksConnected", c.metric("callbacksConnected"));
    f.put("averageCallbackSpeedSeconds", average(c.metric("callbackSpeedSeconds"), c.metric("callbacksConnected")));
    f.put("callbacksWithin5MinutesRate", rate(c.metric("callbacksConnectedWithin5Minutes"), c.metric("callbacks")));
    // missed inbound calls returned: callbacks placed for them, those the caller answered, that share
    // of the missed inbound calls, and seconds from the missed call's end to the caller's answer
    f.put("missedCallbacks", c.metric("missedCallbacks"));
    f.put("missedCallsCalledBack", c.metric("missedCallsCalledBack"));
    f.put("callbackRate", rate(c.metric("missedCallsCalledBack"), c.metric("missedInbound")));
    f.put("averageMissedCallbackSeconds",
        average(c.metric("missedCallbackSeconds"), c.metric("missedCallsCalledBack")));
    // overflow routing: the share of calls sent on to an overflow line, and of those the share answered there
    f.put("overflowedCalls", c.metric("overflowed"));
    f.put("overflowRate", rate(c.metric("overflowed"), c.calls()));
    f.put("overflowAnswerRate", rate(c.metric("overflowAnswered"), c.metric("overflowed")));
    // transfers, of answered calls: the share transferred at least once, and transfers per answered call
    f.put("transferredCalls", c.metric("transferred"));
    f.put("transferRate", rate(c.metric("transferred"), c.answered()));
    f.put("transfersPerCall", rate(c.metric("transfers"), c.answered()));
    // two touches: under model=last the calls a row closed that another channel began; under
    // model=first the calls it began that another closed (its assists)
    f.put("assistedCalls", c.metric("assisted"));
    f.put("assistedRate", rate(c.metric("assisted"), c.calls()));
    f.put("assistedConversions", c.metric("assistedConversions"));
    f.put("assistedRevenue", Money.format(c.metric("assistedRevenue")));
    f.put("averageTouchpoints", ratio(BigDecimal.valueOf(c.metric("touchpoints")), BigDecimal.valueOf(c.metric("withJourney")), 2));
    // spam detection: the calls marked, and how the marks agree with the business's dispositions
    f.put("suspectedSpam", c.metric("suspectedSpam"));
    f.put("suspectedSpamRate", rate(c.metric("suspectedSpam"), c.calls()));
    f.put("spamDetectionPrecision", rate(c.metric("spamCaught"), c.metric("spamSuspectedReviewed")));
    f.put("spamDetectionRecall", rate(c.metric("spamCaught"), c.metric("spam")));
    f.put("spamDetectionAccuracy", rate(c.metric("spamJudgedRight"), c.metric("spamReviewed")));
    return f;
  }

  private static BigDecimal average(long sum, long count) {
    return ratio(BigDecimal.valueOf(sum), BigDecimal.valueOf(count), 1);
  }

  private static BigDecimal ratio(BigDecimal num, BigDecimal den, int scale) {
    if (num == null || den == null || den.signum() == 0) {
      return null;
    }
    return num.divide(den, scale, RoundingMode.HALF_UP);
  }

  private static BigDecimal ratio(BigDecimal money, long count) {
    return ratio(money, BigDecimal.valueOf(count), Money.SCALE);
  }

  /** {@code part} of {@code whole}, 4 places; null when {@code whole} is 0. */
  public static BigDecimal rate(long part, long whole) {
    return ratio(BigDecimal.valueOf(part), BigDecimal.valueOf(whole), 4);
  }

  private static String money(BigDecimal v) {
    return v == null ? null : v.toPlainString();
  }
}
