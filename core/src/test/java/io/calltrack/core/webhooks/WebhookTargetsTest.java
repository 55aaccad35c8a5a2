package io.calltrack.core.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.testing.Await;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A webhook URL is a tenant's input (a write API key sets it): by default it may not make the server
 * post to its loopback, its private network or a cloud's metadata address.
 */
@Timeout(60)
class WebhookTargetsTest {
  final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    Await.result(vertx.close());
  }

  @Test
  void onlyPublicAddressesArePublic() throws Exception {
    for (String inside : List.of("127.0.0.1", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1",
        "169.254.169.254", "100.64.0.1", "0.0.0.0", "224.0.0.1", "255.255.255.255", "198.18.0.1", "::1", "::",
        "fe80::1", "fd00:ec2::254", "::ffff:127.0.0.1", "::ffff:169.254.169.254", "ff02::1")) {
      assertFalse(WebhookTargets.isPublic(InetAddress.getByName(inside)), inside);
    }
    for (String outside : List.of("8.8.8.8", "93.184.216.34", "172.32.0.1", "100.128.0.1", "2001:4860:4860::8888",
        "::ffff:8.8.8.8")) {
      assertTrue(WebhookTargets.isPublic(InetAddress.getByName(outside)), outside);
    }
  }

  /**
   * A checked name is connected to at the address that was checked, and the request still names the
   * host it was sent to (Host; for https, SNI and the certificate's name). Loopback stands in for a
   * public address here: the check is told to pass it.
   */
  @Test
  void aCheckedNameIsPostedToAtItsCheckedAddressUnderItsOwnName() {
    List<String> hosts = new java.util.concurrent.CopyOnWriteArrayList<>();
    HttpServer receiver = Await.result(vertx.createHttpServer()
        .requestHandler(req -> req.body().onSuccess(b -> {
          hosts.add(req.authority().host());
          req.response().end();
        })).listen(0, "127.0.0.1"));
    WebhookTargets loopbackAsPublic = new WebhookTargets(false, a -> a.isLoopbackAddress());
    WebhookSender sender = new WebhookSender(vertx, Clock.systemUTC(), Duration.ofMillis(10), Duration.ofMillis(10),
        loopbackAsPublic);
    try {
      Future<Void> sent = sender.postOnce("http://localhost:" + receiver.actualPort() + "/hook", "secret-secret-16",
          "k", "call.ended", "{}");
      Await.until(Duration.ofSeconds(30), sent::isComplete);
      assertTrue(sent.succeeded(), () -> String.valueOf(sent.cause()));
      assertEquals(List.of("localhost"), hosts);
    } finally {
      sender.close();
    }
  }

  @Test
  void theOperatorChoosesWithOneVariable() {
    assertSame(WebhookTargets.PUBLIC_ONLY, WebhookTargets.parse(null));
    assertSame(WebhookTargets.PUBLIC_ONLY, WebhookTargets.parse("deny"));
    assertSame(WebhookTargets.ANY, WebhookTargets.parse(" Allow "));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WebhookTargets.parse("yes"));
    assertTrue(e.getMessage().contains(WebhookTargets.VARIABLE), e::getMessage);
  }

  /** A receiver on loopback, by address and by name: not posted to, and the failure says why. */
  @Test
  void aSenderForPublicAddressesDoesNotPostToLoopback() {
    AtomicInteger posts = new AtomicInteger();
    HttpServer receiver = Await.result(vertx.createHttpServer()
        .requestHandler(req -> req.body().onSuccess(b -> {
          posts.incrementAndGet();
          req.response().end();
        })).listen(0, "127.0.0.1"));
    WebhookSender publicOnly = new WebhookSender(vertx, Clock.systemUTC(), Duration.ofMillis(10), Duration.ofMillis(10));
    WebhookSender any = new WebhookSender(vertx, Clock.systemUTC(), Duration.ofMillis(10), Duration.ofMillis(10),
        WebhookTargets.ANY);
    try {
      for (String host : List.of("127.0.0.1", "localhost", "[::ffff:127.0.0.1]")) {
        String url = "http://" + host + ":" + receiver.actualPort() + "/hook";
        Future<Void> sent = publicOnly.postOnce(url, "secret-secret-16", "k", "call.ended", "{}");
        Await.until(Duration.ofSeconds(30), sent::isComplete);
        assertTrue(sent.failed(), url);
        assertTrue(sent.cause().getMessage().contains("not a public address"), sent.cause()::getMessage);
      }
      assertEquals(0, posts.get(), "nothing reached the receiver");
      // the operator's choice: allowed, the same URL is posted to
      Future<Void> allowed = any.postOnce("http://127.0.0.1:" + receiver.actualPort() + "/hook", "secret-secret-16",
          "k", "call.ended", "{}");
      Await.until(Duration.ofSeconds(30), allowed::isComplete);
      assertTrue(allowed.succeeded(), () -> String.valueOf(allowed.cause()));
      assertEquals(1, posts.get());
    } finally {
      publicOnly.close();
      any.close();
    }
  }
}
