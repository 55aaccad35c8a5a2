package io.calltrack.core.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SessionGuessesTest {
  private final SessionGuesses guesses = new SessionGuesses();

  @Test
  void aRememberedSessionComesBackAsTheSameId() {
    for (int i = 0; i < 1_000; i++) {
      String sid = SessionIds.newSession("pool-a");
      guesses.put("pool-a", "visitor-" + i, sid);
      assertEquals(sid, guesses.get("pool-a", "visitor-" + i));
    }
  }

  @Test
  void anotherVisitorOrAnotherPoolHasNoGuess() {
    String sid = SessionIds.newSession("pool-a");
    guesses.put("pool-a", "v1", sid);
    assertNull(guesses.get("pool-a", "v2"));
    assertNull(guesses.get("pool-b", "v1"));
    // the separator keeps "pool-a" + "v1" apart from "pool-av" + "1"
    assertNull(guesses.get("pool-av", "1"));
  }

  @Test
  void theVisitorsNewestSessionReplacesTheOlder() {
    String first = SessionIds.newSession("p");
    String second = SessionIds.newSession("p");
    guesses.put("p", "v", first);
    guesses.put("p", "v", second);
    assertEquals(second, guesses.get("p", "v"));
  }

  @Test
  void idsOfAnotherFormAreNotRemembered() {
    guesses.put("p", "v", "p.short");
    guesses.put("p", "v2", "no-dot-at-all");
    guesses.put("p", "v3", "p.!!!!!!!!!!!!!!!!!!!!!!");
    assertNull(guesses.get("p", "v"));
    assertNull(guesses.get("p", "v2"));
    assertNull(guesses.get("p", "v3"));
  }

  @Test
  void theNewestVisitorsAreRememberedUpToTheBound() {
    // visitors past the bound overwrite earlier ones; the latest are (almost all) still known
    int visitors = SessionGuesses.SLOTS * 2;
    String[] sids = new String[visitors];
    for (int i = 0; i < visitors; i++) {
      sids[i] = SessionIds.newSession("p");
      guesses.put("p", "visitor-" + i, sids[i]);
    }
    int knownOfLatest = 0;
    int latest = 10_000;
    for (int i = visitors - latest; i < visitors; i++) {
      if (sids[i].equals(guesses.get("p", "visitor-" + i))) {
        knownOfLatest++;
      }
    }
    assertEquals(latest, knownOfLatest, 1_000, "most of the newest visitors keep their guess");
    int knownOfFirst = 0;
    for (int i = 0; i < latest; i++) {
      if (sids[i].equals(guesses.get("p", "visitor-" + i))) {
        knownOfFirst++;
      }
    }
    assertTrue(knownOfFirst < latest / 2, "the oldest are mostly forgotten: " + knownOfFirst);
  }
}
