package io.calltrack.dni.report;

import static io.calltrack.dni.testing.DniClient.await;

import io.calltrack.core.attribution.Attribution;
import io.calltrack.core.calls.CallEvent;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.CallStatus;
import io.calltrack.core.calls.RedisCallStore;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.core.redis.RedisClientFactory;
import io.calltrack.core.testing.TestRedis;
import io.vertx.core.Vertx;
import java.time.Instant;
import java.util.List;

/**
 * Writes calls the way the SIP router does (events through the real call store, so they reach the
 * calls stream the dni-server's rollup consumer reads). Only the router itself is left out.
 */
public final class CallSeeder {
  private final RedisCallStore calls;

  public CallSeeder(Vertx vertx) {
    this(vertx, TestRedis.url());
  }

  /** Calls on another Redis than the shared test one ({@code redisUrl}). */
  public CallSeeder(Vertx vertx, String redisUrl) {
    this.calls = new RedisCallStore(RedisClientFactory.create(vertx, redisUrl));
  }

  /**
   * Waits until the dni-servers' rollup consumer group has been handed every entry now on the calls
   * stream of {@code property} and has acknowledged them all.
   */
  public static void awaitConsumerCaughtUp(Vertx vertx, String property) {
    io.vertx.redis.client.RedisAPI redis = RedisClientFactory.api(vertx, TestRedis.url());
    String stream = RedisCallStore.eventsStream(property);
    String last = await(redis.xrevrange(List.of(stream, "+", "-", "COUNT", "1"))).get(0).get(0).toString();
    // delivered first, then pending: read in the other order, the consumer could take the last entries
    // between the two reads, and "nothing pending, all delivered" would hold before they were applied
    io.calltrack.core.testing.Await.until(java.time.Duration.ofSeconds(120), () -> {
      io.vertx.redis.client.Response groups;
      try {
        groups = await(redis.xinfo(List.of("GROUPS", stream)));
      } catch (Throwable e) { // a Redis error reply (ErrorType) is a Throwable, not an Exception
        if (e.getMessage() != null && e.getMessage().contains("NOGROUP")) {
          return false; // the consumers have not found this new property's stream yet
        }
        throw new IllegalStateException(e);
      }
      boolean delivered = false;
      for (io.vertx.redis.client.Response g : groups) {
        if (io.calltrack.core.rollup.RollupConsumer.GROUP.equals(g.get("name").toString())) {
          delivered = !older(g.get("last-delivered-id").toString(), last);
        }
      }
      if (!delivered) {
        return false;
      }
      // everything up to `last` was delivered before this read: none pending means all applied and acked
      return await(redis.xpending(List.of(stream, io.calltrack.core.rollup.RollupConsumer.GROUP, "-", last, "10")))
          .size() == 0;
    });
    redis.close();
  }

  private static boolean older(String a, String b) {
    String[] x = a.split("-");
    String[] y = b.split("-");
    int c = Long.compare(Long.parseLong(x[0]), Long.parseLong(y[0]));
    return c < 0 || (c == 0 && Long.parseLong(x[1]) < Long.parseLong(y[1]));
  }

  public RedisCallStore store() {
    return calls;
  }

  public static Attribution source(String source, String medium) {
    return new Attribution(source, medium, null, null, null, "/landing", null, null, null, null, null, null);
  }

  public static Attribution withGclid(String source, String medium, String gclid) {
    return new Attribution(source, medium, "brand", "plumber", null, "/landing", null, gclid, null, null, null, null);
  }

  /** An answered call of {@code talkSeconds}, or (talkSeconds &lt; 0) a missed one. */
  public CallRecord call(String property, PhoneNumber number, String caller, Instant start, Attribution a,
      int talkSeconds) {
    return call(property, number, caller, start, a, talkSeconds, null);
  }

  /** The same, attributed with {@code confidence} (exact, channel, ...; null as before attribution v2). */
  public CallRecord call(String property, PhoneNumber number, String caller, Instant start, Attribution a,
      int talkSeconds, String confidence) {
    String id = TestRedis.uniqueId("c");
    CallRecord r = CallRecord.started(id, id + "@trunk", number, caller, property, start)
        .withAttribution(a == null ? "unattributed" : "lease", null, a, List.of(), confidence);
    await(calls.apply(new CallEvent(id, 0, CallEvent.Type.STARTED, start, r)));
    if (talkSeconds >= 0) {
      r = r.answered(start.plusSeconds(3), 200);
      await(calls.apply(new CallEvent(id, 1, CallEvent.Type.ANSWERED, r.answeredAt(), r)));
      r = r.ended(start.plusSeconds(3 + talkSeconds), CallStatus.ANSWERED, 200);
    } else {
      r = r.ended(start.plusSeconds(20), CallStatus.MISSED, 408);
    }
    await(calls.apply(new CallEvent(id, 2, CallEvent.Type.ENDED, r.endedAt(), r)));
    return r;
  }

  /**
   * An answered callback call (the router called the business line, then {@code lead}) of
   * {@code talkSeconds}, attributed to a visit from {@code a}.
   */
  public CallRecord callback(String property, String lead, Instant start, Attribution a, int talkSeconds) {
    return callback(property, lead, start, start, a, talkSeconds);
  }

  /**
   * A callback asked for at {@code requested} and placed at {@code placed}: the lead answers 8 s after
   * and talks {@code talkSeconds}, or (talkSeconds &lt; 0) does not answer in 30 s.
   */
  public CallRecord callback(String property, String lead, Instant requested, Instant placed, Attribution a,
      int talkSeconds) {
    String id = TestRedis.uniqueId("c");
    Instant start = placed;
    CallRecord r = CallRecord.callback(id, id + "@dialer", lead, property, placed,
            new io.calltrack.core.calls.CallAttempt(1, placed, null, requested))
        .withAttribution("callback", null, a, List.of(), "exact");
    await(calls.apply(new CallEvent(id, 0, CallEvent.Type.STARTED, start, r)));
    if (talkSeconds < 0) {
      r = r.ended(start.plusSeconds(30), CallStatus.MISSED, 408);
      await(calls.apply(new CallEvent(id, 1, CallEvent.Type.ENDED, r.endedAt(), r)));
      return r;
    }
    r = r.answered(start.plusSeconds(8), 200);
    await(calls.apply(new CallEvent(id, 1, CallEvent.Type.ANSWERED, r.answeredAt(), r)));
    r = r.ended(r.answeredAt().plusSeconds(talkSeconds), CallStatus.ANSWERED, 200);
    await(calls.apply(new CallEvent(id, 2, CallEvent.Type.ENDED, r.endedAt(), r)));
    return r;
  }

  /** A call the business line refused (the router's "failed": a 5xx before any answer). */
  public CallRecord failedCall(String property, PhoneNumber number, String caller, Instant start, Attribution a) {
    String id = TestRedis.uniqueId("c");
    CallRecord r = CallRecord.started(id, id + "@trunk", number, caller, property, start)
        .withAttribution(a == null ? "unattributed" : "lease", null, a, List.of());
    await(calls.apply(new CallEvent(id, 0, CallEvent.Type.STARTED, start, r)));
    r = r.ended(start.plusSeconds(1), CallStatus.FAILED, 503);
    await(calls.apply(new CallEvent(id, 1, CallEvent.Type.ENDED, r.endedAt(), r)));
    return r;
  }
}
