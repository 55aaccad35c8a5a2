package io.calltrack.core.redis;

import static io.calltrack.core.testing.Await.result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.testing.TestCluster;
import io.calltrack.core.testing.TestRedis;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * WAIT-backed writes on the cluster: the script and its WAIT travel in one batch to the master of
 * the keys' slot (MONITOR on that master sees both), and the answer says one replica has the write.
 */
class ReplicatedWriteTest {
  @Test
  void scriptAndWaitGoToTheKeysMaster() throws Exception {
    TestCluster cluster = TestCluster.shared();
    Vertx vertx = Vertx.vertx();
    try {
      Redis redis = RedisClientFactory.create(vertx, cluster.target());
      String key = "{durable-" + TestRedis.uniqueId("k") + "}:x";
      int master = cluster.masterOf(key);
      Path out = Files.createTempFile("monitor", ".txt");
      Process monitor = new ProcessBuilder("redis-cli", "-p", Integer.toString(master), "MONITOR")
          .redirectOutput(out.toFile()).start();
      try {
        io.calltrack.core.testing.Await.until(Duration.ofSeconds(10), () -> read(out).startsWith("OK"));
        LuaScript set = LuaScript.load("/lua/config/put_property.lua");
        var res = result(set.runReplicated(redis, List.of(key), List.of("p", "{}", "chan"),
            new LuaScript.Durability(1, Duration.ofSeconds(5))));
        assertEquals("ok", res.get(0).toString());
        io.calltrack.core.testing.Await.until(Duration.ofSeconds(10), () -> read(out).toLowerCase().contains("\"wait\""));
        String seen = read(out).toLowerCase();
        assertTrue(seen.indexOf("\"wait\"") > seen.indexOf(key.toLowerCase()), seen);
      } finally {
        monitor.destroy();
        monitor.waitFor(5, TimeUnit.SECONDS);
      }
    } finally {
      result(vertx.close());
    }
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (java.io.IOException e) {
      return "";
    }
  }
}
