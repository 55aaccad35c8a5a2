package io.calltrack.core.net;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * Which addresses are on the public internet: where a tenant's input (a webhook URL, a business line an
 * API key sets) may make the server connect without reaching the operator's own network.
 */
public final class PublicAddresses {
  private PublicAddresses() {}

  /**
   * An operator's {@code allow} or {@code deny} (unset: deny) for a tenant's targets on non-public
   * addresses, set in the environment variable {@code variable}; anything else is refused.
   */
  public static boolean privateAllowed(String variable, String value) {
    String v = value == null ? "" : value.strip().toLowerCase(java.util.Locale.ROOT);
    return switch (v) {
      case "", "deny" -> false;
      case "allow" -> true;
      default -> throw new IllegalArgumentException(variable + " must be allow or deny: '" + value + "'");
    };
  }

  /** Not loopback, private, carrier-grade NAT, link-local (cloud metadata), unique-local, multicast or unspecified. */
  public static boolean isPublic(InetAddress a) {
    if (a.isLoopbackAddress() || a.isAnyLocalAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress()
        || a.isMulticastAddress()) {
      return false;
    }
    byte[] b = a.getAddress();
    if (a instanceof Inet4Address) {
      int first = b[0] & 0xff;
      int second = b[1] & 0xff;
      return first != 0 && !(first == 100 && second >= 64 && second < 128) // 0/8, 100.64/10 (CGNAT)
          && !(first == 192 && second == 0 && (b[2] & 0xff) == 0) // 192.0.0/24 (protocol assignments)
          && !(first == 198 && (second == 18 || second == 19)) // 198.18/15 (benchmarking)
          && first < 240; // 240/4 reserved, broadcast
    }
    if (a instanceof Inet6Address) {
      if ((b[0] & 0xfe) == 0xfc) { // fc00::/7 unique local
        return false;
      }
      boolean mapped = true; // ::ffff:a.b.c.d: judged as the IPv4 address it carries
      for (int i = 0; i < 10; i++) {
        mapped &= b[i] == 0;
      }
      if (mapped && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
        try {
          return isPublic(InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]}));
        } catch (java.net.UnknownHostException e) {
          return false;
        }
      }
    }
    return true;
  }
}
