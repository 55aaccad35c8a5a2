package io.calltrack.core.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class IpRangesTest {
  private final IpRanges ranges = IpRanges.parse(List.of("10.0.0.0/8", " 192.0.2.7 ", "", "fd00::/8", "[::1]",
      "198.51.100.128/25"), "entry");

  private boolean in(String address) {
    return ranges.contains(IpRanges.literal(address));
  }

  @Test
  void addressesAreComparedAsBytesHoweverWritten() {
    assertTrue(in("10.255.0.1"));
    assertTrue(in("192.0.2.7"));
    assertFalse(in("192.0.2.8"));
    assertTrue(in("0:0:0:0:0:0:0:1"));
    assertTrue(in("fd12:3456::1%eth0"));
    assertTrue(in("::ffff:10.1.2.3"), "IPv4-mapped IPv6 is its IPv4 address");
    assertTrue(in("198.51.100.200"));
    assertFalse(in("198.51.100.127"), "a prefix that is not a whole byte");
    assertFalse(in("11.0.0.1"));
    assertFalse(in("fe80::1"));
  }

  @Test
  void onlyLiteralsAreAddresses() {
    assertNull(IpRanges.literal("localhost"), "never a DNS lookup");
    assertNull(IpRanges.literal("unknown"));
    assertNull(IpRanges.literal(null));
    assertFalse(ranges.contains(null));
    assertEquals(4, IpRanges.literal("::ffff:192.0.2.1").length);
    assertEquals(16, IpRanges.literal("[2001:db8::1]").length);
  }

  @Test
  void anEntryThatIsNeitherAnAddressNorARangeIsRefusedByName() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> IpRanges.parse(List.of("10.0.0.1", "trunk.example.com"), "trunk entry"));
    assertEquals("trunk entry 'trunk.example.com' is not an IP address or a CIDR range like 10.0.0.0/8", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> IpRanges.parse(List.of("10.0.0.0/33"), "entry"));
    assertThrows(IllegalArgumentException.class, () -> IpRanges.parse(List.of("fd00::/129"), "entry"));
    assertThrows(IllegalArgumentException.class, () -> IpRanges.parse(List.of("10.0.0.0/-1"), "entry"));
    assertThrows(IllegalArgumentException.class, () -> IpRanges.parse(List.of("10.0.0.0/eight"), "entry"));
  }
}
