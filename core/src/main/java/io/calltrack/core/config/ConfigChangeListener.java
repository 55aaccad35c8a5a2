package io.calltrack.core.config;

import io.calltrack.core.Deadline;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one connection subscribed to {@link ConfigStore#CHANGES_CHANNEL} and reports each message,
 * and whether it is subscribed, to its owner. A dropped connection is retried every second for as
 * long as the listener is open.
 *
 * <p>A connection that is open is not proof that changes still arrive: after a Sentinel failover the
 * client's auto-failover swaps the connection's socket for one to the new master without subscribing
 * it again, and a dead master's socket can stay half-open. So the listener checks itself end to end:
 * every {@link #PROBE_MS} it publishes a token on {@link #PROBE_CHANNEL} through the ordinary client
 * (which goes wherever writes go) and expects it back on its subscription within
 * {@link #PROBE_TIMEOUT_MS}. If it does not come, the subscription counts as lost (the owner stops
 * caching) and is made again, which asks the sentinels (or the cluster) for the master afresh.
 */
final class ConfigChangeListener {
  private static final Logger LOG = LoggerFactory.getLogger(ConfigChangeListener.class);
  private static final long RETRY_MS = 1000;
  /** The self-check channel: its messages are not configuration changes. */
  static final String PROBE_CHANNEL = ConfigStore.CHANGES_CHANNEL + ":probe";
  static final long PROBE_MS = 2000;
  /** Generous: on a loaded host a round trip through Redis can take a second. */
  static final long PROBE_TIMEOUT_MS = 4000;

  private final Vertx vertx;
  private final Redis redis;
  private final Runnable onChange;
  private final Runnable onSubscribed;
  private final Runnable onLost;
  /** This listener's probes (other listeners' probes on the channel are ignored). */
  private final String probePrefix = UUID.randomUUID() + ":";
  private RedisConnection connection;
  private boolean closed;
  private boolean subscribed;
  private long probeTimer = -1;
  private long probeSeq;
  /** Attempts to subscribe that failed since the subscription was last made (or lost). */
  private int failedAttempts;
  /** A streak of failed attempts is logged at its first and then once a minute (one a second while Redis was away). */
  static final int WARN_EVERY = 60;
  /** The probe awaited (null: none), and when it was sent. */
  private String pendingProbe;
  private long pendingSince;

  ConfigChangeListener(Vertx vertx, Redis redis, Runnable onChange, Runnable onSubscribed, Runnable onLost) {
    this.vertx = vertx;
    this.redis = redis;
    this.onChange = onChange;
    this.onSubscribed = onSubscribed;
    this.onLost = onLost;
  }

  /** Completes after the first attempt to subscribe, whether it worked or not (it is retried). */
  synchronized Future<Void> start() {
    Promise<Void> firstAttempt = Promise.promise();
    connect(firstAttempt);
    try {
      probeTimer = vertx.setPeriodic(PROBE_MS, id -> probe());
    } catch (RuntimeException vertxClosed) {
      closed = true;
    }
    return firstAttempt.future();
  }

  synchronized boolean subscribed() {
    return subscribed;
  }

  synchronized Future<Void> close() {
    closed = true;
    subscribed = false;
    if (probeTimer >= 0) {
      vertx.cancelTimer(probeTimer);
      probeTimer = -1;
    }
    RedisConnection c = connection;
    connection = null;
    return c == null ? Future.succeededFuture() : c.close();
  }

  private void connect(Promise<Void> attempt) {
    // Bounded: a frozen master (or one a sentinel still names during a failover) accepts the TCP
    // connection and then answers nothing; without a bound this attempt would wait forever and no
    // other would ever start. A connection that arrives after the bound is closed, not adopted.
    java.util.concurrent.atomic.AtomicBoolean givenUp = new java.util.concurrent.atomic.AtomicBoolean();
    Deadline.within(redis.connect()
        .compose(conn -> {
          synchronized (this) {
            if (closed || givenUp.get()) {
              conn.close();
              return Future.failedFuture(closed ? "closed" : "timed out");
            }
            connection = conn;
          }
          conn.handler(message -> received(message));
          conn.exceptionHandler(err -> lost(conn, err));
          conn.endHandler(v -> lost(conn, null));
          return conn.send(Request.cmd(Command.SUBSCRIBE).arg(ConfigStore.CHANGES_CHANNEL).arg(PROBE_CHANNEL));
        }), PROBE_TIMEOUT_MS)
        .onFailure(err -> givenUp.set(true))
        .onComplete(ar -> {
          synchronized (this) {
            if (ar.succeeded() && !closed) {
              subscribed = true;
              pendingProbe = null;
              if (failedAttempts > 0) {
                LOG.warn("subscribed to configuration changes again after {} failed attempt(s)", failedAttempts);
                failedAttempts = 0;
              }
              onSubscribed.run();
            } else if (!closed) {
              if (connection != null) {
                connection.close();
                connection = null;
              }
              failedAttempts++;
              if (warnsAt(failedAttempts)) {
                LOG.warn("cannot subscribe to configuration changes ({} attempt(s) so far), retrying every second: {}",
                    failedAttempts, ar.cause() == null ? "?" : ar.cause().getMessage());
              }
              retry();
            }
          }
          attempt.tryComplete();
        });
  }

  /** A pushed message: a probe (ours answers the self-check, others' are ignored) or a change. */
  private void received(Response message) {
    // pushed as PUSH (RESP3) or as a plain array (RESP2): [kind, channel, payload]
    if (message != null && isArray(message) && message.size() >= 3
        && "message".equalsIgnoreCase(String.valueOf(message.get(0)))
        && PROBE_CHANNEL.equals(message.get(1).toString())) {
      synchronized (this) {
        if (message.get(2).toString().equals(pendingProbe)) {
          pendingProbe = null;
        }
      }
      return;
    }
    if (message != null && isArray(message) && message.size() >= 1
        && "subscribe".equalsIgnoreCase(String.valueOf(message.get(0)))) {
      return; // the subscription's own confirmation, not a change
    }
    onChange.run();
  }

  private static boolean isArray(Response r) {
    return r.type() == ResponseType.PUSH || r.type() == ResponseType.MULTI;
  }

  /** Every PROBE_MS: judge the last probe, send the next. */
  private void probe() {
    RedisConnection conn;
    String token;
    synchronized (this) {
      if (closed || !subscribed || connection == null) {
        return;
      }
      conn = connection;
      long now = System.nanoTime();
      if (pendingProbe != null) {
        if (now - pendingSince < PROBE_TIMEOUT_MS * 1_000_000) {
          return; // still within its time: wait for it
        }
        pendingProbe = null;
        lostSilently(conn);
        return;
      }
      token = probePrefix + (++probeSeq);
      pendingProbe = token;
      pendingSince = now;
    }
    // The probe's time counts from Redis's answer to the PUBLISH: one that is not answered (the master
    // is away, or frozen behind a connection the pool still holds after a failover) says nothing about
    // the subscription, and the next probe asks again. Counted from the send, such a PUBLISH dropped
    // a healthy subscription, and the cache with it, every few seconds after a failover.
    Deadline.within(redis.send(Request.cmd(Command.PUBLISH).arg(PROBE_CHANNEL).arg(token)), PROBE_TIMEOUT_MS)
        .onComplete(ar -> {
          synchronized (this) {
            if (!token.equals(pendingProbe)) {
              return; // it came back already
            }
            if (ar.failed()) {
              pendingProbe = null;
            } else {
              pendingSince = System.nanoTime();
            }
          }
        });
  }

  private synchronized void lostSilently(RedisConnection conn) {
    if (conn != connection) {
      return;
    }
    LOG.warn("configuration change subscription no longer receives (its own probe did not come back); subscribing again");
    lost(conn, null);
  }

  private synchronized void lost(RedisConnection conn, Throwable err) {
    if (conn != connection) {
      return;
    }
    connection = null;
    subscribed = false;
    pendingProbe = null;
    onLost.run();
    if (!closed) {
      LOG.warn("configuration change subscription lost, retrying: {}", err == null ? "connection closed" : err.getMessage());
      conn.close();
      retry();
    }
  }

  /** Whether the {@code n}th failed attempt of a streak is logged: the first, then once a minute. */
  static boolean warnsAt(int n) {
    return n % WARN_EVERY == 1;
  }

  private void retry() {
    try {
      vertx.setTimer(RETRY_MS, id -> {
        synchronized (this) {
          if (!closed && connection == null) {
            connect(Promise.promise());
          }
        }
      });
    } catch (RuntimeException vertxClosed) {
      closed = true; // Vert.x was closed under us: nothing left to listen for
    }
  }
}
