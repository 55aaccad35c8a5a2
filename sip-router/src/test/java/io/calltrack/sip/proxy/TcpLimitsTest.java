package io.calltrack.sip.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The network layer's TCP sockets, opened and accepted, over loopback: they carry bytes as any socket,
 * and once closed their streams can still be asked for (input at its end, output refusing), where a
 * plain socket throws. JAIN-SIP's TCP channel asks for them after a write that the peer answered by
 * closing the connection; the plain socket's exception made the stack report that delivered message
 * as failed.
 */
@Timeout(20)
class TcpLimitsTest {
  static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
  static final byte[] BYE = "BYE sip:line@127.0.0.1 SIP/2.0\r\n".getBytes(StandardCharsets.US_ASCII);

  @Test
  void anOpenedSocketCarriesBytesAndOnceClosedItsStreamsAreAtTheirEnd() throws Exception {
    TcpLimits layer = new TcpLimits(); // no stack: every destination may be connected to
    try (ServerSocket line = new ServerSocket(0, 5, LOOPBACK)) {
      Socket router = layer.createSocket(LOOPBACK, line.getLocalPort(), LOOPBACK);
      try (Socket accepted = line.accept()) {
        router.getOutputStream().write(BYE);
        assertArrayEquals(BYE, accepted.getInputStream().readNBytes(BYE.length));
        accepted.close(); // the line hangs up the connection on the BYE
        assertEquals(-1, router.getInputStream().read(), "the peer's close reads as the end");
      }
      router.close(); // what the channel's reader does on that end
      assertClosedButAskable(router);
    }
  }

  @Test
  void anAcceptedSocketOnceClosedHasItsStreamsAtTheirEnd() throws Exception {
    TcpLimits layer = new TcpLimits();
    try (ServerSocket router = layer.createServerSocket(0, 5, LOOPBACK);
        Socket caller = new Socket(LOOPBACK, router.getLocalPort())) {
      Socket accepted = router.accept();
      caller.getOutputStream().write(BYE);
      assertArrayEquals(BYE, accepted.getInputStream().readNBytes(BYE.length));
      accepted.close();
      assertClosedButAskable(accepted);
    }
  }

  @Test
  void aPlainSocketWouldHaveThrown() throws Exception {
    try (ServerSocket line = new ServerSocket(0, 5, LOOPBACK)) {
      Socket plain = new Socket(LOOPBACK, line.getLocalPort());
      plain.close();
      assertThrows(IOException.class, plain::getInputStream, "what JAIN-SIP's channel ran into");
    }
  }

  private static void assertClosedButAskable(Socket s) throws IOException {
    assertTrue(s.isClosed());
    assertEquals(-1, s.getInputStream().read(), "a closed socket's input is at its end");
    IOException refused = assertThrows(IOException.class, () -> s.getOutputStream().write(BYE),
        "nothing written on a closed socket passes for sent");
    assertEquals("Socket is closed", refused.getMessage());
  }
}
