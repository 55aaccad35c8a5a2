package io.calltrack.core.pool;

import io.vertx.core.shareddata.Shareable;
import java.util.Base64;

/**
 * Pool + visitor -> the session an engine of this process last gave the visitor there: a returning
 * visitor's assign declares that session's key (see the assign script). A guess is only a guess: the
 * script checks it, and a wrong or missing one costs one more run. So this is a lossy cache, not a map.
 *
 * <p>It holds no object per visitor. A map of strings did, and at a few thousand new visitors a
 * second its entries, alive for minutes, were what every young GC of dni-server copied (5-6 MB per
 * collection, 5-6 ms pauses: the assign's p99). Here a slot is three longs in arrays allocated once:
 * a 64-bit hash of pool and visitor, and the session's 128 random bits. A new visitor takes the slot
 * its hash picks, so the newest visitors are remembered, about {@link #SLOTS} of them; no visitor id
 * is kept, only its hash.
 *
 * <p>Shared by the HTTP instances of one process, without locks: a read racing a write of the same
 * slot may pair one session's bits with another's, which is a wrong guess or a miss, both harmless
 * (see above).
 */
final class SessionGuesses implements Shareable {
  static final int SLOTS = 1 << 17;
  private static final int MASK = SLOTS - 1;
  /** Random parts of session ids are 16 bytes in base64url without padding. */
  private static final int RANDOM_CHARS = 22;
  private static final Base64.Decoder DECODE = Base64.getUrlDecoder();
  private static final Base64.Encoder ENCODE = Base64.getUrlEncoder().withoutPadding();

  private final long[] tags = new long[SLOTS];
  private final long[] high = new long[SLOTS];
  private final long[] low = new long[SLOTS];

  /** The session id last remembered for the visitor in the pool, or null. */
  String get(String poolId, String visitor) {
    long h = hash(poolId, visitor);
    int slot = (int) h & MASK;
    long hi = high[slot];
    long lo = low[slot];
    if (tags[slot] != h || (hi | lo) == 0) {
      return null;
    }
    byte[] bytes = new byte[16];
    for (int i = 0; i < 8; i++) {
      bytes[i] = (byte) (hi >>> (56 - 8 * i));
      bytes[8 + i] = (byte) (lo >>> (56 - 8 * i));
    }
    return poolId + '.' + ENCODE.encodeToString(bytes);
  }

  /** Remembers the visitor's session in the pool (ids of another form are not remembered). */
  void put(String poolId, String visitor, String sessionId) {
    int dot = sessionId.indexOf('.');
    if (dot < 0 || sessionId.length() - dot - 1 != RANDOM_CHARS) {
      return;
    }
    byte[] bytes;
    try {
      bytes = DECODE.decode(sessionId.substring(dot + 1));
    } catch (IllegalArgumentException e) {
      return;
    }
    long hi = 0;
    long lo = 0;
    for (int i = 0; i < 8; i++) {
      hi = hi << 8 | (bytes[i] & 0xff);
      lo = lo << 8 | (bytes[8 + i] & 0xff);
    }
    long h = hash(poolId, visitor);
    int slot = (int) h & MASK;
    tags[slot] = 0; // mostly, a reader meanwhile misses rather than pairing the old tag with new bits
    high[slot] = hi;
    low[slot] = lo;
    tags[slot] = h;
  }

  /** FNV-1a over both ids (a separator between them), then a finalizer that spreads the low bits. */
  static long hash(String poolId, String visitor) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < poolId.length(); i++) {
      h = (h ^ poolId.charAt(i)) * 0x100000001b3L;
    }
    h = (h ^ 0xffff) * 0x100000001b3L;
    for (int i = 0; i < visitor.length(); i++) {
      h = (h ^ visitor.charAt(i)) * 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    return h;
  }
}
