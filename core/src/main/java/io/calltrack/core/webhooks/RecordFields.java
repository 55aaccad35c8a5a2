package io.calltrack.core.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/** Fields of a call record or outcome as the calls stream holds them (JSON), read leniently: absent is null. */
final class RecordFields {
  private RecordFields() {}

  /** The field's text; null when absent, null, empty or not a value. */
  static String text(JsonNode node, String field) {
    if (node == null) {
      return null;
    }
    JsonNode v = node.path(field);
    return v.isValueNode() && !v.isNull() && !v.asText().isEmpty() ? v.asText() : null;
  }

  /** The field as an instant; null when absent or not one. */
  static Instant instant(JsonNode node, String field) {
    String s = text(node, field);
    try {
      return s == null ? null : Instant.parse(s);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** The field as an amount (money is a decimal string); null when absent or not one. */
  static BigDecimal amount(JsonNode node, String field) {
    String s = text(node, field);
    try {
      return s == null ? null : new BigDecimal(s);
    } catch (NumberFormatException e) {
      return null; // a platform's event without a value, rather than no event and a stalled stream
    }
  }
}
