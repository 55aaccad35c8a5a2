package io.calltrack.core.spend;

import io.calltrack.core.CalltrackException;
import java.time.LocalDate;

/**
 * One line of advertising (or other) cost: what a day of one source / medium / campaign (and
 * optionally keyword, ad group or landing page) cost, in minor units. Empty fields mean the cost was
 * given at a coarser level: a row with a source only costs that source as a whole; a row without a
 * source is an account-level cost (software, per-minute charges) that only the report's total row
 * carries; a row naming a keyword costs that keyword (and its source, medium, campaign).
 */
public record SpendRow(LocalDate date, String source, String medium, String campaign, String keyword,
    String adGroup, String landingPage, long amountMinor) {
  public SpendRow {
    if (date == null) {
      throw new CalltrackException.Invalid("date is required (YYYY-MM-DD)");
    }
    source = clean(source);
    medium = clean(medium);
    campaign = clean(campaign);
    keyword = clean(keyword);
    adGroup = clean(adGroup);
    landingPage = clean(landingPage);
    // joined to calls' landing pages as reports know them: "/boilers?utm_source=x" costs "/boilers"
    landingPage = landingPage.isEmpty() ? "" : io.calltrack.core.attribution.LandingPage.forReports(landingPage);
    if (amountMinor < 0) {
      throw new CalltrackException.Invalid("amount must not be negative");
    }
  }

  public SpendRow(LocalDate date, String source, String medium, String campaign, long amountMinor) {
    this(date, source, medium, campaign, "", "", "", amountMinor);
  }

  private static String clean(String v) {
    if (v == null) {
      return "";
    }
    String s = v.strip();
    // tabs separate a level's parts in its Redis field; a carriage return (a CSV cut on an old Mac's
    // line ends) or any other control character is no part of a name a report could show
    if (s.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      throw new CalltrackException.Invalid("source, medium, campaign, keyword, adGroup and landingPage must not "
          + "contain tabs, line breaks or other control characters");
    }
    return s;
  }

  /** The Redis hash field of this row's level (three parts when no keyword, ad group or page is named). */
  String field() {
    String base = source + "\t" + medium + "\t" + campaign;
    return keyword.isEmpty() && adGroup.isEmpty() && landingPage.isEmpty() ? base
        : base + "\t" + keyword + "\t" + adGroup + "\t" + landingPage;
  }

  static SpendRow of(LocalDate date, String field, long amount) {
    String[] p = field.split("\t", -1);
    return new SpendRow(date, part(p, 0), part(p, 1), part(p, 2), part(p, 3), part(p, 4), part(p, 5), amount);
  }

  private static String part(String[] p, int i) {
    return p.length > i ? p[i] : "";
  }
}
