package io.calltrack.core.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.CalltrackException;
import io.calltrack.core.attribution.Attribution;
import io.calltrack.core.config.PoolConfig;
import io.calltrack.core.config.PoolConfig.Match;
import io.calltrack.core.phone.PhoneNumber;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The pure decisions of the engine: which pool, which session, which ids. */
class PoolLogicTest {
  private static final Instant T = Instant.parse("2026-03-01T12:00:00Z");

  private static PoolConfig pool(String id, Match match) {
    return new PoolConfig(id, "prop", List.of(PhoneNumber.parse("+15550000001")), null, null, null, match);
  }

  private static Attribution from(String source, String medium) {
    return new Attribution(source, medium, null, null, null, null, null, null, null, null, null, null);
  }

  @Test
  void mostSpecificMatchWinsTiesByPoolId() {
    PoolConfig any = pool("a-any", null);
    PoolConfig google = pool("b-google", new Match("google", null));
    PoolConfig cpc = pool("c-cpc", new Match(null, "cpc"));
    PoolConfig googleCpc2 = pool("e-google-cpc", new Match("google", "cpc"));
    PoolConfig googleCpc1 = pool("d-google-cpc", new Match("google", "cpc"));
    List<PoolConfig> pools = List.of(googleCpc2, cpc, any, google, googleCpc1);
    assertEquals(googleCpc1, PoolSelector.choose(pools, from("google", "cpc")).orElseThrow());
    assertEquals(google, PoolSelector.choose(pools, from("google", "organic")).orElseThrow());
    // one field each: a tie of specificity 1, broken by id
    assertEquals(google, PoolSelector.choose(List.of(cpc, google), from("google", "cpc")).orElseThrow());
    assertEquals(cpc, PoolSelector.choose(pools, from("bing", "cpc")).orElseThrow());
    assertEquals(any, PoolSelector.choose(pools, null).orElseThrow());
    assertEquals(Optional.empty(), PoolSelector.choose(List.of(google, cpc), from("bing", "organic")));
    assertEquals(Optional.empty(), PoolSelector.choose(List.of(), Attribution.UNKNOWN));
  }

  private static Session session(String id, int startedAt, int leaseEnd, int endsAt, int naturalEnd, Session.State state) {
    return new Session(id, "pool", "prop", "v-" + id, PhoneNumber.parse("+15550000001"), Attribution.UNKNOWN, state,
        T.plusSeconds(startedAt), T.plusSeconds(leaseEnd), T.plusSeconds(leaseEnd), T.plusSeconds(endsAt),
        T.plusSeconds(naturalEnd));
  }

  @Test
  void leaseBeatsHoldAndEdgesAreHalfOpen() {
    Session a = session("a", 0, 60, 360, 360, Session.State.HOLDING);
    assertEquals(Resolution.Kind.LEASE, ResolutionPicker.pick(List.of(a), T).kind());
    assertEquals(Resolution.Kind.LEASE, ResolutionPicker.pick(List.of(a), T.plusSeconds(59)).kind());
    assertEquals(Resolution.Kind.HOLD, ResolutionPicker.pick(List.of(a), T.plusSeconds(60)).kind());
    assertEquals(Resolution.Kind.HOLD, ResolutionPicker.pick(List.of(a), T.plusSeconds(359)).kind());
    assertEquals(Resolution.Kind.UNATTRIBUTED, ResolutionPicker.pick(List.of(a), T.plusSeconds(360)).kind());
    assertEquals(Resolution.Kind.UNATTRIBUTED, ResolutionPicker.pick(List.of(a), T.minusSeconds(1)).kind());
  }

  @Test
  void aRecycledHoldMakesTheCallAmbiguous() {
    Session old = session("old", 0, 60, 100, 1860, Session.State.RECYCLED);
    Session fresh = session("new", 100, 220, 1920, 1920, Session.State.LEASED);
    Resolution r = ResolutionPicker.pick(List.of(old, fresh), T.plusSeconds(130));
    assertEquals(Resolution.Kind.LEASE, r.kind());
    assertEquals(fresh, r.session());
    assertEquals(List.of(fresh, old), r.candidates());
    assertTrue(r.ambiguous());

    Resolution before = ResolutionPicker.pick(List.of(old, fresh), T.plusSeconds(99));
    assertEquals(Resolution.Kind.HOLD, before.kind());
    assertEquals(old, before.session());
    assertFalse(before.ambiguous());

    // the successor is over too, the recycled one's natural hold still runs: it is the best guess
    Session shortLived = session("short", 100, 110, 110, 110, Session.State.ENDED);
    Resolution late = ResolutionPicker.pick(List.of(old, shortLived), T.plusSeconds(500));
    assertEquals(Resolution.Kind.HOLD, late.kind());
    assertEquals(old, late.session());
  }

  @Test
  void sessionIdsNameTheirPoolAndAreHardToGuess() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      String sid = SessionIds.newSession("pool-1");
      assertEquals("pool-1", SessionIds.poolOf(sid));
      assertTrue(seen.add(sid));
      assertTrue(sid.matches("pool-1\\.[A-Za-z0-9_-]{22}"), sid);
    }
    for (String bad : new String[] {"pool-1", "pool-1.", ".AAAAAAAAAAAAAAAAAAAAAA", "pool 1.AAAAAAAAAAAAAAAAAAAAAA",
        "pool-1.AAAAAAAAAAAAAAAAAAAAA", "pool-1.AAAAAAAAAAAAAAAAAAAAAAA", "pool-1.AAAAAAAAAAAAAAAAAAAA=="}) {
      assertThrows(CalltrackException.Invalid.class, () -> SessionIds.poolOf(bad), bad);
    }
    assertEquals("abc-123", SessionIds.visitor("abc-123"));
    assertEquals(22, SessionIds.visitor(null).length());
    assertThrows(CalltrackException.Invalid.class, () -> SessionIds.visitor("x".repeat(129)));
    assertThrows(CalltrackException.Invalid.class, () -> SessionIds.visitor("a b"));
  }
}
