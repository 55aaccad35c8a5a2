package io.calltrack.dni.spend;

import io.calltrack.dni.http.PropertyFrom;
import com.fasterxml.jackson.databind.JsonNode;
import io.calltrack.core.CalltrackException;
import io.calltrack.core.config.ConfigStore;
import io.calltrack.core.json.JsonMapper;
import io.calltrack.core.report.Money;
import io.calltrack.core.spend.SpendRow;
import io.calltrack.core.marketing.PropertySettings;
import io.calltrack.core.marketing.SettingsStore;
import io.calltrack.core.spend.SpendStore;
import io.calltrack.dni.http.AdminApi;
import io.calltrack.dni.http.Timeouts;
import io.calltrack.dni.report.CsvTable;
import io.calltrack.dni.report.ReportParams;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * {@code PUT /v1/spend?property=P} (admin): cost rows as JSON ({@code [{date, source, medium, campaign,
 * keyword, adGroup, landingPage, amount, currency}]} or {@code {"rows": [...]}}) or {@code text/csv} with the
 * same columns named in a header row, in any order ({@link CsvTable}; date and amount required), or without
 * a header {@code date,source,medium,campaign,amount} (or {@code date,source,medium,campaign,keyword,adGroup,
 * landingPage,amount}). A row's currency, when given, must be the property's. Amounts are decimal strings ("5000.00"), or JSON
 * numbers read exactly from their text, with at most two places and at most {@link Money#MAX_MINOR}; rows
 * of one day and level add up, and their sum is held to the same maximum. Every day that appears in the
 * upload is replaced whole; other days are untouched. All rows are checked first: any bad row gives 400
 * listing the bad rows, and nothing is stored; an upload with no rows is refused too. The upload is parsed
 * on a worker thread, not the event loop.
 * Answer: {@code {property, days: ["2026-03-08", ...], rows, amount}}.
 */
public final class SpendRoutes {
  /** Uploads may be larger than the API's usual body limit: a year of campaign-level spend. */
  public static final long UPLOAD_LIMIT = 8L * 1024 * 1024;
  /** A CSV's columns: with a header in any order (date and amount required), without one in these. */
  private static final List<String> COLUMNS =
      List.of("date", "source", "medium", "campaign", "keyword", "adGroup", "landingPage", "amount", "currency");
  private static final List<String> REQUIRED = List.of("date", "amount");
  private static final List<String> SHORT = List.of("date", "source", "medium", "campaign", "amount");
  /** The long form: cost at keyword, ad group or landing-page level. */
  private static final List<String> LONG =
      List.of("date", "source", "medium", "campaign", "keyword", "adGroup", "landingPage", "amount");

  private final Vertx vertx;
  private final ConfigStore store;
  private final SpendStore spend;
  private final SettingsStore settings;

  public SpendRoutes(Vertx vertx, ConfigStore store, SpendStore spend, SettingsStore settings) {
    this.vertx = vertx;
    this.store = store;
    this.spend = spend;
    this.settings = settings;
  }

  public void mount(AdminApi admin) {
    admin.put("/v1/spend", this::put).bodyLimit(UPLOAD_LIMIT).timeout(Timeouts.SLOW_ADMIN)
        .scope(PropertyFrom.query("property"));
  }

  private Future<Map<String, Object>> put(RoutingContext ctx) {
    String type = ctx.request().getHeader("content-type");
    String body = ctx.body() == null || ctx.body().buffer() == null ? "" : ctx.body().asString();
    boolean csv = type != null && type.toLowerCase(java.util.Locale.ROOT).startsWith("text/csv");
    return ReportParams.property(ctx, store).compose(p -> settings.get(p.id()).compose(s ->
        vertx.executeBlocking(() -> csv ? fromCsv(body, s.currency()) : fromJson(body, s.currency()), false)
            .map(rows -> new Upload(p.id(), rows))))
        .compose(u -> spend.replaceDays(u.property(), u.rows()).map(n -> {
          List<SpendRow> rows = u.rows();
          Map<String, Object> out = new LinkedHashMap<>();
          out.put("property", u.property());
          TreeSet<String> days = new TreeSet<>();
          rows.forEach(r -> days.add(r.date().toString()));
          out.put("days", List.copyOf(days));
          out.put("rows", rows.size());
          // in BigDecimal: each day and level is bounded, but thousands of them could pass a long
          out.put("amount", rows.stream().map(r -> Money.fromMinor(r.amountMinor()))
              .reduce(Money.fromMinor(0), BigDecimal::add).toPlainString());
          return out;
        }));
  }

  private record Upload(String property, List<SpendRow> rows) {}

  /**
   * The running sum of each day and level, and of each day: Redis adds a level's rows up (HINCRBY,
   * after the day was emptied), and a report adds days and levels up (in cents, as a long: at most
   * 400 days of at most the maximum each stays far below its limit), so a sum past the maximum is
   * refused here, naming the row, before anything is written.
   */
  private static final class Sums {
    private final Map<String, Long> byKey = new HashMap<>();
    private final Map<java.time.LocalDate, Long> byDay = new HashMap<>();

    void add(SpendRow r, int rowNumber, List<SpendRow> rows, RowErrors errors) {
      String key = String.join("\t", r.date().toString(), r.source(), r.medium(), r.campaign(), r.keyword(),
          r.adGroup(), r.landingPage());
      long sum = Math.addExact(byKey.getOrDefault(key, 0L), r.amountMinor()); // both at most MAX_MINOR
      long day = Math.addExact(byDay.getOrDefault(r.date(), 0L), r.amountMinor());
      if (sum > Money.MAX_MINOR) {
        String level = key.substring(key.indexOf('\t') + 1).replaceAll("\t+$", "").replace('\t', '/');
        errors.add(rowNumber, "the amounts of " + r.date() + (level.isEmpty() ? " (account level)" : " " + level)
            + " add up to more than " + Money.format(Money.MAX_MINOR));
        return;
      }
      if (day > Money.MAX_MINOR) {
        errors.add(rowNumber, "the amounts of " + r.date() + " (all its rows) add up to more than "
            + Money.format(Money.MAX_MINOR));
        return;
      }
      byKey.put(key, sum);
      byDay.put(r.date(), day);
      rows.add(r);
    }
  }

  private static List<SpendRow> nonEmpty(List<SpendRow> rows) {
    if (rows.isEmpty()) {
      throw new CalltrackException.Invalid("no spend rows in the upload");
    }
    return rows;
  }

  static List<SpendRow> fromCsv(String text) {
    return fromCsv(text, null);
  }

  /** {@code currency}: the property's; a row naming another currency is refused. */
  static List<SpendRow> fromCsv(String text, String currency) {
    RowErrors errors = new RowErrors();
    List<CsvTable.Row> records = CsvTable.read(text, COLUMNS, REQUIRED, List.of(SHORT, LONG), errors);
    List<SpendRow> rows = new ArrayList<>();
    Sums sums = new Sums();
    for (CsvTable.Row r : records) {
      try {
        requireCurrency(r.get("currency"), currency);
        sums.add(row(r.get("date"), r.get("source"), r.get("medium"), r.get("campaign"), r.get("keyword"),
            r.get("adGroup"), r.get("landingPage"), r.get("amount")), r.number(), rows, errors);
      } catch (CalltrackException e) {
        errors.add(r.number(), e.getMessage());
      }
    }
    errors.throwIfAny();
    return nonEmpty(rows);
  }

  static List<SpendRow> fromJson(String text) {
    return fromJson(text, null);
  }

  /** {@code currency}: the property's; a row naming another currency is refused. */
  static List<SpendRow> fromJson(String text, String currency) {
    JsonNode node = JsonMapper.treeExact(text == null || text.isBlank() ? "null" : text);
    if (node != null && node.isObject() && node.has("rows")) {
      node = node.get("rows");
    }
    if (node == null || !node.isArray()) {
      throw new CalltrackException.Invalid("expected a JSON array of spend rows (or {\"rows\": [...]}), "
          + "or text/csv");
    }
    RowErrors errors = new RowErrors();
    List<SpendRow> rows = new ArrayList<>();
    Sums sums = new Sums();
    for (int i = 0; i < node.size(); i++) {
      JsonNode r = node.get(i);
      try {
        if (!r.isObject()) {
          throw new CalltrackException.Invalid("a spend row is an object");
        }
        JsonNode amount = r.get("amount");
        requireCurrency(text(r, "currency"), currency);
        sums.add(row(text(r, "date"), text(r, "source"), text(r, "medium"), text(r, "campaign"),
            text(r, "keyword"), text(r, "adGroup"), text(r, "landingPage"), amount(amount)), i + 1, rows, errors);
      } catch (CalltrackException e) {
        errors.add(i + 1, e.getMessage());
      }
    }
    errors.throwIfAny();
    return nonEmpty(rows);
  }

  /** A row's currency, when it names one, must be the property's (null: not known here). */
  private static void requireCurrency(String rowCurrency, String currency) {
    if (currency != null && rowCurrency != null && !rowCurrency.isBlank()
        && !PropertySettings.currencyCode(rowCurrency).equals(currency)) {
      throw new CalltrackException.Invalid("currency " + rowCurrency.strip() + " is not the property's currency "
          + currency + " (one currency per property)");
    }
  }

  /**
   * A number as the decimal its JSON text says (the tree holds it as a BigDecimal, never a double), so
   * numbers meet the same two-places rule as strings; toString, not toPlainString: 1e500000000 stays short.
   */
  private static String amount(JsonNode v) {
    return v == null || v.isNull() ? null : v.isNumber() ? v.decimalValue().toString() : v.asText();
  }

  private static String text(JsonNode r, String field) {
    JsonNode v = r.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  private static SpendRow row(String date, String source, String medium, String campaign, String keyword,
      String adGroup, String landingPage, String amount) {
    LocalDate day;
    try {
      day = LocalDate.parse(date == null ? "" : date.strip());
    } catch (DateTimeParseException e) {
      throw new CalltrackException.Invalid("date must look like 2026-03-08: '" + date + "'");
    }
    if (!io.calltrack.dni.report.ReportParams.reportable(day)) {
      throw new CalltrackException.Invalid("date must be a day from 1970-01-01 to 9999-12-31: '" + date + "'");
    }
    return new SpendRow(day, source, medium, campaign, keyword, adGroup, landingPage,
        Money.parseMinor(amount, "amount"));
  }
}
