package io.calltrack.dni.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Who a request counts for, from its peer and X-Forwarded-For (pure logic: the HTTP path is in the API tests). */
class ClientAddressTest {
  private final ClientAddress none = new ClientAddress(List.of());

  @Test
  void anIpv6ClientIsItsSlash64() {
    assertEquals("2001:db8:1:2::/64", none.of("2001:db8:1:2:aaaa:bbbb:cccc:1", null));
    assertEquals("2001:db8:1:2::/64", none.of("2001:0db8:0001:0002:0000:0000:0000:0002", null));
    assertEquals("2001:db8:1:3::/64", none.of("2001:db8:1:3::1", null), "the next /64 is another client");
    assertEquals("fe80::/64", none.of("fe80::1%eth0", null));
  }

  @Test
  void anIpv4ClientIsItsAddressHoweverWritten() {
    assertEquals("203.0.113.7", none.of("203.0.113.7", null));
    assertEquals("203.0.113.7", none.of("::ffff:203.0.113.7", null), "IPv4-mapped");
    assertEquals("203.0.113.7", none.of("::ffff:cb00:7107", null));
  }

  @Test
  void forwardedForIsBelievedOnlyFromTrustedProxies() {
    assertEquals("127.0.0.1", none.of("127.0.0.1", "198.51.100.9"), "no proxy is trusted");
    ClientAddress behind = new ClientAddress(List.of("::1", "10.0.0.0/8", " fd00::/8 "));
    // ::1 written out in full is the same address
    assertEquals("198.51.100.9", behind.of("0:0:0:0:0:0:0:1", "198.51.100.9"));
    // the last hop that is not a trusted proxy: earlier ones are the client's to write
    assertEquals("198.51.100.9", behind.of("10.1.2.3", "6.6.6.6, 198.51.100.9, 10.200.0.1"));
    assertEquals("2001:db8:9:9::/64", behind.of("fd12::1", "[2001:db8:9:9::77]:443"));
    assertEquals("192.0.2.4", behind.of("10.0.0.1", " 192.0.2.4:5060 "));
    assertEquals("unknown", behind.of("10.0.0.1", "unknown"), "a hop that is no address is kept as written");
    assertEquals("10.0.0.1", behind.of("10.0.0.1", "10.0.0.2"), "only proxies: the peer");
    assertEquals("11.0.0.1", behind.of("11.0.0.1", "198.51.100.9"), "outside the range");
  }

  @Test
  void aTrustedProxyThatIsNoAddressIsRefusedByName() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new ClientAddress(List.of("10.0.0.1", "proxy.internal")));
    assertEquals("trusted proxy 'proxy.internal' is not an IP address or a CIDR range like 10.0.0.0/8", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new ClientAddress(List.of("10.0.0.0/33")));
    assertThrows(IllegalArgumentException.class, () -> new ClientAddress(List.of("fd00::/x")));
  }
}
