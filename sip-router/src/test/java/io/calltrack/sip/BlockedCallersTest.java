package io.calltrack.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.calltrack.core.calls.CallStatus;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.core.testing.TestNumbers;
import io.calltrack.localredis.EmbeddedRedis;
import io.calltrack.sip.testing.SipPhone;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A property's blocked callers (a spammer, a robocaller, callers who withhold their number) are refused
 * with 603 Decline: the business line never rings, no call is recorded; every other caller goes through.
 * Real JAIN-SIP phones on loopback, real Redis.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BlockedCallersTest {
  static final Duration WAIT = RouterFixture.WAIT;

  @TempDir static Path spool;
  static RouterFixture fx;
  static SipRouter router;
  static final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  SipPhone caller;
  SipPhone desk;

  @BeforeAll
  static void startRouter() {
    fx = new RouterFixture(spool);
    router = fx.router(EmbeddedRedis.freePort(), List.of("127.0.0.0/8"), Duration.ofSeconds(10), registry,
        spool.resolve("router"), Clock.systemUTC());
  }

  @AfterAll
  static void stopRouter() {
    if (fx != null) {
      fx.close();
    }
  }

  @BeforeEach
  void phones() {
    caller = SipPhone.start("caller");
    desk = SipPhone.start("desk");
  }

  @AfterEach
  void hangUpPhones() {
    caller.close();
    desk.close();
  }

  /** A property that blocks a US number (given nationally) and callers without a number. */
  private PhoneNumber property() {
    return fx.property(TestNumbers.fresh(), desk.uri("+15559990000", "udp"),
        p -> p.withBlockedCallers(List.of("(312) 555-0123", "anonymous")), router);
  }

  private String callFrom(PhoneNumber number, String fromUser, Map<String, String> headers) {
    return caller.call("sip:" + number.e164() + "@127.0.0.1:" + router.port(), router.port(), "udp", fromUser, null,
        headers);
  }

  private static double blocked() {
    return registry.counter("calltrack.sip.blocked.calls").count();
  }

  @Test
  void aBlockedCallerIsDeclinedAndTheLineNeverRings() {
    PhoneNumber number = property();
    double before = blocked();
    String byNumber = callFrom(number, "+13125550123", Map.of());
    caller.awaitResponseFor(byNumber, Request.INVITE, Response.DECLINE, WAIT);
    String withheld = callFrom(number, "+13125550199", Map.of("Privacy", "id"));
    caller.awaitResponseFor(withheld, Request.INVITE, Response.DECLINE, WAIT);
    String noNumber = callFrom(number, "anonymous", Map.of());
    caller.awaitResponseFor(noNumber, Request.INVITE, Response.DECLINE, WAIT);
    assertEquals(before + 3, blocked(), "calltrack_sip_blocked_calls_total");

    // another caller goes through, and only its call is recorded
    String welcome = callFrom(number, "+13125550124", Map.of());
    desk.awaitRequest(Request.INVITE, WAIT);
    caller.awaitResponseFor(welcome, Request.INVITE, Response.OK, WAIT);
    caller.byeFor(welcome);
    assertEquals(CallStatus.ANSWERED, fx.awaitFinished(welcome).status());
    assertEquals(1, desk.count(Request.INVITE), "the line rang for the caller not blocked only");
    for (String refused : List.of(byNumber, withheld, noNumber)) {
      assertEquals(List.of(), fx.records(r -> refused.equals(r.sipCallId())), "a refused call has no record");
    }
  }
}
