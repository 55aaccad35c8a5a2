package io.calltrack.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.CallStatus;
import io.calltrack.core.calls.RedisCallStore;
import io.calltrack.core.config.PropertyConfig;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.core.redis.EmbeddedRedis;
import io.calltrack.core.redis.RedisClientFactory;
import io.calltrack.core.testing.TestRedis;
import io.calltrack.sip.testing.SipPhone;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.sip.header.MaxForwardsHeader;
import javax.sip.header.RecordRouteHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The proxy with real JAIN-SIP peers on loopback and real Redis: every call flow the router must handle. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SipRouterTest {
  static final Duration WAIT = Duration.ofSeconds(20);
  static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(3);

  static Vertx vertx;
  static TestBackends config;
  static SipRouter router;
  static RedisCallStore calls;
  @TempDir static Path spool;

  SipPhone caller;
  SipPhone line;

  @BeforeAll
  static void startRouter() {
    vertx = Vertx.vertx();
    config = new TestBackends();
    calls = new RedisCallStore(RedisClientFactory.create(vertx, TestRedis.url()));
    router = await(SipRouter.start(vertx, options(EmbeddedRedis.freePort(), List.of("127.0.0.0/8")),
        config.backends(vertx, TestRedis.url())));
  }

  static SipRouterOptions options(int port, List<String> trunks) {
    return new SipRouterOptions("127.0.0.1", port, trunks, TestRedis.url(), spool.resolve("p" + port),
        new SimpleMeterRegistry(), Clock.systemUTC(), ANSWER_TIMEOUT);
  }

  @AfterAll
  static void stopRouter() {
    try {
      if (router != null) {
        await(router.close());
      }
    } finally {
      await(vertx.close());
    }
  }

  @BeforeEach
  void phones() {
    caller = SipPhone.start("caller");
    line = SipPhone.start("line");
  }

  @AfterEach
  void stopPhones() {
    caller.close();
    line.close();
  }

  /** A property whose business line is the test line; returns its tracking number. */
  PhoneNumber trackingNumber(String lineTransport) {
    PhoneNumber number = PhoneNumber.parse(String.format("+1555%07d", ThreadLocalRandom.current().nextInt(10_000_000)));
    String id = TestRedis.uniqueId("prop");
    config.add(new PropertyConfig(id, id, List.of(), List.of(number), number,
        line.uri("+15559990000", lineTransport), "UTC"), List.of(number));
    router.refreshRoutingTable();
    io.calltrack.sip.testing.Wait.until(WAIT, () -> router.routes(number));
    return number;
  }

  static String routerUri(PhoneNumber n, String user) {
    return "sip:" + user + "@127.0.0.1:" + router.port();
  }

  CallRecord awaitRecord(String sipCallId, CallStatus status) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      var page = await(calls.page(Instant.now().minusSeconds(600), null, 200, null));
      Optional<CallRecord> r = page.calls().stream().filter(c -> sipCallId.equals(c.sipCallId())).findFirst();
      if (r.isPresent() && r.get().status() == status && r.get().endedAt() != null) {
        return r.get();
      }
      pause();
    }
    throw new AssertionError("no finished " + status + " record for " + sipCallId);
  }

  @ParameterizedTest(name = "caller {0}, business line {1}")
  @CsvSource({"udp,udp", "tcp,tcp", "tcp,udp", "udp,tcp"})
  void answeredCallHungUpByTheCaller(String callerTransport, String lineTransport) {
    PhoneNumber number = trackingNumber(lineTransport);
    String callId = caller.call(routerUri(number, number.e164()), router.port(), callerTransport);

    caller.awaitResponse(Request.INVITE, Response.RINGING, WAIT);
    caller.awaitResponse(Request.INVITE, Response.OK, WAIT);
    Request invite = line.awaitRequest(Request.INVITE, WAIT);
    line.awaitRequest(Request.ACK, WAIT);
    // forwarded with our Via on top, a Record-Route to us and one hop fewer
    ViaHeader via = (ViaHeader) invite.getHeader(ViaHeader.NAME);
    assertEquals(router.port(), via.getPort());
    RecordRouteHeader rr = (RecordRouteHeader) invite.getHeader(RecordRouteHeader.NAME);
    assertNotNull(rr, "Record-Route");
    assertTrue(rr.getAddress().getURI().toString().contains(":" + router.port()), rr.toString());
    assertEquals(69, ((MaxForwardsHeader) invite.getHeader(MaxForwardsHeader.NAME)).getMaxForwards());
    assertTrue(invite.getRequestURI().toString().startsWith("sip:+15559990000@127.0.0.1:" + line.port));

    caller.bye();
    line.awaitRequest(Request.BYE, WAIT);
    caller.awaitResponse(Request.BYE, Response.OK, WAIT);

    CallRecord r = awaitRecord(callId, CallStatus.ANSWERED);
    assertEquals(number, r.number());
    assertEquals("+15557770001", r.caller());
    assertEquals(200, r.finalCode());
    assertNotNull(r.ringingAt());
    assertNotNull(r.answeredAt());
    assertTrue(!r.endedAt().isBefore(r.answeredAt()));
    assertEquals("unattributed", r.resolution());
  }

  @Test
  void answeredCallHungUpByTheBusinessLine() {
    PhoneNumber number = trackingNumber("udp");
    String callId = caller.call(routerUri(number, number.digits()), router.port(), "udp");
    caller.awaitResponse(Request.INVITE, Response.OK, WAIT);
    line.awaitRequest(Request.ACK, WAIT);

    line.bye();
    caller.awaitRequest(Request.BYE, WAIT);
    line.awaitResponse(Request.BYE, Response.OK, WAIT);
    assertEquals(CallStatus.ANSWERED, awaitRecord(callId, CallStatus.ANSWERED).status());
  }

  @Test
  void reInviteInTheDialogIsRelayed() {
    PhoneNumber number = trackingNumber("tcp");
    String callId = caller.call(routerUri(number, number.e164()), router.port(), "tcp");
    caller.awaitResponse(Request.INVITE, Response.OK, WAIT);
    line.awaitRequest(Request.ACK, WAIT);

    caller.sendInDialog(Request.INVITE);
    io.calltrack.sip.testing.Wait.until(WAIT, () -> line.count(Request.INVITE) == 2);
    io.calltrack.sip.testing.Wait.until(WAIT, () -> line.count(Request.ACK) == 2);
    caller.bye();
    caller.awaitResponse(Request.BYE, Response.OK, WAIT);
    awaitRecord(callId, CallStatus.ANSWERED);
  }

  @Test
  void busyBusinessLine() {
    line.mode = SipPhone.Mode.BUSY;
    PhoneNumber number = trackingNumber("udp");
    String callId = caller.call(routerUri(number, number.e164()), router.port(), "udp");
    caller.awaitResponse(Request.INVITE, Response.BUSY_HERE, WAIT);
    CallRecord r = awaitRecord(callId, CallStatus.BUSY);
    assertEquals(486, r.finalCode());
    assertEquals(0L, r.durationSeconds());
  }

  @Test
  void unansweredCallIsCancelledAndMissed() {
    line.mode = SipPhone.Mode.RING_FOREVER;
    PhoneNumber number = trackingNumber("udp");
    String callId = caller.call(routerUri(number, number.e164()), router.port(), "udp");
    caller.awaitResponse(Request.INVITE, Response.RINGING, WAIT);
    caller.awaitResponse(Request.INVITE, Response.REQUEST_TIMEOUT, WAIT);
    line.awaitRequest(Request.CANCEL, WAIT);
    CallRecord r = awaitRecord(callId, CallStatus.MISSED);
    assertEquals(408, r.finalCode());
    assertNotNull(r.ringingAt());
  }

  @Test
  void callerHangsUpWhileRinging() {
    line.mode = SipPhone.Mode.RING_FOREVER;
    PhoneNumber number = trackingNumber("tcp");
    String callId = caller.call(routerUri(number, number.e164()), router.port(), "tcp");
    caller.awaitResponse(Request.INVITE, Response.RINGING, WAIT);
    caller.cancel();
    caller.awaitResponse(Request.INVITE, Response.REQUEST_TERMINATED, WAIT);
    line.awaitRequest(Request.CANCEL, WAIT);
    CallRecord r = awaitRecord(callId, CallStatus.ABANDONED);
    assertEquals(487, r.finalCode());
  }

  @Test
  void telUriIsRouted() {
    PhoneNumber number = trackingNumber("udp");
    String callId = caller.call("tel:" + number.e164(), router.port(), "udp");
    caller.awaitResponse(Request.INVITE, Response.OK, WAIT);
    caller.bye();
    caller.awaitResponse(Request.BYE, Response.OK, WAIT);
    awaitRecord(callId, CallStatus.ANSWERED);
  }

  @Test
  void unknownNumberIs404() {
    trackingNumber("udp");
    caller.call("sip:+15550000000@127.0.0.1:" + router.port(), router.port(), "udp");
    caller.awaitResponse(Request.INVITE, Response.NOT_FOUND, WAIT);
    assertEquals(0, line.count(Request.INVITE));
  }

  @Test
  void untrustedSourceIs403() {
    PhoneNumber number = trackingNumber("udp");
    SipRouter strict = await(SipRouter.start(vertx, options(EmbeddedRedis.freePort(), List.of("10.0.0.0/8")),
        config.backends(vertx, TestRedis.url())));
    try {
      strict.refreshRoutingTable();
      io.calltrack.sip.testing.Wait.until(WAIT, () -> strict.routes(number));
      caller.call("sip:" + number.e164() + "@127.0.0.1:" + strict.port(), strict.port(), "udp");
      caller.awaitResponse(Request.INVITE, Response.FORBIDDEN, WAIT);
      assertEquals(0, line.count(Request.INVITE));
    } finally {
      await(strict.close());
    }
  }

  @Test
  void loopThroughTheRouterIsDetected() {
    PhoneNumber number = PhoneNumber.parse(String.format("+1555%07d", ThreadLocalRandom.current().nextInt(10_000_000)));
    String id = TestRedis.uniqueId("loop");
    // a misconfigured business line that points back at the router itself
    config.add(new PropertyConfig(id, id, List.of(), List.of(number), number,
        "sip:" + number.e164() + "@127.0.0.1:" + router.port(), "UTC"), List.of(number));
    router.refreshRoutingTable();
    io.calltrack.sip.testing.Wait.until(WAIT, () -> router.routes(number));
    caller.call("sip:" + number.e164() + "@127.0.0.1:" + router.port(), router.port(), "udp");
    Response r = caller.awaitFinal(Request.INVITE, WAIT);
    assertTrue(r.getStatusCode() == Response.LOOP_DETECTED || r.getStatusCode() == Response.TOO_MANY_HOPS,
        "loop answered " + r.getStatusCode());
  }

  @Test
  void garbageOnThePortDoesNotStopTheRouter() throws Exception {
    try (var socket = new java.net.DatagramSocket()) {
      byte[][] junk = {
          "\u0000\u0001garbage\r\n\r\n".getBytes(),
          ("INVITE sip:x@127.0.0.1 SIP/2.0\r\nVia: nonsense\r\nCSeq: abc\r\n\r\n").getBytes(),
          new byte[60_000],
      };
      for (byte[] j : junk) {
        socket.send(new java.net.DatagramPacket(j, j.length, java.net.InetAddress.getLoopbackAddress(), router.port()));
      }
    }
    try (var tcp = new java.net.Socket("127.0.0.1", router.port())) {
      tcp.getOutputStream().write("OPTIONS garbage\r\nContent-Length: 99999999\r\n\r\nxx".getBytes());
    }
    answeredCallHungUpByTheCaller("udp", "udp");
  }

  static void pause() {
    try {
      Thread.sleep(50); // bounded poll for an async write, not a wait for time to pass
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static <T> T await(Future<T> f) {
    return io.calltrack.sip.testing.Wait.result(f);
  }
}
