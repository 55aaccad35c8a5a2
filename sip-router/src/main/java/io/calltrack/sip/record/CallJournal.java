package io.calltrack.sip.record;

import io.calltrack.core.calls.CallEvent;
import io.calltrack.core.calls.CallStore;
import io.calltrack.sip.proxy.SerialExecutor;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gets call events into Redis, or onto the local {@link Spool} while Redis is slow or down, and
 * replays the spool into Redis once and in order when it is back. While anything waits in the spool,
 * new events queue behind it, so a call's events reach Redis in the order they happened.
 * All decisions and file IO run on one serial executor (off the event loop); Redis calls are
 * started on the router's Vert.x context.
 */
public final class CallJournal implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CallJournal.class);

  private final Vertx vertx;
  private final Context context;
  private final CallStore store;
  private final Function<CallEvent, Future<CallEvent>> enrich;
  private final Duration writeTimeout;
  private final SerialExecutor io;
  private final Spool spool;
  private boolean replaying;
  private long timerId = -1;

  /**
   * @param enrich completes an event before it goes to Redis (the router resolves calls whose
   *               attribution could not be looked up while Redis was down); may fail, then the
   *               event is written as it is
   */
  public CallJournal(Vertx vertx, Context context, CallStore store, Path spoolDir, Executor pool,
      Function<CallEvent, Future<CallEvent>> enrich, Duration writeTimeout) {
    this.vertx = vertx;
    this.context = context;
    this.store = store;
    this.enrich = enrich;
    this.writeTimeout = writeTimeout;
    this.io = new SerialExecutor(pool);
    this.spool = Spool.open(spoolDir);
  }

  /** Starts replaying what an earlier run left in the spool, and keeps checking every {@code period}. */
  public void start(Duration period) {
    context.runOnContext(v -> timerId = vertx.setPeriodic(period.toMillis(), id -> io.execute(this::replay)));
    io.execute(this::replay);
  }

  /** Completes when the event is in Redis or safe in the spool; never fails for Redis trouble. */
  public Future<Void> write(CallEvent event) {
    Promise<Void> done = Promise.promise();
    io.execute(() -> {
      if (!spool.isEmpty() || replaying) {
        toSpool(event, done);
        return;
      }
      redisWrite(event).onComplete(ar -> io.execute(() -> {
        if (ar.succeeded()) {
          done.complete();
        } else {
          LOG.warn("Redis did not take call event {}#{} ({}); keeping it in the spool",
              event.callId(), event.seq(), ar.cause().toString());
          toSpool(event, done);
        }
      }));
    });
    return done.future();
  }

  /** Events waiting on disk for Redis. */
  public int depth() {
    return spool.depth();
  }

  private void toSpool(CallEvent event, Promise<Void> done) {
    try {
      spool.append(event);
      done.complete();
    } catch (RuntimeException e) {
      LOG.error("call event {}#{} lost: neither Redis nor the spool took it", event.callId(), event.seq(), e);
      done.fail(e);
    }
  }

  private Future<Boolean> redisWrite(CallEvent event) {
    Promise<Boolean> p = Promise.promise();
    context.runOnContext(v -> enrich.apply(event)
        .recover(err -> Future.succeededFuture(event))
        .compose(store::apply)
        .timeout(writeTimeout.toMillis(), TimeUnit.MILLISECONDS)
        .onComplete(p));
    return p.future();
  }

  private void replay() {
    if (replaying || spool.isEmpty()) {
      return;
    }
    replaying = true;
    replayNext();
  }

  private void replayNext() {
    CallEvent next = spool.peek();
    if (next == null) {
      replaying = false;
      LOG.info("call spool replayed into Redis");
      return;
    }
    redisWrite(next).onComplete(ar -> io.execute(() -> {
      if (ar.succeeded()) {
        spool.ack();
        replayNext();
      } else {
        replaying = false;
      }
    }));
  }

  @Override
  public void close() {
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
    }
    io.execute(spool::close);
  }
}
