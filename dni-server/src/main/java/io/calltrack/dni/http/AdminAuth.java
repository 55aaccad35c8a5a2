package io.calltrack.dni.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Guards the admin API with {@code Authorization: Bearer <token>}. Both sides are hashed before the
 * constant-time compare, so neither the content nor the length of the token leaks through timing.
 * Without a configured token every admin request is refused: an admin API is never open by accident.
 * {@link AdminApi} runs it first on every admin route.
 */
public final class AdminAuth implements Handler<RoutingContext> {
  private static final String PREFIX = "bearer ";

  private final byte[] expectedDigest;

  public AdminAuth(String token) {
    this.expectedDigest = token == null || token.isBlank() ? null : sha256(token);
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (expectedDigest == null) {
      ctx.response().putHeader("www-authenticate", "Bearer");
      ctx.fail(new HttpStatusException.Unauthorized("the admin API is disabled: no admin token is configured"));
      return;
    }
    String header = ctx.request().getHeader("authorization");
    if (header == null || header.length() <= PREFIX.length()
        || !header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
      ctx.response().putHeader("www-authenticate", "Bearer");
      ctx.fail(new HttpStatusException.Unauthorized("send Authorization: Bearer <admin token>"));
      return;
    }
    byte[] given = sha256(header.substring(PREFIX.length()).strip());
    if (!MessageDigest.isEqual(expectedDigest, given)) {
      ctx.response().putHeader("www-authenticate", "Bearer error=\"invalid_token\"");
      ctx.fail(new HttpStatusException.Unauthorized("wrong admin token"));
      return;
    }
    ctx.next();
  }

  /** Whether an {@code Authorization} header carries the admin token (for routes open to both). */
  public boolean accepts(String header) {
    return expectedDigest != null && header != null && header.length() > PREFIX.length()
        && header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())
        && MessageDigest.isEqual(expectedDigest, sha256(header.substring(PREFIX.length()).strip()));
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
