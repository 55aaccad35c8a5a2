package io.calltrack.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.CallStatus;
import io.calltrack.core.config.AfterHours;
import io.calltrack.core.config.Overflow;
import io.calltrack.core.config.PropertyConfig;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.core.testing.MutableClock;
import io.calltrack.core.testing.TestNumbers;
import io.calltrack.localredis.EmbeddedRedis;
import io.calltrack.sip.testing.SipPhone;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAdjusters;
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
 * Where a call goes. Overflow lines (sequential ringing): a call the business line does not take (busy,
 * unavailable, unanswered for the overflow's ring time) goes on to the property's overflow lines in
 * turn. Time-of-day routing: while the property is closed (its {@code afterHours.hours}, in its own time
 * zone) its calls go to its after-hours line instead. Real JAIN-SIP phones on loopback and real Redis,
 * the router's clock set by the after-hours tests; the record says which line took the call.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LineRoutingTest {
  static final Duration WAIT = RouterFixture.WAIT;
  static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
  /** Open Monday to Friday, 9 to 5 in New York. */
  static final Map<String, List<String>> HOURS = Map.of("monday", List.of("09:00", "17:00"),
      "tuesday", List.of("09:00", "17:00"), "wednesday", List.of("09:00", "17:00"),
      "thursday", List.of("09:00", "17:00"), "friday", List.of("09:00", "17:00"));


  @TempDir static Path spool;
  static RouterFixture fx;
  static SipRouter router;
  static final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  /** The router's clock: now, until an after-hours test sets it to a day ahead (records are read from now on). */
  static final MutableClock clock = new MutableClock(Instant.now());

  SipPhone caller;
  SipPhone desk;
  SipPhone cell;
  SipPhone voicemail;
  SipPhone night;

  @BeforeAll
  static void startRouter() {
    fx = new RouterFixture(spool);
    router = fx.router(EmbeddedRedis.freePort(), List.of("127.0.0.0/8"), Duration.ofSeconds(10), registry,
        spool.resolve("router"), clock);
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
    cell = SipPhone.start("cell");
    voicemail = SipPhone.start("voicemail");
    night = SipPhone.start("night");
  }

  @AfterEach
  void hangUpPhones() {
    for (SipPhone p : new SipPhone[] {caller, desk, cell, voicemail, night}) {
      if (p != null) {
        p.close();
      }
    }
  }

  /** A property whose business line is the desk, then {@code overflow} in turn, each ringing {@code ringSeconds}. */
  private PhoneNumber property(int ringSeconds, SipPhone... overflow) {
    List<String> lines = java.util.Arrays.stream(overflow).map(p -> p.uri("+15559990000", "udp")).toList();
    return fx.property(TestNumbers.fresh(), desk.uri("+15559990000", "udp"),
        p -> p.withOverflow(new Overflow(lines, ringSeconds)), router);
  }

  private String call(PhoneNumber number) {
    return caller.call("sip:" + number.e164() + "@127.0.0.1:" + router.port(), router.port(), "udp");
  }

  /** The caller talks to {@code phone}, which the router reached at its URI, then hangs up. */
  private CallRecord answeredAt(String callId, SipPhone phone) {
    Request invite = phone.awaitRequest(Request.INVITE, WAIT);
    assertEquals(phone.uri("+15559990000", "udp"), invite.getRequestURI().toString(), "the line's URI");
    caller.awaitResponseFor(callId, Request.INVITE, Response.OK, WAIT); // this call's (a test may place two)
    phone.awaitRequest(Request.ACK, WAIT);
    caller.byeFor(callId);
    phone.awaitRequest(Request.BYE, WAIT);
    caller.awaitResponseFor(callId, Request.BYE, Response.OK, WAIT);
    CallRecord record = fx.awaitFinished(callId);
    assertEquals(CallStatus.ANSWERED, record.status());
    return record;
  }

  @Test
  void aBusyBusinessLineSendsTheCallToTheOverflowLine() {
    desk.mode = SipPhone.Mode.BUSY;
    String callId = call(property(20, cell));
    assertEquals(Integer.valueOf(1), answeredAt(callId, cell).overflowLine());
    assertEquals(0, caller.responses.stream().filter(r -> r.getStatusCode() == Response.BUSY_HERE).count(),
        "the caller never hears the desk's busy");
  }

  @Test
  void aBusinessLineRingingUnansweredIsCancelledAfterTheRingTimeAndTheNextLineRings() {
    desk.mode = SipPhone.Mode.RING_FOREVER;
    String callId = call(property(1, cell));
    caller.awaitResponse(Request.INVITE, Response.RINGING, WAIT); // the desk rings
    desk.awaitRequest(Request.CANCEL, WAIT);
    assertEquals(Integer.valueOf(1), answeredAt(callId, cell).overflowLine());
  }

  @Test
  void eachOverflowLineIsTriedInTurnAndTheRecordNamesTheLast() {
    desk.mode = SipPhone.Mode.BUSY;
    cell.mode = SipPhone.Mode.UNAVAILABLE;
    String callId = call(property(20, cell, voicemail));
    assertEquals(Integer.valueOf(2), answeredAt(callId, voicemail).overflowLine());
    assertEquals(1, cell.count(Request.INVITE));
  }

  @Test
  void whenNoLineTakesTheCallTheCallerHearsTheLastOne() {
    desk.mode = SipPhone.Mode.BUSY;
    cell.mode = SipPhone.Mode.BUSY;
    String callId = call(property(20, cell));
    caller.awaitResponse(Request.INVITE, Response.BUSY_HERE, WAIT);
    CallRecord record = fx.awaitFinished(callId);
    assertEquals(CallStatus.BUSY, record.status());
    assertEquals(Integer.valueOf(1), record.overflowLine());
  }

  @Test
  void aLineThatAnswersIsNoOverflowAndTheRecordSaysNone() {
    String callId = call(property(20, cell));
    assertNull(answeredAt(callId, desk).overflowLine());
    assertEquals(0, cell.count(Request.INVITE));
  }

  @Test
  void theCallersCancelWhileAnOverflowLineRingsEndsIt() {
    desk.mode = SipPhone.Mode.BUSY;
    cell.mode = SipPhone.Mode.RING_FOREVER;
    String callId = call(property(20, cell));
    cell.awaitRequest(Request.INVITE, WAIT);
    caller.awaitResponse(Request.INVITE, Response.RINGING, WAIT);
    caller.cancel();
    cell.awaitRequest(Request.CANCEL, WAIT);
    caller.awaitResponse(Request.INVITE, Response.REQUEST_TERMINATED, WAIT);
    CallRecord record = fx.awaitFinished(callId);
    assertEquals(CallStatus.ABANDONED, record.status());
    assertEquals(Integer.valueOf(1), record.overflowLine());
  }

  // ------------------------------------------------------------------------------------------------
  // time-of-day routing

  /** New York's {@code day} next week at {@code time}, as an instant. */
  static Instant nextWeek(DayOfWeek day, String time) {
    LocalDate date = LocalDate.now(ZoneOffset.UTC).plusDays(7).with(TemporalAdjusters.nextOrSame(day));
    return date.atTime(LocalTime.parse(time)).atZone(NEW_YORK).toInstant();
  }

  /** A New York property: the desk, the cell as its overflow line, the night line after hours. */
  private PhoneNumber property() {
    String deskLine = desk.uri("+15559990000", "udp");
    return fx.property(TestNumbers.fresh(), deskLine, p -> new PropertyConfig(p.id(), p.name(), p.allowedOrigins(),
        p.swapNumbers(), p.defaultNumber(), deskLine, "America/New_York", null, null, null, null, null, null,
        new Overflow(List.of(cell.uri("+15559990000", "udp")), 20),
        new AfterHours(HOURS, night.uri("+15559990000", "udp")), null), router);
  }

  /** Calls {@code number} at {@code at}; {@code phone} answers, and the caller hangs up. */
  private CallRecord answeredAfterHoursBy(PhoneNumber number, Instant at, SipPhone phone) {
    clock.set(at);
    CallRecord record = answeredAt(call(number), phone);
    assertEquals(at, record.startedAt());
    return record;
  }

  private static double afterHoursCalls() {
    return registry.counter("calltrack.sip.after.hours.calls").count();
  }

  private static long invites(SipPhone phone) {
    return phone.requests.stream().filter(r -> r.getMethod().equals(Request.INVITE)).count();
  }

  @Test
  void aCallWhileTheBusinessIsClosedGoesToTheAfterHoursLine() {
    PhoneNumber number = property();
    double counted = afterHoursCalls();
    // Monday 17:00 in New York: closed from 17:00 on (22:00 UTC, or 21:00 in summer time)
    CallRecord r = answeredAfterHoursBy(number, nextWeek(DayOfWeek.MONDAY, "17:00"), night);
    assertEquals(counted + 1, afterHoursCalls(), "calltrack_sip_after_hours_calls_total");
    assertEquals(Boolean.TRUE, r.routedAfterHours(), r::toString);
    assertNull(r.overflowLine(), r::toString);
    assertEquals(0, invites(desk), "the desk never rang");
    assertEquals(0, invites(cell), "nor the overflow line");
  }

  @Test
  void aCallOnADayNotNamedGoesToTheAfterHoursLine() {
    PhoneNumber number = property();
    CallRecord r = answeredAfterHoursBy(number, nextWeek(DayOfWeek.SATURDAY, "11:00"), night);
    assertEquals(Boolean.TRUE, r.routedAfterHours(), r::toString);
    assertEquals(0, invites(desk), "the desk never rang");
  }

  @Test
  void aCallInOpeningHoursGoesToTheBusinessLineAndItsOverflow() {
    PhoneNumber number = property();
    // Monday 16:59 in New York is 21:59 UTC in winter: after 5 pm in London, still open in New York
    CallRecord open = answeredAfterHoursBy(number, nextWeek(DayOfWeek.MONDAY, "16:59"), desk);
    assertNull(open.routedAfterHours(), open::toString);
    assertEquals(0, invites(night), "the night line never rang");

    desk.mode = SipPhone.Mode.BUSY; // in hours, a busy desk overflows to the cell, not to the night line
    CallRecord overflowed = answeredAfterHoursBy(number, nextWeek(DayOfWeek.TUESDAY, "09:00"), cell);
    assertEquals(Integer.valueOf(1), overflowed.overflowLine(), overflowed::toString);
    assertNull(overflowed.routedAfterHours(), overflowed::toString);
    assertEquals(0, invites(night), "the night line never rang");
  }
}
