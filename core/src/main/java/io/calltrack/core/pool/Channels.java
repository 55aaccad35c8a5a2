package io.calltrack.core.pool;

import io.calltrack.core.attribution.Attribution;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** A short digest of a visit's channel (source, medium, campaign), compared by the share-channel policy. */
public final class Channels {
  private Channels() {}

  public static String digest(Attribution a) {
    Attribution x = a == null ? Attribution.UNKNOWN : a;
    String key = nz(x.source()) + '\u0000' + nz(x.medium()) + '\u0000' + nz(x.campaign());
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Whether two visits came through the same channel. */
  public static boolean same(Attribution a, Attribution b) {
    return digest(a).equals(digest(b));
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }
}
