package io.calltrack.core.webhooks;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts signed JSON webhooks ({@link WebhookSigner}) with an {@code Idempotency-Key} header, retrying
 * on any failure (connection error, timeout, non-2xx answer) with exponential back-off: {@code
 * initialBackoff}, doubled each time up to {@code maxBackoff}. Each attempt is signed afresh with the
 * clock's time. The body and key stay the same across attempts, so a receiver that saw an attempt it
 * answered too late can drop the repeat by its key.
 */
public final class WebhookSender implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookSender.class);
  public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
  /** The most of a receiver's answer read before its connection is closed (see {@link #discardAnswer}). */
  static final long MAX_ANSWER_BYTES = 64 * 1024;

  private final Vertx vertx;
  private final WebhookTargets targets;
  private final HttpClient http;
  private final Clock clock;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private volatile boolean closed;

  /** A sender to public addresses only ({@link WebhookTargets#PUBLIC_ONLY}). */
  public WebhookSender(Vertx vertx, Clock clock, Duration initialBackoff, Duration maxBackoff) {
    this(vertx, clock, initialBackoff, maxBackoff, WebhookTargets.PUBLIC_ONLY);
  }

  /** @param targets where webhooks may go ({@link WebhookTargets}) */
  public WebhookSender(Vertx vertx, Clock clock, Duration initialBackoff, Duration maxBackoff, WebhookTargets targets) {
    this.targets = targets;
    this.vertx = vertx;
    this.http = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(5_000));
    this.clock = clock;
    this.initialBackoff = initialBackoff;
    this.maxBackoff = maxBackoff;
  }

  /** What a receiver answered: its status and (at most {@link #MAX_ANSWER_BYTES} of) its body. */
  public record Answer(int status, String body) {}

  /** Posts {@code body} once, to a checked address ({@link WebhookTargets}); the answer as it starts. */
  private Future<io.vertx.core.http.HttpClientResponse> send(String url, String secret, String key, String eventType,
      String body) {
    RequestOptions o = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(url)
        .setIdleTimeout(REQUEST_TIMEOUT.toMillis())
        .putHeader("content-type", "application/json")
        .putHeader("Idempotency-Key", key)
        .putHeader("Calltrack-Event", eventType);
    if (secret != null) {
      o.putHeader(WebhookSigner.HEADER, WebhookSigner.signature(secret, clock.instant().getEpochSecond(), body));
    }
    return targets.addressOf(vertx, url)
        .compose(checked -> http.request(checked == null ? o : o.setServer(checked)))
        .compose(req -> req.send(Buffer.buffer(body)));
  }

  /**
   * One attempt whose answer is kept (a test send, a validation endpoint's verdict): fails only when no
   * answer came (refused address, connection, timeout).
   */
  public Future<Answer> exchange(String url, String secret, String key, String eventType, String body) {
    return send(url, secret, key, eventType, body)
        .compose(res -> {
          Buffer kept = Buffer.buffer();
          return readAnswer(res, kept).map(read -> new Answer(res.statusCode(), kept.toString()));
        });
  }

  /** One attempt: succeeds on a 2xx answer. {@code secret} null: not signed (GA4's endpoint takes its key in the URL). */
  public Future<Void> postOnce(String url, String secret, String key, String eventType, String body) {
    return send(url, secret, key, eventType, body)
        .compose(res -> {
          Future<Void> verdict = res.statusCode() / 100 == 2 ? Future.succeededFuture()
              : Future.failedFuture(new IllegalStateException(withoutQuery(url) + " answered " + res.statusCode()));
          return readAnswer(res, null).transform(read -> verdict);
        });
  }

  /** The URL as logs may show it: without its query, which may hold a key (GA4's api_secret). */
  public static String withoutQuery(String url) {
    int q = url.indexOf('?');
    return q < 0 ? url : url.substring(0, q);
  }

  /**
   * Reads the answer's body, into {@code kept} (null: away, only its status counts). A receiver that
   * answers with more than {@link #MAX_ANSWER_BYTES} (a URL that serves a download, or streams without
   * end) has its connection closed there, instead of held in memory or kept busy until it stops.
   * Completes once the body is read or cut there.
   */
  private static Future<Void> readAnswer(io.vertx.core.http.HttpClientResponse res, Buffer kept) {
    Promise<Void> read = Promise.promise();
    long[] length = {0};
    res.handler(chunk -> {
      length[0] += chunk.length();
      if (length[0] > MAX_ANSWER_BYTES) {
        res.handler(null);
        read.tryComplete();
        res.request().reset();
      } else if (kept != null) {
        kept.appendBuffer(chunk);
      }
    });
    res.end().onComplete(ar -> read.tryComplete());
    return read.future();
  }

  /**
   * Posts until a 2xx comes back, or {@code maxAttempts} (0: no limit) are used up, or the sender is
   * closed. Fails with the last error when it gives up.
   */
  public Future<Void> post(String url, String secret, String key, String eventType, String body, int maxAttempts) {
    return post(url, secret, key, eventType, body, maxAttempts, null).mapEmpty();
  }

  /**
   * {@link #post}, asking {@code wanted} before each attempt whether the event is still to be sent: one
   * whose person was erased meanwhile (its calls-stream entry deleted) is dropped, so a receiver that was
   * down during an erasure does not get the erased number when it comes back. Completes with true when
   * delivered, false when dropped. A {@code wanted} that cannot answer counts as a failed attempt.
   */
  public Future<Boolean> post(String url, String secret, String key, String eventType, String body, int maxAttempts,
      java.util.function.Supplier<Future<Boolean>> wanted) {
    Promise<Boolean> done = Promise.promise();
    attempt(url, secret, key, eventType, body, maxAttempts, 1, initialBackoff, done, wanted);
    return done.future();
  }

  private void attempt(String url, String secret, String key, String type, String body, int max, int n,
      Duration backoff, Promise<Boolean> done, java.util.function.Supplier<Future<Boolean>> wanted) {
    Future<Boolean> still = wanted == null ? Future.succeededFuture(true) : wanted.get();
    Future<Boolean> sent = still.compose(yes -> yes ? postOnce(url, secret, key, type, body).map(true)
        : Future.succeededFuture(false));
    sent.onComplete(ar -> {
      if (ar.succeeded()) {
        if (!ar.result()) {
          LOG.info("webhook {} {} not sent: erased since it was written", type, key);
        }
        done.complete(ar.result());
        return;
      }
      if (closed || (max > 0 && n >= max)) {
        done.fail(ar.cause());
        return;
      }
      if (n == 1 || n % 10 == 0) {
        LOG.warn("webhook {} {} attempt {} failed ({}); retrying in {} ms", type, key, n, ar.cause().getMessage(),
            backoff.toMillis());
      }
      Duration next = backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
      vertx.setTimer(Math.max(1, backoff.toMillis()),
          id -> attempt(url, secret, key, type, body, max, n + 1, next, done, wanted));
    });
  }

  @Override
  public void close() {
    closed = true;
    http.close();
  }
}
