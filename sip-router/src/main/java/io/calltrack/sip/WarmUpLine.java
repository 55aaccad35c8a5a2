package io.calltrack.sip;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Both ends of the warm-up's calls, as two plain UDP sockets on loopback: a trunk that places calls
 * (INVITE, then ACK and BYE along the route of the 200, as a trunk behind a record-routing proxy does)
 * and a business line that rings and answers each (180, 200, and 200 to the BYE). No SIP stack of
 * their own: the router's is the one being warmed. Messages are answered as they come; a duplicate
 * (a retransmission) gets the same answer again.
 */
final class WarmUpLine implements AutoCloseable {
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
  private static final String SDP = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
      + "m=audio 9 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";

  /** How often a waiting warm-up looks for calls that will not end. */
  private static final long POLL_NANOS = 100_000_000L;
  /** A call not over this long after its INVITE lost a datagram (nothing here sends one again): its place goes on. */
  static final Duration STALE = Duration.ofSeconds(2);

  private final DatagramSocket trunk;
  private final DatagramSocket line;
  private final Thread trunkReader;
  private final Thread lineReader;
  private final Map<String, Call> calls = new ConcurrentHashMap<>();
  private final AtomicInteger completed = new AtomicInteger();
  private final AtomicInteger ended = new AtomicInteger();
  private final Semaphore inFlight;
  private volatile InetSocketAddress router;
  private final long staleNanos;

  /** A call the trunk placed: its INVITE's branch and whether the BYE went out (once, whatever repeats). */
  private static final class Call {
    final String branch;
    final String tag;
    final long placedAt = System.nanoTime();
    boolean byeSent;

    Call(String branch, String tag) {
      this.branch = branch;
      this.tag = tag;
    }
  }

  WarmUpLine(int maxInFlight) throws SocketException {
    this(maxInFlight, STALE);
  }

  /** {@code stale}: how long after its INVITE a call that has not ended is given up. */
  WarmUpLine(int maxInFlight, Duration stale) throws SocketException {
    this.staleNanos = stale.toNanos();
    trunk = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
    line = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
    inFlight = new Semaphore(maxInFlight);
    trunkReader = reader("calltrack-warm-up-trunk", trunk, this::onTrunkMessage);
    lineReader = reader("calltrack-warm-up-line", line, this::onLineMessage);
  }

  /** The business line the warm-up number routes to. */
  String lineUri(String number) {
    return "sip:" + number + "@127.0.0.1:" + line.getLocalPort();
  }

  /**
   * Places {@code count} calls to {@code number} through the router at {@code router}, at most the
   * line's in-flight limit at once, each hung up as soon as it is answered; returns how many ended
   * with a 200 to their BYE by {@code within}.
   */
  int place(InetSocketAddress router, String number, int count, Duration within) throws InterruptedException {
    this.router = router;
    long deadline = System.nanoTime() + within.toNanos();
    int placed = 0;
    while (placed < count && System.nanoTime() < deadline) {
      if (inFlight.tryAcquire(POLL_NANOS, TimeUnit.NANOSECONDS)) {
        invite(number, placed++);
      } else {
        abandonStale();
      }
    }
    synchronized (ended) { // until every call placed has ended, or the time is up
      while (ended.get() < placed && System.nanoTime() < deadline) {
        TimeUnit.NANOSECONDS.timedWait(ended, POLL_NANOS);
        abandonStale();
      }
    }
    return completed.get();
  }

  private void abandonStale() {
    long now = System.nanoTime();
    calls.forEach((callId, call) -> {
      if (now - call.placedAt > staleNanos) {
        end(callId, false);
      }
    });
  }

  /** A call is over (answered and hung up, or refused): its place goes to the next. */
  private void end(String callId, boolean answered) {
    if (calls.remove(callId) == null) {
      return; // a repeated final answer
    }
    if (answered) {
      completed.incrementAndGet();
    }
    inFlight.release();
    synchronized (ended) {
      ended.incrementAndGet();
      ended.notifyAll();
    }
  }

  private void invite(String number, int i) {
    String callId = "warm-up-" + i + "-" + System.nanoTime() + "@127.0.0.1";
    Call call = new Call("z9hG4bK-warm-up-" + i + "-" + System.nanoTime(), "wu" + i);
    calls.put(callId, call);
    String ruri = "sip:" + number + "@" + router.getHostString() + ":" + router.getPort();
    send(trunk, router, "INVITE " + ruri + " SIP/2.0\r\n"
        + "Via: SIP/2.0/UDP 127.0.0.1:" + trunk.getLocalPort() + ";branch=" + call.branch + ";rport\r\n"
        + "From: <sip:+15550001001@127.0.0.1:" + trunk.getLocalPort() + ">;tag=" + call.tag + "\r\n"
        + "To: <" + ruri + ">\r\n"
        + "Call-ID: " + callId + "\r\n"
        + "CSeq: 1 INVITE\r\n"
        + "Contact: <sip:+15550001001@127.0.0.1:" + trunk.getLocalPort() + ">\r\n"
        + "Max-Forwards: 70\r\n"
        + "Content-Type: application/sdp\r\n"
        + "Content-Length: " + SDP.length() + "\r\n\r\n" + SDP);
  }

  /** The trunk's side: ACK and BYE on a 200 to the INVITE, ACK on a refusal, done on the BYE's answer. */
  private void onTrunkMessage(Message m) {
    if (m.request) {
      return; // nothing calls the trunk back in a warm-up
    }
    String callId = m.header("Call-ID");
    Call call = calls.get(callId);
    if (call == null || m.status < 200) {
      return;
    }
    if (m.header("CSeq").endsWith("BYE")) {
      end(callId, m.status < 300);
      return;
    }
    if (m.status >= 300) { // a refusal: its ACK is hop by hop, on the INVITE's branch; the call ends here
      sendInCall("ACK", m.uriOf("To"), call.branch, "", m, 1);
      end(callId, false);
      return;
    }
    // answered: the route set is the 200's Record-Route, reversed; the request goes to its first hop
    List<String> routes = new ArrayList<>(m.all("Record-Route"));
    java.util.Collections.reverse(routes);
    String route = headerLines("Route", routes);
    String target = m.uriOf("Contact");
    sendInCall("ACK", target, call.branch + "-ack", route, m, 1);
    synchronized (call) {
      if (call.byeSent) {
        return; // a repeated 200: acknowledged again, hung up once
      }
      call.byeSent = true;
    }
    sendInCall("BYE", target, call.branch + "-bye", route, m, 2);
  }

  /**
   * A request of the trunk's within the call {@code answer} belongs to (its From, To with the line's
   * tag and Call-ID), to {@code uri} along {@code route}, on {@code branch}.
   */
  private void sendInCall(String method, String uri, String branch, String route, Message answer, int cseq) {
    send(trunk, router, method + " " + uri + " SIP/2.0\r\n"
        + "Via: SIP/2.0/UDP 127.0.0.1:" + trunk.getLocalPort() + ";branch=" + branch + "\r\n" + route
        + "From: " + answer.header("From") + "\r\nTo: " + answer.header("To") + "\r\nCall-ID: "
        + answer.header("Call-ID") + "\r\nCSeq: " + cseq + " " + method + "\r\nMax-Forwards: 70\r\n"
        + "Content-Length: 0\r\n\r\n");
  }

  /** The business line's side: rings and answers an INVITE, answers a BYE, takes an ACK. */
  private void onLineMessage(Message m) {
    if (!m.request || m.method.equals("ACK")) {
      return;
    }
    String to = m.header("To");
    if (!to.contains(";tag=")) {
      to = to + ";tag=line-" + Integer.toHexString(m.header("Call-ID").hashCode());
    }
    StringBuilder common = new StringBuilder(headerLines("Via", m.all("Via")));
    common.append("From: ").append(m.header("From")).append("\r\nTo: ").append(to)
        .append("\r\nCall-ID: ").append(m.header("Call-ID")).append("\r\nCSeq: ").append(m.header("CSeq"))
        .append("\r\n");
    if (!m.method.equals("INVITE")) {
      send(line, m.from, "SIP/2.0 200 OK\r\n" + common + "Content-Length: 0\r\n\r\n");
      return;
    }
    String rr = headerLines("Record-Route", m.all("Record-Route"));
    String contact = "Contact: <sip:line@127.0.0.1:" + line.getLocalPort() + ">\r\n";
    send(line, m.from, "SIP/2.0 180 Ringing\r\n" + common + rr + contact + "Content-Length: 0\r\n\r\n");
    send(line, m.from, "SIP/2.0 200 OK\r\n" + common + rr + contact + "Content-Type: application/sdp\r\n"
        + "Content-Length: " + SDP.length() + "\r\n\r\n" + SDP);
  }

  /** One {@code name: value} line per value, in order. */
  private static String headerLines(String name, List<String> values) {
    StringBuilder lines = new StringBuilder();
    for (String v : values) {
      lines.append(name).append(": ").append(v).append("\r\n");
    }
    return lines.toString();
  }

  private static void send(DatagramSocket socket, InetSocketAddress to, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
    try {
      socket.send(new DatagramPacket(bytes, bytes.length, to));
    } catch (IOException e) {
      // closed while a late answer was on its way: the warm-up is over
    }
  }

  private static Thread reader(String name, DatagramSocket socket, java.util.function.Consumer<Message> handler) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[65_535];
      while (!socket.isClosed()) {
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        try {
          socket.receive(p);
        } catch (IOException e) {
          return; // closed
        }
        Message m = Message.parse(new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII),
            (InetSocketAddress) p.getSocketAddress());
        if (m != null) {
          handler.accept(m);
        }
      }
    }, name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  @Override
  public void close() {
    trunk.close();
    line.close();
    try {
      trunkReader.join(1000);
      lineReader.join(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A SIP message as far as the warm-up reads one: first line, headers by name (long form), source. */
  private record Message(boolean request, String method, int status, Map<String, List<String>> headers,
      InetSocketAddress from) {
    private static final Map<String, String> COMPACT = Map.of("v", "via", "f", "from", "t", "to", "i", "call-id",
        "m", "contact", "l", "content-length", "c", "content-type");

    static Message parse(String text, InetSocketAddress from) {
      int end = text.indexOf("\r\n\r\n");
      String[] lines = (end < 0 ? text : text.substring(0, end)).split("\r\n");
      if (lines.length == 0 || lines[0].isBlank()) {
        return null; // a keep-alive
      }
      Map<String, List<String>> headers = new java.util.HashMap<>();
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        if (colon > 0) {
          String name = lines[i].substring(0, colon).strip().toLowerCase(java.util.Locale.ROOT);
          name = COMPACT.getOrDefault(name, name);
          List<String> values = headers.computeIfAbsent(name, k -> new ArrayList<>());
          String value = lines[i].substring(colon + 1).strip();
          if (name.equals("via") || name.equals("record-route")) {
            for (String part : value.split(",(?=(?:[^\"<>]|<[^>]*>)*$)")) {
              values.add(part.strip()); // one value per hop, in order
            }
          } else {
            values.add(value);
          }
        }
      }
      if (lines[0].startsWith("SIP/2.0 ")) {
        return new Message(false, null, Integer.parseInt(lines[0].substring(8, 11)), headers, from);
      }
      return new Message(true, lines[0].substring(0, lines[0].indexOf(' ')), 0, headers, from);
    }

    String header(String name) {
      List<String> v = headers.get(name.toLowerCase(java.util.Locale.ROOT));
      return v == null || v.isEmpty() ? "" : v.get(0);
    }

    List<String> all(String name) {
      return headers.getOrDefault(name.toLowerCase(java.util.Locale.ROOT), List.of());
    }

    /** The URI in a header such as Contact or To: within its angle brackets, or up to its parameters. */
    String uriOf(String name) {
      String value = header(name);
      int lt = value.indexOf('<');
      return lt >= 0 ? value.substring(lt + 1, value.indexOf('>', lt)) : value.split(";")[0];
    }
  }
}
