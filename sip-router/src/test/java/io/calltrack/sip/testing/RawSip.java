package io.calltrack.sip.testing;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A UDP socket that sends hand-written SIP datagrams (forgeries, floods, malformed headers) from a
 * chosen loopback address ({@code 127.0.0.2} is not {@code 127.0.0.1} to the router) and reads replies.
 */
public final class RawSip implements AutoCloseable {
  public final DatagramSocket socket;
  public final String host;

  public RawSip(String host) {
    try {
      this.host = host;
      this.socket = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(host), 0));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public int port() {
    return socket.getLocalPort();
  }

  /** {@code SIP/2.0/UDP host:port;branch=...;rport}: replies come back to this socket. */
  public String via(String branch) {
    return "SIP/2.0/UDP " + host + ":" + port() + ";branch=" + branch + ";rport";
  }

  public void send(String message, int toPort) {
    byte[] out = message.getBytes(StandardCharsets.US_ASCII);
    try {
      socket.send(new DatagramPacket(out, out.length, InetAddress.getLoopbackAddress(), toPort));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The next datagram, or null when none comes within {@code within}. */
  public String receive(Duration within) {
    byte[] buf = new byte[65_535];
    DatagramPacket in = new DatagramPacket(buf, buf.length);
    try {
      socket.setSoTimeout((int) Math.max(1, within.toMillis()));
      socket.receive(in);
      return new String(in.getData(), 0, in.getLength(), StandardCharsets.US_ASCII);
    } catch (SocketTimeoutException e) {
      return null;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The next response whose status line is not 100 Trying, or null. */
  public String receiveFinal(Duration within) {
    long end = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < end) {
      String m = receive(Duration.ofNanos(Math.max(1_000_000, end - System.nanoTime())));
      if (m == null || !m.startsWith("SIP/2.0 100")) {
        return m;
      }
    }
    return null;
  }

  /** The lines of header {@code name} (its full name, in any case) in a raw message, in order. */
  public static java.util.List<String> headerLines(String message, String name) {
    return message.lines().filter(l -> l.regionMatches(true, 0, name + ":", 0, name.length() + 1)).toList();
  }

  public static int status(String response) {
    return response == null || !response.startsWith("SIP/2.0 ") ? -1 : Integer.parseInt(response.substring(8, 11));
  }

  /** {@code INVITE sip:user@127.0.0.1:port} with fresh Call-ID, tag and branch from this socket. */
  public String invite(String user, int routerPort, String extraHeaders) {
    long n = System.nanoTime();
    return "INVITE sip:" + user + "@127.0.0.1:" + routerPort + " SIP/2.0\r\n"
        + "Via: " + via("z9hG4bKraw" + n) + "\r\n"
        + "From: <sip:+15557770001@" + host + ">;tag=raw" + n + "\r\n"
        + "To: <sip:" + user + "@127.0.0.1>\r\n"
        + "Call-ID: raw-" + n + "@" + host + "\r\n"
        + "CSeq: 1 INVITE\r\n"
        + "Contact: <sip:+15557770001@" + host + ":" + port() + ">\r\n"
        + extraHeaders
        + "Content-Length: 0\r\n\r\n";
  }

  /**
   * An in-dialog request of this peer's (ACK, BYE, re-INVITE, ...) built from a response it got: to the
   * other side's Contact, along the response's Record-Route, with its From, To and Call-ID and a fresh
   * branch. {@code extra}: more header lines, each ending in CRLF.
   */
  public String inDialog(String method, String response, int cseq, String extra) {
    String contact = value(response, "Contact");
    StringBuilder routes = new StringBuilder();
    headerLines(response, "Record-Route").forEach(l -> routes.append("Route:").append(l.substring(13)).append("\r\n"));
    return method + " " + contact.substring(contact.indexOf('<') + 1, contact.indexOf('>')) + " SIP/2.0\r\n"
        + "Via: " + via("z9hG4bK" + method + System.nanoTime()) + "\r\nMax-Forwards: 70\r\n" + routes
        + "From: " + value(response, "From") + "\r\nTo: " + value(response, "To") + "\r\nCall-ID: "
        + value(response, "Call-ID") + "\r\nCSeq: " + cseq + " " + method + "\r\n" + extra + "Content-Length: 0\r\n\r\n";
  }

  /** The value of the first header {@code name} in a raw message, stripped. */
  private static String value(String message, String name) {
    return headerLines(message, name).stream().map(l -> l.substring(name.length() + 1).strip()).findFirst()
        .orElseThrow(() -> new AssertionError("no " + name + " in " + message));
  }

  /** A TCP connection from {@code from} (a loopback address) to {@code port} on 127.0.0.1. */
  public static java.net.Socket connect(String from, int port) throws IOException {
    java.net.Socket s = new java.net.Socket();
    s.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
    s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    return s;
  }

  /** Whether the peer closes {@code s} within {@code within}; what it sent before is read and skipped. */
  public static boolean closedByPeer(java.net.Socket s, Duration within) throws IOException {
    s.setSoTimeout((int) within.toMillis());
    try {
      byte[] skip = new byte[4096];
      while (true) {
        if (s.getInputStream().read(skip) == -1) {
          return true;
        }
      }
    } catch (SocketTimeoutException stillOpen) {
      return false;
    } catch (java.net.SocketException reset) {
      return true;
    }
  }

  /** The first {@code n} bytes {@code s} receives within 30 s (fewer if it closes first). */
  public static String firstBytes(java.net.Socket s, int n) throws IOException {
    s.setSoTimeout(30_000);
    java.io.InputStream in = s.getInputStream();
    byte[] buf = new byte[n];
    int got = 0;
    while (got < n) {
      int r = in.read(buf, got, n - got);
      if (r < 0) {
        break;
      }
      got += r;
    }
    return new String(buf, 0, got, StandardCharsets.US_ASCII);
  }

  /** Sends an OPTIONS to {@code port} over the TCP connection {@code s}: the first 12 bytes of the answer ("SIP/2.0 200 "). */
  public static String options(java.net.Socket s, int port) throws IOException {
    long n = System.nanoTime();
    String host = s.getLocalAddress().getHostAddress();
    String req = "OPTIONS sip:127.0.0.1:" + port + ";transport=tcp SIP/2.0\r\n"
        + "Via: SIP/2.0/TCP " + host + ":" + s.getLocalPort() + ";branch=z9hG4bKopt" + n + "\r\n"
        + "From: <sip:ping@" + host + ">;tag=o" + n + "\r\nTo: <sip:127.0.0.1>\r\nCall-ID: opt-" + n + "\r\n"
        + "CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
    s.getOutputStream().write(req.getBytes(StandardCharsets.US_ASCII));
    return firstBytes(s, 12);
  }

  @Override
  public void close() {
    socket.close();
  }
}
