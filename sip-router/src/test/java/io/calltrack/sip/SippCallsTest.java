package io.calltrack.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.CallStatus;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.localredis.EmbeddedRedis;
import io.calltrack.core.testing.Await;
import io.calltrack.sip.demo.AnsweringEndpoint;
import io.calltrack.sip.testing.Sipp;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** SIPp as the trunk and as the business line, through the router: checked by SIPp's exit codes and our records. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SippCallsTest {
  static final Duration SIPP_WAIT = Duration.ofSeconds(90);

  @TempDir static Path spool;
  static RouterFixture fx;
  static SipRouter router;

  @BeforeAll
  static void start() {
    Sipp.binary(); // fails at once, clearly, where sipp is missing
    fx = new RouterFixture(spool);
    router = fx.router(List.of("127.0.0.0/8"), Duration.ofSeconds(10));
  }

  @AfterAll
  static void stop() {
    if (fx != null) {
      fx.close();
    }
  }

  static PhoneNumber property(int linePort, String transport) {
    return fx.property("sip:+15559990000@127.0.0.1:" + linePort + ("tcp".equals(transport) ? ";transport=tcp" : ""),
        router);
  }

  static List<CallRecord> finishedCallsTo(PhoneNumber number, int expected) {
    return fx.awaitFinished(c -> number.equals(c.number()), expected);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"udp", "tcp"})
  void answeredCall(String transport) {
    try (Sipp line = Sipp.uas("business-line-uas.xml", 1, transport)) {
      PhoneNumber number = property(line.port, transport);
      try (Sipp trunk = Sipp.uac("trunk-uac.xml", router.port(), number.e164(), 1, Duration.ofSeconds(2), transport)) {
        assertEquals(0, trunk.exitCode(SIPP_WAIT), () -> "trunk:\n" + trunk.output());
        assertEquals(0, line.exitCode(SIPP_WAIT), () -> "business line:\n" + line.output());
      }
      List<CallRecord> records = finishedCallsTo(number, 1);
      assertEquals(1, records.size(), records::toString);
      CallRecord r = records.get(0);
      assertEquals(CallStatus.ANSWERED, r.status());
      assertEquals("+15557770002", r.caller());
      assertTrue(Math.abs(r.durationSeconds() - 2) <= 1, "duration " + r.durationSeconds());
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"udp", "tcp"})
  void busyCall(String transport) {
    try (Sipp line = Sipp.uas("busy-uas.xml", 1, transport)) {
      PhoneNumber number = property(line.port, transport);
      try (Sipp trunk = Sipp.uac("trunk-uac-busy.xml", router.port(), number.digits(), 1, null, transport)) {
        assertEquals(0, trunk.exitCode(SIPP_WAIT), () -> "trunk:\n" + trunk.output());
        assertEquals(0, line.exitCode(SIPP_WAIT), () -> "business line:\n" + line.output());
      }
      CallRecord r = finishedCallsTo(number, 1).get(0);
      assertEquals(CallStatus.BUSY, r.status());
      assertEquals(486, r.finalCode());
    }
  }

  /**
   * A line that sends its 183 reliably (RFC 3262, 100rel) and answers only after the caller's PRACK:
   * the 183 keeps its Require and RSeq through the router, the PRACK is relayed to the line along the
   * early dialog and its 200 back, and the call is answered and recorded as any other.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"udp", "tcp"})
  void aLineThatSendsReliableProvisionalResponsesGetsItsPrack(String transport) {
    try (Sipp line = Sipp.uas("business-line-uas-100rel.xml", 1, transport)) {
      PhoneNumber number = property(line.port, transport);
      try (Sipp trunk = Sipp.uac("trunk-uac-100rel.xml", router.port(), number.e164(), 1, Duration.ofSeconds(1),
          transport)) {
        assertEquals(0, trunk.exitCode(SIPP_WAIT), () -> "trunk:\n" + trunk.output());
        assertEquals(0, line.exitCode(SIPP_WAIT), () -> "business line:\n" + line.output());
      }
      CallRecord r = finishedCallsTo(number, 1).get(0);
      assertEquals(CallStatus.ANSWERED, r.status());
      assertNotNull(r.ringingAt(), "the reliable 183 counts as ringing");
    }
  }

  /** The demo's flow: SIPp as the trunk (the command the demo prints) and the demo's answering endpoint. */
  @Test
  void demoBusinessLineAnswersASippCall() {
    try (AnsweringEndpoint demoLine = AnsweringEndpoint.start("127.0.0.1", EmbeddedRedis.freePort(), Duration.ofMillis(300))) {
      PhoneNumber number = fx.property(demoLine.uri("+15559990000"), router);
      try (Sipp trunk = Sipp.uac("trunk-uac.xml", router.port(), number.e164(), 1, Duration.ofSeconds(1), "udp")) {
        assertEquals(0, trunk.exitCode(SIPP_WAIT), () -> "trunk:\n" + trunk.output());
      }
      CallRecord r = finishedCallsTo(number, 1).get(0);
      assertEquals(CallStatus.ANSWERED, r.status());
      assertNotNull(r.ringingAt());
      assertEquals(1, demoLine.answeredCalls());
      Await.until(Duration.ofSeconds(10), () -> demoLine.endedCalls() == 1);
    }
  }

  /** Many calls at once from SIPp: each call's messages stay in order, and each call is recorded exactly once. */
  @Test
  void aBurstOfCallsAllConnectAndAreEachRecordedOnce() {
    int calls = 40;
    try (Sipp line = Sipp.uas("business-line-uas.xml", calls, "udp")) {
      PhoneNumber number = property(line.port, "udp");
      try (Sipp trunk = Sipp.uac("trunk-uac.xml", router.port(), number.e164(), calls, Duration.ofMillis(500), "udp",
          "-r", "10", "-l", "10")) {
        int trunkExit = trunk.exitCode(SIPP_WAIT);
        int lineExit = line.exitCode(SIPP_WAIT);
        assertEquals(0, trunkExit, () -> "trunk:\n" + trunk.output() + "\nbusiness line:\n" + line.output());
        assertEquals(0, lineExit, () -> "business line:\n" + line.output());
      }
      List<CallRecord> records = finishedCallsTo(number, calls);
      assertEquals(calls, records.stream().map(CallRecord::sipCallId).distinct().count());
      assertTrue(records.stream().allMatch(r -> r.status() == CallStatus.ANSWERED && r.ringingAt() != null), records::toString);
    }
  }
}
