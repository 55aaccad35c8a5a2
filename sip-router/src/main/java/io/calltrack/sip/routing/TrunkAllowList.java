package io.calltrack.sip.routing;

import io.calltrack.core.ParseCache;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** The addresses allowed to send calls: single addresses or CIDR blocks, IPv4 or IPv6. */
public final class TrunkAllowList {
  private record Block(byte[] network, int prefix) {}

  private static final Pattern V4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern V6 = Pattern.compile("[0-9a-fA-F:.]+");

  private final List<Block> blocks;
  /**
   * The verdict per source address: every request asks, from the same few trunks. Parsing the
   * literal each time (two regular expressions compiled, an InetAddress) was 2 % of the router's
   * allocation under load.
   */
  private final ParseCache<Boolean> verdicts = new ParseCache<>(10_000);

  private TrunkAllowList(List<Block> blocks) {
    this.blocks = List.copyOf(blocks);
  }

  /** Parses entries like {@code 127.0.0.0/8}, {@code 10.1.2.3}, {@code ::1/128}; refuses host names. */
  public static TrunkAllowList of(List<String> entries) {
    List<Block> blocks = new ArrayList<>();
    for (String raw : entries) {
      String entry = raw.strip();
      if (entry.isEmpty()) {
        continue;
      }
      int slash = entry.indexOf('/');
      String addr = slash < 0 ? entry : entry.substring(0, slash);
      byte[] bytes = literal(addr);
      int prefix = slash < 0 ? bytes.length * 8 : Integer.parseInt(entry.substring(slash + 1));
      if (prefix < 0 || prefix > bytes.length * 8) {
        throw new IllegalArgumentException("bad CIDR prefix in trunk entry '" + entry + "'");
      }
      blocks.add(new Block(bytes, prefix));
    }
    return new TrunkAllowList(blocks);
  }

  public boolean allows(String address) {
    return verdicts.get(address, this::decide);
  }

  private Boolean decide(String address) {
    byte[] a;
    try {
      a = literal(address);
    } catch (IllegalArgumentException e) {
      return false;
    }
    for (Block b : blocks) {
      if (b.network.length == a.length && matches(b.network, a, b.prefix)) {
        return true;
      }
    }
    return false;
  }

  private static boolean matches(byte[] net, byte[] addr, int prefix) {
    int full = prefix / 8;
    for (int i = 0; i < full; i++) {
      if (net[i] != addr[i]) {
        return false;
      }
    }
    int rest = prefix % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xff << (8 - rest)) & 0xff;
    return (net[full] & mask) == (addr[full] & mask);
  }

  /** An IP literal's bytes; never a DNS lookup (a host name in the allow-list would be a trap). */
  private static byte[] literal(String addr) {
    String a = addr.strip();
    if (a.startsWith("[") && a.endsWith("]")) {
      a = a.substring(1, a.length() - 1);
    }
    boolean v4 = V4.matcher(a).matches();
    boolean v6 = a.contains(":") && V6.matcher(a).matches();
    if (!v4 && !v6) {
      // never handed to the resolver: a host name here would be a DNS lookup per call
      throw new IllegalArgumentException("trunk entries must be IP addresses or CIDRs: '" + addr + "'");
    }
    try {
      return InetAddress.getByName(a).getAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an IP address: '" + addr + "'", e);
    }
  }
}
