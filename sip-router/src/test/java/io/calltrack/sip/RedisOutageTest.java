package io.calltrack.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.CallStatus;
import io.calltrack.core.calls.RedisCallStore;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.localredis.EmbeddedRedis;
import io.calltrack.core.testing.Await;
import io.calltrack.sip.testing.SipPhone;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.sip.message.Request;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Redis stopped in the middle of calls: calls keep connecting (routing from memory, events to the
 * disk spool), and once Redis is back every call record is there exactly once, with each call's
 * events on the stream once and in order.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RedisOutageTest {
  static final Duration WAIT = RouterFixture.WAIT;

  @TempDir Path dir;

  @Test
  void callsConnectWhileRedisIsDownAndEveryRecordArrivesOnce() {
    EmbeddedRedis redis = EmbeddedRedis.start(0, dir.resolve("redis")); // with an AOF: data survives the restart
    SipPhone caller = SipPhone.start("outage-caller");
    SipPhone line = SipPhone.start("outage-line");
    try (RouterFixture fx = new RouterFixture(redis.url(), dir)) {
      SipRouter router = fx.router(List.of("127.0.0.0/8"), Duration.ofSeconds(10));
      PhoneNumber number = fx.property(line.uri("+15559990000", "udp"), router);
      List<String> callIds = new ArrayList<>();

      // before the outage
      callIds.add(answerAndHangUp(caller, router, number));
      fx.awaitFinished(callIds.get(0));
      // let the AOF (fsync every second) take the configuration and the first call before Redis dies
      Await.result(RedisAPI.api(fx.redis).bgrewriteaof());
      Await.until(WAIT, () -> aofRewritten(fx));

      redis.stop();
      callIds.add(answerAndHangUp(caller, router, number));
      callIds.add(answerAndHangUp(caller, router, number));
      // a call that starts during the outage and ends after it
      String spanning = caller.call("sip:" + number.e164() + "@127.0.0.1:" + router.port(), router.port(), "udp");
      callIds.add(spanning);
      caller.awaitResponseFor(spanning, Request.INVITE, 200, WAIT);
      // the spanning call's events reach the spool only after its lookup and its write fail: wait for
      // every event given so far to be there (reading the depth the moment it is above 0 raced them on a
      // loaded machine). Two calls' started and ended, the spanning call's started and answered at least
      // (a ringing or answered step still waiting for the write before it is taken over by the next one)
      try {
        Await.until(WAIT, () -> router.callEventsInFlight() == 0 && router.spoolDepth() >= 6);
      } catch (AssertionError e) {
        throw new AssertionError("events of three calls spooled, got " + router.spoolDepth(), e);
      }

      redis.start();
      caller.byeFor(spanning);
      Await.until(WAIT, () -> router.spoolDepth() == 0);

      for (String id : callIds) {
        CallRecord r = fx.awaitFinished(id); // exactly one record for the call
        assertEquals(CallStatus.ANSWERED, r.status(), r::toString);
        assertNotNull(r.answeredAt());
        assertEquals("unattributed", r.resolution(), "resolved when replayed: " + r);
      }
      assertEventsOnceAndInOrder(fx, fx.records(r -> callIds.contains(r.sipCallId())));
    } finally {
      caller.close();
      line.close();
      redis.stop();
    }
  }

  @Test
  void aRouterStartedWhileRedisIsDownRoutesFromItsSnapshotAndReplaysAnEarlierRunsSpool() {
    EmbeddedRedis redis = EmbeddedRedis.start(0, dir.resolve("redis"));
    SipPhone caller = SipPhone.start("restart-caller");
    SipPhone line = SipPhone.start("restart-line");
    Path spoolDir = dir.resolve("router-spool");
    try (RouterFixture fx = new RouterFixture(redis.url(), dir)) {
      SipRouter first = fx.router(io.calltrack.localredis.EmbeddedRedis.freePort(), List.of("127.0.0.0/8"),
          Duration.ofSeconds(10), new io.micrometer.core.instrument.simple.SimpleMeterRegistry(), spoolDir);
      PhoneNumber number = fx.property(line.uri("+15559990000", "udp"), first);
      Await.result(RedisAPI.api(fx.redis).bgrewriteaof());
      Await.until(WAIT, () -> aofRewritten(fx));
      Await.until(WAIT, () -> java.nio.file.Files.exists(spoolDir.resolve("routing-table.json")));

      redis.stop();
      String beforeRestart = answerAndHangUp(caller, first, number);
      Await.until(WAIT, () -> first.callEventsInFlight() == 0 && first.spoolDepth() >= 2);
      fx.close(first); // its spool stays on disk

      SipRouter second = fx.router(io.calltrack.localredis.EmbeddedRedis.freePort(), List.of("127.0.0.0/8"),
          Duration.ofSeconds(10), new io.micrometer.core.instrument.simple.SimpleMeterRegistry(), spoolDir);
      assertTrue(second.routes(number), "routes from the snapshot with Redis down");
      assertTrue(second.spoolDepth() >= 2, "took over the first run's spool");
      String afterRestart = answerAndHangUp(caller, second, number);

      redis.start();
      Await.until(WAIT, () -> second.spoolDepth() == 0);
      for (String id : List.of(beforeRestart, afterRestart)) {
        CallRecord r = fx.awaitFinished(id);
        assertEquals(CallStatus.ANSWERED, r.status(), r::toString);
      }
    } finally {
      caller.close();
      line.close();
      redis.stop();
    }
  }

  private static String answerAndHangUp(SipPhone caller, SipRouter router, PhoneNumber number) {
    String callId = caller.call("sip:" + number.e164() + "@127.0.0.1:" + router.port(), router.port(), "udp");
    caller.awaitResponseFor(callId, Request.INVITE, 200, WAIT);
    caller.byeFor(callId);
    caller.awaitResponseFor(callId, Request.BYE, 200, WAIT);
    return callId;
  }

  private static boolean aofRewritten(RouterFixture fx) {
    Response info = Await.result(RedisAPI.api(fx.redis).info(List.of("persistence")));
    return info.toString().contains("aof_rewrite_in_progress:0") && info.toString().contains("aof_rewrite_scheduled:0");
  }

  /**
   * Each call's events on the stream: each once, seq rising from 0, started first and ended last; a
   * ringing or answered step may have been taken over by the next step's write (then its seq is absent).
   */
  private static void assertEventsOnceAndInOrder(RouterFixture fx, List<CallRecord> records) {
    Set<String> ours = new HashSet<>();
    records.forEach(r -> ours.add(r.callId()));
    List<Response> entries = new java.util.ArrayList<>();
    for (String property : new HashSet<>(records.stream().map(CallRecord::property).toList())) {
      Await.result(RedisAPI.api(fx.redis).xrange(List.of(RedisCallStore.eventsStream(property), "-", "+")))
          .forEach(entries::add);
    }
    Map<String, List<Integer>> seqs = new HashMap<>();
    Map<String, List<String>> types = new HashMap<>();
    for (Response entry : entries) {
      Response fields = entry.get(1);
      Map<String, String> f = new HashMap<>();
      for (int i = 0; i + 1 < fields.size(); i += 2) {
        f.put(fields.get(i).toString(), fields.get(i + 1).toString());
      }
      if (ours.contains(f.get("callId"))) {
        seqs.computeIfAbsent(f.get("callId"), k -> new ArrayList<>()).add(Integer.parseInt(f.get("seq")));
        types.computeIfAbsent(f.get("callId"), k -> new ArrayList<>()).add(f.get("type"));
      }
    }
    assertEquals(ours, seqs.keySet());
    for (var e : seqs.entrySet()) {
      List<Integer> s = e.getValue();
      List<String> t = types.get(e.getKey());
      assertEquals(0, s.get(0), "events of " + e.getKey() + ": " + s);
      for (int i = 1; i < s.size(); i++) {
        assertTrue(s.get(i) > s.get(i - 1), "events of " + e.getKey() + " once and in order: " + s);
      }
      assertEquals("started", t.get(0), "events of " + e.getKey() + ": " + t);
      assertEquals("ended", t.get(t.size() - 1), "events of " + e.getKey() + ": " + t);
      assertTrue(s.get(s.size() - 1) == 3 && s.size() >= 2, "started, ringing, answered, ended (seq 0-3): " + s);
    }
  }
}
