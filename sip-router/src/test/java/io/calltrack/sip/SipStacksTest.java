package io.calltrack.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.localredis.EmbeddedRedis;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.TimeoutEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SipStacksTest {
  private static final QuietSipListener NOBODY = new QuietSipListener() {
    @Override
    public void processRequest(RequestEvent evt) {}

    @Override
    public void processResponse(ResponseEvent evt) {}

    @Override
    public void processTimeout(TimeoutEvent evt) {}
  };

  /**
   * JAIN-SIP's own stop sleeps a second after closing its sockets, whatever is running: every stop
   * here returns before that second, its ports free for UDP and TCP, and the caller's interrupt flag
   * as it found it.
   */
  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void aStackStopsWithoutTheLibrarysSecondAndFreesItsPorts(boolean callerInterrupted) throws Exception {
    int port = EmbeddedRedis.freePort();
    SipEndpoint endpoint = SipEndpoint.open("stop-test", "127.0.0.1", port, NOBODY);
    if (callerInterrupted) {
      Thread.currentThread().interrupt();
    }
    long start = System.nanoTime();
    SipStacks.stop(endpoint.stack());
    long millis = (System.nanoTime() - start) / 1_000_000;
    boolean interruptedAfter = Thread.interrupted();

    assertTrue(millis < 1000, "stopped in " + millis + " ms; the library's sleep alone is 1,000");
    assertEquals(callerInterrupted, interruptedAfter, "the caller's interrupt flag is as it was");
    assertPortsFree(port);
  }

  /**
   * The kernel may hold a closed listening socket's port a moment after the close (the library's
   * sleep hid it; one stop in three here, before the stop waited for it): a stop returns once
   * the ports bind again, stop after stop.
   */
  @Test
  void everyStopLeavesItsPortsFreeForTheNextStackOnThem() throws Exception {
    for (int i = 0; i < 30; i++) {
      int port = EmbeddedRedis.freePort();
      SipStacks.stop(SipEndpoint.open("stop-test", "127.0.0.1", port, NOBODY).stack());
      assertPortsFree(port);
    }
  }

  private static void assertPortsFree(int port) throws Exception {
    InetAddress loopback = InetAddress.getByName("127.0.0.1");
    try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(loopback, port));
        ServerSocket tcp = new ServerSocket()) {
      tcp.bind(new InetSocketAddress(loopback, port));
      assertTrue(udp.isBound() && tcp.isBound());
    }
  }
}
