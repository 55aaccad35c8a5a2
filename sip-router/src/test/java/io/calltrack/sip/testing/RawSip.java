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

  @Override
  public void close() {
    socket.close();
  }
}
