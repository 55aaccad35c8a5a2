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
import io.calltrack.dni.report.Csv;
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
 * listing the bad rows, and nothing is stored; an upload with no rows is refused too. A CSV may also be an
 * ad platform's report export as downloaded ({@link AdPlatformExport}: recognised from its header, or named
 * by {@code layout=}; {@code source=} and {@code medium=} say which links its costs pay for). The upload is
 * decoded and parsed on a worker thread, not the event loop.
 * Answer: {@code {property, days: ["2026-03-08", ...], rows, amount}}.
 */
public final class SpendRoutes {
  /** Uploads may be larger than the API's usual body limit: a year of campaign-level spend. */
  public static final long UPLOAD_LIMIT = 8L * 1024 * 1024;
  /** A spend row's fields, a JSON row's or a CSV's columns (with a header in any order, date and amount required). */
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
    io.vertx.core.buffer.Buffer buffer = ctx.body() == null ? null : ctx.body().buffer();
    boolean csv = type != null && type.toLowerCase(java.util.Locale.ROOT).startsWith("text/csv");
    String layout = ctx.request().getParam("layout");
    String source = ctx.request().getParam("source");
    String medium = ctx.request().getParam("medium");
    return ReportParams.property(ctx, store).compose(p -> settings.get(p.id()).compose(s ->
        vertx.executeBlocking(() -> {
          // decoded here, off the event loop: up to 8 MiB, perhaps UTF-16
          if (csv) {
            return fromUpload(buffer == null ? "" : Csv.decode(buffer.getBytes()), s.currency(), layout, source,
                medium);
          }
          requireNoPlatformParameters(layout, source, medium);
          return new Parsed(fromJson(buffer == null ? "" : buffer.toString(), s.currency()), null);
        }, false).map(parsed -> new Upload(p.id(), parsed))))
        .compose(u -> replace(u).map(n -> {
          List<SpendRow> rows = u.parsed().rows();
          Map<String, Object> out = new LinkedHashMap<>();
          out.put("property", u.property());
          if (u.parsed().platform() != null) {
            out.put("layout", u.parsed().platform().layout);
          }
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

  private record Upload(String property, Parsed parsed) {}

  /**
   * Our own rows replace their days whole; an ad platform's export (one source and medium, every row)
   * replaces only that source and medium on its days, so each platform's export is uploaded on its own.
   */
  private Future<Integer> replace(Upload u) {
    List<SpendRow> rows = u.parsed().rows();
    return u.parsed().platform() == null ? spend.replaceDays(u.property(), rows)
        : spend.replaceSourceDays(u.property(), rows.get(0).source(), rows.get(0).medium(), rows);
  }

  /** An upload's rows, and the ad platform whose export it was (null: our own columns). */
  record Parsed(List<SpendRow> rows, AdPlatformExport.Platform platform) {}

  /**
   * A CSV upload: an ad platform's export when {@code layout} names one or, left out, when the file
   * has one's header (its first rows may be a title, a date range or a preamble); else our own columns.
   */
  static Parsed fromUpload(String text, String currency, String layout, String source, String medium) {
    if (!"generic".equals(layout)) {
      char separator = Csv.separator(text);
      List<List<String>> records = Csv.read(text, separator);
      AdPlatformExport export = AdPlatformExport.find(records, AdPlatformExport.Platform.named(layout));
      if (export != null) {
        return new Parsed(export.rows(currency, source, medium), export.platform());
      }
      requireNoPlatformParameters(layout, source, medium);
      return new Parsed(fromCsv(separator == ',' ? records : Csv.read(text), currency), null);
    }
    requireNoPlatformParameters(null, source, medium);
    return new Parsed(fromCsv(Csv.read(text), currency), null);
  }

  /**
   * {@code source} and {@code medium} say which links an ad platform's costs pay for; our own CSV and
   * JSON name them on each row, so there they would be dropped without a word: refused instead.
   */
  private static void requireNoPlatformParameters(String layout, String source, String medium) {
    if (layout != null && !layout.isEmpty() && !"generic".equals(layout)) {
      throw new CalltrackException.Invalid("layout " + layout + " is an ad platform's CSV export: send it as text/csv");
    }
    if (source != null && !source.isEmpty() || medium != null && !medium.isEmpty()) {
      throw new CalltrackException.Invalid("source and medium apply to an ad platform's export (Google Ads, "
          + "Microsoft Advertising, Meta Ads Manager); in our own CSV and JSON each row names its source and medium");
    }
  }

  /**
   * The running sum of each day and level, and of each day: Redis adds a level's rows up (HINCRBY,
   * after the day was emptied), and a report adds days and levels up (in cents, as a long: at most
   * 400 days of at most the maximum each stays far below its limit), so a sum past the maximum is
   * refused here, naming the row, before anything is written.
   */
  static final class Sums {
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

  static List<SpendRow> nonEmpty(List<SpendRow> rows) {
    if (rows.isEmpty()) {
      throw new CalltrackException.Invalid("no spend rows in the upload");
    }
    return rows;
  }

  static List<SpendRow> fromCsv(String text) {
    return fromCsv(Csv.read(text), null);
  }

  static List<SpendRow> fromCsv(String text, String currency) {
    return fromCsv(Csv.read(text), currency);
  }

  /** Our own columns. {@code currency}: the property's; a row naming another currency is refused. */
  static List<SpendRow> fromCsv(List<List<String>> text, String currency) {
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
        // a misspelt column ("campain") is refused as a CSV header's is, not dropped: the row would
        // join at a coarser level than the business meant
        r.fieldNames().forEachRemaining(f -> {
          if (!COLUMNS.contains(f)) {
            throw new CalltrackException.Invalid("unknown field '" + f + "' (a spend row takes "
                + String.join(", ", COLUMNS) + ")");
          }
        });
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
  static void requireCurrency(String rowCurrency, String currency) {
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
