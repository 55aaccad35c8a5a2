package io.calltrack.core.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.testing.Await;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The sender against a real HTTP receiver on loopback that answers as a misconfigured URL would. */
@Timeout(60)
class WebhookSenderTest {
  final Vertx vertx = Vertx.vertx();
  final WebhookSender sender = new WebhookSender(vertx, Clock.systemUTC(), Duration.ofMillis(10),
      Duration.ofMillis(10), WebhookTargets.ANY);

  @AfterEach
  void close() {
    sender.close();
    Await.result(vertx.close());
  }

  /** A receiver that answers {@code status} with a body that never ends, one 16 KB chunk after another. */
  HttpServer endless(int status, AtomicInteger posts) {
    Buffer chunk = Buffer.buffer(new byte[16 * 1024]);
    return Await.result(vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      posts.incrementAndGet();
      HttpServerResponse res = req.response().setStatusCode(status).setChunked(true);
      long timer = vertx.setPeriodic(1, id -> {
        if (!res.writeQueueFull()) {
          res.write(chunk);
        }
      });
      res.closeHandler(v -> vertx.cancelTimer(timer));
    })).listen(0, "127.0.0.1"));
  }

  @Test
  void aDeliveryAnsweredWithABodyWithoutEndSucceedsOnItsStatus() {
    AtomicInteger posts = new AtomicInteger();
    HttpServer receiver = endless(200, posts);
    String url = "http://127.0.0.1:" + receiver.actualPort() + "/hook";
    Future<Void> sent = sender.postOnce(url, "secret", "k1", "call.ended", "{}");
    Await.until(Duration.ofSeconds(30), sent::isComplete);
    assertTrue(sent.succeeded(), () -> String.valueOf(sent.cause()));
    assertEquals(1, posts.get());
  }

  @Test
  void aRefusalWithABodyWithoutEndIsRetried() {
    AtomicInteger posts = new AtomicInteger();
    HttpServer receiver = endless(500, posts);
    String url = "http://127.0.0.1:" + receiver.actualPort() + "/hook";
    Future<Void> sent = sender.post(url, "secret", "k2", "call.ended", "{}", 3);
    Await.until(Duration.ofSeconds(30), sent::isComplete);
    assertTrue(sent.failed());
    assertTrue(sent.cause().getMessage().contains("answered 500"), sent.cause().getMessage());
    assertEquals(3, posts.get());
  }
}
