package io.calltrack.core.calls;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.math.BigDecimal;

/**
 * What the call turned into, reported later by the business (docs/contract.md
 * {@code POST /v1/calls/{callId}/outcome}). {@code value} is money: a decimal string in JSON.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record CallOutcome(
    Boolean qualified,
    Boolean converted,
    @JsonFormat(shape = JsonFormat.Shape.STRING) BigDecimal value,
    String currency) {}
