package io.calltrack.core.rollup;

import io.calltrack.core.calls.RedisCallStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the rollups from the calls stream through the consumer group {@value #GROUP}: every
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
  private final String group;
  private final String consumer;
  private final Duration claimIdle;
  private final AtomicBoolean running = new AtomicBoolean();
  /** Set once the group is known to exist; cleared if Redis says it is gone (NOGROUP, e.g. after a flush). */
  private volatile boolean groupReady;
  private long timerId = -1;
  private long lastWarning;

  /**
   * @param group        the consumer group (normally {@link #GROUP}; tests use their own)
   * @param consumerName this consumer's name in the group; null for a random one
   * @param claimIdle    how long an entry stays pending with another consumer before this one takes it
   */
  public RollupConsumer(Vertx vertx, Redis redis, RollupStore rollups, String group, String consumerName,
      Duration claimIdle) {
    this.vertx = vertx;
    this.group = group;
    this.api = RedisAPI.api(redis);
    this.rollups = rollups;
    this.consumer = consumerName != null ? consumerName : "c-" + UUID.randomUUID();
    this.claimIdle = claimIdle;
  }

  public RollupConsumer(Vertx vertx, Redis redis, RollupStore rollups) {
    this(vertx, redis, rollups, GROUP, null, DEFAULT_CLAIM_IDLE);
  }

  public String name() {
    return consumer;
  }

  /** Creates the group (reading the stream from its start, so history is rolled up too) if missing. */
  public Future<Void> ensureGroup() {
    return api.xgroup(List.of("CREATE", RedisCallStore.EVENTS_STREAM, group, "0", "MKSTREAM"))
        .<Void>mapEmpty()
        .recover(err -> err.getMessage() != null && err.getMessage().startsWith("BUSYGROUP")
            ? Future.succeededFuture() : Future.failedFuture(err));
  }

  /** Starts polling on a timer. Redis being down only delays the rollups; polling carries on. */
  public void start() {
    timerId = vertx.setPeriodic(POLL_INTERVAL.toMillis(), id -> tick());
  }

  private void tick() {
    if (!running.compareAndSet(false, true)) {
      return;
    }
    (groupReady ? Future.<Void>succeededFuture() : ensureGroup().onSuccess(v -> groupReady = true))
        .compose(v -> drain(0))
        .onFailure(err -> {
          if (err.getMessage() != null && err.getMessage().startsWith("NOGROUP")) {
            groupReady = false;
          }
          warn(err);
        })
        .onComplete(ar -> running.set(false));
  }

  private Future<Integer> drain(int soFar) {
    return pollOnce().compose(n -> n >= BATCH && soFar < 10 * BATCH ? drain(soFar + n)
        : Future.succeededFuture(soFar + n));
  }

  /**
   * One round: claims entries other consumers left pending for longer than {@code claimIdle}, then
   * reads new entries; processes and acknowledges each. Returns how many entries were handled.
   */
  public Future<Integer> pollOnce() {
    return claimStale().compose(claimed -> process(claimed)
        .compose(a -> api.xreadgroup(List.of("GROUP", group, consumer, "COUNT", Integer.toString(BATCH),
            "STREAMS", RedisCallStore.EVENTS_STREAM, ">")))
        .compose(res -> {
          List<Entry> fresh = entriesOfRead(res);
          return process(fresh).map(b -> claimed.size() + fresh.size());
        }));
  }

  private Future<List<Entry>> claimStale() {
    return api.xautoclaim(List.of(RedisCallStore.EVENTS_STREAM, group, consumer,
            Long.toString(claimIdle.toMillis()), "0-0", "COUNT", Integer.toString(BATCH)))
        .map(res -> res == null || res.size() < 2 ? List.<Entry>of() : entries(res.get(1)));
  }

  /** Processes entries in stream order, acknowledging each once its rollup change is in Redis. */
  private Future<Void> process(List<Entry> entries) {
    Future<Void> chain = Future.succeededFuture();
    for (Entry e : entries) {
      chain = chain.compose(v -> (e.callId() == null ? Future.succeededFuture(false)
              : rollups.refresh(e.callId(), e.id()))
          .compose(applied -> api.xack(List.of(RedisCallStore.EVENTS_STREAM, group, e.id())))
          .mapEmpty());
    }
    return chain;
  }

  /** XREADGROUP's answer: null, or per stream (a RESP3 map or a RESP2 array of pairs) its entries. */
  private static List<Entry> entriesOfRead(Response res) {
    if (res == null) {
      return List.of();
    }
    if (res.isMap()) {
      Response list = res.get(RedisCallStore.EVENTS_STREAM);
      return list == null ? List.of() : entries(list);
    }
    List<Entry> out = new ArrayList<>();
    for (Response stream : res) {
      out.addAll(entries(stream.get(1)));
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
