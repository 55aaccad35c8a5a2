package io.calltrack.core.config;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one connection subscribed to {@link ConfigStore#CHANGES_CHANNEL} and reports each message,
 * and whether it is subscribed, to its owner. A dropped connection is retried every second for as
 * long as the listener is open.
 */
final class ConfigChangeListener {
  private static final Logger LOG = LoggerFactory.getLogger(ConfigChangeListener.class);
  private static final long RETRY_MS = 1000;

  private final Vertx vertx;
  private final Redis redis;
  private final Runnable onChange;
  private final Runnable onSubscribed;
  private final Runnable onLost;
  private RedisConnection connection;
  private boolean closed;
  private boolean subscribed;

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
    return firstAttempt.future();
  }

  synchronized boolean subscribed() {
    return subscribed;
  }

  synchronized Future<Void> close() {
    closed = true;
    subscribed = false;
    RedisConnection c = connection;
    connection = null;
    return c == null ? Future.succeededFuture() : c.close();
  }

  private void connect(Promise<Void> attempt) {
    redis.connect()
        .compose(conn -> {
          synchronized (this) {
            if (closed) {
              conn.close();
              return Future.failedFuture("closed");
            }
            connection = conn;
          }
          conn.handler(message -> onChange.run());
          conn.exceptionHandler(err -> lost(conn, err));
          conn.endHandler(v -> lost(conn, null));
          return conn.send(Request.cmd(Command.SUBSCRIBE).arg(ConfigStore.CHANGES_CHANNEL));
        })
        .onComplete(ar -> {
          synchronized (this) {
            if (ar.succeeded() && !closed) {
              subscribed = true;
              onSubscribed.run();
            } else if (!closed) {
              if (connection != null) {
                connection.close();
                connection = null;
              }
              LOG.warn("cannot subscribe to configuration changes, retrying: {}", ar.cause() == null ? "?" : ar.cause().getMessage());
              retry();
            }
          }
          attempt.tryComplete();
        });
  }

  private synchronized void lost(RedisConnection conn, Throwable err) {
    if (conn != connection) {
      return;
    }
    connection = null;
    subscribed = false;
    onLost.run();
    if (!closed) {
      LOG.warn("configuration change subscription lost, retrying: {}", err == null ? "connection closed" : err.getMessage());
      conn.close();
      retry();
    }
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
