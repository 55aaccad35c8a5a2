package io.calltrack.core.phone;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber;
import com.google.i18n.phonenumbers.geocoding.PhoneNumberOfflineGeocoder;
import java.util.Locale;

/**
 * Where a caller's number belongs, from the number alone and offline (libphonenumber and its geocoder
 * data): the area code and the region it is registered in. A number moved to another place (mobile
 * portability) still shows where it was issued; anonymous or unparsable callers have neither.
 */
public final class CallerPlace {
  private static final PhoneNumberUtil UTIL = PhoneNumberUtil.getInstance();
  private static final PhoneNumberOfflineGeocoder GEO = PhoneNumberOfflineGeocoder.getInstance();

  private CallerPlace() {}

  /** "+1 312" for +13125550001; null if the number has no geographic area code. */
  public static String areaCode(String caller) {
    Phonenumber.PhoneNumber n = parse(caller);
    if (n == null) {
      return null;
    }
    int len = UTIL.getLengthOfGeographicalAreaCode(n);
    if (len <= 0) {
      return null;
    }
    String national = UTIL.getNationalSignificantNumber(n);
    return "+" + n.getCountryCode() + " " + national.substring(0, len);
  }

  /** "Chicago, IL" (English), or the country when nothing finer is known; null if unknown. */
  public static String region(String caller) {
    Phonenumber.PhoneNumber n = parse(caller);
    if (n == null) {
      return null;
    }
    String d = GEO.getDescriptionForNumber(n, Locale.ENGLISH);
    return d == null || d.isBlank() ? null : d;
  }

  private static Phonenumber.PhoneNumber parse(String caller) {
    if (caller == null || !caller.strip().startsWith("+")) {
      return null;
    }
    try {
      Phonenumber.PhoneNumber n = UTIL.parse(caller.strip(), null);
      return UTIL.isValidNumber(n) ? n : null;
    } catch (NumberParseException e) {
      return null;
    }
  }
}
