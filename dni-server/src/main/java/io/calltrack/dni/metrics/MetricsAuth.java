package io.calltrack.dni.metrics;

import io.calltrack.dni.http.HttpStatusException;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * {@code /metrics} behind a token of its own: pool sizes and free counts tell an attacker how close a
 * pool is to empty, but a Prometheus scraper should not need the admin token to read them. Compared
 * as SHA-256 digests in constant time, like the admin token.
 */
final class MetricsAuth {
  private static final String PREFIX = "bearer ";
  private final byte[] expected;

  MetricsAuth(String token) {
    this.expected = sha256(token);
  }

  /** Throws 401 unless the request carries the metrics token. */
  void check(RoutingContext ctx) {
    String header = ctx.request().getHeader("authorization");
    if (header == null || header.length() <= PREFIX.length()
        || !header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())
        || !MessageDigest.isEqual(expected, sha256(header.substring(PREFIX.length()).strip()))) {
      ctx.response().putHeader("www-authenticate", "Bearer");
      throw new HttpStatusException.MetricsUnauthorized();
    }
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
