package io.calltrack.localredis;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class FreePortTest {
  @Test
  void aFreePortIsBelowTheEphemeralRangeAndTakesTcpAndUdp() throws Exception {
    int low = EmbeddedRedis.ephemeralLow();
    java.util.Set<Integer> given = new java.util.HashSet<>();
    for (int i = 0; i < 50; i++) {
      int port = EmbeddedRedis.freePort();
      assertTrue(given.add(port), port + " given twice"); // a test often asks for two before binding either
      // the kernel never gives a port below its range to a bind to port 0
      assertTrue(port >= 20_000 && port < low, port + " is not below the ephemeral range (from " + low + ")");
      assertTrue(EmbeddedRedis.bindable(port), port + " cannot be bound for TCP and UDP");
    }
  }

  @Test
  void aPortTakenForUdpOnlyIsNotFree() throws Exception {
    try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      // a TCP-only check (what freePort did before) finds this port free; SIPp then cannot bind it
      assertFalse(EmbeddedRedis.bindable(udp.getLocalPort()));
    }
  }
}
