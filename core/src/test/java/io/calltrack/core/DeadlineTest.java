package io.calltrack.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.testing.Await;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Deadline on a real Vert.x: the timer of a call made outside any context runs on the caller's event loop. */
class DeadlineTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    Await.result(vertx.close());
  }

  /** Bounds a call that never answers, from an event loop, and says on which thread it timed out. */
  private String timedOutOn(Function<Future<String>, Future<String>> bound) {
    Context context = vertx.getOrCreateContext();
    Promise<String> thread = Promise.promise();
    context.runOnContext(v -> {
      Promise<String> never = Promise.promise(); // made outside any context, as a chain from a cached value
      bound.apply(never.future()).onComplete(ar -> {
        assertInstanceOf(TimeoutException.class, ar.cause());
        thread.complete(Thread.currentThread().getName());
      });
    });
    return Await.result(thread.future());
  }

  @Test
  void aCallMadeOutsideAnyContextTimesOutOnTheCallersEventLoop() {
    assertTrue(timedOutOn(f -> Deadline.within(f, 20)).startsWith("vert.x-eventloop"));
    // why: Vert.x's own timeout puts such a call's timer on Netty's one global thread
    assertTrue(timedOutOn(f -> f.timeout(20, TimeUnit.MILLISECONDS)).startsWith("globalEventExecutor"));
  }

  @Test
  void aCallThatAnswersInTimeKeepsItsResultOrItsFailure() {
    Context context = vertx.getOrCreateContext();
    Promise<Future<String>> ok = Promise.promise();
    Promise<Future<String>> failed = Promise.promise();
    context.runOnContext(v -> {
      Promise<String> answer = Promise.promise();
      Promise<String> refusal = Promise.promise();
      ok.complete(Deadline.within(answer.future(), 60_000));
      failed.complete(Deadline.within(refusal.future(), 60_000));
      answer.complete("OK");
      refusal.fail(new IllegalStateException("NOSCRIPT"));
    });
    assertEquals("OK", Await.result(Await.result(ok.future())));
    assertEquals("NOSCRIPT", Await.failure(Await.result(failed.future())).getMessage());
  }

  @Test
  void outsideVertxItBoundsTheCallAsVertxDoes() {
    Promise<String> never = Promise.promise();
    assertInstanceOf(TimeoutException.class, Await.failure(Deadline.within(never.future(), 20)));
  }
}
