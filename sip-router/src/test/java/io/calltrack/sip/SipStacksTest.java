package io.calltrack.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.testing.Await;
import java.lang.reflect.Proxy;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Collections;
import java.util.HashSet;
import java.util.Set;
import javax.sip.SipStack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SipStacksTest {
  private static final RequestListener NOBODY = evt -> {};

  /**
   * JAIN-SIP's own stop sleeps a second after closing its sockets, whatever is running: every stop
   * here returns before that second, its ports free for UDP and TCP, and the caller's interrupt flag
   * as it found it.
   */
  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void aStackStopsWithoutTheLibrarysSecondAndFreesItsPorts(boolean callerInterrupted) throws Exception {
    int port = portNoOneElseTakes();
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
      int port = portNoOneElseTakes();
      SipStacks.stop(SipEndpoint.open("stop-test", "127.0.0.1", port, NOBODY).stack());
      assertPortsFree(port);
    }
  }

  /** JAIN-SIP's own stop leaves its event scanner's thread parked for good, holding the stack: every thread of a stack ends. */
  @Test
  void noThreadOfAStoppedStackIsLeftBehind() throws Exception {
    Set<Thread> before = Thread.getAllStackTraces().keySet();
    SipEndpoint endpoint = SipEndpoint.open("stop-test", "127.0.0.1", portNoOneElseTakes(), NOBODY);
    Set<Thread> its = new HashSet<>(Thread.getAllStackTraces().keySet());
    its.removeAll(before);
    assertTrue(its.stream().anyMatch(t -> t.getName().equals("EventScannerThread")), "the stack's threads: " + its);
    SipStacks.stop(endpoint.stack());
    assertAllEnd(its);
  }

  /**
   * An endpoint whose TCP port is taken cannot open: it throws, and leaves nothing behind, neither its
   * UDP port bound nor a thread of its stack (whose own stop throws half way: a TCP processor without
   * a socket).
   */
  @Test
  void anEndpointThatCannotListenLeavesNoPortOrThreadBehind() throws Exception {
    int port = portNoOneElseTakes();
    Set<Thread> before = Thread.getAllStackTraces().keySet();
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
      assertThrows(Exception.class, () -> SipEndpoint.open("stop-test", "127.0.0.1", port, NOBODY));
    }
    assertPortsFree(port);
    Set<Thread> its = new HashSet<>(Thread.getAllStackTraces().keySet());
    its.removeAll(before);
    assertAllEnd(its);
  }

  /** A stack that throws as it stops (one that could not listen does): the caller's flag is still put back. */
  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void aStopThatThrowsLeavesTheCallersInterruptFlagAsItWas(boolean callerInterrupted) {
    SipStack failing = (SipStack) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {SipStack.class},
        (proxy, method, args) -> switch (method.getName()) {
          case "stop" -> throw new IllegalStateException("a processor without a socket");
          case "getListeningPoints" -> Collections.emptyIterator();
          default -> null;
        });
    if (callerInterrupted) {
      Thread.currentThread().interrupt();
    }
    assertThrows(IllegalStateException.class, () -> SipStacks.stop(failing));
    assertEquals(callerInterrupted, Thread.interrupted(), "the caller's interrupt flag is as it was");
  }

  private static void assertAllEnd(Set<Thread> threads) {
    try {
      Await.until(Duration.ofSeconds(10), () -> threads.stream().noneMatch(Thread::isAlive));
    } catch (AssertionError e) {
      throw new AssertionError("threads left running: "
          + threads.stream().filter(Thread::isAlive).map(Thread::getName).toList(), e);
    }
  }

  /**
   * A port free for UDP and TCP below the kernel's ephemeral range (32768 and up), which any socket of
   * the machine that binds no port itself (a DNS query's, a client's) may be given meanwhile. (The
   * "Address already in use" CI saw after a stop was the stack's own socket: see
   * ChannelDatagramSocketTest's close between a selector's registration and its listing.)
   */
  private static int portNoOneElseTakes() {
    java.util.Random random = new java.util.Random();
    for (int tries = 0; tries < 1000; tries++) {
      int port = 20_000 + random.nextInt(12_000);
      try {
        assertPortsFree(port);
        return port;
      } catch (Exception taken) {
        // another one
      }
    }
    throw new IllegalStateException("no free port between 20000 and 32000");
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
