package io.calltrack.core.net;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class PublicAddressesTest {

  /**
   * IPv6 addresses that carry an IPv4 address reach that address: through a NAT64 gateway (64:ff9b::/96),
   * a 6to4 relay (2002::/16) or a stack that still takes IPv4-compatible addresses (::a.b.c.d). A name
   * answering {@code 64:ff9b::7f00:1} is loopback to a host behind NAT64, so each is judged by the
   * address it carries; prefixes that are not on the internet at all (local-use NAT64, Teredo and the
   * other IETF protocol assignments, documentation, discard-only) are never public.
   */
  @Test
  void anIpv6AddressCarryingAPrivateIpv4AddressIsNotPublic() throws Exception {
    for (String inside : List.of("64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe", "64:ff9b::a00:5", "::7f00:1",
        "::a9fe:a9fe", "2002:7f00:1::1", "2002:a9fe:a9fe::", "2002:c0a8:101:1::1", "64:ff9b:1::808:808",
        "2001:0:4136:e378:8000:63bf:3fff:fdd2", "2001:db8::1", "100::1", "fec0::1")) {
      assertFalse(PublicAddresses.isPublic(InetAddress.getByName(inside)), inside);
    }
    for (String outside : List.of("64:ff9b::808:808", "2002:808:808::1", "2001:4860:4860::8888",
        "2606:4700:4700::1111", "2a00:1450:4001:80b::200e")) {
      assertTrue(PublicAddresses.isPublic(InetAddress.getByName(outside)), outside);
    }
  }
}
