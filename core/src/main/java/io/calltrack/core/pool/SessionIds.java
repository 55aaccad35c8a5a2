package io.calltrack.core.pool;

import io.calltrack.core.CalltrackException;
import io.calltrack.core.config.Ids;

/**
 * Session and visitor ids. A session id is {@code <poolId>.<128 random bits, base64url>}: it names
 * its pool, so heartbeat and release find the pool's keys without a lookup, and it cannot be guessed.
 * Ids are checked strictly before any Redis key is built from them.
 */
final class SessionIds {
  private SessionIds() {}

  static String random() {
    return Ids.random();
  }

  static String newSession(String poolId) {
    return Ids.newScoped(poolId);
  }

  /** The pool of a well-formed session id; Invalid otherwise. */
  static String poolOf(String sessionId) {
    String pool = poolOrNull(sessionId);
    if (pool == null) {
      throw new CalltrackException.Invalid("malformed session id");
    }
    return pool;
  }

  /** The pool of a well-formed session id, or null. */
  static String poolOrNull(String sessionId) {
    return Ids.scopeOf(sessionId);
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
