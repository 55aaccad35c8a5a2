package io.calltrack.core.attribution;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * Where a visit came from: the marketing channel (source / medium / campaign / keyword / content),
 * the ad group and ad (utm_adgroup / utm_ad), the visitor's first touch when it differs (the
 * snippet sends both; reports choose with {@code model=first|last}), the page it landed on, the referrer,
 * the visit's region (the site's, or its time zone's), the ad click ids that let conversions be sent back to the
 * ad platforms, the visitor's journey (every touch's channel and time, first to last, {@link Touch}),
 * the visit's Google Analytics client and session ids (from the site's {@code _ga} cookies), which
 * let the call be sent to the site's GA4 property as an event of that visitor's session, and its Meta
 * browser id (the Meta Pixel's {@code _fbp} cookie), by which Meta's Conversions API knows the visitor.
 * Every field may be null; {@link #UNKNOWN} has none.
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
    String ad,
    Attribution firstTouch,
    String region,
    List<Touch> journey,
    String gaClientId,
    String gaSessionId,
    String fbp) {

  /** A GA client id as its {@code _ga} cookie holds it after {@code GA1.1.}: two numbers joined by a dot. */
  private static final java.util.regex.Pattern GA_CLIENT_ID = java.util.regex.Pattern.compile("\\d{1,20}\\.\\d{1,20}");
  /** A Meta browser id as the pixel's {@code _fbp} cookie holds it: {@code fb.<n>.<ms>.<random>}. */
  private static final java.util.regex.Pattern FBP = java.util.regex.Pattern.compile("fb\\.\\d\\.\\d{1,20}\\.\\d{1,20}");
  /** A GA4 session id: the session's start in epoch seconds. */
  private static final java.util.regex.Pattern GA_SESSION_ID = java.util.regex.Pattern.compile("\\d{1,20}");

  public static final Attribution UNKNOWN =
      new Attribution(null, null, null, null, null, null, null, null, null, null, null, null);

  /** Without ad group and ad (utm_adgroup / utm_ad), which most visits do not carry. */
  public Attribution(String source, String medium, String campaign, String keyword, String content,
      String landingPage, String referrer, String gclid, String gbraid, String wbraid, String msclkid,
      String fbclid) {
    this(source, medium, campaign, keyword, content, landingPage, referrer, gclid, gbraid, wbraid, msclkid,
        fbclid, null, null, null);
  }

  /** Without a separate first touch (the visitor's first touch is this one). */
  public Attribution(String source, String medium, String campaign, String keyword, String content,
      String landingPage, String referrer, String gclid, String gbraid, String wbraid, String msclkid,
      String fbclid, String adGroup, String ad) {
    this(source, medium, campaign, keyword, content, landingPage, referrer, gclid, gbraid, wbraid, msclkid,
        fbclid, adGroup, ad, null);
  }

  /** Without a Meta browser id, which a site without the Meta Pixel (or an older snippet) does not send. */
  public Attribution(String source, String medium, String campaign, String keyword, String content,
      String landingPage, String referrer, String gclid, String gbraid, String wbraid, String msclkid,
      String fbclid, String adGroup, String ad, Attribution firstTouch, String region, List<Touch> journey,
      String gaClientId, String gaSessionId) {
    this(source, medium, campaign, keyword, content, landingPage, referrer, gclid, gbraid, wbraid, msclkid,
        fbclid, adGroup, ad, firstTouch, region, journey, gaClientId, gaSessionId, null);
  }

  /** Without Google Analytics ids, which a site without GA4 (or an older snippet) does not send. */
  public Attribution(String source, String medium, String campaign, String keyword, String content,
      String landingPage, String referrer, String gclid, String gbraid, String wbraid, String msclkid,
      String fbclid, String adGroup, String ad, Attribution firstTouch, String region, List<Touch> journey) {
    this(source, medium, campaign, keyword, content, landingPage, referrer, gclid, gbraid, wbraid, msclkid,
        fbclid, adGroup, ad, firstTouch, region, journey, null, null, null);
  }

  /** Without a journey ({@link #journey}: the visitor's touches in order), which older snippets do not send. */
  public Attribution(String source, String medium, String campaign, String keyword, String content,
      String landingPage, String referrer, String gclid, String gbraid, String wbraid, String msclkid,
      String fbclid, String adGroup, String ad, Attribution firstTouch, String region) {
    this(source, medium, campaign, keyword, content, landingPage, referrer, gclid, gbraid, wbraid, msclkid,
        fbclid, adGroup, ad, firstTouch, region, null);
  }

  /** Without a region (the visit's city or area, see {@link #withRegion}), which many visits lack. */
  public Attribution(String source, String medium, String campaign, String keyword, String content,
      String landingPage, String referrer, String gclid, String gbraid, String wbraid, String msclkid,
      String fbclid, String adGroup, String ad, Attribution firstTouch) {
    this(source, medium, campaign, keyword, content, landingPage, referrer, gclid, gbraid, wbraid, msclkid,
        fbclid, adGroup, ad, firstTouch, null);
  }

  /** The visitor's first touch: {@link #firstTouch} when the snippet sent one, else this (last) touch. */
  public Attribution first() {
    return firstTouch != null ? firstTouch : this;
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
    if (firstTouch != null && (firstTouch.firstTouch() != null || firstTouch.journey() != null)) {
      // one level: a first touch has no first touch, nor a journey
      Attribution f = firstTouch;
      firstTouch = new Attribution(f.source, f.medium, f.campaign, f.keyword, f.content, f.landingPage, f.referrer,
          f.gclid, f.gbraid, f.wbraid, f.msclkid, f.fbclid, f.adGroup, f.ad, null, f.region, null);
    }
    region = clean(region);
    if (region != null && region.length() > MAX_REGION_LENGTH) {
      region = region.substring(0, MAX_REGION_LENGTH);
    }
    journey = Touch.journey(journey);
    // what GA's own cookies hold, or nothing: the ids go into the Measurement Protocol's requests
    gaClientId = gaClientId != null && GA_CLIENT_ID.matcher(gaClientId).matches() ? gaClientId : null;
    gaSessionId = gaSessionId != null && GA_SESSION_ID.matcher(gaSessionId).matches() ? gaSessionId : null;
    fbp = fbp != null && FBP.matcher(fbp).matches() ? fbp : null;
  }

  /**
   * How many touches the visitor's journey had up to this visit: the journey's, else (a snippet that
   * sent none) two when the first touch was another channel than this one, else one.
   */
  public int touchpoints() {
    if (journey != null) {
      return journey.size();
    }
    return firstTouchThroughAnotherChannel() ? 2 : 1;
  }

  /**
   * Whether the visitor's first touch came through another channel (source, medium or campaign) than
   * this one: a call on this visit was assisted by it (the reports' {@code assisted}).
   */
  public boolean firstTouchThroughAnotherChannel() {
    return firstTouch != null && !(java.util.Objects.equals(firstTouch.source, source)
        && java.util.Objects.equals(firstTouch.medium, medium) && java.util.Objects.equals(firstTouch.campaign, campaign));
  }

  /** Longest region kept: a region is a place name ("Chicago", "Chicago, IL"), not a URL. */
  public static final int MAX_REGION_LENGTH = 100;

  /** The same attribution in {@code newRegion} (the site's or the time zone's region of the visit). */
  public Attribution withRegion(String newRegion) {
    return new Attribution(source, medium, campaign, keyword, content, landingPage, referrer,
        gclid, gbraid, wbraid, msclkid, fbclid, adGroup, ad, firstTouch, newRegion, journey, gaClientId, gaSessionId,
        fbp);
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
    String p = LandingPage.pathAndQuery(landingPage);
    int q = p == null ? 0 : p.indexOf('?');
    return q == 0 ? "/" : q > 0 ? p.substring(0, q) : p;
  }

  /** The same attribution with the landing page and referrer of this visit where it had none. */
  public Attribution withPage(String landingPage, String referrer) {
    return new Attribution(source, medium, campaign, keyword, content,
        this.landingPage != null ? this.landingPage : landingPage,
        this.referrer != null ? this.referrer : referrer,
        gclid, gbraid, wbraid, msclkid, fbclid, adGroup, ad, firstTouch, region, journey, gaClientId, gaSessionId,
        fbp);
  }

  private static String clean(String value) {
    return clean(value, MAX_FIELD_LENGTH);
  }

  /** {@code value} stripped, null when blank, cut to {@code max} characters. */
  static String clean(String value, int max) {
    if (value == null) {
      return null;
    }
    String v = value.strip();
    if (v.isEmpty()) {
      return null;
    }
    return v.length() > max ? v.substring(0, max) : v;
  }
}
