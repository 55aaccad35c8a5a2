package io.calltrack.launcher.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.CallStatus;
import io.calltrack.core.calls.RedisCallStore;
import io.calltrack.core.config.PoolConfig;
import io.calltrack.core.config.PropertyConfig;
import io.calltrack.core.config.RedisConfigStore;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.localredis.EmbeddedRedis;
import io.calltrack.core.redis.RedisClientFactory;
import io.calltrack.core.testing.Await;
import io.calltrack.core.testing.TestNumbers;
import io.calltrack.sip.SipRouter;
import io.calltrack.sip.SipRouterOptions;
import io.calltrack.sip.testing.SipPhone;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sip.header.CallIdHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SIP router fed seeded random SIP over UDP and TCP from an address outside its trunks: valid
 * messages bent by byte flips, dropped and doubled headers, odd numbers in numeric headers, cut and
 * overlong messages, relay attempts (request URIs, Contacts and Record-Routes naming another host),
 * and requests and responses naming a live call. Never a 5xx back, never a request forwarded (neither
 * the business line nor the host the messages name receive one), no call record made or changed, and
 * the router still connects calls afterwards. The seed is printed; {@code -Dfuzz.seed=N} replays it.
 * Responses include forged 2xx to INVITE naming the live call's Call-ID with the router's Via on top
 * (a reflector attempt): they must reach neither the host their next Via names nor the caller.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SipFuzzTest {
  static final int DATAGRAMS = Integer.getInteger("fuzz.datagrams", 1500);
  static final int CONNECTIONS = Integer.getInteger("fuzz.connections", 120);
  static final String FUZZER_IP = "127.0.0.3";
  static final String ELSEWHERE_IP = "127.0.0.4";
  static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;

  @Test
  void noDatagramOrStreamGetsA5xxAForwardOrAChange() throws Exception {
    long seed = Long.getLong("fuzz.seed", System.nanoTime());
    System.out.println("SipFuzzTest seed " + seed + " (-Dfuzz.seed=" + seed + " replays it)");
    Random rnd = new Random(seed);
    EmbeddedRedis redis = EmbeddedRedis.start(0, null);
    Vertx vertx = Vertx.vertx();
    SipPhone line = SipPhone.start("fuzz-line");
    SipPhone caller = SipPhone.start("fuzz-caller");
    SipRouter router = null;
    try (Elsewhere elsewhere = new Elsewhere(); DatagramSocket fuzzer = new DatagramSocket(
        new InetSocketAddress(InetAddress.getByName(FUZZER_IP), 0))) {
      Redis client = RedisClientFactory.create(vertx, redis.url());
      RedisConfigStore config = Await.result(RedisConfigStore.create(vertx, client));
      RedisCallStore store = new RedisCallStore(client);
      PhoneNumber number = TestNumbers.fresh();
      Await.result(config.putProperty(new PropertyConfig("fuzzsip", "Fuzz", List.of(), List.of(number), number,
          line.uri("+15559990000", "udp"), "UTC")));
      Await.result(config.putPool(new PoolConfig("fuzzsip-pool", "fuzzsip", List.of(number), null, null, null, null)));
      int port = EmbeddedRedis.freePort();
      router = Await.result(SipRouter.start(vertx, new SipRouterOptions("127.0.0.1", port, List.of("127.0.0.1/32"),
          redis.url(), dir.resolve("router"), new SimpleMeterRegistry(), Clock.systemUTC(), Duration.ofSeconds(10))));
      SipRouter r = router;
      Await.until(WAIT, () -> r.routes(number));

      // a live call for the fuzz to aim at
      String live = caller.call("sip:" + number.e164() + "@127.0.0.1:" + port, port, "udp");
      var ok = caller.awaitResponseFor(live, Request.INVITE, 200, WAIT);
      String fromTag = ((FromHeader) ok.getHeader(FromHeader.NAME)).getTag();
      String toTag = ((ToHeader) ok.getHeader(ToHeader.NAME)).getTag();
      Await.until(WAIT, () -> StoredCalls.all(store).size() == 1 && StoredCalls.all(store).get(0).answeredAt() != null);
      List<CallRecord> before = StoredCalls.all(store);
      int lineRequestsBefore = line.requests.size();

      List<Integer> codes = new CopyOnWriteArrayList<>();
      Thread listener = new Thread(() -> collectResponses(fuzzer, codes), "fuzz-responses");
      listener.setDaemon(true);
      listener.start();
      Templates t = new Templates(number.e164(), port, fuzzer.getLocalPort(), elsewhere.port, live, fromTag, toTag);
      for (int i = 0; i < DATAGRAMS; i++) {
        byte[] msg = mutate(rnd, t.pick(rnd, "UDP"));
        fuzzer.send(new DatagramPacket(msg, msg.length, InetAddress.getLoopbackAddress(), port));
      }
      int tcpAnswers = 0;
      for (int i = 0; i < CONNECTIONS; i++) {
        try (Socket s = new Socket()) {
          s.bind(new InetSocketAddress(InetAddress.getByName(FUZZER_IP), 0));
          s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
          OutputStream out = s.getOutputStream();
          int n = 1 + rnd.nextInt(3);
          for (int j = 0; j < n; j++) {
            out.write(mutate(rnd, t.pick(rnd, "TCP")));
          }
          out.flush();
          if (i % 6 == 0) { // some connections wait for what comes back; the rest hang up at once
            s.setSoTimeout(300);
            tcpAnswers += readCodes(s.getInputStream(), codes);
          }
        } catch (SocketException closedByTheRouter) {
          // the router may close a connection that sent garbage
        }
      }

      // the router is still there and still routes a call
      String after = caller.call("sip:" + number.e164() + "@127.0.0.1:" + port, port, "udp");
      caller.awaitResponseFor(after, Request.INVITE, 200, WAIT);
      caller.byeFor(after);
      caller.awaitResponseFor(after, Request.BYE, 200, WAIT);

      assertEquals(List.of(), elsewhere.received(), "the router sent something to a host only the fuzz named");
      List<String> forwarded = new ArrayList<>();
      for (Request q : line.requests.subList(lineRequestsBefore, line.requests.size())) {
        String callId = ((CallIdHeader) q.getHeader(CallIdHeader.NAME)).getCallId();
        if (!callId.equals(after)) {
          forwarded.add(q.getMethod() + " " + callId);
        }
      }
      assertEquals(List.of(), forwarded, "requests forwarded to the business line from outside the trunks");
      List<Integer> serverErrors = codes.stream().filter(c -> c >= 500).toList();
      assertEquals(List.of(), serverErrors, "5xx answers to the fuzz");
      assertTrue(codes.size() > 0, "the router answered none of the fuzz: it was not tested");

      // nothing recorded or changed but the call placed after the fuzz
      CallRecord placedAfter = Await.until(WAIT, () -> StoredCalls.all(store).stream()
          .filter(c -> after.equals(c.sipCallId())).findFirst().orElse(null), c -> c != null && c.finished());
      List<CallRecord> now = new ArrayList<>(StoredCalls.all(store));
      now.remove(placedAfter);
      assertEquals(before, now, "a call record changed under the fuzz");
      CallRecord liveRecord = now.get(0);
      assertEquals(CallStatus.ANSWERED, liveRecord.status());
      assertNull(liveRecord.endedAt(), "the live call was ended by the fuzz");
      caller.byeFor(live);
      caller.awaitResponseFor(live, Request.BYE, 200, WAIT);
      System.out.printf("SipFuzzTest: %d datagrams, %d TCP connections; %d answers (%d over TCP), none 5xx%n",
          DATAGRAMS, CONNECTIONS, codes.size(), tcpAnswers);
    } finally {
      caller.close();
      line.close();
      if (router != null) {
        Await.result(router.close());
      }
      Await.result(vertx.close());
      redis.stop();
    }
  }


  private static final Pattern STATUS = Pattern.compile("^SIP/2\\.0 (\\d{3}) ", Pattern.MULTILINE);

  private static void collectResponses(DatagramSocket socket, List<Integer> codes) {
    byte[] buf = new byte[65536];
    while (!socket.isClosed()) {
      try {
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        socket.receive(p);
        Matcher m = STATUS.matcher(new String(p.getData(), 0, p.getLength(), StandardCharsets.ISO_8859_1));
        if (m.find()) {
          codes.add(Integer.parseInt(m.group(1)));
        }
      } catch (IOException closed) {
        return;
      }
    }
  }

  private static int readCodes(InputStream in, List<Integer> codes) throws IOException {
    StringBuilder b = new StringBuilder();
    byte[] buf = new byte[8192];
    try {
      int n;
      while ((n = in.read(buf)) > 0) {
        b.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
      }
    } catch (SocketTimeoutException enough) {
      // what came in time
    }
    int found = 0;
    Matcher m = STATUS.matcher(b);
    while (m.find()) {
      codes.add(Integer.parseInt(m.group(1)));
      found++;
    }
    return found;
  }

  // ---------------------------------------------------------------- messages

  /** Well-formed messages the fuzz starts from, naming the router, the live call, and a host elsewhere. */
  record Templates(String number, int routerPort, int fuzzerPort, int elsewherePort, String liveCallId,
      String liveFromTag, String liveToTag) {

    String pick(Random rnd, String transport) {
      String branch = "z9hG4bK" + Long.toHexString(rnd.nextLong());
      String via = "Via: SIP/2.0/" + transport + " " + FUZZER_IP + ":" + fuzzerPort + ";branch=" + branch + ";rport\r\n";
      String callId = rnd.nextInt(3) == 0 ? liveCallId : "fuzz-" + Long.toHexString(rnd.nextLong());
      String elsewhere = ELSEWHERE_IP + ":" + elsewherePort;
      String router = "127.0.0.1:" + routerPort;
      String uri = switch (rnd.nextInt(4)) {
        case 0 -> "sip:" + number + "@" + router;
        case 1 -> "sip:" + number + "@" + elsewhere;
        case 2 -> "sip:+15550000000@" + router;
        default -> "sip:victim@" + elsewhere + ";transport=" + transport.toLowerCase();
      };
      String sdp = "v=0\r\no=- 1 1 IN IP4 " + ELSEWHERE_IP + "\r\ns=-\r\nc=IN IP4 " + ELSEWHERE_IP
          + "\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n";
      String method = HttpFuzzTest.pick(rnd, "INVITE", "INVITE", "INVITE", "BYE", "BYE", "CANCEL", "ACK", "OPTIONS",
          "REGISTER", "MESSAGE", "SUBSCRIBE", "NOTIFY", "INFO", "UPDATE", "PRACK", "REFER", "PUBLISH");
      boolean inDialog = callId.equals(liveCallId) && !method.equals("INVITE") || rnd.nextInt(5) == 0;
      String from = "From: <sip:+15557770001@" + FUZZER_IP + ">;tag=" + (callId.equals(liveCallId) ? liveFromTag : "f" + rnd.nextInt(1000)) + "\r\n";
      String to = "To: <sip:" + number + "@" + router + ">" + (inDialog ? ";tag=" + (callId.equals(liveCallId) ? liveToTag : "t1") : "") + "\r\n";
      String common = "Max-Forwards: 70\r\n" + from + to + "Call-ID: " + callId + "\r\n";
      if (rnd.nextInt(5) == 0) {
        // a response, as if from the business line or the trunk, some with the router's Via on top
        int code = Integer.parseInt(HttpFuzzTest.pick(rnd, "100", "180", "183", "200", "200", "400", "404", "486", "487", "500", "503", "603"));
        String top = rnd.nextBoolean() ? "Via: SIP/2.0/" + transport + " 127.0.0.1:" + routerPort + ";branch=z9hG4bKct" + rnd.nextInt(100000) + "\r\n" : "";
        return "SIP/2.0 " + code + " Fuzz\r\n" + top + "Via: SIP/2.0/" + transport + " " + elsewhere + ";branch=" + branch + "\r\n"
            + common + "CSeq: 1 " + HttpFuzzTest.pick(rnd, "INVITE", "BYE", "CANCEL") + "\r\n"
            + "Contact: <sip:x@" + elsewhere + ">\r\nContent-Length: 0\r\n\r\n";
      }
      String body = method.equals("INVITE") ? sdp : "";
      return method + " " + uri + " SIP/2.0\r\n" + via + common
          + "CSeq: " + (1 + rnd.nextInt(5)) + " " + method + "\r\n"
          + "Contact: <sip:x@" + elsewhere + ";transport=" + transport.toLowerCase() + ">\r\n"
          + (rnd.nextBoolean() ? "Route: <sip:" + router + ";lr>\r\n" : "")
          + (rnd.nextInt(3) == 0 ? "Record-Route: <sip:" + elsewhere + ";lr>\r\n" : "")
          + (method.equals("REGISTER") || method.equals("SUBSCRIBE") ? "Expires: 3600\r\n" : "")
          + (method.equals("REFER") ? "Refer-To: <sip:victim@" + elsewhere + ">\r\n" : "")
          + (body.isEmpty() ? "" : "Content-Type: application/sdp\r\n")
          + "Content-Length: " + body.length() + "\r\n\r\n" + body;
    }
  }

  static final String[] ODD_NUMBERS = {"-1", "abc", "", "99999999999999999999", "4294967296", "0x10", "1.5", " 7 ", "+3"};

  /** One to three changes, or none (a well-formed message is fuzz too). */
  static byte[] mutate(Random rnd, String msg) {
    String s = msg;
    int n = rnd.nextInt(4);
    for (int i = 0; i < n; i++) {
      String[] lines = s.split("\r\n", -1);
      int headerLines = Math.min(Math.max(2, indexOfBlank(lines)), lines.length);
      int op = rnd.nextInt(10);
      if (headerLines < 2 && op < 2) {
        continue; // a message cut down to its first line has no header to drop or double
      }
      switch (op) {
        case 0 -> { // drop a header
          int at = 1 + rnd.nextInt(headerLines - 1);
          List<String> l = new ArrayList<>(List.of(lines));
          l.remove(at);
          s = String.join("\r\n", l);
        }
        case 1 -> { // double a header
          int at = 1 + rnd.nextInt(headerLines - 1);
          List<String> l = new ArrayList<>(List.of(lines));
          l.add(at, lines[at]);
          s = String.join("\r\n", l);
        }
        case 2 -> s = s.replaceFirst("(Max-Forwards|Content-Length|Expires): [^\r]*",
            "$1: " + Matcher.quoteReplacement(HttpFuzzTest.pick(rnd, ODD_NUMBERS)));
        case 3 -> s = s.replaceFirst("CSeq: [0-9]+", "CSeq: " + Matcher.quoteReplacement(HttpFuzzTest.pick(rnd, ODD_NUMBERS)));
        case 4 -> { // flip bytes
          char[] c = s.toCharArray();
          for (int k = 0; k < 1 + rnd.nextInt(5) && c.length > 0; k++) {
            c[rnd.nextInt(c.length)] = (char) rnd.nextInt(256);
          }
          s = new String(c);
        }
        case 5 -> s = s.substring(0, rnd.nextInt(Math.max(1, s.length())));
        case 6 -> s = s.replaceFirst("\r\n", "\r\nSubject: " + "x".repeat(rnd.nextInt(20_000)) + "\r\n");
        case 7 -> s = s.replace("\r\n", "\n");
        case 8 -> s = s.replaceFirst("^[A-Z]+ ", HttpFuzzTest.pick(rnd, "INVITE ", "invite ", "FOO ", " ", "SIP/2.0 "))
            .replaceFirst(" SIP/2\\.0\r\n", HttpFuzzTest.pick(rnd, " SIP/3.0\r\n", "\r\n", " SIP/2.0 extra\r\n"));
        default -> s = s.replaceFirst("(Via|From|To|Contact|Route): [^\r]*", "$1: " + Matcher.quoteReplacement(
            HttpFuzzTest.pick(rnd, "<>", "sip:", "<sip:@:>", "SIP/2.0/UDP :0", ";;;", "<sip:a@b:99999>", "\u00ff\u00fe")));
      }
    }
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static int indexOfBlank(String[] lines) {
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].isEmpty()) {
        return i;
      }
    }
    return lines.length;
  }

  /** A host only the fuzz names (in request URIs, Vias, Contacts, Record-Routes): it must hear nothing. */
  static final class Elsewhere implements AutoCloseable {
    final DatagramSocket udp;
    final ServerSocket tcp;
    final int port;
    private final List<String> received = new CopyOnWriteArrayList<>();

    Elsewhere() throws IOException {
      InetAddress ip = InetAddress.getByName(ELSEWHERE_IP);
      ServerSocket t = null;
      DatagramSocket u = null;
      for (int attempt = 0; attempt < 20 && t == null; attempt++) {
        int p = EmbeddedRedis.freePort();
        try {
          u = new DatagramSocket(new InetSocketAddress(ip, p));
          t = new ServerSocket(p, 50, ip);
        } catch (IOException taken) {
          if (u != null) {
            u.close();
          }
          u = null;
        }
      }
      if (t == null) {
        throw new IOException("no free port on " + ELSEWHERE_IP);
      }
      udp = u;
      tcp = t;
      port = t.getLocalPort();
      Thread a = new Thread(this::readUdp, "elsewhere-udp");
      a.setDaemon(true);
      a.start();
      Thread b = new Thread(this::acceptTcp, "elsewhere-tcp");
      b.setDaemon(true);
      b.start();
    }

    private void readUdp() {
      byte[] buf = new byte[65536];
      while (!udp.isClosed()) {
        try {
          DatagramPacket p = new DatagramPacket(buf, buf.length);
          udp.receive(p);
          received.add("UDP " + new String(p.getData(), 0, Math.min(p.getLength(), 200), StandardCharsets.ISO_8859_1));
        } catch (IOException closed) {
          return;
        }
      }
    }

    private void acceptTcp() {
      while (!tcp.isClosed()) {
        try (Socket s = tcp.accept()) {
          received.add("TCP connection from " + s.getRemoteSocketAddress());
        } catch (IOException closed) {
          return;
        }
      }
    }

    List<String> received() {
      return List.copyOf(received);
    }

    @Override
    public void close() throws IOException {
      udp.close();
      tcp.close();
    }
  }
}
