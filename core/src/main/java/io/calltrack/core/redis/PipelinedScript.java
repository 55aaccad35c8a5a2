package io.calltrack.core.redis;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One Lua script run for many callers, pipelined: the runs asked for during one turn of the caller's
 * Vert.x context go to Redis together, as one batch (one connection, one write, one read) per group
 * of keys that share a slot, instead of one round trip each. Under load, when round trips are what
 * the event loop spends its time on, the batches grow by themselves; when idle, a run goes alone.
 *
 * <p>Each run still succeeds or fails on its own terms: a batch Redis refused because it had lost
 * its scripts (a restart, {@code SCRIPT FLUSH}) is sent again run by run, which loads the script once
 * more; any other failure fails every run of that batch, as a lost round trip would have.
 */
public final class PipelinedScript {
  private final LuaScript script;
  private final Redis redis;
  private final RedisAPI api;
  private final ConcurrentLinkedQueue<Run> queue = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean flushScheduled = new AtomicBoolean();

  private record Run(String slot, List<String> keys, List<String> args, Promise<Response> done) {}

  public PipelinedScript(LuaScript script, Redis redis) {
    this.script = script;
    this.redis = redis;
    this.api = RedisAPI.api(redis);
  }

  /**
   * Runs the script with {@code keys} and {@code args}, in the batch of {@code slot}: runs of one
   * slot name (a hash tag) go to Redis together. Off a Vert.x context, at once on its own.
   */
  public Future<Response> run(String slot, List<String> keys, List<String> args) {
    Context context = Vertx.currentContext();
    if (context == null) {
      return script.run(api, keys, args);
    }
    Promise<Response> done = Promise.promise();
    queue.add(new Run(slot, keys, args, done));
    if (flushScheduled.compareAndSet(false, true)) {
      // after the tasks already queued on the context: whatever they ask for joins this batch
      context.runOnContext(v -> flush());
    }
    return done.future();
  }

  private void flush() {
    flushScheduled.set(false); // before draining: a run added from now on schedules the next flush
    Map<String, List<Run>> bySlot = new LinkedHashMap<>();
    for (Run r = queue.poll(); r != null; r = queue.poll()) {
      bySlot.computeIfAbsent(r.slot(), s -> new ArrayList<>()).add(r);
    }
    bySlot.values().forEach(this::send);
  }

  private void send(List<Run> runs) {
    if (runs.size() == 1) {
      Run r = runs.get(0);
      script.run(api, r.keys(), r.args()).onComplete(r.done());
      return;
    }
    List<Request> batch = new ArrayList<>(runs.size());
    for (Run r : runs) {
      batch.add(script.request(r.keys(), r.args()));
    }
    redis.batch(batch).onComplete(ar -> {
      if (ar.succeeded()) {
        for (int i = 0; i < runs.size(); i++) {
          runs.get(i).done().complete(ar.result().get(i));
        }
      } else if (ar.cause().getMessage() != null && ar.cause().getMessage().contains("NOSCRIPT")) {
        for (Run r : runs) {
          script.run(api, r.keys(), r.args()).onComplete(r.done());
        }
      } else {
        for (Run r : runs) {
          r.done().fail(ar.cause());
        }
      }
    });
  }
}
