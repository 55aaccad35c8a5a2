package io.calltrack.core.webhooks;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs webhook bodies: header {@value #HEADER} {@code t=<unix seconds>,v1=<hex HMAC-SHA256 of
 * "<t>.<body>" with the shared secret>}. A receiver recomputes the HMAC over the raw body and refuses
 * old timestamps (replays); including the time in the signed text stops a replayed body with a new time.
 */
public final class WebhookSigner {
  public static final String HEADER = "Calltrack-Signature";

  private WebhookSigner() {}

  public static String signature(String secret, long epochSeconds, String body) {
    return "t=" + epochSeconds + ",v1=" + hmac(secret, epochSeconds + "." + body);
  }

  /** Whether {@code header} is a valid signature of {@code body} under {@code secret}. */
  public static boolean verify(String secret, String header, String body) {
    if (header == null) {
      return false;
    }
    String t = null;
    String v1 = null;
    for (String part : header.split(",")) {
      if (part.startsWith("t=")) {
        t = part.substring(2);
      } else if (part.startsWith("v1=")) {
        v1 = part.substring(3);
      }
    }
    if (t == null || v1 == null) {
      return false;
    }
    return java.security.MessageDigest.isEqual(hmac(secret, t + "." + body).getBytes(StandardCharsets.US_ASCII),
        v1.getBytes(StandardCharsets.US_ASCII));
  }

  static String hmac(String secret, String text) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
