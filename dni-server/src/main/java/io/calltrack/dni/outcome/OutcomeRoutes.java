package io.calltrack.dni.outcome;

import com.fasterxml.jackson.databind.JsonNode;
import io.calltrack.core.CalltrackException;
import io.calltrack.core.calls.CallOutcome;
import io.calltrack.core.calls.CallStore;
import io.calltrack.core.json.JsonMapper;
import io.calltrack.core.report.Money;
import io.calltrack.core.rollup.RollupStore;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.dni.http.AdminApi;
import io.calltrack.dni.http.Timeouts;
import io.calltrack.dni.report.Csv;
import io.calltrack.dni.spend.RowErrors;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Call outcomes (admin):
 * <ul>
 *   <li>{@code POST /v1/calls/{callId}/outcome} {@code {qualified, converted, value: "200.00", currency:
 *       "USD"}} → the call record with its outcome. Sending it again replaces the outcome; the rollups
 *       move by the difference only (one Lua script), at once — the report is up to date when this
 *       answers (the stream consumer later finds the change already applied).</li>
 *   <li>{@code POST /v1/outcomes} with {@code text/csv} {@code callId,qualified,converted,value[,currency]}
 *       (header optional) → {@code {applied: n}}. Every row is checked first (format, and that the call
 *       exists); any bad row gives 400 naming the rows and nothing is applied. The CSV is parsed on a
 *       worker thread, not the event loop.</li>
 * </ul>
 */
public final class OutcomeRoutes {
  public static final long UPLOAD_LIMIT = 8L * 1024 * 1024;

  private final Vertx vertx;
  private final CallStore calls;
  private final RollupStore rollups;

  public OutcomeRoutes(Vertx vertx, CallStore calls, RollupStore rollups) {
    this.vertx = vertx;
    this.calls = calls;
    this.rollups = rollups;
  }

  public void mount(AdminApi admin) {
    admin.post("/v1/calls/:callId/outcome", this::one);
    admin.post("/v1/outcomes", this::bulk).bodyLimit(UPLOAD_LIMIT).timeout(Timeouts.SLOW_ADMIN);
  }

  private Future<CallRecord> one(RoutingContext ctx) {
    String callId = ctx.pathParam("callId");
    CallOutcome outcome = fromJson(ctx.body() == null ? null : ctx.body().asString());
    return apply(callId, outcome).compose(v -> calls.get(callId))
        .map(r -> r.orElseThrow(() -> new CalltrackException.NotFound("no call '" + callId + "'")));
  }

  private Future<Map<String, Object>> bulk(RoutingContext ctx) {
    String type = ctx.request().getHeader("content-type");
    if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("text/csv")) {
      throw new CalltrackException.Invalid("send the outcomes as text/csv: callId,qualified,converted,value");
    }
    String text = ctx.body() == null ? "" : ctx.body().asString();
    return vertx.executeBlocking(() -> fromCsv(text), false).compose(rows -> applyAll(rows));
  }

  private Future<Map<String, Object>> applyAll(List<Row> rows) {
    return calls.missing(rows.stream().map(Row::callId).toList())
        .compose(missing -> {
          if (!missing.isEmpty()) {
            RowErrors errors = new RowErrors();
            for (Row r : rows) {
              if (missing.contains(r.callId())) {
                errors.add(r.row(), "no call '" + r.callId() + "'");
              }
            }
            errors.throwIfAny();
          }
          // validated whole; applied one call at a time (each call's change is itself atomic)
          Future<Void> chain = Future.succeededFuture();
          for (Row r : rows) {
            chain = chain.compose(v -> apply(r.callId(), r.outcome()));
          }
          return chain;
        })
        .map(v -> {
          Map<String, Object> out = new LinkedHashMap<>();
          out.put("applied", rows.size());
          return out;
        });
  }

  private Future<Void> apply(String callId, CallOutcome outcome) {
    return calls.setOutcomeEvent(callId, outcome)
        .compose(entry -> rollups.refresh(callId, entry))
        .mapEmpty();
  }

  static CallOutcome fromJson(String body) {
    if (body == null || body.isBlank()) {
      throw new CalltrackException.Invalid("request body is empty; expected {qualified, converted, value, currency}");
    }
    JsonNode n = JsonMapper.tree(body);
    if (n == null || !n.isObject()) {
      throw new CalltrackException.Invalid("expected a JSON object {qualified, converted, value, currency}");
    }
    return outcome(bool(n.get("qualified"), "qualified"), bool(n.get("converted"), "converted"),
        n.hasNonNull("value") ? n.get("value").asText() : null,
        n.hasNonNull("currency") ? n.get("currency").asText() : null);
  }

  private static Boolean bool(JsonNode v, String name) {
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isBoolean()) {
      throw new CalltrackException.Invalid(name + " must be true or false");
    }
    return v.booleanValue();
  }

  static CallOutcome outcome(Boolean qualified, Boolean converted, String value, String currency) {
    BigDecimal amount = null;
    if (value != null && !value.isBlank()) {
      amount = Money.fromMinor(Money.parseMinor(value, "value"));
    }
    String cur = null;
    if (currency != null && !currency.isBlank()) {
      try {
        cur = Currency.getInstance(currency.strip().toUpperCase(Locale.ROOT)).getCurrencyCode();
      } catch (IllegalArgumentException e) {
        throw new CalltrackException.Invalid("currency must be an ISO 4217 code like USD: '" + currency + "'");
      }
    }
    return new CallOutcome(qualified, converted, amount, cur);
  }

  record Row(int row, String callId, CallOutcome outcome) {}

  static List<Row> fromCsv(String text) {
    List<List<String>> records = Csv.read(text);
    RowErrors errors = new RowErrors();
    List<Row> rows = new ArrayList<>();
    int start = !records.isEmpty() && !records.get(0).isEmpty()
        && "callid".equalsIgnoreCase(records.get(0).get(0).strip()) ? 1 : 0;
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (int i = start; i < records.size(); i++) {
      List<String> r = records.get(i);
      if (Csv.blank(r)) {
        continue;
      }
      int rowNumber = i + 1;
      if (r.size() < 4 || r.size() > 5) {
        errors.add(rowNumber, "expected callId,qualified,converted,value[,currency], got " + r.size() + " fields");
        continue;
      }
      try {
        String callId = r.get(0).strip();
        if (callId.isEmpty()) {
          throw new CalltrackException.Invalid("callId is empty");
        }
        if (!seen.add(callId)) {
          throw new CalltrackException.Invalid("call '" + callId + "' appears twice");
        }
        rows.add(new Row(rowNumber, callId, outcome(csvBool(r.get(1), "qualified"), csvBool(r.get(2), "converted"),
            r.get(3), r.size() == 5 ? r.get(4) : null)));
      } catch (CalltrackException e) {
        errors.add(rowNumber, e.getMessage());
      }
    }
    errors.throwIfAny();
    if (rows.isEmpty()) {
      throw new CalltrackException.Invalid("no outcome rows in the upload");
    }
    return rows;
  }

  private static Boolean csvBool(String v, String name) {
    String s = v == null ? "" : v.strip().toLowerCase(Locale.ROOT);
    return switch (s) {
      case "true", "1", "yes", "y" -> Boolean.TRUE;
      case "false", "0", "no", "n" -> Boolean.FALSE;
      case "" -> null;
      default -> throw new CalltrackException.Invalid(name + " must be true/false (or 1/0, yes/no): '" + v + "'");
    };
  }
}
