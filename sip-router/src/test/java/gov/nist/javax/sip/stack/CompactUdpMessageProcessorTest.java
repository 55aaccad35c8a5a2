package gov.nist.javax.sip.stack;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;

import gov.nist.javax.sip.SipStackImpl;
import io.calltrack.core.testing.Await;
import io.calltrack.localredis.EmbeddedRedis;
import io.calltrack.sip.SipStacks;
import java.time.Duration;
import java.net.InetAddress;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The router's (and every endpoint's) UDP loop, on a real socket. */
class CompactUdpMessageProcessorTest {

  /**
   * JAIN-SIP's own loop made its message threads on its receive thread, so a stop right after the
   * start (a test phone, a callback dialer closed at once) could find no list and throw a
   * NullPointerException; it failed a suite run once. This loop has them before start returns. They
   * wait for datagrams on the socket itself, and the stop ends them.
   */
  @Test
  void theMessageThreadsExistWhenStartReturnsSoAnImmediateStopIsCleanAndEndsThem() throws Exception {
    Properties p = new Properties();
    p.setProperty("javax.sip.STACK_NAME", "udp-loop-test");
    p.setProperty("gov.nist.javax.sip.THREAD_POOL_SIZE", "2");
    SipStackImpl stack = new SipStackImpl(p);
    try {
      MessageProcessor udp = new CompactUdpMessageProcessorFactory()
          .createMessageProcessor(stack, InetAddress.getLoopbackAddress(), EmbeddedRedis.freePort(), "UDP");
      udp.start();
      assertEquals(2, ((UDPMessageProcessor) udp).messageChannels.size(), "message threads made by start");
      assertDoesNotThrow(udp::stop);
      // each waited for a datagram on the socket: the stop ends its wait, and the thread
      Await.until(Duration.ofSeconds(20), () -> Thread.getAllStackTraces().keySet().stream()
          .noneMatch(t -> t.getName().startsWith("udp-loop-test-UDPMessageChannelThread")));
    } finally {
      SipStacks.stop(stack);
    }
  }
}
