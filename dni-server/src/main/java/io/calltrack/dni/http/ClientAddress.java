package io.calltrack.dni.http;

import io.netty.util.NetUtil;
import io.vertx.ext.web.RoutingContext;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Who a public request comes from, as the per-client limits (assigns, callback requests) count it:
 * the TCP peer, or, when the peer is a trusted reverse proxy, the last {@code X-Forwarded-For} hop
 * that is not itself one (hops before it could be written by the client).
 *
 * <p>An IPv6 client is its /64, not its address: one subscriber's line or one server gets a whole /64
 * and may pick any of its 2^64 addresses for each request, so counting addresses would let one
 * {@code curl} loop drain a pool. An IPv4-mapped IPv6 address is its IPv4 address.
 *
 * <p>Trusted proxies are addresses or CIDR ranges ({@code 10.0.0.0/8}, {@code fd00::/8}), compared
 * as addresses, so {@code ::1} matches a peer written {@code 0:0:0:0:0:0:0:1}.
 */
public final class ClientAddress {
  /** How many leading bits of an IPv6 address name one client. */
  static final int IPV6_CLIENT_BITS = 64;

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

  private final List<Range> trusted;

  /**
   * @param trustedProxies addresses and CIDR ranges of reverse proxies whose X-Forwarded-For is believed
   * @throws IllegalArgumentException naming an entry that is neither
   */
  public ClientAddress(List<String> trustedProxies) {
    List<Range> ranges = new ArrayList<>();
    for (String entry : trustedProxies) {
      String e = entry.strip();
      if (e.isEmpty()) {
        continue;
      }
      int slash = e.indexOf('/');
      byte[] network = bytes(slash < 0 ? e : e.substring(0, slash));
      int bits;
      try {
        bits = network == null ? -1 : slash < 0 ? network.length * 8 : Integer.parseInt(e.substring(slash + 1));
      } catch (NumberFormatException x) {
        bits = -1;
      }
      if (network == null || bits < 0 || bits > network.length * 8) {
        throw new IllegalArgumentException("trusted proxy '" + e + "' is not an IP address or a CIDR range"
            + " like 10.0.0.0/8");
      }
      ranges.add(new Range(network, bits));
    }
    this.trusted = List.copyOf(ranges);
  }

  /** The client a request counts for: see the class comment. */
  public String of(RoutingContext ctx) {
    var remote = ctx.request().remoteAddress();
    String peer = remote == null ? "unknown" : remote.hostAddress();
    return of(peer, ctx.request().getHeader("x-forwarded-for"));
  }

  /** {@link #of(RoutingContext)} from the TCP peer's address and the X-Forwarded-For header (or null). */
  String of(String peer, String forwardedFor) {
    byte[] peerBytes = bytes(peer);
    if (!trusted(peerBytes) || forwardedFor == null || forwardedFor.isBlank()) {
      return client(peer, peerBytes);
    }
    String[] hops = forwardedFor.split(",");
    for (int i = hops.length - 1; i >= 0; i--) {
      String hop = hop(hops[i]);
      byte[] hopBytes = bytes(hop);
      if (!hop.isEmpty() && !trusted(hopBytes)) {
        return client(hop, hopBytes);
      }
    }
    return client(peer, peerBytes);
  }

  private boolean trusted(byte[] address) {
    if (address == null) {
      return false;
    }
    for (Range r : trusted) {
      if (r.contains(address)) {
        return true;
      }
    }
    return false;
  }

  /** An IPv4 address as written; an IPv6 one as its /64; anything else (a proxy's "unknown") kept short. */
  private static String client(String written, byte[] address) {
    if (address == null) {
      return written.length() > 64 ? written.substring(0, 64) : written;
    }
    try {
      if (address.length == 4) {
        return InetAddress.getByAddress(address).getHostAddress();
      }
      byte[] prefix = Arrays.copyOf(Arrays.copyOf(address, IPV6_CLIENT_BITS / 8), 16);
      return NetUtil.toAddressString(InetAddress.getByAddress(prefix)) + "/" + IPV6_CLIENT_BITS;
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e); // getByAddress fails only on a wrong length
    }
  }

  /** One X-Forwarded-For hop without the port or brackets some proxies add ({@code [2001:db8::1]:443}, {@code 192.0.2.1:80}). */
  private static String hop(String raw) {
    String h = raw.strip();
    if (h.startsWith("[")) {
      int end = h.indexOf(']');
      return end < 0 ? h : h.substring(1, end);
    }
    int colon = h.indexOf(':');
    return colon > 0 && colon == h.lastIndexOf(':') ? h.substring(0, colon) : h;
  }

  /** The address's bytes (4, or 16 for IPv6 unless it maps an IPv4 one), or null if it is no IP literal. No DNS. */
  private static byte[] bytes(String address) {
    if (address == null) {
      return null;
    }
    String a = address.strip();
    int scope = a.indexOf('%');
    byte[] b = NetUtil.createByteArrayFromIpAddressString(scope < 0 ? a : a.substring(0, scope));
    if (b != null && b.length == 16 && isMappedIpv4(b)) {
      return Arrays.copyOfRange(b, 12, 16);
    }
    return b;
  }

  private static boolean isMappedIpv4(byte[] b) {
    for (int i = 0; i < 10; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
  }
}
