package io.calltrack.core.redis;

import static io.calltrack.core.testing.Await.result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.calltrack.core.testing.Await;
import io.calltrack.core.testing.TestCluster;
import io.calltrack.core.testing.TestMonitor;
import io.calltrack.core.testing.TestRedis;
import io.calltrack.core.testing.TestReplicaPair;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The barrier after a many-write operation: on a master and replica it covers writes another client
 * made (and fails while the replica confirms nothing); on the cluster every master gets its marker.
 */
class ReplicationBarrierTest {
  static final LuaScript.Durability ONE = new LuaScript.Durability(1, Duration.ofSeconds(2));
  static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    result(vertx.close());
  }

  @Test
  void coversTheWritesOfEveryConnectionAndFailsWhileTheReplicaConfirmsNothing() {
    try (TestReplicaPair pair = TestReplicaPair.start()) {
      ReplicationBarrier barrier = new ReplicationBarrier(RedisClientFactory.create(vertx, pair.masterUrl()),
          RedisTarget.Mode.STANDALONE, ONE);
      String key = TestRedis.uniqueId("written-elsewhere");
      // written by another client: the barrier's own connection never touched the key
      pair.cli(pair.masterPort(), "SET", key, "1");
      result(barrier.await());
      assertEquals("1", pair.cli(pair.replicaPort(), "GET", key), "on the replica when the barrier answers");

      pair.freezeReplica();
      try {
        pair.cli(pair.masterPort(), "SET", key, "2");
        LuaScript.NotReplicated nr = assertInstanceOf(LuaScript.NotReplicated.class, Await.failure(barrier.await()));
        assertEquals(0, nr.acked());
      } finally {
        pair.thawReplica();
      }
      result(barrier.await());
      assertEquals("2", pair.cli(pair.replicaPort(), "GET", key));
    }
  }

  @Test
  void callersWhoComeWhileABarrierIsUnderWayShareTheNextOne() {
    try (TestReplicaPair pair = TestReplicaPair.start()) {
      ReplicationBarrier barrier = new ReplicationBarrier(RedisClientFactory.create(vertx, pair.masterUrl()),
          RedisTarget.Mode.STANDALONE, new LuaScript.Durability(1, Duration.ofSeconds(10)));
      Future<Void> first;
      List<Future<Void>> later = new ArrayList<>();
      String key = TestRedis.uniqueId("written-meanwhile");
      try (TestMonitor monitor = TestMonitor.on(pair.masterPort())) {
        pair.freezeReplica();
        try {
          first = barrier.await();
          // written after the first barrier started: only a barrier after it covers this write
          pair.cli(pair.masterPort(), "SET", key, "1");
          for (int i = 0; i < 20; i++) {
            later.add(barrier.await());
          }
          assertFalse(first.isComplete(), "the replica confirms nothing while it is stopped");
        } finally {
          pair.thawReplica();
        }
        result(first);
        for (Future<Void> f : later) {
          result(f);
        }
        assertEquals("1", pair.cli(pair.replicaPort(), "GET", key), "covered by the barrier the later callers shared");
        Await.until(Duration.ofSeconds(10), () -> waits(monitor) >= 2);
        assertEquals(2, waits(monitor), "21 callers, two barriers:\n" + monitor.seen());
      }
    }
  }

  private static long waits(TestMonitor monitor) {
    return monitor.seen().lines().filter(l -> l.toLowerCase().contains("\"wait\"")).count();
  }

  @Test
  void onAClusterEveryMasterGetsAMarkerInItsOwnSlots() {
    TestCluster cluster = TestCluster.shared();
    ReplicationBarrier barrier = new ReplicationBarrier(RedisClientFactory.create(vertx, cluster.target()),
        RedisTarget.Mode.CLUSTER, ONE);
    result(barrier.await());
    List<Integer> masters = cluster.masters();
    assertEquals(3, masters.size());
    for (int port : masters) {
      // a marker is found on the node itself (KEYS does not follow the cluster's redirections)
      assertFalse(cluster.cli(port, "KEYS", "{barrier-*}:replicated").isBlank(), "no marker on master " + port);
    }
  }

  @Test
  void slotsAreTheClustersOwn() {
    TestCluster cluster = TestCluster.shared();
    int port = cluster.masters().get(0);
    for (String key : List.of("foo", "barrier-0", "barrier-17", "hello", "user1000", "+15551230001")) {
      assertEquals(Integer.parseInt(cluster.cli(port, "CLUSTER", "KEYSLOT", key).strip()),
          ReplicationBarrier.slot(key), key);
    }
    // a range of one slot still finds its tag
    assertEquals(100, ReplicationBarrier.slot(ReplicationBarrier.tagIn(100, 100)));
  }
}
