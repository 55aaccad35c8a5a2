package io.calltrack.core.redis;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Waits until the replicas have every write their masters took before it, whichever connection made
 * it: for an operation of many writes over many connections and slots (every admin write: an erasure,
 * an import), where a {@code WAIT} after each write would cost a round trip each. On each master it writes a marker and waits for
 * it on that connection ({@link LuaScript#sendReplicated}): {@code WAIT} counts up to its own
 * connection's last write, and a master's replication stream is in order, so the marker covers every
 * earlier write to that master. A cluster gets one marker per master, under a hash tag in that
 * master's slots.
 * <pre>
 * {barrier-N}:replicated   string  a marker, gone after a minute (N: any number whose tag falls in the master's slots)
 * </pre>
 */
public final class ReplicationBarrier {
  /** A barrier that waits for nothing: replication left asynchronous. */
  public static final ReplicationBarrier NONE = new ReplicationBarrier(null, RedisTarget.Mode.STANDALONE,
      LuaScript.Durability.NONE);

  private final Redis redis;
  private final RedisTarget.Mode mode;
  private final LuaScript.Durability durability;
  /** Whether a barrier is under way, and the promise of those who came after it started; guarded by this. */
  private boolean underWay;
  private Promise<Void> next;

  public ReplicationBarrier(Redis redis, RedisTarget.Mode mode, LuaScript.Durability durability) {
    this.redis = redis;
    this.mode = mode;
    this.durability = durability;
  }

  /**
   * Completes once {@code durability}'s replicas have every write made before it; fails with
   * {@link LuaScript.NotReplicated} if a master's replicas did not confirm in time.
   *
   * <p>Callers share barriers: while one is under way, every caller that comes meanwhile waits for
   * the one after it, which starts when it ends (the one under way may have written its markers
   * before their writes). So at most one barrier is in flight however many requests, batches or
   * shards ask at once, and each caller waits at most two.
   */
  public Future<Void> await() {
    if (!durability.enabled()) {
      return Future.succeededFuture();
    }
    synchronized (this) {
      if (!underWay) {
        return start();
      }
      if (next == null) {
        next = Promise.promise();
      }
      return next.future();
    }
  }

  /** Starts a barrier (the caller holds the lock); the next one, if callers wait for it, starts when it ends. */
  private Future<Void> start() {
    Future<Void> barrier = markEachMaster();
    underWay = true;
    barrier.onComplete(done -> {
      Promise<Void> waiting;
      Future<Void> following = null;
      synchronized (this) {
        underWay = false;
        waiting = next;
        next = null;
        if (waiting != null) {
          following = start();
        }
      }
      if (waiting != null) { // its callers' code runs outside the lock
        following.onComplete(waiting);
      }
    });
    return barrier;
  }

  private Future<Void> markEachMaster() {
    if (mode != RedisTarget.Mode.CLUSTER) {
      return mark("barrier-0");
    }
    return redis.send(Request.cmd(Command.CLUSTER).arg("SLOTS")).compose(slots -> {
      List<Future<Void>> marks = new ArrayList<>();
      for (int[] range : rangeOfEachMaster(slots).values()) {
        marks.add(mark(tagIn(range[0], range[1])));
      }
      return Future.all(marks).mapEmpty();
    });
  }

  private Future<Void> mark(String tag) {
    Request set = Request.cmd(Command.SET).arg("{" + tag + "}:replicated").arg("1").arg("PX").arg(60_000);
    return LuaScript.sendReplicated(redis, set, durability).mapEmpty();
  }

  /** One slot range of each master ({@code CLUSTER SLOTS}: start, end, then the master's host, port and id). */
  static Map<String, int[]> rangeOfEachMaster(Response slots) {
    Map<String, int[]> ranges = new LinkedHashMap<>();
    for (Response r : slots) {
      Response master = r.get(2);
      ranges.putIfAbsent(master.get(0) + ":" + master.get(1), new int[] {r.get(0).toInteger(), r.get(1).toInteger()});
    }
    return ranges;
  }

  /** A tag {@code barrier-N} whose slot is in {@code [from, to]}. */
  static String tagIn(int from, int to) {
    for (int n = 0; ; n++) {
      String tag = "barrier-" + n;
      int slot = slot(tag);
      if (slot >= from && slot <= to) {
        return tag;
      }
    }
  }

  /** Redis Cluster's slot of a key without a hash tag: CRC16 (XMODEM) mod 16384. */
  static int slot(String key) {
    int crc = 0;
    for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
      crc ^= (b & 0xff) << 8;
      for (int i = 0; i < 8; i++) {
        crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
        crc &= 0xffff;
      }
    }
    return crc & 16383;
  }
}
