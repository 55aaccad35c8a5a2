package io.calltrack.sip.testing;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The network between the router and rtpengine's ng socket, on loopback, where one kind of command
 * ({@code delete}, say) can be made to take longer than the others: how a busy host orders two calls'
 * requests. Every datagram reaches rtpengine unchanged, and every reply the router.
 */
public final class NgPath implements AutoCloseable {
  private final DatagramSocket front;
  private final DatagramSocket back;
  private final SocketAddress rtpengine;
  private final ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "ng-path-delay");
    t.setDaemon(true);
    return t;
  });
  private volatile SocketAddress router;
  private volatile String slowCommand;
  private volatile Duration delay = Duration.ZERO;

  public NgPath(int rtpenginePort) throws IOException {
    InetAddress loopback = InetAddress.getByName("127.0.0.1");
    this.rtpengine = new InetSocketAddress(loopback, rtpenginePort);
    this.front = new DatagramSocket(new InetSocketAddress(loopback, 0));
    this.back = new DatagramSocket(new InetSocketAddress(loopback, 0));
    pump("ng-path-to-rtpengine", front, true);
    pump("ng-path-to-router", back, false);
  }

  /** The address the router is given as rtpengine's. */
  public String address() {
    return "127.0.0.1:" + front.getLocalPort();
  }

  /** From now on, every {@code command} (its bencoded name, e.g. {@code delete}) reaches rtpengine {@code by} late. */
  public void slow(String command, Duration by) {
    this.delay = by;
    this.slowCommand = command;
  }

  private void pump(String name, DatagramSocket from, boolean towardsRtpengine) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[65536];
      while (!from.isClosed()) {
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        try {
          from.receive(p);
        } catch (IOException closed) {
          return;
        }
        byte[] data = Arrays.copyOf(p.getData(), p.getLength());
        if (towardsRtpengine) {
          router = p.getSocketAddress();
          String command = slowCommand;
          boolean slow = command != null && new String(data, StandardCharsets.ISO_8859_1)
              .contains("7:command" + command.length() + ":" + command);
          if (slow) {
            later.schedule(() -> send(back, data, rtpengine), delay.toMillis(), TimeUnit.MILLISECONDS);
          } else {
            send(back, data, rtpengine);
          }
        } else if (router != null) {
          send(front, data, router);
        }
      }
    }, name);
    t.setDaemon(true);
    t.start();
  }

  private static void send(DatagramSocket via, byte[] data, SocketAddress to) {
    try {
      via.send(new DatagramPacket(data, data.length, to));
    } catch (IOException closed) {
      // the path is closing
    }
  }

  @Override
  public void close() {
    front.close();
    back.close();
    later.shutdownNow();
  }
}
