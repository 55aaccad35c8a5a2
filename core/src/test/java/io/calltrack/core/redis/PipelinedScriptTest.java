package io.calltrack.core.redis;

import static io.calltrack.core.testing.Await.result;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.calltrack.core.testing.TestCluster;
import io.calltrack.core.testing.TestRedis;
import io.calltrack.localredis.EmbeddedRedis;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Runs asked for in one turn of a context go to Redis together, on a real Redis: each gets its own
 * answer, in the order asked; a Redis that lost its scripts gets them again; on a cluster, runs of
 * slots on different masters in one turn each reach their own master.
 */
class PipelinedScriptTest {
  static final LuaScript PUSH = LuaScript.load("/lua-test/push.lua");

  @Test
  void runsOfOneTurnEachGetTheirAnswerInOrderAndSurviveAScriptFlush() throws Exception {
    Vertx vertx = Vertx.vertx();
    try (EmbeddedRedis server = TestRedis.dedicated()) {
      Redis redis = RedisClientFactory.create(vertx, server.url());
      RedisAPI api = RedisAPI.api(redis);
      PipelinedScript push = new PipelinedScript(PUSH, redis);
      String key = "{" + TestRedis.uniqueId("pipe") + "}:list";

      // alone, the first run loads the script; then 20 in one turn, one batch
      assertEquals(List.of(1L), inOneTurn(vertx, 1, i -> push.run("a", List.of(key), List.of("v0"))));
      List<Long> lengths = inOneTurn(vertx, 20, i -> push.run("a", List.of(key), List.of("v" + (1 + i))));
      assertEquals(range(2, 21), lengths);

      // Redis restarted or flushed its scripts: the batch is refused with NOSCRIPT and each run goes again
      result(api.script(List.of("FLUSH")));
      assertEquals(range(22, 26), inOneTurn(vertx, 5, i -> push.run("a", List.of(key), List.of("v" + (21 + i)))));

      List<String> stored = new ArrayList<>();
      result(api.lrange(key, "0", "-1")).forEach(r -> stored.add(r.toString()));
      List<String> asked = new ArrayList<>();
      for (int i = 0; i < 26; i++) {
        asked.add("v" + i);
      }
      assertEquals(asked, stored, "applied once each, in the order asked");
    } finally {
      result(vertx.close());
    }
  }

  @Test
  void runsOfSlotsOnDifferentMastersInOneTurnEachReachTheirMaster() {
    TestCluster cluster = TestCluster.shared();
    Vertx vertx = Vertx.vertx();
    try {
      Redis redis = RedisClientFactory.create(vertx, cluster.target());
      PipelinedScript push = new PipelinedScript(PUSH, redis);
      String id = TestRedis.uniqueId("pipe");
      // two hash tags whose slots live on different masters
      String first = "{" + id + "-0}:list";
      String second = null;
      for (int n = 1; second == null; n++) {
        String candidate = "{" + id + "-" + n + "}:list";
        if (cluster.masterOf(candidate) != cluster.masterOf(first)) {
          second = candidate;
        }
      }
      String other = second;
      // each master loads the script with a first run alone
      inOneTurn(vertx, 1, i -> push.run(first, List.of(first), List.of("x")));
      inOneTurn(vertx, 1, i -> push.run(other, List.of(other), List.of("y")));
      List<Long> lengths = inOneTurn(vertx, 10, i -> i % 2 == 0
          ? push.run(first, List.of(first), List.of("x" + i))
          : push.run(other, List.of(other), List.of("y" + i)));
      assertEquals(List.of(2L, 2L, 3L, 3L, 4L, 4L, 5L, 5L, 6L, 6L), lengths);
    } finally {
      result(vertx.close());
    }
  }

  /** Asks for {@code n} runs from one task on a context (one turn), and waits for every answer. */
  private static List<Long> inOneTurn(Vertx vertx, int n, Function<Integer, Future<Response>> run) {
    Promise<List<Long>> all = Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> {
      List<Future<Response>> runs = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        runs.add(run.apply(i));
      }
      Future.all(runs).map(x -> runs.stream().map(f -> f.result().toLong()).toList()).onComplete(all);
    });
    return result(all.future());
  }

  private static List<Long> range(long from, long to) {
    List<Long> out = new ArrayList<>();
    for (long i = from; i <= to; i++) {
      out.add(i);
    }
    return out;
  }
}
