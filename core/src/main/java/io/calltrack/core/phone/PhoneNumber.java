package io.calltrack.core.phone;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.PhoneNumberUtil.PhoneNumberFormat;
import com.google.i18n.phonenumbers.PhoneNumberUtil.ValidationResult;
import com.google.i18n.phonenumbers.Phonenumber;
import io.calltrack.core.CalltrackException;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A phone number in E.164 form ({@code +15551230001}). Parses what real sites print, given the
 * country a national number belongs to. Validation is by length for the country (libphonenumber's
 * "possible number"), not by its allocation tables: tracking numbers and the 555 numbers used in
 * demos and tests are real to us even where the tables do not list them. Letters are refused rather
 * than read as vanity digits, so a typo is an error, never a silent guess.
 */
public final class PhoneNumber implements Comparable<PhoneNumber> {
  /** Country assumed for numbers written without a country code, unless a caller says otherwise. */
  public static final String DEFAULT_REGION = "US";

  private static final PhoneNumberUtil UTIL = PhoneNumberUtil.getInstance();
  /** An optional leading '+', then digits and the separators sites print. */
  private static final Pattern PRINTABLE = Pattern.compile("\\+?[0-9()\\-./\\s\\u00a0]+");

  private final String e164;
  /** {@link #region()}, once looked up (a race only looks it up twice). */
  private volatile String region;

  private PhoneNumber(String e164) {
    this.e164 = e164;
  }

  /** Parses a number as printed on a page or typed by a user; national numbers are read in {@code region}. */
  public static PhoneNumber parse(String text, String region) {
    if (text == null || text.isBlank()) {
      throw new CalltrackException.Invalid("phone number is empty");
    }
    String raw = text.strip();
    if (raw.regionMatches(true, 0, "tel:", 0, 4)) {
      raw = raw.substring(4);
      int params = raw.indexOf(';');
      if (params >= 0) {
        raw = raw.substring(0, params);
      }
    }
    if (!PRINTABLE.matcher(raw).matches()) {
      throw new CalltrackException.Invalid("not a phone number: '" + text + "'");
    }
    String regionCode = region == null ? DEFAULT_REGION : region.toUpperCase(Locale.ROOT);
    try {
      Phonenumber.PhoneNumber parsed = UTIL.parse(raw, regionCode);
      ValidationResult possible = UTIL.isPossibleNumberWithReason(parsed);
      if (possible != ValidationResult.IS_POSSIBLE) {
        throw new CalltrackException.Invalid("not a valid phone number for its country: '" + text + "' ("
            + whyImpossible(possible, raw.startsWith("+") ? "+" + parsed.getCountryCode()
                : "a national number of " + regionCode) + ")");
      }
      return new PhoneNumber(UTIL.format(parsed, PhoneNumberFormat.E164));
    } catch (NumberParseException e) {
      throw new CalltrackException.Invalid("not a phone number: '" + text + "' (" + whyUnreadable(e, raw) + ")");
    }
  }

  /** Why a number of {@code country} ("+44", "a national number of US") cannot be one, in the user's terms. */
  private static String whyImpossible(ValidationResult result, String country) {
    return switch (result) {
      case TOO_SHORT -> "too short for " + country;
      case TOO_LONG -> "too long for " + country;
      case IS_POSSIBLE_LOCAL_ONLY -> "a local number: write it with its area code";
      case INVALID_COUNTRY_CODE -> "no country has calling code " + country;
      default -> "no number of " + country + " has that many digits";
    };
  }

  /** Why the text reads as no number at all, in the user's terms (the library's own words name its parser). */
  private static String whyUnreadable(NumberParseException e, String raw) {
    return switch (e.getErrorType()) {
      case INVALID_COUNTRY_CODE -> raw.startsWith("+")
          ? "no country's calling code follows the +" : "a national number needs its country";
      case TOO_SHORT_AFTER_IDD -> "too short after the international prefix";
      case TOO_SHORT_NSN -> "too short";
      case TOO_LONG -> "too long";
      default -> "no digits that make a number";
    };
  }

  /** Parses with {@link #DEFAULT_REGION}. Used for API input, where numbers should be E.164 anyway. */
  public static PhoneNumber parse(String text) {
    return parse(text, DEFAULT_REGION);
  }

  /**
   * Numbers read from JSON, parsed once per distinct text: every server reads its pools' numbers again
   * after each configuration change, and a 10,000-number pool took 50 ms of libphonenumber each time
   * (on an event loop, where config reads answer). Bounded like every {@link ParseCache}.
   */
  private static final io.calltrack.core.ParseCache<PhoneNumber> READ = new io.calltrack.core.ParseCache<>(50_000);

  /** {@link #parse(String)}, as JSON reads a number. */
  @JsonCreator
  public static PhoneNumber fromJson(String text) {
    return READ.get(text, PhoneNumber::parse);
  }

  /**
   * Reads the user part of a SIP or tel URI: digits with or without a leading {@code +}. Digits
   * without {@code +} are read as a national number of {@code region} (which also takes the
   * country code with its trunk prefix, {@code 1555...} in the US) and, where that is not a possible
   * number, as an international number without its {@code +} ({@code 4420...}).
   */
  public static PhoneNumber fromDialled(String userPart, String region) {
    String digits = userPart == null ? "" : userPart.strip();
    if (digits.startsWith("+") || !digits.matches("[0-9]{8,15}")) {
      return parse(digits, region);
    }
    try {
      return parse(digits, region);
    } catch (CalltrackException.Invalid notNational) {
      return parse("+" + digits, region);
    }
  }

  /**
   * The number's region ("US", "GB"; "001" for a non-geographic country code): where a national
   * number dialled or shown beside it is read. Looked up once per number.
   */
  public String region() {
    String r = region;
    if (r == null) {
      try {
        r = UTIL.getRegionCodeForNumber(UTIL.parse(e164, DEFAULT_REGION));
      } catch (NumberParseException e) {
        r = null; // an E.164 string this class made always parses
      }
      region = r = r == null ? DEFAULT_REGION : r;
    }
    return r;
  }

  /** {@code +15551230001}. */
  @JsonValue
  public String e164() {
    return e164;
  }

  /** The digits without the {@code +}, as SIP trunks usually send them. */
  public String digits() {
    return e164.substring(1);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PhoneNumber other && other.e164.equals(e164);
  }

  @Override
  public int hashCode() {
    return Objects.hash(e164);
  }

  @Override
  public int compareTo(PhoneNumber o) {
    return e164.compareTo(o.e164);
  }

  @Override
  public String toString() {
    return e164;
  }
}
