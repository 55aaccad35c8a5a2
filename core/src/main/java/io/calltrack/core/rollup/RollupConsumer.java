package io.calltrack.core.rollup;

import io.calltrack.core.calls.RedisCallStore;
import io.calltrack.core.redis.ReplicationBarrier;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the rollups from the calls streams (one per property shard, found in
 * {@link RedisCallStore#SHARDS}) through the consumer group {@value #GROUP} on each: every
 * dni-server runs one consumer, entries are shared out among them, and each entry is acknowledged
 * only after its rollup script ran. An entry left pending by a consumer that died is claimed by
 * another after {@code claimIdle} (XAUTOCLAIM). Delivery is therefore at least once; the rollup
 * script makes a second delivery harmless.
 *
 * <p>It polls on a Vert.x timer rather than holding a blocking XREADGROUP, so it shares the pooled
 * Redis client and never ties up a connection; a full batch is followed at once by the next.
 */
public final class RollupConsumer implements AutoCloseable {
  public static final String GROUP = "rollups";
  public static final Duration POLL_INTERVAL = Duration.ofMillis(250);
  public static final Duration DEFAULT_CLAIM_IDLE = Duration.ofSeconds(30);
  public static final int BATCH = 200;
  private static final Logger LOG = LoggerFactory.getLogger(RollupConsumer.class);

  private final Vertx vertx;
  private final RedisAPI api;
  private final RollupStore rollups;
  private final RedisCallStore calls;
  private final List<String> onlyShards;
  private final String group;
  private final String consumer;
  private final Duration claimIdle;
  private final AtomicBoolean running = new AtomicBoolean();
  /** Streams whose group is known to exist; one is dropped if Redis says it is gone (NOGROUP, e.g. after a flush). */
  private final Set<String> groupReady = ConcurrentHashMap.newKeySet();
  private long timerId = -1;
  private long lastWarning;
  private ReplicationBarrier replicated = ReplicationBarrier.NONE;

  /**
   * @param group        the consumer group (normally {@link #GROUP}; tests use their own)
   * @param consumerName this consumer's name in the group; null for a random one
   * @param claimIdle    how long an entry stays pending with another consumer before this one takes it
   */
  public RollupConsumer(Vertx vertx, Redis redis, RollupStore rollups, String group, String consumerName,
      Duration claimIdle) {
    this(vertx, redis, rollups, group, consumerName, claimIdle, null);
  }

  /**
   * As above, following only the streams of {@code onlyShards} (null: every shard there is); for
   * tests that share one Redis with others.
   */
  public RollupConsumer(Vertx vertx, Redis redis, RollupStore rollups, String group, String consumerName,
      Duration claimIdle, List<String> onlyShards) {
    this.onlyShards = onlyShards == null ? null : List.copyOf(onlyShards);
    this.vertx = vertx;
    this.group = group;
    this.api = RedisAPI.api(redis);
    this.rollups = rollups;
    this.calls = new RedisCallStore(api);
    this.consumer = consumerName != null ? consumerName : "c-" + UUID.randomUUID();
    this.claimIdle = claimIdle;
  }

  public RollupConsumer(Vertx vertx, Redis redis, RollupStore rollups) {
    this(vertx, redis, rollups, GROUP, null, DEFAULT_CLAIM_IDLE);
  }

  public String name() {
    return consumer;
  }

  /**
   * Acknowledges entries only once {@code barrier}'s replicas have the rollup changes made from them
   * ({@code CALLTRACK_REDIS_WAIT}): one barrier per batch read.
   */
  public RollupConsumer confirmedBy(ReplicationBarrier barrier) {
    this.replicated = barrier;
    return this;
  }

  /**
   * Creates the group on every shard's stream (reading the stream from its start, so history is
   * rolled up too) where it is missing.
   */
  public Future<Void> ensureGroup() {
    return shards().compose(shards -> {
      List<Future<Void>> all = new ArrayList<>();
      for (String shard : shards) {
        all.add(ensureGroup(RedisCallStore.eventsStream(shard)));
      }
      return Future.all(all).mapEmpty();
    });
  }

  private Future<List<String>> shards() {
    return onlyShards != null ? Future.succeededFuture(onlyShards) : calls.shards();
  }

  private Future<Void> ensureGroup(String stream) {
    if (groupReady.contains(stream)) {
      return Future.succeededFuture();
    }
    return api.xgroup(List.of("CREATE", stream, group, "0", "MKSTREAM"))
        .<Void>mapEmpty()
        .recover(err -> err.getMessage() != null && err.getMessage().startsWith("BUSYGROUP")
            ? Future.succeededFuture() : Future.failedFuture(err))
        .onSuccess(v -> groupReady.add(stream));
  }

  /** Starts polling on a timer. Redis being down only delays the rollups; polling carries on. */
  public void start() {
    timerId = vertx.setPeriodic(POLL_INTERVAL.toMillis(), id -> tick());
  }

  private void tick() {
    if (!running.compareAndSet(false, true)) {
      return;
    }
    drain(0)
        .onFailure(this::warn)
        .onComplete(ar -> running.set(false));
  }

  private Future<Integer> drain(int soFar) {
    return pollOnce().compose(n -> n >= BATCH && soFar < 10 * BATCH ? drain(soFar + n)
        : Future.succeededFuture(soFar + n));
  }

  /**
   * One round over every shard's stream: claims entries other consumers left pending for longer
   * than {@code claimIdle}, then reads new entries; processes and acknowledges each. Returns how many
   * entries were handled. A shard whose stream fails (its Redis node down) does not hold up the others.
   */
  public Future<Integer> pollOnce() {
    return shards().compose(shards -> {
      List<Future<Integer>> rounds = new ArrayList<>();
      for (String shard : shards) {
        rounds.add(pollOnce(shard));
      }
      return Future.join(rounds).transform(ar -> {
        int n = 0;
        Throwable failure = null;
        for (Future<Integer> r : rounds) {
          if (r.succeeded()) {
            n += r.result();
          } else {
            failure = r.cause();
          }
        }
        return failure != null && n == 0 ? Future.failedFuture(failure) : Future.succeededFuture(n);
      });
    });
  }

  private Future<Integer> pollOnce(String shard) {
    String stream = RedisCallStore.eventsStream(shard);
    return ensureGroup(stream)
        .compose(v -> claimStale(stream))
        .compose(claimed -> process(shard, stream, claimed)
            .compose(a -> api.xreadgroup(List.of("GROUP", group, consumer, "COUNT", Integer.toString(BATCH),
                "STREAMS", stream, ">")))
            .compose(res -> {
              List<Entry> fresh = entriesOfRead(stream, res);
              return process(shard, stream, fresh).map(b -> claimed.size() + fresh.size());
            }))
        .onFailure(err -> {
          if (err.getMessage() != null && err.getMessage().startsWith("NOGROUP")) {
            groupReady.remove(stream);
          }
        });
  }

  private Future<List<Entry>> claimStale(String stream) {
    return api.xautoclaim(List.of(stream, group, consumer,
            Long.toString(claimIdle.toMillis()), "0-0", "COUNT", Integer.toString(BATCH)))
        .map(res -> res == null || res.size() < 2 ? List.<Entry>of() : entries(res.get(1)));
  }

  /** Calls of one batch rolled up at once (each call's own entries stay in order). */
  static final int CONCURRENT_CALLS = 32;

  /**
   * Applies a batch, then acknowledges the entries whose rollup change is in Redis in one XACK. A call
   * is applied once, under its newest entry in the batch: its record is read as it stands now, so that
   * covers its older entries (which would change nothing after it). Up to {@link #CONCURRENT_CALLS}
   * calls at a time: one after another, a consumer waited on five round trips per entry and fell
   * behind a router at 1,000 calls/s. Calls applied at once are safe as two consumers racing are:
   * the rollup script refuses a contribution or first caller changed under it and this reads again.
   * A call that fails leaves its entries pending (claimed again later); the others are acknowledged.
   */
  private Future<Void> process(String shard, String stream, List<Entry> entries) {
    List<String> applied = java.util.Collections.synchronizedList(new ArrayList<>());
    java.util.Map<String, List<String>> byCall = new java.util.LinkedHashMap<>();
    for (Entry e : entries) {
      if (e.callId() == null || RedisCallStore.NO_PROPERTY.equals(shard)) {
        applied.add(e.id()); // nothing to roll up
      } else {
        byCall.computeIfAbsent(e.callId(), c -> new ArrayList<>()).add(e.id());
      }
    }
    List<String> callIds = new ArrayList<>(byCall.keySet());
    java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
    java.util.Queue<Throwable> failures = new java.util.concurrent.ConcurrentLinkedQueue<>();
    List<Future<Void>> workers = new ArrayList<>();
    for (int w = 0; w < Math.min(CONCURRENT_CALLS, callIds.size()); w++) {
      workers.add(applyNext(shard, callIds, byCall, next, applied, failures));
    }
    return Future.join(workers).transform(done -> acknowledge(stream, new ArrayList<>(applied))
        .compose(x -> failures.isEmpty() ? Future.<Void>succeededFuture() : Future.<Void>failedFuture(failures.peek())));
  }

  /** One worker of {@link #process}: applies the next call not yet taken, until none is left. */
  private Future<Void> applyNext(String shard, List<String> callIds, java.util.Map<String, List<String>> byCall,
      java.util.concurrent.atomic.AtomicInteger next, List<String> applied, java.util.Queue<Throwable> failures) {
    int i = next.getAndIncrement();
    if (i >= callIds.size()) {
      return Future.succeededFuture();
    }
    String callId = callIds.get(i);
    List<String> ids = byCall.get(callId);
    return rollups.refresh(shard, callId, ids.get(ids.size() - 1))
        .<Void>map(changed -> {
          applied.addAll(ids);
          return null;
        })
        .recover(err -> {
          failures.add(err);
          return Future.succeededFuture();
        })
        .compose(v -> applyNext(shard, callIds, byCall, next, applied, failures));
  }

  /**
   * Acknowledges applied entries once the replicas have their rollup changes ({@link #confirmedBy}):
   * the rollups and the stream live in different slots, so a failover of the rollups' master after
   * an acknowledgement that its replica had not caught up with would lose those calls from the
   * reports for good. Replicas that do not confirm in time are logged and the entries acknowledged
   * anyway: left pending, every entry of a replica outage would be claimed and applied again every
   * {@code claimIdle}.
   */
  private Future<Void> acknowledge(String stream, List<String> ids) {
    if (ids.isEmpty()) {
      return Future.succeededFuture();
    }
    List<String> args = new ArrayList<>(ids.size() + 2);
    args.add(stream);
    args.add(group);
    args.addAll(ids);
    return replicated.await()
        .recover(err -> {
          warn(err);
          return Future.succeededFuture();
        })
        .compose(v -> api.xack(args))
        .mapEmpty();
  }

  /** XREADGROUP's answer: null, or per stream (a RESP3 map or a RESP2 array of pairs) its entries. */
  private static List<Entry> entriesOfRead(String stream, Response res) {
    if (res == null) {
      return List.of();
    }
    if (res.isMap()) {
      Response list = res.get(stream);
      return list == null ? List.of() : entries(list);
    }
    List<Entry> out = new ArrayList<>();
    for (Response one : res) {
      out.addAll(entries(one.get(1)));
    }
    return out;
  }

  private static List<Entry> entries(Response list) {
    List<Entry> out = new ArrayList<>();
    if (list == null) {
      return out;
    }
    for (Response entry : list) {
      if (entry == null || entry.size() < 2 || entry.get(1) == null) {
        continue; // an entry trimmed from the stream while pending: nothing to apply
      }
      String id = entry.get(0).toString();
      Response fields = entry.get(1);
      String callId = null;
      for (int i = 0; i + 1 < fields.size(); i += 2) {
        if ("callId".equals(fields.get(i).toString())) {
          callId = fields.get(i + 1).toString();
        }
      }
      out.add(new Entry(id, callId));
    }
    return out;
  }

  private void warn(Throwable err) {
    long now = System.nanoTime();
    if (lastWarning == 0 || now - lastWarning > Duration.ofMinutes(1).toNanos()) {
      lastWarning = now;
      LOG.warn("rollup consumer {}: {}", consumer, err.toString());
    }
  }

  @Override
  public void close() {
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
      timerId = -1;
    }
  }

  private record Entry(String id, String callId) {}
}
