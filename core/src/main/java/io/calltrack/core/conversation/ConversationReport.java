package io.calltrack.core.conversation;

import io.calltrack.core.calls.CallOutcome;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.CallStatus;
import io.calltrack.core.report.RoiRow;
import io.calltrack.core.rollup.Dimension;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Conversation measures of a property's calls ({@code GET /v1/reports/conversations}), made from the
 * calls and their transcripts under the property's rules as they stand now:
 * <ul>
 *   <li>{@code transcriptionCoverage}: transcribed calls of the answered ones;</li>
 *   <li>{@code keyPhraseMentionRate}: transcribed calls in which a key phrase was said, and
 *       {@code phrases}: in how many calls each key phrase was;</li>
 *   <li>{@code intentDetectionRate}: transcribed calls whose caller said a lead phrase;</li>
 *   <li>{@code scriptAdherence}: the share of the script's lines the agents said, over the transcribed
 *       calls;</li>
 *   <li>{@code classificationAccuracy}: of the transcribed calls whose business said whether they were
 *       qualified leads ({@link CallOutcome#qualified}), those where the lead detection agreed.</li>
 * </ul>
 * Rates are null where they have nothing to be a share of (no answered call, no rule of that kind).
 */
public final class ConversationReport {
  /** Every field of a row and of the total, in their order. */
  public static final List<String> FIELDS = List.of("calls", "answered", "transcribed", "transcriptionCoverage",
      "keyPhraseCalls", "keyPhraseMentionRate", "phrases", "leadIntentCalls", "intentDetectionRate", "scriptAdherence",
      "classifiedCalls", "classificationAccuracy");

  /** What the report groups by: a call's dimension, its local day, or nothing (the total only). */
  public sealed interface Grouping {
    String name();

    String keyOf(CallRecord call, ZoneId zone);
  }

  public record ByDimension(Dimension dimension) implements Grouping {
    public String name() {
      return dimension.json();
    }

    public String keyOf(CallRecord call, ZoneId zone) {
      return dimension.valueOf(call);
    }
  }

  public record ByDay() implements Grouping {
    public String name() {
      return "day";
    }

    public String keyOf(CallRecord call, ZoneId zone) {
      return call.startedAt().atZone(zone).toLocalDate().toString();
    }
  }

  private final ConversationRules rules;
  private final Grouping grouping;
  private final ZoneId zone;
  private final Counts total;
  private final Map<String, Counts> rows = new TreeMap<>();

  public ConversationReport(ConversationRules rules, Grouping grouping, ZoneId zone) {
    this.rules = rules;
    this.grouping = grouping;
    this.zone = zone;
    this.total = new Counts();
  }

  /** Counts one call; {@code transcript} null when it has none. */
  public void add(CallRecord call, Transcript transcript) {
    ConversationAnalysis a = transcript == null ? null : ConversationAnalysis.of(transcript, rules);
    total.add(call, a);
    if (grouping != null) {
      rows.computeIfAbsent(grouping.keyOf(call, zone), k -> new Counts()).add(call, a);
    }
  }

  /** {@code {groupBy, rows: [...], total: {...}}}; a row's key under the grouping's name, null for none. */
  public Map<String, Object> toJson() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("groupBy", grouping == null ? null : grouping.name());
    List<Map<String, Object>> list = new java.util.ArrayList<>();
    for (var e : rows.entrySet()) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put(grouping.name(), e.getKey().isEmpty() ? null : e.getKey());
      row.putAll(e.getValue().toJson());
      list.add(row);
    }
    out.put("rows", list);
    out.put("total", total.toJson());
    return out;
  }

  private final class Counts {
    long calls;
    long answered;
    long transcribed;
    long keyPhraseCalls;
    final Map<String, Long> phrases = new LinkedHashMap<>();
    long leadIntentCalls;
    long scriptLinesSaid;
    long classified;
    long classifiedAgreed;

    Counts() {
      for (String p : rules.keyPhrases()) {
        phrases.put(p, 0L);
      }
    }

    void add(CallRecord call, ConversationAnalysis a) {
      calls++;
      if (call.status() == CallStatus.ANSWERED) {
        answered++;
      }
      if (a == null) {
        return;
      }
      transcribed++;
      if (a.keyPhrases() != null && !a.keyPhrases().isEmpty()) {
        keyPhraseCalls++;
        for (String p : a.keyPhrases()) {
          phrases.merge(p, 1L, Long::sum);
        }
      }
      if (Boolean.TRUE.equals(a.leadIntent())) {
        leadIntentCalls++;
      }
      if (a.scriptSaid() != null) {
        scriptLinesSaid += a.scriptSaid().size();
      }
      CallOutcome o = call.outcome();
      if (a.leadIntent() != null && o != null && o.qualified() != null) {
        classified++;
        if (a.leadIntent().equals(o.qualified())) {
          classifiedAgreed++;
        }
      }
    }

    Map<String, Object> toJson() {
      boolean keys = !rules.keyPhrases().isEmpty();
      boolean leads = !rules.leadPhrases().isEmpty();
      boolean script = !rules.script().isEmpty();
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("calls", calls);
      m.put("answered", answered);
      m.put("transcribed", transcribed);
      m.put("transcriptionCoverage", RoiRow.rate(transcribed, answered));
      m.put("keyPhraseCalls", keys ? keyPhraseCalls : null);
      m.put("keyPhraseMentionRate", keys ? RoiRow.rate(keyPhraseCalls, transcribed) : null);
      m.put("phrases", keys ? phrases : null);
      m.put("leadIntentCalls", leads ? leadIntentCalls : null);
      m.put("intentDetectionRate", leads ? RoiRow.rate(leadIntentCalls, transcribed) : null);
      m.put("scriptAdherence", script ? RoiRow.rate(scriptLinesSaid, transcribed * rules.script().size()) : null);
      m.put("classifiedCalls", leads ? classified : null);
      m.put("classificationAccuracy", leads ? RoiRow.rate(classifiedAgreed, classified) : null);
      return m;
    }
  }
}
