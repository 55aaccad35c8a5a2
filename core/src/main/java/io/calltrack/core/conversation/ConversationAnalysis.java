package io.calltrack.core.conversation;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * What one transcript says under a property's {@link ConversationRules}: the key phrases mentioned (by
 * either side), the lead phrases the caller said and so whether the call is detected as a lead, and
 * the script lines the agent said and missed with their share. Null where the rules have no such list.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ConversationAnalysis(List<String> keyPhrases, List<String> leadPhrases, Boolean leadIntent,
    List<String> scriptSaid, List<String> scriptMissed, BigDecimal scriptAdherence) {

  public static ConversationAnalysis of(Transcript t, ConversationRules rules) {
    String caller = Phrases.words(t.said(Transcript.Speaker.CALLER));
    String agent = Phrases.words(t.said(Transcript.Speaker.AGENT));
    List<String> keys = null;
    if (!rules.keyPhrases().isEmpty()) {
      keys = new ArrayList<>();
      for (String p : rules.keyPhrases()) {
        String w = Phrases.words(p);
        if (Phrases.said(caller, w) || Phrases.said(agent, w)) {
          keys.add(p);
        }
      }
    }
    List<String> leads = null;
    if (!rules.leadPhrases().isEmpty()) {
      leads = new ArrayList<>();
      for (String p : rules.leadPhrases()) {
        if (Phrases.said(caller, Phrases.words(p))) {
          leads.add(p);
        }
      }
    }
    List<String> said = null;
    List<String> missed = null;
    BigDecimal adherence = null;
    if (!rules.script().isEmpty()) {
      said = new ArrayList<>();
      missed = new ArrayList<>();
      for (String p : rules.script()) {
        (Phrases.said(agent, Phrases.words(p)) ? said : missed).add(p);
      }
      adherence = io.calltrack.core.report.RoiRow.rate(said.size(), rules.script().size());
    }
    return new ConversationAnalysis(keys, leads, leads == null ? null : !leads.isEmpty(), said, missed, adherence);
  }
}
