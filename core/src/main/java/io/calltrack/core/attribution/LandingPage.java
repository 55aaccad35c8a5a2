package io.calltrack.core.attribution;

import java.util.Locale;
import java.util.Set;
import java.util.StringJoiner;

/**
 * A landing page as reports group by it and spend is joined to it: its path and query without the
 * parameters ad platforms and analytics add to each click ({@code utm_*}, {@code gclid}, {@code fbclid},
 * ...) and without the fragment. The call record keeps the page as the visitor landed on it.
 *
 * <p>Why: a paid visit lands on {@code /boilers?utm_source=google&gclid=<one per click>}, so grouped by
 * the page as landed on every paid call was a landing page of its own, and spend given for
 * {@code /boilers} joined none of them. Parameters that choose the page ({@code /index.php?page=boilers})
 * stay.
 */
public final class LandingPage {
  /** Parameters that name a click, not a page (lower case): personal data, like the click ids. */
  public static final Set<String> CLICK_PARAMETERS = Set.of("gclid", "gclsrc", "gbraid", "wbraid", "dclid",
      "gad_source", "gad_campaignid", "msclkid", "fbclid", "ttclid", "twclid", "li_fat_id", "yclid", "ysclid",
      "igshid", "epik", "rdt_cid", "sccid", "irclickid", "s_kwcid", "ef_id", "srsltid", "_gl", "_ga", "mc_cid",
      "mc_eid", "mkt_tok", "_hsenc", "_hsmi");
  /** Families of campaign parameters: Google's utm, HubSpot's ads, Matomo's and Piwik's campaigns. */
  private static final String[] CAMPAIGN_PREFIXES = {"utm_", "hsa_", "mtm_", "pk_"};

  private LandingPage() {}

  /** {@code landingPage} as reports know it; null stays null. Idempotent. */
  public static String forReports(String landingPage) {
    if (landingPage == null) {
      return null;
    }
    String p = pathAndQuery(landingPage);
    if (p == null) {
      return "/";
    }
    return withoutParameters(p, LandingPage::isClickParameter); // never empty: pathAndQuery answers null for that
  }

  /**
   * {@code landingPage} as it was landed on but for its click ids ({@link #CLICK_PARAMETERS}), which
   * name one person's click: what an erased visit keeps. Campaign parameters stay; null stays null.
   */
  public static String withoutClickIds(String landingPage) {
    return landingPage == null ? null
        : withoutParameters(landingPage, name -> CLICK_PARAMETERS.contains(name));
  }

  private static String withoutParameters(String p, java.util.function.Predicate<String> drop) {
    int q = p.indexOf('?');
    if (q < 0) {
      return p;
    }
    StringJoiner kept = new StringJoiner("&");
    for (String pair : p.substring(q + 1).split("&")) {
      int eq = pair.indexOf('=');
      String name = (eq < 0 ? pair : pair.substring(0, eq)).toLowerCase(Locale.ROOT);
      if (!pair.isEmpty() && !drop.test(name)) {
        kept.add(pair);
      }
    }
    String path = q == 0 ? "/" : p.substring(0, q);
    return kept.length() == 0 ? path : path + "?" + kept;
  }

  /**
   * A page's path and query, without the fragment: {@code https://site.example/a/b?utm_source=x#top} is
   * {@code /a/b?utm_source=x}; a path is kept as it is. Lenient, never fails; null for a blank one.
   */
  public static String pathAndQuery(String url) {
    if (url == null || url.isBlank()) {
      return null;
    }
    String u = url.strip();
    int hash = u.indexOf('#');
    if (hash >= 0) {
      u = u.substring(0, hash);
    }
    int scheme = u.indexOf("://");
    if (scheme >= 0) {
      int path = u.indexOf('/', scheme + 3);
      int query = u.indexOf('?', scheme + 3);
      if (path < 0 || (query >= 0 && query < path)) {
        return query < 0 ? "/" : "/" + u.substring(query);
      }
      return u.substring(path);
    }
    return u.isEmpty() ? null : u;
  }

  private static boolean isClickParameter(String name) {
    if (CLICK_PARAMETERS.contains(name)) {
      return true;
    }
    for (String prefix : CAMPAIGN_PREFIXES) {
      if (name.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }
}
