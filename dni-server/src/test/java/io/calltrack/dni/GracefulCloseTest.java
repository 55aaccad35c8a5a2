package io.calltrack.dni;

import static io.calltrack.dni.testing.DniClient.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.testing.TestRedis;
import io.calltrack.dni.http.ServerHardening;
import io.calltrack.dni.testing.DniTestBase;
import io.vertx.core.Future;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Closing the server (SIGTERM, a rolling deploy) answers the requests it has taken before it lets go
 * of their connections and its stores: a visitor whose assign was in progress gets a number, not a
 * reset connection. New connections are refused from the moment it closes, and idle kept-alive
 * connections do not hold it up.
 */
class GracefulCloseTest extends DniTestBase {

  @Test
  void aRequestInProgressIsAnsweredBeforeTheServerLetsGo() throws Exception {
    DniServer s = startServer(TestRedis.url());
    int port = s.port();
    Site site = site(clientFor(s, 1), 3, 120, 1800, "fallback");
    byte[] body = assignBody(site.property(), "closing-visitor").encode().getBytes(StandardCharsets.UTF_8);
    try (Socket visitor = new Socket("127.0.0.1", port)) {
      visitor.setSoTimeout(20_000);
      // the head, announcing its body: "100 Continue" says the server holds the request in progress
      visitor.getOutputStream().write(("POST /v1/assign HTTP/1.1\r\nHost: x\r\nOrigin: " + ORIGIN
          + "\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: " + body.length
          + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      visitor.getOutputStream().flush();
      InputStream in = visitor.getInputStream();
      assertEquals("HTTP/1.1 100 Continue\r\n\r\n", new String(in.readNBytes(25), StandardCharsets.US_ASCII));

      Future<Void> closed = s.close();
      // the port takes no new connection once the server is closing
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (accepts(port)) {
        assertTrue(System.nanoTime() < deadline, "still accepting connections while closing");
      }
      visitor.getOutputStream().write(body);
      visitor.getOutputStream().flush();
      String answer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(answer.startsWith("HTTP/1.1 200"), "the request in progress lost its answer: " + answer);
      assertTrue(answer.contains("\"fallback\":false"), "a number, not the fallback: " + answer);
      await(closed);
    }
  }

  @Test
  void anIdleKeptAliveConnectionDoesNotHoldTheCloseUp() throws IOException {
    DniServer s = await(DniServer.start(vertx, options(TestRedis.url()).withHardening(ServerHardening.DEFAULTS
        .withTimeouts(Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofSeconds(60)))));
    try (Socket idle = new Socket("127.0.0.1", s.port())) {
      idle.setSoTimeout(20_000);
      idle.getOutputStream().write("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      idle.getOutputStream().flush();
      InputStream in = idle.getInputStream();
      String head = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
      assertEquals("HTTP/1.1 200", head);
      long started = System.nanoTime();
      await(s.close());
      long tookMs = (System.nanoTime() - started) / 1_000_000;
      assertTrue(tookMs < 10_000, "the close waited " + tookMs + " ms for an idle connection");
      // the rest of the answer, then the end of the connection
      while (in.read() >= 0) {
        // drain
      }
    }
    assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", s.port()).close());
  }

  private static boolean accepts(int port) {
    try (Socket probe = new Socket("127.0.0.1", port)) {
      return probe.isConnected();
    } catch (IOException refused) {
      return false;
    }
  }

  /**
   * A server that stops gives the webhook dispatcher's lock up before it closes its Redis client: the
   * release used to be sent on a client closed right after it, so the lock stayed until it expired and
   * another server's webhooks (and GA4 and Meta events) waited up to 15 s.
   */
  @Test
  void aStoppingServerGivesTheWebhookLockUpBeforeItLetsRedisGo() {
    io.vertx.redis.client.Redis redis = io.calltrack.core.redis.RedisClientFactory.create(vertx, TestRedis.url());
    io.vertx.redis.client.RedisAPI keys = io.vertx.redis.client.RedisAPI.api(redis);
    String lock = io.calltrack.core.webhooks.CallWebhookDispatcher.LOCK;
    await(keys.del(java.util.List.of(lock))); // a lock left by a server of another test: gone
    // the one server running takes it at its next try
    io.calltrack.core.testing.Await.until(Duration.ofSeconds(30), () -> await(keys.get(lock)) != null);
    await(server.close());
    server = null;
    assertEquals(null, await(keys.get(lock)), "released as the server stopped");
    redis.close();
  }
}
