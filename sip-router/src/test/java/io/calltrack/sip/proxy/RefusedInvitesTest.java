package io.calltrack.sip.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RefusedInvitesTest {
  private final AtomicLong now = new AtomicLong(1_000);
  private final RefusedInvites refused = new RefusedInvites(4, now::get);

  @Test
  void aRefusalAnswersItsInvitesRetransmissionsFor32Seconds() {
    refused.refused("a@host", "z9hG4bK-1", 503, "Service Unavailable: overloaded", 5);
    RefusedInvites.Refusal r = refused.answerOf("a@host", () -> "Z9HG4BK-1");
    assertEquals(503, r.code(), "the branch is matched without regard to case");
    assertEquals(5, r.retryAfterSeconds());
    now.addAndGet(RefusedInvites.KEPT_NANOS - 1);
    assertEquals(503, refused.answerOf("a@host", () -> "z9hG4bK-1").code());
    now.incrementAndGet();
    assertNull(refused.answerOf("a@host", () -> "z9hG4bK-1"), "after Timer B the caller has stopped sending it");
  }

  @Test
  void onlyTheSameCallIdAndBranchGetTheAnswer() {
    refused.refused("a@host", "z9hG4bK-1", 404, "Not Found", null);
    assertNull(refused.answerOf("a@host", () -> "z9hG4bK-2"), "a new INVITE of the same call is judged anew");
    assertNull(refused.answerOf("b@host", () -> "z9hG4bK-1"));
    assertNull(refused.answerOf(null, () -> "z9hG4bK-1"));
  }

  @Test
  void aFloodOverwritesOlderRefusalsInsteadOfGrowing() {
    for (int i = 0; i < 1_000; i++) {
      refused.refused("flood-" + i + "@host", "z9hG4bK-" + i, 403, "Forbidden", null);
    }
    long kept = java.util.stream.IntStream.range(0, 1_000)
        .filter(i -> refused.answerOf("flood-" + i + "@host", () -> "z9hG4bK-" + i) != null).count();
    assertEquals(true, kept >= 1 && kept <= 4, "kept " + kept + " in 4 slots");
    assertThrows(IllegalArgumentException.class, () -> new RefusedInvites(6, now::get));
  }
}
