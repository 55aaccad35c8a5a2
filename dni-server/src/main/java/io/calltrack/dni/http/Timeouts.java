package io.calltrack.dni.http;

import io.calltrack.core.CalltrackException;
import io.calltrack.core.Deadline;
import io.calltrack.core.redis.LuaScript;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Bounds every Redis call a request waits for. A visitor's page must not hang on a slow Redis (past
 * the public limit an assign answers with the default number), and an operator should see a clear
 * 503 rather than a stalled admin request.
 */
public final class Timeouts {
  /** The default public limit (docs/contract.md: a visitor waits about a second at most). */
  public static final Duration DEFAULT_PUBLIC = Duration.ofSeconds(1);
  /** Admin requests and background reads wait at least this long: writing a large pool takes a while. */
  public static final Duration MIN_ADMIN = Duration.ofSeconds(5);

  /** Admin requests that page through many records (exports, bulk uploads) wait up to this long. */
  public static final Duration SLOW_ADMIN = Duration.ofSeconds(60);

  private final Duration publicLimit;
  private final Duration adminLimit;

  public Timeouts(Duration publicLimit) {
    this.publicLimit = publicLimit;
    this.adminLimit = publicLimit.compareTo(MIN_ADMIN) > 0 ? publicLimit : MIN_ADMIN;
  }

  /** Bounds a call of the snippet's endpoints; failures stay as they are. */
  public <T> Future<T> publicBound(Future<T> call) {
    return bound(call, publicLimit);
  }

  /** Bounds a call of the snippet's endpoints; a Redis failure or timeout becomes a 503. */
  public <T> Future<T> publicStore(Future<T> call) {
    return store(call, publicLimit);
  }

  /**
   * Bounds the rest of a snippet request that started at {@code startNanos} ({@link System#nanoTime()}):
   * the request as a whole, not each of its Redis calls, gets the public limit. A call with no time
   * left is not made: it fails at once with a {@link java.util.concurrent.TimeoutException}.
   */
  public <T> Future<T> publicRemaining(Supplier<Future<T>> call, long startNanos) {
    long leftNanos = publicLimit.toNanos() - (System.nanoTime() - startNanos);
    if (leftNanos <= 0) {
      return Future.failedFuture(new java.util.concurrent.TimeoutException("no time left for the store"));
    }
    return Deadline.within(call.get(), Math.max(1, TimeUnit.NANOSECONDS.toMillis(leftNanos)));
  }

  /** Bounds a background or admin read; failures stay as they are. */
  public <T> Future<T> adminBound(Future<T> call) {
    return bound(call, adminLimit);
  }

  /** Bounds an admin call; a Redis failure or timeout becomes a 503. */
  public <T> Future<T> admin(Future<T> call) {
    return store(call, adminLimit);
  }

  public static <T> Future<T> bound(Future<T> call, Duration limit) {
    return Deadline.within(call, limit.toMillis());
  }

  /**
   * Bounds the call and turns a store failure (connection refused, timeout, a Redis error) into a 503:
   * the caller can retry, and nothing was claimed that was not done. A {@link CalltrackException}
   * stays as it is, and so does a fault of this code's own (an overflow, a bad date): it is no outage
   * to retry, and its message is not the client's business (the error handler answers 500).
   */
  public static <T> Future<T> store(Future<T> call, Duration limit) {
    return bound(call, limit).recover(err -> {
      if (err instanceof CalltrackException || isOwnFault(err)) {
        return Future.failedFuture(err);
      }
      if (err instanceof LuaScript.NotReplicated nr) {
        return Future.failedFuture(new HttpStatusException.NotReplicated(nr.acked(), nr.wanted()));
      }
      return Future.failedFuture(new HttpStatusException.Unavailable("the store did not answer: " + describe(err)));
    });
  }

  private static boolean isOwnFault(Throwable err) {
    // a stored value that does not read: the store answered, and asking again reads the same
    return err instanceof io.calltrack.core.json.JsonMapper.UnreadableStoredData
        || err instanceof ArithmeticException || err instanceof java.time.DateTimeException
        || err instanceof NullPointerException || err instanceof ClassCastException
        || err instanceof IndexOutOfBoundsException;
  }

  /** A short description of a Redis failure that says what happened but not how the code is built. */
  public static String describe(Throwable err) {
    if (err instanceof java.util.concurrent.TimeoutException
        || err.getClass().getSimpleName().contains("Timeout")) {
      return "timed out";
    }
    String m = err.getMessage();
    return m == null || m.isBlank() ? "no reason given" : m.length() > 200 ? m.substring(0, 200) : m;
  }
}
