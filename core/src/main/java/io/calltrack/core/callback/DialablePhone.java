package io.calltrack.core.callback;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.PhoneNumberUtil.PhoneNumberFormat;
import com.google.i18n.phonenumbers.PhoneNumberUtil.PhoneNumberType;
import com.google.i18n.phonenumbers.Phonenumber;
import io.calltrack.core.CalltrackException;
import io.calltrack.core.phone.EmergencyNumbers;
import io.calltrack.core.phone.PhoneNumber;

/**
 * The one check a lead's number passes before anything may dial it: a complete number valid in
 * libphonenumber's tables (not merely the right length), not an emergency or other short number, and
 * not premium-rate, shared-cost or otherwise billed to the caller. Answers the number in E.164.
 */
public final class DialablePhone {
  private static final PhoneNumberUtil UTIL = PhoneNumberUtil.getInstance();

  private DialablePhone() {}

  /** The lead's number in E.164, national numbers read in {@link PhoneNumber#DEFAULT_REGION}; 400 otherwise. */
  public static String require(String typed) {
    return require(typed, PhoneNumber.DEFAULT_REGION);
  }

  /**
   * The number as typed, stripped, if one was typed at all; 400 otherwise. For a request read before
   * the region its national numbers are in is known ({@link #require(String, String)} follows).
   */
  public static String present(String typed) {
    if (typed == null || typed.isBlank()) {
      throw new CalltrackException.Invalid("phone is required: the number to call back, like +13125550123");
    }
    return typed.strip();
  }

  /**
   * The lead's number in E.164, a national number (and a short emergency number) read in {@code region}:
   * the property's country, where its visitors type their numbers as they dial them; 400 otherwise.
   */
  public static String require(String typed, String region) {
    String home = region == null ? PhoneNumber.DEFAULT_REGION : region;
    String raw = present(typed);
    if (raw.length() > 32 || !raw.matches("\\+?[0-9()\\-./\\s]+")) {
      throw new CalltrackException.Invalid("phone must be a phone number like +13125550123: '" + shorten(raw) + "'");
    }
    String digits = raw.replaceAll("[^0-9+]", "");
    if (EmergencyNumbers.asTyped(digits, home)) {
      throw new CalltrackException.Invalid("phone is an emergency number: callbacks never dial one");
    }
    Phonenumber.PhoneNumber n;
    try {
      n = UTIL.parse(raw, home);
    } catch (NumberParseException e) {
      throw new CalltrackException.Invalid("phone must be a phone number like +13125550123: '" + shorten(raw) + "'");
    }
    if (!UTIL.isValidNumber(n)) {
      throw new CalltrackException.Invalid("phone is not a number that can be dialled: '" + shorten(raw) + "'");
    }
    if (EmergencyNumbers.asParsed(n)) {
      throw new CalltrackException.Invalid("phone is an emergency number: callbacks never dial one");
    }
    PhoneNumberType type = UTIL.getNumberType(n);
    switch (type) {
      case PREMIUM_RATE, SHARED_COST, UAN, VOICEMAIL, PAGER, UNKNOWN ->
          throw new CalltrackException.Invalid("phone is a " + type.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')
              + " number: callbacks only dial fixed-line, mobile, toll-free and personal numbers");
      default -> { }
    }
    return UTIL.format(n, PhoneNumberFormat.E164);
  }

  private static String shorten(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "…" : s;
  }
}
