package io.calltrack.core.config;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.PhoneNumberUtil.PhoneNumberType;
import com.google.i18n.phonenumbers.Phonenumber;
import io.calltrack.core.CalltrackException;
import io.calltrack.core.net.PublicAddresses;
import io.calltrack.core.phone.EmergencyNumbers;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a property's {@code businessLine}, and each of its overflow lines, may call. The router forwards
 * every call on the property's tracking numbers there, and the callback dialer rings it, so the line
 * is where the operator's trunks spend money. A write API key sets it, which makes it a tenant's input:
 *
 * <ul>
 *   <li>for everyone: a line whose user part is a phone number is not an emergency number and not
 *       premium-rate or shared-cost (forwarded there through the operator's trunk, each tracked call
 *       would bill the operator, or ring the emergency services);
 *   <li>for an API key, a line it changes goes only to a host whose every address is public
 *       ({@link PublicAddresses}): pointed at the operator's own network, the router would deliver
 *       calls to, and ring from, hosts that trust it (a PBX there may dial out with a prefix the
 *       number checks cannot see). The admin token may point a line anywhere, and an operator whose
 *       tenants' PBXs are on its private network sets {@code CALLTRACK_SIP_LINES_PRIVATE=allow}.
 *       The property keeps which of its lines a key set ({@link PropertyConfig#setByKey}), and the
 *       router holds those to public addresses at every call ({@link #publicOnly}).
 * </ul>
 */
public final class BusinessLines {
  /** The environment variable an operator sets to {@code allow} to let API keys point lines at private hosts. */
  public static final String VARIABLE = "CALLTRACK_SIP_LINES_PRIVATE";

  public static final BusinessLines PUBLIC_FOR_KEYS = new BusinessLines(false);
  public static final BusinessLines ANY = new BusinessLines(true);

  private static final PhoneNumberUtil UTIL = PhoneNumberUtil.getInstance();

  private final boolean privateAllowedForKeys;

  private BusinessLines(boolean privateAllowedForKeys) {
    this.privateAllowedForKeys = privateAllowedForKeys;
  }

  /** {@code deny} (or unset): API keys point lines at public hosts only; {@code allow}: anywhere. Anything else is refused. */
  public static BusinessLines parse(String value) {
    return PublicAddresses.privateAllowed(VARIABLE, value) ? ANY : PUBLIC_FOR_KEYS;
  }

  /** As the process's environment says ({@link #VARIABLE}). */
  public static BusinessLines fromEnvironment() {
    return parse(System.getenv(VARIABLE));
  }

  /**
   * One SIP URI the router can send a request to: {@code sip:} or {@code sips:}, a user part, one '@', a
   * host (a name, IPv4, or [IPv6]), a port of 1-65535 and {@code ;parameters}, each optional. No
   * headers ({@code ?Route=...}: RFC 3261 19.1.5 keeps them out of a Request-URI, which the line
   * becomes), no second '@' (the router reads the host after the first, {@link #host} after the last,
   * so a key could name a private host to one and a public host to the other), no spaces, no '<>'.
   */
  private static final Pattern SIP_URI = Pattern.compile("(?i)sips?:[A-Za-z0-9\\-_.!~*'()&=+$,;/:%]+@"
      + "(?:\\[[0-9A-Fa-f:.]+]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?\\.?)(?::([0-9]{1,5}))?"
      + "(?:;[A-Za-z0-9\\-_.!~*'()\\[\\]/:&+$%=]+)*");

  /** 400 unless {@code line} (when given) is a SIP URI as {@link #SIP_URI} says; checked where a client sets it. */
  public static void requireSipUri(String line) {
    requireSipUri("businessLine", line);
  }

  /** As {@link #requireSipUri(String)}, for the line the client calls {@code field}. */
  public static void requireSipUri(String field, String line) {
    if (line == null) {
      return;
    }
    if (line.length() > MAX_URI) {
      throw new CalltrackException.Invalid(field + " must be at most " + MAX_URI + " characters long");
    }
    Matcher m = SIP_URI.matcher(line);
    if (!m.matches() || (m.group(1) != null && !Ports.isPort(m.group(1)))) {
      throw new CalltrackException.Invalid(field + " must be a SIP URI like sip:+15559990000@pbx.example.com:5060"
          + " (user@host, then an optional :port of 1-65535 and ;parameters; no ?headers, spaces or second '@'): '"
          + line + "'");
    }
    String host = host(line);
    if (host != null && !host.contains(":") && (host.length() > 253
        || java.util.Arrays.stream(host.split("\\.")).anyMatch(label -> label.length() > 63))) {
      throw new CalltrackException.Invalid(field + "'s host is not a name DNS can hold (at most 253 characters,"
          + " 63 between dots): '" + (host.length() > 80 ? host.substring(0, 80) + "…" : host) + "'");
    }
  }

  /** The longest line a client may set: a SIP URI goes into every INVITE the router forwards. */
  public static final int MAX_URI = 512;

  /**
   * 400 unless the line's user part, when it is a phone number, is one a forwarded call may ring. A
   * national number (no {@code +}) is read in {@code region}, the property's country. A user part
   * that is not a number (an extension name, {@code reception}) is the PBX's business.
   */
  public static void requireCallableNumber(String line, String region) {
    requireCallableNumber("businessLine", line, region);
  }

  /** As {@link #requireCallableNumber(String, String)}, for the line the client calls {@code field}. */
  public static void requireCallableNumber(String field, String line, String region) {
    if (line == null) {
      return;
    }
    String user = userPart(line);
    if (user == null) {
      return;
    }
    String digits = user.replaceAll("[-.()]", "");
    if (!digits.matches("\\+?[0-9]{1,20}")) {
      return;
    }
    String home = region == null ? io.calltrack.core.phone.PhoneNumber.DEFAULT_REGION : region;
    if (!digits.startsWith("+") && EmergencyNumbers.asTyped(digits, home)) {
      throw emergency(field, line);
    }
    Phonenumber.PhoneNumber n;
    try {
      n = UTIL.parse(digits, home);
    } catch (NumberParseException e) {
      return; // too short or too long for a number: an extension
    }
    if (EmergencyNumbers.asParsed(n)) {
      throw emergency(field, line);
    }
    if (UTIL.isValidNumber(n)) {
      PhoneNumberType type = UTIL.getNumberType(n);
      if (type == PhoneNumberType.PREMIUM_RATE || type == PhoneNumberType.SHARED_COST) {
        throw new CalltrackException.Invalid(field + " calls a " + type.name().toLowerCase(Locale.ROOT).replace('_', '-')
            + " number: '" + line + "'; a business line may not be one (each forwarded call would bill the trunk)");
      }
    }
  }

  /**
   * For an API key's new line: why it may not have it (its host is not public, or does not resolve), or
   * null when it may. Resolves the host: call it off the event loop.
   */
  public String refusalForKey(String line) {
    return refusalForKey("businessLine", line);
  }

  /** As {@link #refusalForKey(String)}, for the line the client calls {@code field}. */
  public String refusalForKey(String field, String line) {
    if (privateAllowedForKeys || line == null) {
      return null;
    }
    String host = host(line);
    if (host == null) {
      return null; // not a SIP URI: the property's own check refuses it
    }
    InetAddress[] all;
    try {
      all = InetAddress.getAllByName(host); // a literal address is not looked up
    } catch (UnknownHostException e) {
      return field + " host " + host + " does not resolve: an API key may set only a line whose host can be "
          + "checked to be public";
    }
    for (InetAddress a : all) {
      if (!PublicAddresses.isPublic(a)) {
        return field + " host " + host + " is " + a.getHostAddress() + ", not a public address: an API key may "
            + "point a business line only at public hosts (the admin token may, or " + VARIABLE + "=allow)";
      }
    }
    return null;
  }

  /**
   * Whether calls may go to {@code line}, one of {@code property}'s, only at public addresses: an API
   * key set it and the operator did not let keys point lines at private hosts. The router holds it to
   * that at every lookup of the line's host, and sends to the address it checked: the check when the
   * key set the line saw the addresses of that moment only, and a name can be pointed elsewhere later
   * (DNS rebinding), or have SRV records that point elsewhere.
   */
  public boolean publicOnly(PropertyConfig property, String line) {
    return !privateAllowedForKeys && property.setByKey(line);
  }

  private static CalltrackException.Invalid emergency(String field, String line) {
    return new CalltrackException.Invalid(field + " calls an emergency number: '" + line
        + "'; tracked calls are never forwarded to one");
  }

  /** The user part of {@code sip:user@host...}, its parameters dropped; null without one. */
  static String userPart(String line) {
    int colon = line.indexOf(':');
    int at = line.lastIndexOf('@');
    if (colon < 0 || at <= colon + 1) {
      return null;
    }
    String user = line.substring(colon + 1, at);
    int semi = user.indexOf(';');
    return semi < 0 ? user : user.substring(0, semi);
  }

  /** The host of {@code sip:user@host[:port][;params]}, without IPv6 brackets; null when there is none. */
  static String host(String line) {
    int at = line.lastIndexOf('@');
    if (at < 0) {
      return null;
    }
    String rest = line.substring(at + 1);
    int end = rest.length();
    for (char c : new char[] {';', '?', '>'}) {
      int i = rest.indexOf(c);
      if (i >= 0) {
        end = Math.min(end, i);
      }
    }
    rest = rest.substring(0, end);
    if (rest.startsWith("[")) {
      int close = rest.indexOf(']');
      return close < 0 ? null : rest.substring(1, close);
    }
    int port = rest.lastIndexOf(':');
    String host = port < 0 ? rest : rest.substring(0, port);
    return host.isEmpty() ? null : host;
  }
}
