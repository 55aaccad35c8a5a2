package io.calltrack.core.calls;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.math.BigDecimal;
import java.util.Map;

/**
 * What the call turned into, reported later by the business (docs/contract.md
 * {@code POST /v1/calls/{callId}/outcome}). {@code value} is money: a decimal string in JSON.
 *
 * @param stages      the sales stages the call reached ({@link OutcomeStage}: lead, appointment, quote,
 *                    opportunity, sale), each with its value as a decimal string ("0.00" or null when it
 *                    has none); the business's own pipeline, not inferred
 * @param disposition what the business says the call was: spam, wrong-number, voicemail or customer
 * @param callType    the business's own class of call (sales, support, billing, ...), a report dimension
 * @param leadScore   the CRM's score of the lead, 0..100 (averaged in reports)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record CallOutcome(
    Boolean qualified,
    Boolean converted,
    @JsonFormat(shape = JsonFormat.Shape.STRING) BigDecimal value,
    String currency,
    Map<String, String> stages,
    String disposition,
    String callType,
    Integer leadScore) {

  public CallOutcome(Boolean qualified, Boolean converted, BigDecimal value, String currency) {
    this(qualified, converted, value, currency, null, null, null, null);
  }
}
