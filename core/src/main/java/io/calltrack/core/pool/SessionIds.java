package io.calltrack.core.pool;

import io.calltrack.core.CalltrackException;
import io.calltrack.core.config.Ids;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Session and visitor ids. A session id is {@code <poolId>.<128 random bits, base64url>}: it names
 * its pool, so heartbeat and release find the pool's keys without a lookup, and it cannot be guessed.
 * Ids are checked strictly before any Redis key is built from them.
 */
final class SessionIds {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  /** The random part's length: 16 bytes in base64url without padding. */
  private static final int RANDOM_PART = 22;

  private SessionIds() {}

  static String random() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return B64.encodeToString(bytes);
  }

  static String newSession(String poolId) {
    return poolId + "." + random();
  }

  /** The pool of a well-formed session id; Invalid otherwise. */
  static String poolOf(String sessionId) {
    String pool = poolOrNull(sessionId);
    if (pool == null) {
      throw new CalltrackException.Invalid("malformed session id");
    }
    return pool;
  }

  /** The pool of a well-formed session id ({@code [A-Za-z0-9_-]{1,64}.[A-Za-z0-9_-]{22}}), or null. */
  static String poolOrNull(String sessionId) {
    int dot = sessionId == null ? -1 : sessionId.indexOf('.');
    if (dot < 0 || sessionId.length() - dot - 1 != RANDOM_PART
        || !Ids.plain(sessionId, 0, dot, Ids.MAX_ID, false)
        || !Ids.plain(sessionId, dot + 1, sessionId.length(), RANDOM_PART, false)) {
      return null;
    }
    return sessionId.substring(0, dot);
  }

  /** What follows the pool in a session id (the pool's keys name a session by it); the whole text if it has no dot. */
  static String randomPart(String sessionId) {
    return sessionId.substring(sessionId.indexOf('.') + 1);
  }

  /** A visitor id from the browser, or a new one when none is given. */
  static String visitor(String visitorId) {
    if (visitorId == null || visitorId.isBlank()) {
      return random();
    }
    return Ids.requireVisitor(visitorId);
  }
}
