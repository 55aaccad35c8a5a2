package io.calltrack.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.calltrack.core.calls.CallEvent;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.CallStatus;
import io.calltrack.core.json.JsonMapper;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.localredis.EmbeddedRedis;
import io.calltrack.core.testing.Await;
import io.calltrack.core.testing.MutableClock;
import io.calltrack.core.testing.TestNumbers;
import io.calltrack.sip.testing.SipPhone;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.sip.message.Request;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Calls whose router stopped before their BYE (it was killed, or stopped mid-call) are closed when
 * the router starts again on the same disk, by the maximum call length at most, and marked
 * {@code endReason: router-restart}. Time passes on an injected clock. The SIGKILL itself is in the
 * launcher's {@code KillRestartTest}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OpenCallRecoveryTest {
  static final Duration WAIT = RouterFixture.WAIT;

  @TempDir Path dir;

  @Test
  void anAnsweredCallWhoseRouterStoppedIsClosedAtTheMaximumLengthWhenTheRouterComesBackLater() {
    SipPhone caller = SipPhone.start("recovery-caller");
    SipPhone line = SipPhone.start("recovery-line");
    Path spoolDir = dir.resolve("router");
    MutableClock clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.MILLIS));
    try (RouterFixture fx = new RouterFixture(dir)) {
      SipRouter first = start(fx, spoolDir, clock);
      PhoneNumber number = fx.property(line.uri("+15559990000", "udp"), first);
      String callId = caller.call("sip:" + number.e164() + "@127.0.0.1:" + first.port(), first.port(), "udp");
      caller.awaitResponseFor(callId, Request.INVITE, 200, WAIT);
      Instant answeredAt = clock.instant();
      Await.until(WAIT, () -> fx.records(r -> callId.equals(r.sipCallId()) && r.answeredAt() != null).size() == 1);
      Await.result(first.close()); // the BYE will never reach a router that knows the call

      clock.advance(Duration.ofHours(7)); // the router was away longer than any call may last
      SipRouter second = start(fx, spoolDir, clock);
      CallRecord r = fx.awaitFinished(callId);
      assertEquals(CallStatus.ANSWERED, r.status(), r::toString);
      assertEquals(CallRecord.END_ROUTER_RESTART, r.endReason(), r::toString);
      assertEquals(answeredAt.plus(RouterLimits.DEFAULTS.maxCallDuration()), r.endedAt(), r::toString);
      assertEquals(RouterLimits.DEFAULTS.maxCallDuration().toSeconds(), r.durationSeconds(), r::toString);
      Await.until(WAIT, () -> second.openCalls() == 0);

      // a third start finds nothing left to close, and the record does not change again
      Await.result(second.close());
      clock.advance(Duration.ofHours(1));
      SipRouter third = start(fx, spoolDir, clock);
      assertEquals(0, third.openCalls());
      assertEquals(r, fx.awaitFinished(callId));
    } finally {
      caller.close();
      line.close();
    }
  }

  @Test
  void aRingingCallLeftInTheLogIsReplayedAndClosedAsFailedAtTheRestart() throws Exception {
    Path spoolDir = dir.resolve("router");
    Files.createDirectories(spoolDir);
    Instant start = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    String callId = "crecovery" + Long.toHexString(System.nanoTime());
    String sipCallId = "sip-" + callId;
    PhoneNumber number = TestNumbers.fresh();
    CallRecord started = CallRecord.started(callId, sipCallId, number, "+15557770002", "prop-x", start);
    CallRecord ringing = started.ringing(start.plusSeconds(1));
    // what a killed router leaves: two events of the call, and a last line cut short mid-write
    String log = JsonMapper.write(new CallEvent(callId, 0, CallEvent.Type.STARTED, start, started)) + "\n"
        + JsonMapper.write(new CallEvent(callId, 1, CallEvent.Type.RINGING, start.plusSeconds(1), ringing)) + "\n"
        + "{\"callId\":\"" + callId + "\",\"seq\":2,\"ty";
    Files.writeString(spoolDir.resolve("calls.open"), log, StandardCharsets.UTF_8);

    MutableClock clock = new MutableClock(start.plusSeconds(20));
    try (RouterFixture fx = new RouterFixture(dir)) {
      SipRouter router = start(fx, spoolDir, clock);
      CallRecord r = fx.awaitFinished(sipCallId);
      assertEquals(CallStatus.FAILED, r.status(), r::toString);
      assertEquals(CallRecord.END_ROUTER_RESTART, r.endReason());
      assertEquals(start.plusSeconds(20), r.endedAt());
      assertEquals(start.plusSeconds(1), r.ringingAt());
      assertNull(r.answeredAt());
      assertNotNull(r.resolution(), "resolved when replayed: " + r);
      Await.until(WAIT, () -> router.openCalls() == 0);
    }
  }

  private static SipRouter start(RouterFixture fx, Path spoolDir, MutableClock clock) {
    return fx.router(EmbeddedRedis.freePort(), List.of("127.0.0.0/8"), Duration.ofSeconds(10),
        new SimpleMeterRegistry(), spoolDir, clock);
  }
}
