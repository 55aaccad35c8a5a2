package io.calltrack.loadtests.bench;

import io.calltrack.core.attribution.Attribution;
import io.calltrack.core.attribution.Touch;
import io.calltrack.core.calls.CallEvent;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.CallStatus;
import io.calltrack.core.calls.RedisCallStore;
import io.calltrack.core.config.PropertyConfig;
import io.calltrack.core.config.RedisConfigStore;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.core.redis.RedisClientFactory;
import io.calltrack.core.rollup.RollupConsumer;
import io.calltrack.core.rollup.RollupStore;
import io.vertx.core.Future;
import io.vertx.redis.client.Redis;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * How fast one rollup consumer drains a property's calls stream: {@code CALLS} answered calls
 * (half with a three-touch journey, 50 keywords, 20 landing pages, 3,000 callers), each event of a
 * call in a drain of its own as live calls have them (all calls started, drained; answered, drained;
 * ended, drained). Prints entries per second of the drains alone; round 0 is the warm-up.
 * {@code java ... RollupDrain redis://127.0.0.1:6391 WARMUP_CALLS CALLS ROUNDS}. Compiled against an
 * older core, the same source measures that build: a ratio to it in the same run is the figure.
 */
public final class RollupDrain {
  private RollupDrain() {}

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(600, TimeUnit.SECONDS);
  }

  public static void main(String[] args) throws Exception {
    BenchMain.run("RollupDrain", "REDIS_URL WARMUP_CALLS CALLS ROUNDS", args, 4, vertx -> {
      int warm = Integer.parseInt(args[1]);
      int n = Integer.parseInt(args[2]);
      Redis redis = RedisClientFactory.create(vertx, args[0]);
      RedisConfigStore config = await(RedisConfigStore.create(vertx, redis));
      RedisCallStore calls = new RedisCallStore(redis);
      RollupStore rollups = new RollupStore(redis, config);
      PhoneNumber business = PhoneNumber.parse("+15559990000");
      Instant t0 = Instant.parse("2026-11-20T15:00:00Z");
      CallEvent.Type[] types = {CallEvent.Type.STARTED, CallEvent.Type.ANSWERED, CallEvent.Type.ENDED};
      for (int round = 0; round < Integer.parseInt(args[3]); round++) {
        int count = round == 0 ? warm : n;
        String property = "drain" + round + "x" + System.nanoTime();
        await(config.putProperty(new PropertyConfig(property, null, List.of(), List.of(business), business, null,
            "America/New_York")));
        RollupConsumer consumer = new RollupConsumer(vertx, redis, rollups, "drain", "c1", Duration.ofMinutes(5),
            List.of(property));
        List<CallRecord[]> recs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
          String id = property + "-c" + i;
          Instant start = t0.plusSeconds(i);
          List<Touch> journey = i % 2 == 0 ? List.of(
              new Touch("duckduckgo", "organic", null, start.minus(Duration.ofDays(9))),
              new Touch("bing", "cpc", "y", start.minus(Duration.ofDays(2))), new Touch("google", "cpc", "x", start))
              : null;
          Attribution a = new Attribution("google", "cpc", "x", "k" + (i % 50), null, "/l" + (i % 20), null, null,
              null, null, null, null, null, null, null, null, journey);
          CallRecord r = CallRecord.started(id, id + "@sip", PhoneNumber.parse("+1555777" + String.format("%04d", i % 10000)),
              "+1312555" + String.format("%04d", i % 3000), property, start).withAttribution("lease", null, a, List.of());
          CallRecord answered = r.answered(start.plusSeconds(5), 200);
          recs.add(new CallRecord[] {r, answered, answered.ended(start.plusSeconds(65), CallStatus.ANSWERED, 200)});
        }
        double seconds = 0;
        int entries = 0;
        for (int phase = 0; phase < 3; phase++) {
          List<Future<?>> writes = new ArrayList<>();
          for (CallRecord[] c : recs) {
            CallRecord rec = c[phase];
            Instant at = phase == 0 ? rec.startedAt() : phase == 1 ? rec.answeredAt() : rec.endedAt();
            writes.add(calls.apply(new CallEvent(rec.callId(), phase, types[phase], at, rec)));
            if (writes.size() >= 200) {
              await(Future.all(new ArrayList<>(writes)));
              writes.clear();
            }
          }
          await(Future.all(writes));
          if (phase == 0) {
            await(consumer.ensureGroup());
          }
          long begin = System.nanoTime();
          for (int k = await(consumer.pollOnce()); k > 0; k = await(consumer.pollOnce())) {
            entries += k;
          }
          seconds += (System.nanoTime() - begin) / 1e9;
        }
        // every call counted, and answered: the drain is timed only if it rolled everything up
        var total = io.calltrack.core.rollup.Hashes.toMap(await(io.vertx.redis.client.RedisAPI.api(redis)
            .hgetall(new io.calltrack.core.rollup.RollupKeys(property).day(java.time.LocalDate.parse("2026-11-20"), "total"))));
        String counted = total.get("calls") + " calls, " + total.get("answered") + " answered";
        System.out.printf("round %d: %d entries in %.2f s: %.0f entries/s (%d calls; rolled up: %s)%n", round, entries,
            seconds, entries / seconds, count, counted);
        if (!String.valueOf(count).equals(total.get("calls")) || !String.valueOf(count).equals(total.get("answered"))) {
          System.err.println("RollupDrain: not every call was rolled up: " + counted);
          return false;
        }
      }
      return true;
    });
  }
}
