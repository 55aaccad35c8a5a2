package io.calltrack.sip.routing;

import io.calltrack.core.ParseCache;
import io.calltrack.core.net.IpRanges;
import java.util.List;

/** The addresses allowed to send calls: single addresses or CIDR blocks, IPv4 or IPv6. */
public final class TrunkAllowList {
  private final IpRanges trunks;
  /**
   * The verdict per source address: every request asks, from the same few trunks. Parsing the
   * literal each time was 2 % of the router's allocation under load.
   */
  private final ParseCache<Boolean> verdicts = new ParseCache<>(10_000);

  private TrunkAllowList(IpRanges trunks) {
    this.trunks = trunks;
  }

  /** Parses entries like {@code 127.0.0.0/8}, {@code 10.1.2.3}, {@code ::1/128}; refuses host names. */
  public static TrunkAllowList of(List<String> entries) {
    return new TrunkAllowList(IpRanges.parse(entries, "trunk entry"));
  }

  public boolean allows(String address) {
    return verdicts.get(address, a -> trunks.contains(IpRanges.literal(a)));
  }
}
