package io.calltrack.core.config;

import io.calltrack.core.CalltrackException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Ids that end up in URLs, Redis keys and session ids, so they are kept plain: property and pool ids
 * ({@code [A-Za-z0-9_-]{1,64}}) and visitor ids ({@code [A-Za-z0-9._:-]{1,128}}, made by the snippet
 * or by us). Checked with a loop, not a regex: every assign, heartbeat and lookup checks ids, and a
 * {@code Matcher} each was garbage on the hottest path.
 */
public final class Ids {
  /** The longest property or pool id. */
  public static final int MAX_ID = 64;
  /** The longest visitor id. */
  public static final int MAX_VISITOR_ID = 128;
  /** What a bad visitor id is told, wherever one comes in. */
  public static final String VISITOR_ID_RULE =
      "visitorId must be 1-128 characters of letters, digits, '.', '_', ':' or '-'";

  /** The random part of a scoped id: 16 bytes (128 bits) in base64url without padding. */
  public static final int RANDOM_PART = 22;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private Ids() {}

  /** 128 random bits in base64url ({@link #RANDOM_PART} characters): cannot be guessed. */
  public static String random() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return B64.encodeToString(bytes);
  }

  /**
   * A new scoped id, {@code <scope>.<128 random bits>}: session ids (scope: the pool) and callback ids
   * (scope: the property) name where their keys live, so a lookup needs no index.
   */
  public static String newScoped(String scope) {
    return scope + "." + random();
  }

  /**
   * A scoped id made from {@code seed} rather than drawn: {@code <scope>.<128 bits of seed's SHA-256>},
   * the same for the same seed (a callback that returns a missed call: asked once per call).
   */
  public static String scopedFrom(String scope, String seed) {
    try {
      byte[] hash = java.security.MessageDigest.getInstance("SHA-256")
          .digest(seed.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return scope + "." + B64.encodeToString(java.util.Arrays.copyOf(hash, 16));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e); // every JVM has SHA-256
    }
  }

  /** The scope of a well-formed scoped id ({@code [A-Za-z0-9_-]{1,64}.[A-Za-z0-9_-]{22}}), or null. */
  public static String scopeOf(String id) {
    int dot = id == null ? -1 : id.indexOf('.');
    if (dot < 0 || id.length() - dot - 1 != RANDOM_PART
        || !plain(id, 0, dot, MAX_ID, false)
        || !plain(id, dot + 1, id.length(), RANDOM_PART, false)) {
      return null;
    }
    return id.substring(0, dot);
  }

  /** Whether {@code id} is a well-formed property or pool id. */
  public static boolean valid(String id) {
    return id != null && plain(id, 0, id.length(), MAX_ID, false);
  }

  /** Whether {@code id} is a well-formed visitor id. */
  public static boolean validVisitor(String id) {
    return id != null && plain(id, 0, id.length(), MAX_VISITOR_ID, true);
  }

  /**
   * Whether {@code s[from, to)} is 1 to {@code max} ASCII letters, digits, '_' or '-' (and '.' or ':'
   * with {@code dotsAndColons}).
   */
  public static boolean plain(String s, int from, int to, int max, boolean dotsAndColons) {
    int length = to - from;
    if (length < 1 || length > max) {
      return false;
    }
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'
          || (dotsAndColons && (c == '.' || c == ':'));
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  public static String require(String what, String id) {
    if (!valid(id)) {
      throw new CalltrackException.Invalid(
          what + " id must be 1-64 characters of letters, digits, '_' or '-': '" + id + "'");
    }
    return id;
  }

  /** {@code visitorId} if well-formed; Invalid (400, {@link #VISITOR_ID_RULE}) otherwise. */
  public static String requireVisitor(String visitorId) {
    if (!validVisitor(visitorId)) {
      throw new CalltrackException.Invalid(VISITOR_ID_RULE);
    }
    return visitorId;
  }
}
