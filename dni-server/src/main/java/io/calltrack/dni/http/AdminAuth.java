package io.calltrack.dni.http;

import io.calltrack.core.auth.ApiKeys;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Guards the admin API with {@code Authorization: Bearer <token>}. Both sides are hashed before the
 * constant-time compare, so neither the content nor the length of the token leaks through timing.
 * Without a configured token every admin request is refused: an admin API is never open by accident.
 * {@link AdminApi} runs it first on every admin route. A bearer that is not the admin token may be
 * an API key ({@link ApiKeys}); what it may do is decided later, in one place ({@link AdminApi.Route#scope}).
 * The {@link Principal} is left on the context.
 */
public final class AdminAuth implements Handler<RoutingContext> {
  private static final String PREFIX = "bearer ";

  private final byte[] expectedDigest;
  private final ApiKeys keys;

  public AdminAuth(String token) {
    this(token, null);
  }

  /** {@code keys} null: the admin token only. */
  public AdminAuth(String token, ApiKeys keys) {
    this.expectedDigest = token == null || token.isBlank() ? null : sha256(token);
    this.keys = keys;
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (expectedDigest == null) {
      ctx.response().putHeader("www-authenticate", "Bearer");
      ctx.fail(new HttpStatusException.Unauthorized("the admin API is disabled: no admin token is configured"));
      return;
    }
    if (!oneAuthorization(ctx.request())) {
      ctx.response().putHeader("www-authenticate", "Bearer");
      ctx.fail(new HttpStatusException.Unauthorized("send one Authorization header"));
      return;
    }
    String header = ctx.request().getHeader("authorization");
    if (header == null || header.length() <= PREFIX.length()
        || !header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
      ctx.response().putHeader("www-authenticate", "Bearer");
      ctx.fail(new HttpStatusException.Unauthorized("send Authorization: Bearer <admin token>"));
      return;
    }
    String bearer = header.substring(PREFIX.length()).strip();
    if (MessageDigest.isEqual(expectedDigest, sha256(bearer))) {
      ctx.put(Principal.KEY, Principal.ADMIN);
      ctx.next();
      return;
    }
    if (keys == null || !bearer.startsWith(ApiKeys.PREFIX)) {
      refuse(ctx, "wrong admin token");
      return;
    }
    // the body must wait for the key's check: the body handler runs after it (and resumes)
    ctx.request().pause();
    keys.authenticate(bearer).onComplete(found -> {
      if (found.failed()) {
        ctx.fail(new HttpStatusException.Unavailable("API keys cannot be checked now; try again"));
      } else if (found.result() instanceof ApiKeys.Valid valid) {
        ctx.put(Principal.KEY, new Principal(valid.key()));
        ctx.next();
      } else if (found.result() instanceof ApiKeys.Expired expired) {
        refuse(ctx, "this API key expired at " + expired.at() + "; ask for a new one");
      } else {
        refuse(ctx, "unknown or revoked API key");
      }
    });
  }

  private static void refuse(RoutingContext ctx, String detail) {
    ctx.response().putHeader("www-authenticate", "Bearer error=\"invalid_token\"");
    ctx.fail(new HttpStatusException.Unauthorized(detail));
  }

  /**
   * Whether {@code request} carries the admin token in its one {@code Authorization} header (for
   * routes open to both).
   */
  public boolean accepts(io.vertx.core.http.HttpServerRequest request) {
    String header = request.getHeader("authorization");
    return expectedDigest != null && oneAuthorization(request) && header != null && header.length() > PREFIX.length()
        && header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())
        && MessageDigest.isEqual(expectedDigest, sha256(header.substring(PREFIX.length()).strip()));
  }

  /**
   * At most one {@code Authorization} header: it is no list header (RFC 9110 11.6.2), and of two a
   * proxy in front could read the other one than this server.
   */
  private static boolean oneAuthorization(io.vertx.core.http.HttpServerRequest request) {
    return request.headers().getAll("authorization").size() <= 1;
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
