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

  /**
   * Not loopback, private, carrier-grade NAT, link-local (cloud metadata), unique-local, multicast,
   * unspecified or otherwise reserved; an IPv6 address that carries an IPv4 address (mapped, compatible,
   * NAT64, 6to4) is judged as the IPv4 address it reaches.
   */
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
      int word0 = ((b[0] & 0xff) << 8) | (b[1] & 0xff);
      int word1 = ((b[2] & 0xff) << 8) | (b[3] & 0xff);
      if ((b[0] & 0xfe) == 0xfc // fc00::/7 unique local
          || (word0 == 0x2001 && word1 < 0x200) // 2001::/23 IETF protocol assignments (Teredo among them)
          || (word0 == 0x2001 && word1 == 0xdb8) // documentation
          || (word0 == 0x64 && word1 == 0xff9b && b[4] == 0 && b[5] == 1) // 64:ff9b:1::/48 local-use NAT64
          || (word0 == 0x100 && zeros(b, 2, 8))) { // 100::/64 discard-only
        return false;
      }
      // an address that carries an IPv4 address reaches it, so it is judged as that address:
      // ::ffff:a.b.c.d (mapped), ::a.b.c.d (compatible), 64:ff9b::a.b.c.d (NAT64), 2002:AABB:CCDD::/48 (6to4)
      if ((zeros(b, 0, 10) && (((b[10] & b[11]) & 0xff) == 0xff || zeros(b, 10, 12)))
          || (word0 == 0x64 && word1 == 0xff9b && zeros(b, 4, 12))) {
        return isPublicIpv4(b[12], b[13], b[14], b[15]);
      }
      if (word0 == 0x2002) {
        return isPublicIpv4(b[2], b[3], b[4], b[5]);
      }
    }
    return true;
  }

  private static boolean isPublicIpv4(byte a, byte b, byte c, byte d) {
    try {
      return isPublic(InetAddress.getByAddress(new byte[] {a, b, c, d}));
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  /** Whether bytes [from, to) of {@code b} are all zero. */
  private static boolean zeros(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }
}
