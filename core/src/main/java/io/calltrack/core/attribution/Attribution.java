package io.calltrack.core.attribution;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Where a visit came from: the marketing channel (source / medium / campaign / keyword / content),
 * the page it landed on, the referrer, the visit's region, and the ad click ids that let conversions be sent back to the
 * ad platforms. Every field may be null; {@link #UNKNOWN} has none.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record Attribution(
    String source,
    String medium,
    String campaign,
    String keyword,
    String content,
    String landingPage,
    String referrer,
    String gclid,
    String gbraid,
    String wbraid,
    String msclkid,
    String fbclid,
    String region) {

  public static final Attribution UNKNOWN =
      new Attribution(null, null, null, null, null, null, null, null, null, null, null, null, null);

  /** Without a region (the visit's city or area, see {@link #withRegion}), which many visits lack. */
  public Attribution(String source, String medium, String campaign, String keyword, String content,
      String landingPage, String referrer, String gclid, String gbraid, String wbraid, String msclkid,
      String fbclid) {
    this(source, medium, campaign, keyword, content, landingPage, referrer, gclid, gbraid, wbraid, msclkid,
        fbclid, null);
  }

  /** Longest value kept for any field: a URL or keyword longer than this is cut, not refused. */
  public static final int MAX_FIELD_LENGTH = 2048;

  public Attribution {
    source = clean(source);
    medium = clean(medium);
    campaign = clean(campaign);
    keyword = clean(keyword);
    content = clean(content);
    landingPage = clean(landingPage);
    referrer = clean(referrer);
    gclid = clean(gclid);
    gbraid = clean(gbraid);
    wbraid = clean(wbraid);
    msclkid = clean(msclkid);
    fbclid = clean(fbclid);
    region = clean(region);
    if (region != null && region.length() > MAX_REGION_LENGTH) {
      region = region.substring(0, MAX_REGION_LENGTH);
    }
  }

  /** Longest region kept: a region is a place name ("Chicago", "Chicago, IL"), not a URL. */
  public static final int MAX_REGION_LENGTH = 100;

  /** The same attribution in {@code newRegion} (the site's or the time zone's region of the visit). */
  public Attribution withRegion(String newRegion) {
    return new Attribution(source, medium, campaign, keyword, content, landingPage, referrer,
        gclid, gbraid, wbraid, msclkid, fbclid, newRegion);
  }

  /** The referrer's host, lower case without a leading {@code www.}; null without a referrer URL. */
  public String referrerHost() {
    if (referrer == null) {
      return null;
    }
    try {
      String host = java.net.URI.create(referrer.strip()).getHost();
      if (host == null) {
        return null;
      }
      host = host.toLowerCase(java.util.Locale.ROOT);
      return host.startsWith("www.") ? host.substring(4) : host;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** The landing page's path (no query), {@code /} when it has none; null without a landing page. */
  public String landingPath() {
    if (landingPage == null) {
      return null;
    }
    String p = landingPage;
    int scheme = p.indexOf("://");
    if (scheme >= 0) {
      int slash = p.indexOf('/', scheme + 3);
      p = slash < 0 ? "/" : p.substring(slash);
    }
    int cut = p.length();
    for (char c : new char[] {'?', '#'}) {
      int i = p.indexOf(c);
      if (i >= 0 && i < cut) {
        cut = i;
      }
    }
    p = p.substring(0, cut);
    return p.isEmpty() ? "/" : p;
  }

  /** The same attribution with the landing page and referrer of this visit where it had none. */
  public Attribution withPage(String landingPage, String referrer) {
    return new Attribution(source, medium, campaign, keyword, content,
        this.landingPage != null ? this.landingPage : landingPage,
        this.referrer != null ? this.referrer : referrer,
        gclid, gbraid, wbraid, msclkid, fbclid, region);
  }

  private static String clean(String value) {
    if (value == null) {
      return null;
    }
    String v = value.strip();
    if (v.isEmpty()) {
      return null;
    }
    return v.length() > MAX_FIELD_LENGTH ? v.substring(0, MAX_FIELD_LENGTH) : v;
  }
}
