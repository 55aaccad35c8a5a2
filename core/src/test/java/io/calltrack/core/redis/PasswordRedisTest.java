package io.calltrack.core.redis;

import static io.calltrack.core.testing.Await.result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.testing.Await;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A Redis that asks for a password (managed Redis always does): {@code CALLTRACK_REDIS_URL} carries
 * it as {@code redis://[user]:password@host:port}, every client made by the one factory logs in with
 * it, and what the launcher prints shows {@code ***} instead.
 */
class PasswordRedisTest {
  @Test
  void theUrlsPasswordLogsInAndIsNeverPrinted() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Process redisServer = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
        "--requirepass", "s3cret-pw", "--save", "", "--appendonly", "no").redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    Vertx vertx = Vertx.vertx();
    try {
      String url = "redis://:s3cret-pw@127.0.0.1:" + port;
      RedisAPI api = RedisAPI.api(RedisClientFactory.create(vertx, url));
      Await.until(Duration.ofSeconds(10), () -> {
        try {
          return "PONG".equals(result(api.ping(List.of())).toString());
        } catch (RuntimeException | AssertionError notYet) {
          return false;
        }
      });
      result(api.set(List.of("pw-test", "1")));
      assertEquals("1", result(api.get("pw-test")).toString());

      Redis without = RedisClientFactory.create(vertx, "redis://127.0.0.1:" + port);
      Throwable refused = Await.failure(RedisAPI.api(without).get("pw-test"));
      assertTrue(String.valueOf(refused.getMessage()).contains("NOAUTH"), String.valueOf(refused));

      for (String spec : List.of(url, "cluster:redis://app:s3cret-pw@10.0.0.1:7000,redis://:s3cret-pw@10.0.0.2:7000|wait=1:200",
          "sentinel:mymaster@rediss://:s3cret-pw@s1:26379")) {
        String shown = RedisTarget.redacted(spec);
        assertFalse(shown.contains("s3cret-pw"), shown);
        assertTrue(shown.contains(":***@"), shown);
      }
      assertEquals("cluster:redis://app:***@10.0.0.1:7000,redis://:***@10.0.0.2:7000|wait=1:200",
          RedisTarget.redacted("cluster:redis://app:s3cret-pw@10.0.0.1:7000,redis://:s3cret-pw@10.0.0.2:7000|wait=1:200"));
      assertEquals("redis://127.0.0.1:6379", RedisTarget.redacted("redis://127.0.0.1:6379"));
    } finally {
      result(vertx.close());
      redisServer.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
