package io.calltrack.sip.record;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.calltrack.core.calls.CallEvent;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.json.JsonMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spool and the open-calls log after a kill that cut a line short. */
class SpoolTest {
  @TempDir Path dir;

  private static CallEvent event(String callId, int seq) {
    Instant at = Instant.parse("2026-12-01T10:00:00Z").plusSeconds(seq);
    return new CallEvent(callId, seq, CallEvent.Type.STARTED, at,
        CallRecord.started(callId, "sip-" + callId, io.calltrack.core.testing.TestNumbers.fresh(), "+15557770002", "p", at));
  }

  @Test
  void aLineCutShortByAKillDoesNotSwallowTheNextEventNorShiftTheCount() throws Exception {
    Files.writeString(dir.resolve("calls.spool"), JsonMapper.write(event("a", 0)) + "\n{\"callId\":\"b\",\"se",
        StandardCharsets.UTF_8);
    try (Spool spool = Spool.open(dir)) {
      assertEquals(1, spool.depth());
      spool.append(event("c", 0));
      spool.append(event("d", 0));
      assertEquals("a", spool.peek().callId());
      spool.ack(); // a is in Redis
    }
    try (Spool again = Spool.open(dir)) {
      assertEquals(2, again.depth(), "c and d are still waiting");
      assertEquals("c", again.peek().callId());
      again.ack();
    }
    try (Spool again = Spool.open(dir)) {
      assertEquals(1, again.depth());
      assertEquals("d", again.peek().callId());
    }
  }

  @Test
  void theOpenCallsLogKeepsUnclosedCallsAcrossRunsAndDropsAHalfWrittenLine() throws Exception {
    try (OpenCallLog log = OpenCallLog.open(dir)) {
      log.append(event("a", 0));
      log.append(event("b", 0));
      log.append(event("b", 1));
      log.closed("a");
    }
    Files.writeString(dir.resolve("calls.open"), "{\"callId\":\"x\",\"s", StandardOpenOption.APPEND);
    try (OpenCallLog log = OpenCallLog.open(dir)) {
      var left = log.leftovers();
      assertEquals(java.util.List.of("b"), java.util.List.copyOf(left.keySet()));
      assertEquals(2, left.get("b").size());
      log.append(event("c", 0));
    }
    try (OpenCallLog log = OpenCallLog.open(dir)) {
      assertEquals(java.util.Set.of("b", "c"), log.leftovers().keySet());
    }
  }
}
