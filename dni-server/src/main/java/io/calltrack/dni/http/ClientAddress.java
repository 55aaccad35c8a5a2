package io.calltrack.dni.http;

import io.calltrack.core.net.IpRanges;
import io.netty.util.NetUtil;
import io.vertx.ext.web.RoutingContext;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;

/**
 * Who a public request comes from, as the per-client limits (assigns, callback requests) count it:
 * the TCP peer, or, when the peer is a trusted reverse proxy, the last {@code X-Forwarded-For} hop
 * that is not itself one (hops before it could be written by the client), over all the header's lines.
 *
 * <p>An IPv6 client is its /64, not its address: one subscriber's line or one server gets a whole /64
 * and may pick any of its 2^64 addresses for each request, so counting addresses would let one
 * {@code curl} loop drain a pool. An IPv4-mapped IPv6 address is its IPv4 address.
 *
 * <p>Trusted proxies are addresses or CIDR ranges ({@link IpRanges}: {@code 10.0.0.0/8}, {@code fd00::/8}).
 */
public final class ClientAddress {
  /** How many leading bits of an IPv6 address name one client. */
  static final int IPV6_CLIENT_BITS = 64;

  private final IpRanges trusted;

  /**
   * @param trustedProxies addresses and CIDR ranges of reverse proxies whose X-Forwarded-For is believed
   * @throws IllegalArgumentException naming an entry that is neither
   */
  public ClientAddress(List<String> trustedProxies) {
    this.trusted = IpRanges.parse(trustedProxies, "trusted proxy");
  }

  /** The client a request counts for: see the class comment. */
  public String of(RoutingContext ctx) {
    var remote = ctx.request().remoteAddress();
    String peer = remote == null ? "unknown" : remote.hostAddress();
    // every X-Forwarded-For line, in order: a proxy may add its own line after the client's (HAProxy
    // does) instead of extending it, and only the last ones are the proxies' to write
    List<String> lines = ctx.request().headers().getAll("x-forwarded-for");
    return of(peer, lines.isEmpty() ? null : String.join(",", lines));
  }

  /** {@link #of(RoutingContext)} from the TCP peer's address and the X-Forwarded-For header (or null). */
  String of(String peer, String forwardedFor) {
    byte[] peerBytes = IpRanges.literal(peer);
    if (!trusted.contains(peerBytes) || forwardedFor == null || forwardedFor.isBlank()) {
      return client(peer, peerBytes);
    }
    String[] hops = forwardedFor.split(",");
    for (int i = hops.length - 1; i >= 0; i--) {
      String hop = hop(hops[i]);
      byte[] hopBytes = IpRanges.literal(hop);
      if (!hop.isEmpty() && !trusted.contains(hopBytes)) {
        return client(hop, hopBytes);
      }
    }
    return client(peer, peerBytes);
  }

  /** An IPv4 address in dotted form; an IPv6 one as its /64; anything else (a proxy's "unknown") kept short. */
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
}
