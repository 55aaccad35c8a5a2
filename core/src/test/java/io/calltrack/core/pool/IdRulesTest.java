package io.calltrack.core.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.calltrack.core.CalltrackException;
import io.calltrack.core.callback.RedisCallbackStore;
import io.calltrack.core.config.Ids;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The id checks are loops; the rules they keep are these regular expressions (the API's documented
 * formats). Pure logic: random strings near every boundary (lengths, separators, characters just
 * outside the ranges, non-ASCII letters and digits) must get the regex's answer.
 */
class IdRulesTest {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final Pattern VISITOR = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
  private static final Pattern SESSION = Pattern.compile("([A-Za-z0-9_-]{1,64})\\.([A-Za-z0-9_-]{22})");
  /** Letters and digits, every separator, and characters next to the ranges or only looking like them. */
  private static final String ALPHABET = "aAzZ09_-.:/@`{[^ \t+é٣Ａ\u0000";

  @Test
  void propertyPoolAndVisitorIdsGetTheRegexesAnswer() {
    Random random = new Random(7);
    for (int i = 0; i < 200_000; i++) {
      String s = randomString(random, random.nextInt(140));
      assertEquals(ID.matcher(s).matches(), Ids.valid(s), () -> "id '" + s + "'");
      assertEquals(VISITOR.matcher(s).matches(), Ids.validVisitor(s), () -> "visitor id '" + s + "'");
    }
  }

  @Test
  void sessionIdsGetTheRegexesPool() {
    Random random = new Random(11);
    for (int i = 0; i < 200_000; i++) {
      int poolLength = random.nextInt(68);
      String s = random.nextInt(10) == 0
          ? randomString(random, random.nextInt(100))
          : randomString(random, poolLength) + (random.nextInt(8) == 0 ? "" : ".")
              + randomString(random, 20 + random.nextInt(5));
      Matcher m = SESSION.matcher(s);
      String expected = m.matches() ? m.group(1) : null;
      assertEquals(expected, SessionIds.poolOrNull(s), () -> "session id '" + s + "'");
    }
    assertEquals("pool-a", SessionIds.poolOrNull(SessionIds.newSession("pool-a")));
    // callback ids have the same form, scoped by their property
    assertEquals("site-1", Ids.scopeOf(RedisCallbackStore.newId("site-1")));
    assertNull(SessionIds.poolOrNull(null));
  }

  @Test
  void aBadIdIsRefusedInTheClientsTerms() {
    CalltrackException.Invalid e = assertThrows(CalltrackException.Invalid.class, () -> Ids.requireVisitor("a b"));
    assertEquals(Ids.VISITOR_ID_RULE, e.getMessage());
    assertThrows(CalltrackException.Invalid.class, () -> SessionIds.visitor("x".repeat(129)));
    assertEquals("v.1:a_b-c", SessionIds.visitor("v.1:a_b-c"));
    assertThrows(CalltrackException.Invalid.class, () -> Ids.require("pool", "a.b"));
  }

  /** Mostly id characters, so that long valid ids come up too. */
  private static String randomString(Random random, int length) {
    StringBuilder b = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      b.append(random.nextInt(4) == 0
          ? ALPHABET.charAt(random.nextInt(ALPHABET.length()))
          : ALPHABET.charAt(random.nextInt(6)));
    }
    return b.toString();
  }
}
