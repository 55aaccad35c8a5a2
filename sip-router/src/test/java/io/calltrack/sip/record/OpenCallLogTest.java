package io.calltrack.sip.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.core.calls.CallEvent;
import io.calltrack.core.calls.CallRecord;
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
}
