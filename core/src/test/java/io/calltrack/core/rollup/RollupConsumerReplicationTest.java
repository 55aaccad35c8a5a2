package io.calltrack.core.rollup;

import static io.calltrack.core.testing.Await.result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.calls.CallEvent;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.CallStatus;
import io.calltrack.core.calls.RedisCallStore;
import io.calltrack.core.config.PropertyConfig;
import io.calltrack.core.config.RedisConfigStore;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.core.redis.LuaScript;
import io.calltrack.core.redis.RedisClientFactory;
import io.calltrack.core.redis.RedisTarget;
import io.calltrack.core.redis.ReplicationBarrier;
import io.calltrack.core.testing.Await;
import io.calltrack.core.testing.TestNumbers;
import io.calltrack.core.testing.TestRedis;
import io.calltrack.core.testing.TestReplicaPair;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * With {@code CALLTRACK_REDIS_WAIT}, the rollup consumer acknowledges a call's events only once the
 * replica has the rollup changes made from them (the rollups and the stream are in different slots,
 * so an acknowledgement that outran them could lose the call from the reports in a failover), on a
 * real master and replica, the replica stopped by SIGSTOP in between.
 */
class RollupConsumerReplicationTest {
  @Test
  void eventsAreAcknowledgedOnlyOnceTheReplicaHasTheirRollups() {
    Vertx vertx = Vertx.vertx();
    try (TestReplicaPair pair = TestReplicaPair.start()) {
      Redis redis = RedisClientFactory.create(vertx, pair.masterUrl());
      RedisAPI api = RedisAPI.api(redis);
      RedisConfigStore config = result(RedisConfigStore.create(vertx, redis));
      String property = TestRedis.uniqueId("rollrep");
      PhoneNumber business = TestNumbers.fresh();
      result(config.putProperty(new PropertyConfig(property, null, List.of(), List.of(business), business, null, "UTC")));
      RedisCallStore calls = new RedisCallStore(redis);
      String group = TestRedis.uniqueId("grp");
      RollupConsumer consumer = new RollupConsumer(vertx, redis, new RollupStore(redis, config), group, "c",
          Duration.ofMinutes(5), List.of(property))
          .confirmedBy(new ReplicationBarrier(redis, RedisTarget.Mode.STANDALONE,
              new LuaScript.Durability(1, Duration.ofSeconds(10))));
      RollupKeys keys = new RollupKeys(property);
      String stream = RedisCallStore.eventsStream(property);

      String first = play(calls, property, Instant.parse("2026-11-20T15:00:00Z"));
      assertEquals(3, result(consumer.pollOnce()));
      assertEquals(0, pending(api, stream, group));
      assertTrue(pair.cli(pair.replicaPort(), "EXISTS", keys.contribution(first)).equals("1"),
          "the replica has the call's rollup once its events are acknowledged");

      pair.freezeReplica();
      Future<Integer> polled;
      String second;
      try {
        second = play(calls, property, Instant.parse("2026-11-20T16:00:00Z"));
        polled = consumer.pollOnce();
        Await.until(Duration.ofSeconds(10), () -> result(api.exists(List.of(keys.contribution(second)))).toInteger() == 1);
        assertFalse(polled.isComplete(), "waiting for the replica");
        assertEquals(3, pending(api, stream, group), "applied on the master, not acknowledged while the replica lags");
      } finally {
        pair.thawReplica();
      }
      assertEquals(3, result(polled));
      assertEquals(0, pending(api, stream, group));
      assertEquals("1", pair.cli(pair.replicaPort(), "EXISTS", keys.contribution(second)));
      result(config.close());
    } finally {
      result(vertx.close());
    }
  }

  /** A call of three events (started, answered, ended) through the real call store; its id. */
  private static String play(RedisCallStore calls, String property, Instant start) {
    String callId = TestRedis.uniqueId("call");
    CallRecord r = CallRecord.started(callId, callId + "@sip", TestNumbers.fresh(), "+12025550100", property, start)
        .withAttribution("unattributed", null, null, List.of());
    result(calls.apply(new CallEvent(callId, 0, CallEvent.Type.STARTED, start, r)));
    r = r.answered(start.plusSeconds(5), 200);
    result(calls.apply(new CallEvent(callId, 1, CallEvent.Type.ANSWERED, start.plusSeconds(5), r)));
    r = r.ended(start.plusSeconds(65), CallStatus.ANSWERED, 200);
    result(calls.apply(new CallEvent(callId, 2, CallEvent.Type.ENDED, r.endedAt(), r)));
    return callId;
  }

  private static long pending(RedisAPI api, String stream, String group) {
    return result(api.xpending(List.of(stream, group))).get(0).toLong();
  }
}
