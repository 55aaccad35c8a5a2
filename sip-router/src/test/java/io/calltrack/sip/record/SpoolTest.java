package io.calltrack.sip.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.calls.CallEvent;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.json.JsonMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
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

  @Test
  void finishedCallsLeaveNoCallerNumberOnDisk() throws Exception {
    try (OpenCallLog log = OpenCallLog.open(dir)) {
      log.append(event("a", 0));
      log.append(event("b", 0));
      log.closed("a");
      log.flushClosed();
      String kept = Files.readString(dir.resolve("calls.open"));
      assertTrue(kept.contains("\"callId\":\"b\""), "b is still open: its line is needed");
      log.closed("b");
      log.flushClosed(); // the journal's periodic check: no event came to carry the close
      assertEquals("", Files.readString(dir.resolve("calls.open")), "no call open: nothing of a or b stays");
      // many calls through while one stays open: closed calls' lines are compacted away
      log.append(event("long", 0));
      for (int i = 0; i < 1_200; i++) {
        log.append(event("c" + i, 0));
        log.closed("c" + i);
      }
      List<String> lines = Files.readAllLines(dir.resolve("calls.open"));
      assertTrue(lines.size() <= 1_001, "lines " + lines.size());
      assertTrue(lines.stream().anyMatch(l -> l.contains("\"callId\":\"long\"")));
    }
    try (Spool spool = Spool.open(dir)) {
      spool.append(event("s", 0));
      assertTrue(Files.readString(dir.resolve("calls.spool")).contains("+15557770002"));
      spool.ack(); // in Redis: the spool file goes
      assertFalse(Files.exists(dir.resolve("calls.spool")));
    }
  }

  @Test
  void aCallsCloseGoesOutWithTheNextEventLogged() throws Exception {
    try (OpenCallLog log = OpenCallLog.open(dir)) {
      log.append(event("a", 0));
      log.closed("a");
      assertEquals(0, log.openCalls());
      assertFalse(Files.readAllLines(dir.resolve("calls.open")).contains("closed a"),
          "no write of its own (a kill now would replay call a once more: harmless)");
      log.append(event("b", 0));
      List<String> lines = Files.readAllLines(dir.resolve("calls.open"));
      assertEquals(List.of("closed a"), lines.stream().filter(l -> l.startsWith("closed")).toList());
      assertTrue(lines.indexOf("closed a") < lines.size() - 1, "before b's event: " + lines);
    }
    try (OpenCallLog log = OpenCallLog.open(dir)) {
      assertEquals(java.util.Set.of("b"), log.leftovers().keySet());
    }
  }

  @Test
  void aReplayRoundIsTheOldestEventsInOrderACallsSeveralIncluded() {
    try (Spool spool = Spool.open(dir)) {
      spool.append(event("a", 0));
      spool.append(event("b", 0));
      spool.append(event("a", 1));
      spool.append(event("c", 0));
      assertEquals(List.of("a#0", "b#0", "a#1"), spool.peekRound(3).stream().map(e -> e.callId() + "#" + e.seq()).toList());
      assertEquals(List.of("a#0"), spool.peekRound(1).stream().map(e -> e.callId() + "#" + e.seq()).toList());
      spool.ack(2);
      assertEquals(2, spool.depth());
      assertEquals(List.of("a#1", "c#0"), spool.peekRound(64).stream().map(e -> e.callId() + "#" + e.seq()).toList());
    }
    try (Spool spool = Spool.open(dir)) { // the acknowledged round stays acknowledged across a restart
      assertEquals(List.of("a#1", "c#0"), spool.peekRound(64).stream().map(e -> e.callId() + "#" + e.seq()).toList());
    }
  }

  @Test
  void onlyAWindowOfEventsIsHeldInMemoryAndTheRestIsReadBackFromDiskInOrder() throws Exception {
    List<String> drained = new java.util.ArrayList<>();
    try (Spool spool = Spool.open(dir, 4)) {
      for (int i = 0; i < 10; i++) {
        spool.append(event("c" + i, 0));
      }
      assertEquals(10, spool.depth());
      assertEquals(4, spool.peekRound(64).size(), "no more than the window is in memory");
      drain(spool, 3, drained); // c0..c2 in Redis
    }
    try (Spool again = Spool.open(dir, 4)) {
      assertEquals(7, again.depth(), "c3..c9 still waiting after a restart");
      again.append(event("c10", 0)); // behind the events on disk, not before them
      again.append(event("c11", 0));
      assertEquals(9, again.depth());
      drain(again, Integer.MAX_VALUE, drained);
      assertTrue(again.isEmpty());
      assertEquals(0, again.depth());
    }
    List<String> expected = new java.util.ArrayList<>();
    for (int i = 0; i < 12; i++) {
      expected.add("c" + i);
    }
    assertEquals(expected, drained, "every event once, in the order spooled");
    assertFalse(Files.exists(dir.resolve("calls.spool")), "an empty spool leaves no file");
  }

  /** Takes up to {@code max} events as the journal's replay does, one round at a time. */
  private static void drain(Spool spool, int max, List<String> into) {
    int taken = 0;
    while (!spool.isEmpty() && taken < max) {
      List<CallEvent> round = spool.peekRound(Math.min(64, max - taken));
      round.forEach(e -> into.add(e.callId()));
      spool.ack(round.size());
      taken += round.size();
    }
  }
}
