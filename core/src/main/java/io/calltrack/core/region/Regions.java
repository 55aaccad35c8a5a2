package io.calltrack.core.region;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber;
import com.google.i18n.phonenumbers.geocoding.PhoneNumberOfflineGeocoder;
import io.calltrack.core.phone.PhoneNumber;
import java.util.Locale;
import java.util.Map;

/**
 * Regions of tracking numbers and of visits. A number's region and area code come from the number
 * alone, offline (libphonenumber's geocoder data, English names such as "Chicago, IL"). A visit's
 * region is what the site says ({@code data-region}, {@code calltrack.region(...)}), else the
 * property's region for the browser's time zone, else none.
 *
 * <p>Region names are compared without case, and a name without a comma also matches the part before
 * the comma of a longer one, so a site's "Chicago" matches a number's "Chicago, IL".
 */
public final class Regions {
  private static final PhoneNumberUtil UTIL = PhoneNumberUtil.getInstance();
  private static final PhoneNumberOfflineGeocoder GEO = PhoneNumberOfflineGeocoder.getInstance();

  private Regions() {}

  /** Where a number is registered, as far as the number itself tells. */
  public record Place(String region, String areaCode) {}

  /** The number's region ("Chicago, IL", or the country when nothing finer is known) and area code ("312"). */
  public static Place of(PhoneNumber number) {
    Phonenumber.PhoneNumber n;
    try {
      n = UTIL.parse(number.e164(), null);
    } catch (NumberParseException e) {
      return new Place(null, null);
    }
    String region = GEO.getDescriptionForNumber(n, Locale.ENGLISH);
    int len = UTIL.getLengthOfGeographicalAreaCode(n);
    String areaCode = len > 0 ? UTIL.getNationalSignificantNumber(n).substring(0, len) : null;
    return new Place(region == null || region.isBlank() ? null : region, areaCode);
  }

  /** Whether two region names name the same place (see the class comment); false if either is null. */
  public static boolean same(String a, String b) {
    if (a == null || b == null) {
      return false;
    }
    String x = a.strip().toLowerCase(Locale.ROOT);
    String y = b.strip().toLowerCase(Locale.ROOT);
    return x.equals(y) || city(x).equals(y) || x.equals(city(y));
  }

  private static String city(String region) {
    int comma = region.indexOf(',');
    return comma < 0 ? region : region.substring(0, comma).strip();
  }

  /**
   * The visit's region: the site's own, else the one the property maps the browser's time zone to,
   * else null.
   */
  public static String ofVisit(String siteRegion, String browserTimeZone, Map<String, String> timeZoneRegions) {
    if (siteRegion != null && !siteRegion.isBlank()) {
      return siteRegion.strip();
    }
    if (browserTimeZone == null || timeZoneRegions == null) {
      return null;
    }
    return timeZoneRegions.get(browserTimeZone.strip());
  }
}
