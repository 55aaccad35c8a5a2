package io.calltrack.core.attribution;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Where a visit came from: the marketing channel (source / medium / campaign / keyword / content),
 * the ad group and ad (utm_adgroup / utm_ad), the page it landed on, the referrer, and the ad click ids that let conversions be sent back to the
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
    String adGroup,
    String ad) {

  public static final Attribution UNKNOWN =
      new Attribution(null, null, null, null, null, null, null, null, null, null, null, null);

  /** Without ad group and ad (utm_adgroup / utm_ad), which most visits do not carry. */
  public Attribution(String source, String medium, String campaign, String keyword, String content,
      String landingPage, String referrer, String gclid, String gbraid, String wbraid, String msclkid,
      String fbclid) {
    this(source, medium, campaign, keyword, content, landingPage, referrer, gclid, gbraid, wbraid, msclkid,
        fbclid, null, null);
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
    adGroup = clean(adGroup);
    ad = clean(ad);
  }

  /** The same attribution with the landing page and referrer of this visit where it had none. */
  public Attribution withPage(String landingPage, String referrer) {
    return new Attribution(source, medium, campaign, keyword, content,
        this.landingPage != null ? this.landingPage : landingPage,
        this.referrer != null ? this.referrer : referrer,
        gclid, gbraid, wbraid, msclkid, fbclid, adGroup, ad);
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
