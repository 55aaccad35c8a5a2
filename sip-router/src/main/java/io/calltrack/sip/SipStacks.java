package io.calltrack.sip;

import gov.nist.javax.sip.EventScanner;
import gov.nist.javax.sip.EventWrapper;
import gov.nist.javax.sip.SipStackImpl;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EventObject;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import javax.sip.ListeningPoint;
import javax.sip.SipStack;

/** What every JAIN-SIP stack here (the router's, the callback dialer's, the demo line's) needs from its library and does not get. */
public final class SipStacks {
  /** At most what the library's own stop slept: how long {@link #stop} waits for the kernel to let the ports go. */
  static final Duration RELEASE_WAIT = Duration.ofSeconds(1);

  /**
   * The largest message a stack here reads, in bytes ({@code gov.nist.javax.sip.MAX_MESSAGE_SIZE}): the
   * UDP receive buffer's size and the cap on a TCP message, its Content-Length included. Unset, the
   * library takes a TCP message's Content-Length as said and allocates it before the body comes: any
   * host that reaches the port could hold the heap a connection at a time. SIP over UDP stays well
   * under 8 KB (RFC 3261 18.1.1 moves larger requests to TCP).
   */
  public static final int MAX_MESSAGE_SIZE = 8192;

  private SipStacks() {}

  /**
   * Stops {@code stack} without the second JAIN-SIP sleeps at the end of its stop, and returns once
   * its ports can be bound again. Its {@code stopStack} closes the sockets, removes the message
   * processors and stops the timer, then sleeps 1 s for its threads to see the exit flag before it
   * clears its tables; an interrupted sleep is caught and the stop goes on. With its sockets closed,
   * nothing its threads still do reaches the network. So the stop runs with this thread's interrupt
   * flag set, and the flag is put back as it was. The sleep also hid that the kernel may hold a
   * closed listening socket's port for a moment (up to 0.2 s seen on a busy 2-core host): the stop
   * waits until each port binds again, at most {@link #RELEASE_WAIT}, so a router started on the
   * same port right after finds it free. It also ends the thread the library's stop leaves behind
   * ({@link #endEventScanner}).
   */
  public static void stop(SipStack stack) {
    List<ListeningPoint> points = listeningPoints(stack);
    // taken now: the stop lets go of both
    EventScanner scanner = stack instanceof SipStackImpl impl ? impl.getEventScanner() : null;
    Iterator<?> providers = stack.getSipProviders();
    Object provider = providers != null && providers.hasNext() ? providers.next() : stack;
    boolean wasInterrupted = Thread.interrupted();
    Thread.currentThread().interrupt();
    try {
      stopPastAnUnboundPoint(stack);
      Thread.interrupted(); // whatever the stop left set: the wait below parks
      awaitReleased(points, RELEASE_WAIT);
    } finally {
      endEventScanner(scanner, provider);
      Thread.interrupted();
      if (wasInterrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Stops a stack whose start failed with {@code failure} (a port taken for one transport: the other
   * one's socket and the stack's threads go too). A stop that fails as well is added to {@code
   * failure}, the one to report.
   */
  public static void stopAfter(Exception failure, SipStack stack) {
    try {
      stop(stack);
    } catch (RuntimeException stopFailed) {
      failure.addSuppressed(stopFailed);
    }
  }

  /**
   * A stack whose last listening point could not bind (its port taken) keeps that point's processor,
   * without a socket, and the library's stop throws on it half way: the other sockets closed, the
   * timer's thread still running. The library drops each processor from its list before stopping
   * it, so a second stop goes on past it and finishes; on one address there are two processors, UDP
   * then TCP, and only the last one created can have failed. A stop that fails twice throws the
   * first failure.
   */
  private static void stopPastAnUnboundPoint(SipStack stack) {
    try {
      stack.stop();
    } catch (RuntimeException first) {
      Thread.currentThread().interrupt(); // the second stop's sleep, as the first's
      try {
        stack.stop();
      } catch (RuntimeException second) {
        first.addSuppressed(second);
        throw first;
      }
    }
  }

  /**
   * The stop only flags the stack's event scanner as stopped, and only at its end (a stop that throws
   * half way does not); its thread stays parked waiting for an event, for good, and holds the stopped
   * stack. Flagged here whatever the stop did, and woken by an event of no kind it delivers: it hands
   * it to nobody, sees the flag and ends.
   */
  private static void endEventScanner(EventScanner scanner, Object provider) {
    if (scanner != null) {
      scanner.forceStop();
      scanner.addEvent(new EventWrapper(new EventObject(provider), null));
    }
  }

  private static List<ListeningPoint> listeningPoints(SipStack stack) {
    List<ListeningPoint> points = new ArrayList<>();
    for (Iterator<?> it = stack.getListeningPoints(); it != null && it.hasNext(); ) {
      points.add((ListeningPoint) it.next());
    }
    return points;
  }

  /** Returns once every point's address binds again (a millisecond between tries), or after {@code within}. */
  static void awaitReleased(List<ListeningPoint> points, Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    for (ListeningPoint point : points) {
      while (!bindable(point) && System.nanoTime() - deadline < 0) {
        LockSupport.parkNanos(1_000_000);
      }
    }
  }

  private static boolean bindable(ListeningPoint point) {
    InetSocketAddress address = new InetSocketAddress(point.getIPAddress(), point.getPort());
    try {
      if (ListeningPoint.UDP.equalsIgnoreCase(point.getTransport())) {
        new DatagramSocket(address).close();
      } else {
        try (ServerSocket socket = new ServerSocket()) {
          socket.bind(address);
        }
      }
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
