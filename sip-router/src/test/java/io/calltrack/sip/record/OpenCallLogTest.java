package io.calltrack.sip.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.core.calls.CallEvent;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.CallStatus;
import io.calltrack.core.json.JsonMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The open-calls log on a real directory: what a restarted router reads back is what was logged. */
class OpenCallLogTest {
  @TempDir Path dir;

  static List<CallEvent> callInProgress(String id) {
    Instant t = Instant.parse("2026-12-03T05:50:00.123456789Z");
    CallRecord started = CallRecord.started(id, "sip-" + id, PhoneNumber.parse("+15551230001"), "+15557770001",
        "acme", t);
    CallRecord ringing = started.ringing(t.plusMillis(40));
    CallRecord answered = ringing.answered(t.plusSeconds(3), 200);
    return List.of(new CallEvent(id, 0, CallEvent.Type.STARTED, t, started),
        new CallEvent(id, 1, CallEvent.Type.RINGING, t.plusMillis(40), ringing),
        new CallEvent(id, 2, CallEvent.Type.ANSWERED, t.plusSeconds(3), answered));
  }

  @Test
  void aRestartReadsBackEveryOpenCallsEventsAsTheyWereLogged() throws Exception {
    List<CallEvent> open = callInProgress("c-open");
    List<CallEvent> done = callInProgress("c-done");
    try (OpenCallLog log = OpenCallLog.open(dir)) {
      for (int i = 0; i < 3; i++) {
        log.append(open.get(i));
        log.append(done.get(i));
      }
      log.closed("c-done");
    }
    try (OpenCallLog again = OpenCallLog.open(dir)) {
      assertEquals(List.of("c-open"), List.copyOf(again.leftovers().keySet()));
      assertEquals(open, again.leftovers().get("c-open"));
    }
  }

  @Test
  void linesLeaveOutNullFieldsAndReadBackTheSame() throws Exception {
    CallEvent started = callInProgress("c-1").get(0);
    String line = OpenCallLog.line(started);
    assertFalse(line.contains("null"), line);
    assertTrue(line.length() < JsonMapper.write(started).length() * 3 / 4,
        line.length() + " against " + JsonMapper.write(started).length());
    assertEquals(started, JsonMapper.read(line, CallEvent.class));
    try (OpenCallLog log = OpenCallLog.open(dir)) {
      log.append(started);
    }
    assertEquals(List.of(line), Files.readAllLines(dir.resolve("calls.open")));
  }

  @Test
  void aCallsStepsAreShortLinesThatReadBackAsTheWholeEvents() throws Exception {
    List<CallEvent> answered = new java.util.ArrayList<>(callInProgress("c-answered"));
    CallEvent last = answered.get(2);
    Instant hungUp = last.at().plusSeconds(61).plusNanos(499_999_999);
    answered.add(new CallEvent("c-answered", 3, CallEvent.Type.ENDED, hungUp,
        last.record().ended(hungUp, CallStatus.ANSWERED, null)));
    CallEvent started = callInProgress("c-busy").get(0);
    Instant busyAt = started.at().plusMillis(900);
    List<CallEvent> busy = List.of(started, new CallEvent("c-busy", 1, CallEvent.Type.ENDED, busyAt,
        started.record().ended(busyAt, CallStatus.BUSY, 486)));
    try (OpenCallLog log = OpenCallLog.open(dir)) {
      answered.forEach(log::append);
      busy.forEach(log::append);
    }
    List<String> lines = Files.readAllLines(dir.resolve("calls.open"));
    assertEquals(6, lines.size(), String.join("\n", lines));
    assertEquals(answered.get(0), JsonMapper.read(lines.get(0), CallEvent.class), "a call's first line: the whole event");
    for (String line : List.of(lines.get(1), lines.get(2), lines.get(3), lines.get(5))) {
      assertTrue(line.startsWith("step ") && line.length() < 90, line);
    }
    assertEquals("step c-busy 1 ended " + busyAt + " busy 486", lines.get(5));
    try (OpenCallLog again = OpenCallLog.open(dir)) {
      assertEquals(answered, again.leftovers().get("c-answered"), "ringing, answered with 200, hung up after 61.5 s");
      assertEquals(busy, again.leftovers().get("c-busy"));
    }
  }

  @Test
  void aStepThatIsNotThePlainTransitionIsWrittenWhole() throws Exception {
    List<CallEvent> call = callInProgress("c-restart");
    CallEvent answered = call.get(2);
    CallEvent closing = CallJournal.closing(answered, answered.at().plusSeconds(5), java.time.Duration.ofHours(4));
    try (OpenCallLog log = OpenCallLog.open(dir)) {
      call.forEach(log::append);
      log.append(closing);
    }
    List<String> lines = Files.readAllLines(dir.resolve("calls.open"));
    assertEquals(closing, JsonMapper.read(lines.get(3), CallEvent.class), "ended for a router restart: the whole event");
    try (OpenCallLog again = OpenCallLog.open(dir)) {
      List<CallEvent> expected = new java.util.ArrayList<>(call);
      expected.add(closing);
      assertEquals(expected, again.leftovers().get("c-restart"));
    }
  }
}
