package io.calltrack.core.redis;

import static io.calltrack.core.testing.Await.result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.testing.Await;
import io.calltrack.core.testing.TestCluster;
import io.calltrack.core.testing.TestMonitor;
import io.calltrack.core.testing.TestRedis;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * WAIT-backed writes on the cluster: the script and its WAIT travel in one batch to the master of
 * the keys' slot (MONITOR on that master sees both), and the answer says one replica has the write.
 */
class ReplicatedWriteTest {
  static TestCluster cluster;
  static Vertx vertx;
  static Redis redis;

  @BeforeAll
  static void start() {
    cluster = TestCluster.shared();
    vertx = Vertx.vertx();
    redis = RedisClientFactory.create(vertx, cluster.target());
  }

  @AfterAll
  static void stop() {
    result(vertx.close());
  }

  @Test
  void scriptAndWaitGoToTheKeysMaster() {
    String key = "{durable-" + TestRedis.uniqueId("k") + "}:x";
    try (TestMonitor monitor = TestMonitor.on(cluster.masterOf(key))) {
      LuaScript set = LuaScript.load("/lua/config/put_property.lua");
      var res = result(set.runReplicated(redis, List.of(key), List.of("p", "{}", "chan"),
          new LuaScript.Durability(1, Duration.ofSeconds(5))));
      assertEquals("ok", res.get(0).toString());
      Await.until(Duration.ofSeconds(10), () -> monitor.seen().toLowerCase().contains("\"wait\""));
      String seen = monitor.seen().toLowerCase();
      assertTrue(seen.indexOf("\"wait\"") > seen.indexOf(key.toLowerCase()), seen);
    }
  }

  @Test
  void scriptsRunTogetherAreCoveredByOneWait() {
    String tag = "{durable-" + TestRedis.uniqueId("k") + "}";
    LuaScript set = LuaScript.load("/lua/config/put_property.lua");
    // the script in the master's cache first: a batch it answers NOSCRIPT is sent again run by run
    result(set.run(RedisAPI.api(redis), List.of(tag + ":x"), List.of("p0", "{}", "chan")));
    try (TestMonitor monitor = TestMonitor.on(cluster.masterOf(tag + ":x"))) {
      List<LuaScript.Run> runs = List.of(
          new LuaScript.Run(List.of(tag + ":a"), List.of("p1", "{}", "chan")),
          new LuaScript.Run(List.of(tag + ":b"), List.of("p2", "{}", "chan")),
          new LuaScript.Run(List.of(tag + ":c"), List.of("p3", "{}", "chan")));
      var res = result(set.runAll(redis, runs, new LuaScript.Durability(1, Duration.ofSeconds(5))));
      assertEquals(3, res.size());
      res.forEach(r -> assertEquals("ok", r.get(0).toString()));
      Await.until(Duration.ofSeconds(10), () -> monitor.seen().toLowerCase().contains("\"wait\""));
      // the scripts' own commands show too, as "[0 lua]" lines: only what the client sent counts
      List<String> seen = monitor.seen().toLowerCase().lines()
          .filter(l -> (l.contains("\"evalsha\"") && l.contains(tag.toLowerCase())) || l.contains("\"wait\""))
          .map(l -> l.contains("\"wait\"") ? "wait" : "script").toList();
      assertEquals(List.of("script", "script", "script", "wait"), seen, monitor.seen());
    }
  }
}
