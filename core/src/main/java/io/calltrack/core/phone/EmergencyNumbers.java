package io.calltrack.core.phone;

import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber;
import com.google.i18n.phonenumbers.ShortNumberInfo;

/**
 * Whether a number reaches an emergency service (libphonenumber's short-number tables, offline): the one
 * answer for every number calltrack may dial or forward to (a callback's lead, a business line).
 */
public final class EmergencyNumbers {
  private static final PhoneNumberUtil UTIL = PhoneNumberUtil.getInstance();
  private static final ShortNumberInfo SHORT = ShortNumberInfo.getInstance();

  private EmergencyNumbers() {}

  /** {@code digits} as typed, dialled in {@code region}: an emergency number or one that connects to it. */
  public static boolean asTyped(String digits, String region) {
    return SHORT.isEmergencyNumber(digits, region) || SHORT.connectsToEmergencyNumber(digits, region);
  }

  /** A parsed number whose national part is an emergency number of its own country ({@code +33 112}). */
  public static boolean asParsed(Phonenumber.PhoneNumber n) {
    String regionCode = UTIL.getRegionCodeForNumber(n);
    return regionCode != null && asTyped(UTIL.getNationalSignificantNumber(n), regionCode);
  }
}
