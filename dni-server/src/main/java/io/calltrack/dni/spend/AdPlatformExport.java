package io.calltrack.dni.spend;

import io.calltrack.core.CalltrackException;
import io.calltrack.core.report.Money;
import io.calltrack.core.spend.SpendRow;
import io.calltrack.dni.report.CsvTable;
import io.calltrack.dni.report.ReportParams;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A cost report as an ad platform lets a marketer download it, read as it is: Google Ads (a title and a
 * date-range line above the header, {@code Total: ...} rows below the data, amounts like
 * {@code "1,234.56"}; its "Excel .csv" is UTF-16 and tab-separated, which {@code Csv} reads),
 * Microsoft Advertising (quoted {@code "Report Name: ..."} lines and a blank line above the header, a
 * {@code Total} row and a copyright line below) and Meta Ads Manager ({@code Amount spent (USD)}, the
 * currency in the column's name). Every other column (clicks, impressions, conversions, ...) is not read.
 *
 * <p>The platform's campaign, ad group (Meta: ad set) and keyword are the spend row's levels; the
 * source and medium are those the site's links carry for the platform, given by the uploader or the
 * platform's default, which is what calltrack records for a click that carries only the platform's
 * click id (gclid: google / cpc, msclkid: bing / cpc, fbclid: facebook / cpc).
 */
final class AdPlatformExport {
  /** How far down the file its header may be: Microsoft's preamble is about a dozen lines. */
  private static final int HEADER_WITHIN = 50;
  /** An amount with commas: they group thousands, as the platforms' English downloads write them. */
  private static final Pattern GROUPED = Pattern.compile("\\d{1,3}(,\\d{3})+(\\.\\d+)?");
  /** Meta's amount column, with the account's currency in its name: "Amount spent (USD)". */
  private static final Pattern META_AMOUNT =
      Pattern.compile("(?i)amount\\s*spent\\s*(?:\\(\\s*([a-z]{3})\\s*\\))?");
  /** Google's totals ("Total: Account", "Total: Campaigns", "Total: Search") and Microsoft's ("Total"). */
  private static final Pattern TOTAL = Pattern.compile("(?i)total\\b.*");
  private static final DateTimeFormatter US_DATE =
      DateTimeFormatter.ofPattern("M/d/uuuu", Locale.ROOT).withResolverStyle(ResolverStyle.STRICT);

  /** The layouts the {@code layout} parameter names, and how each one's columns are called. */
  enum Platform {
    GOOGLE_ADS("google-ads", "Google Ads", "google", "cpc", List.of("day"), "cost", List.of("campaign"),
        List.of("adgroup"), List.of("searchkeyword", "keyword"), List.of("currencycode", "currency"),
        "Day (add the segment Time › Day before downloading, so each row is one day's cost)"),
    MICROSOFT_ADS("microsoft-ads", "Microsoft Advertising", "bing", "cpc", List.of("gregoriandate", "timeperiod"),
        "spend", List.of("campaignname", "campaign"), List.of("adgroup", "adgroupname"), List.of("keyword"),
        List.of("currencycode", "currency"), "Gregorian date (choose the time breakdown Day before downloading)"),
    META_ADS("meta-ads", "Meta Ads Manager", "facebook", "cpc", List.of("day"), null, List.of("campaignname"),
        List.of("adsetname"), List.of(), List.of("currency"),
        "Day, or Reporting starts and Reporting ends (export with the breakdown By time › Day)");

    final String layout;
    final String title;
    final String source;
    final String medium;
    final List<String> date;
    /** The amount column's key; null for Meta, whose column is found by {@link #META_AMOUNT}. */
    final String amount;
    final List<String> campaign;
    final List<String> adGroup;
    final List<String> keyword;
    final List<String> currency;
    final String dateAdvice;

    Platform(String layout, String title, String source, String medium, List<String> date, String amount,
        List<String> campaign, List<String> adGroup, List<String> keyword, List<String> currency,
        String dateAdvice) {
      this.layout = layout;
      this.title = title;
      this.source = source;
      this.medium = medium;
      this.date = date;
      this.amount = amount;
      this.campaign = campaign;
      this.adGroup = adGroup;
      this.keyword = keyword;
      this.currency = currency;
      this.dateAdvice = dateAdvice;
    }

    /** The platform the {@code layout} parameter names; null for none (recognise it) or "generic". */
    static Platform named(String layout) {
      return Arrays.stream(values()).filter(p -> p.layout.equals(layout)).findFirst().orElse(null);
    }

    String amountName() {
      return amount == null ? "Amount spent (USD)" : amount.equals("cost") ? "Cost" : "Spend";
    }
  }

  /** Where each read column is in the header (-1: not there), and the header's own names. */
  private record Columns(List<String> names, int date, int starts, int ends, int amount, String amountCurrency,
      int campaign, int adGroup, int keyword, int currency) {}

  private final Platform platform;
  private final List<List<String>> records;
  private final int headerIndex;
  private final Columns columns;

  private AdPlatformExport(Platform platform, List<List<String>> records, int headerIndex, Columns columns) {
    this.platform = platform;
    this.records = records;
    this.headerIndex = headerIndex;
    this.columns = columns;
  }

  Platform platform() {
    return platform;
  }

  /**
   * The export in {@code records}: the first of its first records that names a platform's amount
   * column and another of its columns. {@code forced}: the platform the uploader named (its header
   * must be there); null to recognise any. Null when none is found and none was named.
   */
  static AdPlatformExport find(List<List<String>> records, Platform forced) {
    List<Platform> platforms = forced == null ? List.of(Platform.values()) : List.of(forced);
    for (int i = 0; i < Math.min(records.size(), HEADER_WITHIN); i++) {
      for (Platform p : platforms) {
        Columns c = columns(p, records.get(i), i + 1);
        if (c != null) {
          return new AdPlatformExport(p, records, i, c);
        }
      }
    }
    if (forced != null) {
      throw new CalltrackException.Invalid("no " + forced.title + " header in the first " + HEADER_WITHIN
          + " rows of the upload: expected a row naming the columns " + forced.amountName() + " and "
          + forced.dateAdvice);
    }
    return null;
  }

  /** The record's columns if it is {@code p}'s header; refused if it is but has no day column. */
  private static Columns columns(Platform p, List<String> record, int number) {
    List<String> keys = record.stream().map(CsvTable::key).toList();
    int amount = -1;
    String amountCurrency = null;
    for (int c = 0; c < record.size() && amount < 0; c++) {
      if (p.amount != null ? p.amount.equals(keys.get(c)) : META_AMOUNT.matcher(strip(record.get(c))).matches()) {
        amount = c;
        if (p.amount == null) {
          Matcher m = META_AMOUNT.matcher(strip(record.get(c)));
          amountCurrency = m.matches() ? m.group(1) : null;
        }
      }
    }
    int date = index(keys, p.date);
    int starts = p == Platform.META_ADS ? keys.indexOf("reportingstarts") : -1;
    int ends = p == Platform.META_ADS ? keys.indexOf("reportingends") : -1;
    int campaign = index(keys, p.campaign);
    int adGroup = index(keys, p.adGroup);
    int keyword = index(keys, p.keyword);
    int currency = index(keys, p.currency);
    boolean another = date >= 0 || starts >= 0 || campaign >= 0 || adGroup >= 0 || keyword >= 0 || currency >= 0;
    if (amount < 0 || !another) {
      return null;
    }
    if (date < 0 && (starts < 0 || ends < 0)) {
      throw new CalltrackException.Invalid("row " + number + ": this " + p.title + " report has no column "
          + p.dateAdvice);
    }
    return new Columns(record.stream().map(AdPlatformExport::strip).toList(), date, starts, ends, amount,
        amountCurrency, campaign, adGroup, keyword, currency);
  }

  private static int index(List<String> keys, List<String> names) {
    for (String n : names) {
      int i = keys.indexOf(n);
      if (i >= 0) {
        return i;
      }
    }
    return -1;
  }

  /**
   * The spend rows of the data below the header, totals, summary and copyright rows left out; every
   * row checked first (as {@link SpendRoutes} does), any bad one refused by its row number in the file.
   *
   * @param propertyCurrency the property's currency (null: not known here)
   */
  List<SpendRow> rows(String propertyCurrency, String source, String medium) {
    String src = source == null || source.isBlank() ? platform.source : source;
    String med = medium == null || medium.isBlank() ? platform.medium : medium;
    RowErrors errors = new RowErrors();
    SpendRoutes.Sums sums = new SpendRoutes.Sums();
    List<SpendRow> rows = new ArrayList<>();
    String fileCurrency = null;
    int fileCurrencyRow = 0;
    int width = columns.names().size();
    for (int i = headerIndex + 1; i < records.size(); i++) {
      List<String> r = records.get(i);
      int number = i + 1;
      if (io.calltrack.dni.report.Csv.blank(r) || copyright(r) || total(r) || summary(r)) {
        continue;
      }
      if (r.size() < width || r.subList(width, r.size()).stream().anyMatch(f -> f != null && !f.isBlank())) {
        errors.add(number, "expected " + width + " fields as the header (row " + (headerIndex + 1) + ") has, got "
            + r.size());
        continue;
      }
      try {
        LocalDate day = day(r);
        String currency = columns.currency() >= 0 && !cell(r, columns.currency()).isEmpty()
            ? cell(r, columns.currency()) : columns.amountCurrency();
        SpendRoutes.requireCurrency(currency, propertyCurrency);
        if (currency != null) {
          String code = currency.toUpperCase(Locale.ROOT);
          if (fileCurrency == null) {
            fileCurrency = code;
            fileCurrencyRow = number;
          } else if (!fileCurrency.equals(code)) {
            throw new CalltrackException.Invalid("currency " + code + " is not the " + fileCurrency + " of row "
                + fileCurrencyRow + " (one currency per file)");
          }
        }
        long minor = amount(r.get(columns.amount()), columns.names().get(columns.amount()));
        sums.add(new SpendRow(day, src, med, cell(r, columns.campaign()), cell(r, columns.keyword()),
            cell(r, columns.adGroup()), "", minor), number, rows, errors);
      } catch (CalltrackException e) {
        errors.add(number, e.getMessage());
      }
    }
    errors.throwIfAny();
    return SpendRoutes.nonEmpty(rows);
  }

  /**
   * The row's day: its day column, or (Meta, without a daily breakdown) its reporting period when that
   * is one day. A period of several days is refused: spreading it would invent a daily cost the
   * platform never reported, and each day of the upload replaces what was stored for it.
   */
  private LocalDate day(List<String> r) {
    if (columns.date() >= 0) {
      return date(r, columns.date());
    }
    LocalDate starts = date(r, columns.starts());
    LocalDate ends = date(r, columns.ends());
    if (!starts.equals(ends)) {
      throw new CalltrackException.Invalid(columns.names().get(columns.starts()) + " " + starts + " and "
          + columns.names().get(columns.ends()) + " " + ends + " are not one day: export with the breakdown "
          + "By time › Day, so each row is one day's spend");
    }
    return starts;
  }

  /** 2026-12-01; Microsoft Advertising's English downloads also write 12/1/2026 (month first). */
  private LocalDate date(List<String> r, int column) {
    String name = columns.names().get(column);
    String v = cell(r, column);
    LocalDate day;
    try {
      day = platform == Platform.MICROSOFT_ADS && v.indexOf('/') >= 0 ? LocalDate.parse(v, US_DATE)
          : LocalDate.parse(v);
    } catch (DateTimeParseException e) {
      throw new CalltrackException.Invalid(name + " must look like 2026-12-01"
          + (platform == Platform.MICROSOFT_ADS ? " or 12/1/2026 (month/day/year)" : "") + ": '" + quote(v) + "'");
    }
    if (!ReportParams.reportable(day)) {
      throw new CalltrackException.Invalid(name + " must be a day from 1970-01-01 to 9999-12-31: '" + v + "'");
    }
    return day;
  }

  /**
   * An amount as the platform writes it: "1,234.56" (commas group thousands) or "1234.56", exactly,
   * with the rules of every amount ({@link Money}); an empty cell or "--" is no cost.
   */
  static long amount(String raw, String column) {
    String v = strip(raw);
    if (v.isEmpty() || v.equals("--")) {
      return 0L;
    }
    if (v.indexOf(',') >= 0) {
      if (v.length() > 60 || !GROUPED.matcher(v).matches()) {
        throw new CalltrackException.Invalid(column + " must be a number like 1234.56 or 1,234.56 (a comma "
            + "only groups thousands): '" + quote(v) + "'");
      }
      v = v.replace(",", "");
    }
    return Money.parseMinor(v, column);
  }

  /** Google's "Total: ..." rows and Microsoft's "Total" row: their first field says so, and no day. */
  private boolean total(List<String> r) {
    int first = 0;
    while (first < r.size() && strip(r.get(first)).isEmpty()) {
      first++;
    }
    if (first == r.size() || !TOTAL.matcher(strip(r.get(first))).matches()) {
      return false;
    }
    int date = columns.date() >= 0 ? columns.date() : columns.starts();
    String day = cell(r, date);
    return date == first || day.isEmpty();
  }

  /** Meta's summary row (added when asked): neither a campaign, an ad set nor a day. */
  private boolean summary(List<String> r) {
    if (platform != Platform.META_ADS || columns.campaign() < 0 && columns.adGroup() < 0 && columns.date() < 0) {
      return false;
    }
    return cell(r, columns.campaign()).isEmpty() && cell(r, columns.adGroup()).isEmpty()
        && cell(r, columns.date()).isEmpty();
  }

  /** Microsoft's last line: "©2026 Microsoft Corporation. All rights reserved. " alone. */
  private static boolean copyright(List<String> r) {
    List<String> filled = r.stream().filter(f -> f != null && !f.isBlank()).toList();
    return filled.size() == 1 && filled.get(0).toLowerCase(Locale.ROOT).contains("microsoft corporation")
        && filled.get(0).toLowerCase(Locale.ROOT).contains("rights reserved");
  }

  /** A level's or day's field; "--" is what Google writes where a row has none. */
  private static String cell(List<String> r, int column) {
    if (column < 0 || column >= r.size()) {
      return "";
    }
    String v = strip(r.get(column));
    return v.equals("--") ? "" : v;
  }

  private static String strip(String v) {
    return v == null ? "" : v.strip();
  }

  private static String quote(String v) {
    return v.length() > 40 ? v.substring(0, 40) + "…" : v;
  }
}
