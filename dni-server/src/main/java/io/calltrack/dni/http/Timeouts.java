package io.calltrack.dni.http;

import io.calltrack.core.CalltrackException;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Bounds every Redis call a request waits for. A visitor's page must not hang on a slow Redis, and
 * an operator should see a clear 503 rather than a stalled admin request.
 */
public final class Timeouts {
  /** Public endpoints: past this the snippet gets its fallback answer. */
  public static final Duration PUBLIC = Duration.ofSeconds(1);
  /** Admin endpoints: writes of large pools take longer than a lease. */
  public static final Duration ADMIN = Duration.ofSeconds(5);

  private Timeouts() {}

  public static <T> Future<T> bound(Future<T> call, Duration limit) {
    return call.timeout(limit.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Bounds the call and turns anything that is not a {@link CalltrackException} (connection refused,
   * timeout, a Redis error) into a 503: the caller can retry, and nothing was claimed that was not done.
   */
  public static <T> Future<T> store(Future<T> call, Duration limit) {
    return bound(call, limit).recover(err -> err instanceof CalltrackException
        ? Future.failedFuture(err)
        : Future.failedFuture(new HttpStatusException.Unavailable("the store did not answer: " + describe(err))));
  }

  /** A short description of a Redis failure that says what happened but not how the code is built. */
  public static String describe(Throwable err) {
    if (err instanceof java.util.concurrent.TimeoutException
        || err.getClass().getSimpleName().contains("Timeout")) {
      return "timed out";
    }
    String m = err.getMessage();
    return m == null ? err.getClass().getSimpleName() : m.length() > 200 ? m.substring(0, 200) : m;
  }
}
