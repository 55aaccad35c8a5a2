package io.calltrack.sip.proxy;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gov.nist.javax.sip.stack.HopImpl;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** The index behind {@link Proxy#mayConnectTo}: a host is allowed while at least one call goes there. */
class CalleeHostsTest {
  private final CalleeHosts hosts = new CalleeHosts();

  private static HopImpl hop(String host, int port) {
    return new HopImpl(host, port, "udp");
  }

  @Test
  void aHostIsAllowedWhileAnyOfItsCallsIsThere() throws Exception {
    InetAddress line = InetAddress.getByName("192.0.2.10");
    assertFalse(hosts.contains(line), "no call yet");
    hosts.add(hop("192.0.2.10", 5070));
    hosts.add(hop("192.0.2.10", 5080)); // another line on the same host: the port does not matter
    assertTrue(hosts.contains(line));
    assertFalse(hosts.contains(InetAddress.getByName("192.0.2.11")), "another address");
    hosts.remove(hop("192.0.2.10", 5070));
    assertTrue(hosts.contains(line), "one call still goes there");
    hosts.remove(hop("192.0.2.10", 5080));
    assertFalse(hosts.contains(line), "the last call is gone");
    hosts.remove(hop("192.0.2.10", 5080)); // removed once too often: nothing goes negative
    hosts.add(hop("192.0.2.10", 5070));
    assertTrue(hosts.contains(line));
  }

  @Test
  void ipv6LiteralsMatchHoweverTheyAreWritten() throws Exception {
    hosts.add(hop("[2001:db8:0::1]", 5060));
    assertTrue(hosts.contains(InetAddress.getByName("2001:db8::1")));
    hosts.remove(hop("2001:db8::1", 5060));
    assertFalse(hosts.contains(InetAddress.getByName("2001:db8::1")));
  }

  @Test
  void aLineGivenByNameIsResolvedWhenAsked() throws Exception {
    hosts.add(hop("localhost", 5060));
    assertTrue(hosts.contains(InetAddress.getByName("127.0.0.1")));
    assertFalse(hosts.contains(InetAddress.getByName("192.0.2.10")));
    hosts.remove(hop("localhost", 5060));
    assertFalse(hosts.contains(InetAddress.getByName("127.0.0.1")));
  }
}
