package io.calltrack.dni.outcome;

import io.calltrack.dni.http.PropertyFrom;
import com.fasterxml.jackson.databind.JsonNode;
import io.calltrack.core.CalltrackException;
import io.calltrack.core.calls.CallOutcome;
import io.calltrack.core.calls.CallStore;
import io.calltrack.core.json.JsonMapper;
import io.calltrack.core.report.Money;
import io.calltrack.core.rollup.RollupStore;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.OutcomeStage;
import io.calltrack.core.marketing.SettingsStore;
import io.calltrack.dni.http.AdminApi;
import io.calltrack.dni.http.Timeouts;
import io.calltrack.dni.report.CsvTable;
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
 *       "USD", stages: {lead: null, quote: "1500.00"}, disposition: "customer", callType: "sales"}} → the
 *       call record with its outcome. A currency other than the property's is refused (400). Sending it again replaces the outcome; the rollups
 *       move by the difference only (one Lua script), at once — the report is up to date when this
 *       answers (the stream consumer later finds the change already applied).</li>
 *   <li>{@code POST /v1/outcomes} with {@code text/csv} {@code callId,qualified,converted,value[,currency]}
 *       (header optional; with one, its columns in any order, callId required: {@link CsvTable}) →
 *       {@code {applied: n}}. Every row is checked first (format, and that the call
 *       exists); any bad row gives 400 naming the rows and nothing is applied. The CSV is parsed on a
 *       worker thread, not the event loop.</li>
 *   <li>{@code GET /v1/reports/imports} → how the offline outcome imports went ({@link ImportStats}).</li>
 * </ul>
 */
public final class OutcomeRoutes {
  public static final long UPLOAD_LIMIT = 8L * 1024 * 1024;

  private final Vertx vertx;
  private final CallStore calls;
  private final RollupStore rollups;
  private final SettingsStore settings;
  private final ImportStats imports;

  public OutcomeRoutes(Vertx vertx, CallStore calls, RollupStore rollups, SettingsStore settings, ImportStats imports) {
    this.imports = imports;
    this.vertx = vertx;
    this.calls = calls;
    this.rollups = rollups;
    this.settings = settings;
  }

  public void mount(AdminApi admin) {
    admin.post("/v1/calls/:callId/outcome", this::one)
        .scope(PropertyFrom.owner("callId", id -> calls.get(id).map(c -> c.map(CallRecord::property))));
    // rows may name calls of any property: admin token only
    admin.post("/v1/outcomes", this::bulk).bodyLimit(UPLOAD_LIMIT).timeout(Timeouts.SLOW_ADMIN);
    admin.get("/v1/reports/imports", ctx -> imports.report());
  }

  private Future<CallRecord> one(RoutingContext ctx) {
    String callId = ctx.pathParam("callId");
    CallOutcome outcome = fromJson(ctx.body() == null ? null : ctx.body().asString());
    return checkCurrencies(List.of(new Row(0, callId, outcome))).compose(x -> apply(callId, outcome))
        .compose(v -> calls.get(callId))
        .map(r -> r.orElseThrow(() -> new CalltrackException.NotFound("no call '" + callId + "'")));
  }

  private Future<Map<String, Object>> bulk(RoutingContext ctx) {
    String type = ctx.request().getHeader("content-type");
    if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("text/csv")) {
      throw new CalltrackException.Invalid("send the outcomes as text/csv: callId,qualified,converted,value");
    }
    String text = ctx.body() == null ? "" : ctx.body().asString();
    return imports.count(vertx.executeBlocking(() -> fromCsv(text), false).compose(rows -> applyAll(rows)));
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
          return checkCurrencies(rows);
        })
        .compose(checked -> {
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

  /**
   * Refuses (400, naming the row) an outcome in another currency than its call's property's: a
   * property's revenue is summed in one currency. Unknown calls fail later with 404.
   */
  private Future<Void> checkCurrencies(List<Row> rows) {
    List<Future<String>> problems = new ArrayList<>();
    for (Row r : rows) {
      String currency = r.outcome().currency();
      if (currency == null) {
        continue;
      }
      problems.add(calls.get(r.callId()).compose(call -> call.isEmpty() || call.get().property() == null
          ? Future.succeededFuture((String) null)
          : settings.get(call.get().property()).map(s -> s.currency().equals(currency) ? null
              : (r.row() > 0 ? "row " + r.row() + ": " : "") + "currency " + currency + " differs from the currency of property '"
                  + call.get().property() + "', " + s.currency() + " (one currency per property)")));
    }
    return Future.all(problems).compose(all -> {
      List<String> bad = problems.stream().map(Future::result).filter(java.util.Objects::nonNull).toList();
      return bad.isEmpty() ? Future.<Void>succeededFuture()
          : Future.failedFuture(new CalltrackException.Invalid(String.join("; ", bad)));
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
    CallOutcome base = outcome(bool(n.get("qualified"), "qualified"), bool(n.get("converted"), "converted"),
        n.hasNonNull("value") ? n.get("value").asText() : null,
        n.hasNonNull("currency") ? n.get("currency").asText() : null);
    return new CallOutcome(base.qualified(), base.converted(), base.value(), base.currency(),
        stages(n.get("stages")), disposition(n.get("disposition")), callType(n.get("callType")),
        leadScore(n.get("leadScore")));
  }

  static Integer leadScore(JsonNode v) {
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isIntegralNumber() || v.intValue() < 0 || v.intValue() > 100) {
      throw new CalltrackException.Invalid("leadScore must be a whole number from 0 to 100: " + v);
    }
    return v.intValue();
  }

  /** {@code {"lead": null, "quote": "1500.00"}}: the stages reached, each with its value or null. */
  static Map<String, String> stages(JsonNode v) {
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isObject()) {
      throw new CalltrackException.Invalid("stages must be an object like {\"lead\": null, \"quote\": \"1500.00\"}");
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : v.properties()) {
      OutcomeStage stage = OutcomeStage.of(e.getKey());
      JsonNode value = e.getValue();
      if (value == null || value.isNull()) {
        out.put(stage.json(), null);
      } else if (!value.isTextual()) {
        throw new CalltrackException.Invalid("stages." + stage.json() + " must be a decimal string like \"1500.00\" or null");
      } else {
        out.put(stage.json(), Money.format(Money.parseMinor(value.asText(), "stages." + stage.json())));
      }
    }
    return out;
  }

  static final List<String> DISPOSITIONS = List.of("customer", "spam", "wrong-number", "voicemail");

  static String disposition(JsonNode v) {
    if (v == null || v.isNull()) {
      return null;
    }
    String d = v.asText().strip().toLowerCase(Locale.ROOT);
    if (!v.isTextual() || !DISPOSITIONS.contains(d)) {
      throw new CalltrackException.Invalid("disposition must be one of " + String.join("|", DISPOSITIONS)
          + ": '" + v.asText() + "'");
    }
    return d;
  }

  static String callType(JsonNode v) {
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual() || v.asText().isBlank() || v.asText().length() > 64) {
      throw new CalltrackException.Invalid("callType must be a short text like \"sales\" (at most 64 characters)");
    }
    return v.asText().strip();
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

  /** A CSV's columns: with a header in any order (callId required), without one in these. */
  private static final List<String> COLUMNS = List.of("callId", "qualified", "converted", "value", "currency");

  static List<Row> fromCsv(String text) {
    RowErrors errors = new RowErrors();
    List<CsvTable.Row> records = CsvTable.read(text, COLUMNS, List.of("callId"),
        List.of(COLUMNS.subList(0, 4), COLUMNS), errors);
    List<Row> rows = new ArrayList<>();
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (CsvTable.Row r : records) {
      try {
        String callId = r.get("callId").strip();
        if (callId.isEmpty()) {
          throw new CalltrackException.Invalid("callId is empty");
        }
        if (!seen.add(callId)) {
          throw new CalltrackException.Invalid("call '" + callId + "' appears twice");
        }
        rows.add(new Row(r.number(), callId, outcome(csvBool(r.get("qualified"), "qualified"),
            csvBool(r.get("converted"), "converted"), r.get("value"), r.get("currency"))));
      } catch (CalltrackException e) {
        errors.add(r.number(), e.getMessage());
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
