package io.calltrack.core.net;

import io.netty.util.NetUtil;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A list of IP addresses and CIDR ranges, IPv4 or IPv6 ({@code 10.0.0.0/8}, {@code 192.0.2.7},
 * {@code fd00::/8}): the SIP trunks allowed to call, the reverse proxies whose X-Forwarded-For is
 * believed. Addresses are compared as bytes, so every way of writing one matches ({@code ::1} and
 * {@code 0:0:0:0:0:0:0:1}; an IPv4-mapped IPv6 address and its IPv4 one). Nothing is ever looked up
 * in DNS: a host name in such a list would be a lookup per request, and a trap.
 */
public final class IpRanges {
  private record Range(byte[] network, int bits) {
    boolean contains(byte[] address) {
      if (address.length != network.length) {
        return false;
      }
      int whole = bits / 8;
      for (int i = 0; i < whole; i++) {
        if (address[i] != network[i]) {
          return false;
        }
      }
      int rest = bits % 8;
      int mask = (0xff << (8 - rest)) & 0xff;
      return rest == 0 || (address[whole] & mask) == (network[whole] & mask);
    }
  }

  private final List<Range> ranges;

  private IpRanges(List<Range> ranges) {
    this.ranges = List.copyOf(ranges);
  }

  /**
   * @param what what an entry is, for the error ("trunk entry", "trusted proxy")
   * @throws IllegalArgumentException naming the first entry that is neither an address nor a range
   */
  public static IpRanges parse(List<String> entries, String what) {
    List<Range> ranges = new ArrayList<>();
    for (String raw : entries) {
      String entry = raw.strip();
      if (entry.isEmpty()) {
        continue;
      }
      int slash = entry.indexOf('/');
      byte[] network = literal(slash < 0 ? entry : entry.substring(0, slash));
      int bits;
      try {
        bits = network == null ? -1 : slash < 0 ? network.length * 8 : Integer.parseInt(entry.substring(slash + 1));
      } catch (NumberFormatException e) {
        bits = -1;
      }
      if (network == null || bits < 0 || bits > network.length * 8) {
        throw new IllegalArgumentException(what + " '" + entry + "' is not an IP address or a CIDR range like 10.0.0.0/8");
      }
      ranges.add(new Range(network, bits));
    }
    return new IpRanges(ranges);
  }

  /** Whether the address (as {@link #literal} reads it; null never) is in one of the ranges. */
  public boolean contains(byte[] address) {
    if (address == null) {
      return false;
    }
    for (Range r : ranges) {
      if (r.contains(address)) {
        return true;
      }
    }
    return false;
  }

  /**
   * An IP literal's bytes: 4 for IPv4 and for IPv4-mapped IPv6, else 16; brackets and a zone
   * ({@code %eth0}) dropped; null if it is no IP literal.
   */
  public static byte[] literal(String address) {
    if (address == null) {
      return null;
    }
    String a = address.strip();
    if (a.startsWith("[") && a.endsWith("]")) {
      a = a.substring(1, a.length() - 1);
    }
    int zone = a.indexOf('%');
    byte[] b = NetUtil.createByteArrayFromIpAddressString(zone < 0 ? a : a.substring(0, zone));
    return b != null && b.length == 16 && mapsIpv4(b) ? Arrays.copyOfRange(b, 12, 16) : b;
  }

  private static boolean mapsIpv4(byte[] b) {
    for (int i = 0; i < 10; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
  }
}
