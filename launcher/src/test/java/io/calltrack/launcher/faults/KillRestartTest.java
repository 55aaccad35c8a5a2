package io.calltrack.launcher.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.CallStatus;
import io.calltrack.core.calls.RedisCallStore;
import io.calltrack.localredis.EmbeddedRedis;
import io.calltrack.core.redis.RedisClientFactory;
import io.calltrack.core.testing.Await;
import io.calltrack.core.testing.TestNumbers;
import io.calltrack.sip.testing.SipPhone;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sip.message.Request;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * dni-server and sip-router, each a JVM of its own started as a user starts them ({@code calltrack
 * dni-server}, {@code calltrack sip-router}), are killed with SIGKILL in the middle of visits and
 * calls and started again on the same Redis and the same data directory. Afterwards:
 * <ul>
 *   <li>no lease lost or doubled: every visitor keeps the number it had, no number is leased to two
 *       visitors, and the pool counts exactly one lease per visitor;</li>
 *   <li>no record lost: every call the caller saw answered has its record, attributed to the lease;</li>
 *   <li>no record left open: calls whose BYE died with the router are closed at its restart, marked
 *       {@code endReason: router-restart}; every other record ended by its BYE.</li>
 * </ul>
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class KillRestartTest {
  static final String TOKEN = "fault-admin-token-0123456789";
  static final int VISITORS = 20;
  static final int CALLS = 200;
  static final int CALL_WORKERS = 2;
  static final int KILL_AFTER = CALLS / 2;
  /** Every fifth call stays up until the load ends: those up at the kill lose their BYE with the router. */
  static final int LONG_EVERY = 5;
  static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dataDir;

  private DniHttp http;

  @Test
  void killingDniServerAndSipRouterMidLoadLosesNoLeaseAndNoRecordAndLeavesNoCallOpen() throws Exception {
    EmbeddedRedis redis = EmbeddedRedis.start(0, null);
    Vertx vertx = Vertx.vertx();
    SipPhone line = SipPhone.start("kill-line");
    SipPhone caller = SipPhone.start("kill-caller");
    ExecutorService load = Executors.newFixedThreadPool(CALL_WORKERS + 1);
    Launched dni = null;
    Launched router = null;
    try {
      int httpPort = EmbeddedRedis.freePort();
      int sipPort = EmbeddedRedis.freePort();
      http = new DniHttp(httpPort, TOKEN, "https://kill.example");
      Map<String, String> dniEnv = Map.of("CALLTRACK_REDIS_URL", redis.url(), "CALLTRACK_ADMIN_TOKEN", TOKEN,
          "CALLTRACK_HTTP_HOST", "127.0.0.1", "CALLTRACK_HTTP_PORT", Integer.toString(httpPort),
          "CALLTRACK_DATA_DIR", dataDir.resolve("dni").toString());
      Map<String, String> routerEnv = Map.of("CALLTRACK_REDIS_URL", redis.url(), "CALLTRACK_ADMIN_TOKEN", TOKEN,
          "CALLTRACK_HTTP_HOST", "127.0.0.1", "CALLTRACK_METRICS_PORT", Integer.toString(EmbeddedRedis.freePort()),
          "CALLTRACK_SIP_HOST", "127.0.0.1", "CALLTRACK_SIP_PORT", Integer.toString(sipPort),
          "CALLTRACK_DATA_DIR", dataDir.resolve("router").toString());

      dni = Launched.start("dni-server", dniEnv);
      String property = "kill-" + Long.toHexString(System.nanoTime());
      String pool = property + "-web";
      String printed = TestNumbers.fresh().e164();
      JsonArray numbers = new JsonArray();
      for (int i = 0; i < VISITORS * 2; i++) {
        numbers.add(TestNumbers.fresh().e164());
      }
      http.admin("PUT", "/v1/properties/" + property, new JsonObject().put("name", "Kill test")
          .put("allowedOrigins", new JsonArray().add("https://kill.example"))
          .put("swapNumbers", new JsonArray().add(printed)).put("defaultNumber", printed)
          .put("businessLine", line.uri("+15559990000", "udp")).put("timezone", "UTC")
          // one test client plays many visitors from one address: no per-address assign limits here
          .put("assignLimits", new JsonObject().put("liveLeases", Integer.MAX_VALUE).put("liveLeasesHard", Integer.MAX_VALUE).put("perMinute", Integer.MAX_VALUE).put("perMinuteHard", Integer.MAX_VALUE).put("leaseToAutomatedClients", true)));
      http.admin("PUT", "/v1/pools/" + pool, new JsonObject().put("property", property).put("numbers", numbers)
          .put("leaseSeconds", 1800).put("holdSeconds", 1800).put("onExhausted", "fallback"));
      router = Launched.start("sip-router", routerEnv); // reads the routing table as it starts

      // the load: visitors arrive one per call placed (a modest, per-visitor pace) and call their number
      Map<String, String> numberOf = new ConcurrentHashMap<>();
      Map<String, String> sessionOf = new ConcurrentHashMap<>();
      List<String> visitors = new ArrayList<>();
      for (int v = 0; v < VISITORS; v++) {
        visitors.add("kill-visitor-" + v);
      }
      CountDownLatch restarted = new CountDownLatch(1);
      Semaphore pace = new Semaphore(0);
      AtomicInteger placed = new AtomicInteger();
      AtomicInteger assignRetries = new AtomicInteger();
      assignUntilAnswered(property, visitors.get(0), numberOf, sessionOf, restarted, assignRetries);
      Future<?> assigns = load.submit(() -> {
        // one assign per call placed: a new visitor now and then, else a returning visitor's page view
        int arrived = 1;
        for (int k = 1; k < CALLS; k++) {
          pace.acquireUninterruptibly();
          String visitor = k % (CALLS / VISITORS) == 0 && arrived < VISITORS ? visitors.get(arrived++)
              : visitors.get(k % arrived);
          assignUntilAnswered(property, visitor, numberOf, sessionOf, restarted, assignRetries);
        }
        while (arrived < VISITORS) {
          assignUntilAnswered(property, visitors.get(arrived++), numberOf, sessionOf, restarted, assignRetries);
        }
        return null;
      });

      Map<String, String> dialled = new ConcurrentHashMap<>(); // SIP Call-ID -> number
      Set<String> connected = ConcurrentHashMap.newKeySet();
      Set<String> endedByBye = ConcurrentHashMap.newKeySet();
      Set<String> upAtKill = ConcurrentHashMap.newKeySet();
      Set<String> longAfterKill = ConcurrentHashMap.newKeySet();
      CountDownLatch killNow = new CountDownLatch(1);
      CountDownLatch killed = new CountDownLatch(1);
      List<Future<?>> callers = new ArrayList<>();
      for (int w = 0; w < CALL_WORKERS; w++) {
        callers.add(load.submit(() -> {
          int i;
          while ((i = placed.getAndIncrement()) < CALLS) {
            if (i == KILL_AFTER) {
              killNow.countDown();
            }
            if (killed.getCount() == 0) {
              assertTrue(restarted.await(120, TimeUnit.SECONDS), "not restarted"); // the trunk waits for the router
            }
            List<String> known = new ArrayList<>(numberOf.values());
            String number = known.get(i % known.size());
            String callId = caller.call("sip:" + number + "@127.0.0.1:" + sipPort, sipPort, "udp");
            dialled.put(callId, number);
            pace.release();
            try {
              caller.awaitResponseFor(callId, Request.INVITE, 200, Duration.ofSeconds(20));
            } catch (AssertionError notAnswered) {
              continue; // not connected (its router died mid-setup): nothing the caller can account for
            }
            // an answer seen before the kill was signalled came from the first router
            boolean fromFirstRouter = killed.getCount() == 1;
            connected.add(callId);
            if (i % LONG_EVERY == 0) {
              (fromFirstRouter ? upAtKill : longAfterKill).add(callId); // hangs up at the end, if it can
              continue;
            }
            caller.byeFor(callId);
            try {
              caller.awaitResponseFor(callId, Request.BYE, 200, Duration.ofSeconds(10));
              endedByBye.add(callId);
            } catch (AssertionError byeLost) {
              // the BYE went to a router that died: the restart must close the call
            }
          }
          return null;
        }));
      }

      assertTrue(killNow.await(120, TimeUnit.SECONDS), "the load did not reach the kill point");
      router.kill();
      dni.kill();
      killed.countDown();
      java.util.concurrent.CompletableFuture<Launched> newRouter = java.util.concurrent.CompletableFuture.supplyAsync(
          () -> {
            try {
              return Launched.start("sip-router", routerEnv);
            } catch (IOException | InterruptedException e) {
              throw new IllegalStateException(e);
            }
          }, Executors.newSingleThreadExecutor());
      dni = Launched.start("dni-server", dniEnv);
      router = newRouter.get(120, TimeUnit.SECONDS);
      restarted.countDown();
      for (Future<?> f : callers) {
        f.get(180, TimeUnit.SECONDS);
      }
      assigns.get(120, TimeUnit.SECONDS);
      // long calls answered through the new router hang up normally
      for (String callId : longAfterKill) {
        caller.byeFor(callId);
        try {
          caller.awaitResponseFor(callId, Request.BYE, 200, Duration.ofSeconds(10));
          endedByBye.add(callId);
        } catch (AssertionError answeredByTheFirstRouterAfterAll) {
          // its answer was on its way when the router died: closed at the restart like those up at the kill
        }
      }

      // leases: each visitor keeps its number, no number twice, one lease per visitor in the pool
      assertEquals(VISITORS, numberOf.size(), "every visitor got a number: " + numberOf);
      assertEquals(VISITORS, new HashSet<>(numberOf.values()).size(), "a number leased twice: " + numberOf);
      for (String visitor : visitors) {
        JsonObject again = assign(property, visitor);
        assertFalse(again.getBoolean("fallback"), again::encode);
        assertEquals(numberOf.get(visitor), again.getString("number"), "the lease of " + visitor + " was lost");
        assertEquals(sessionOf.get(visitor), again.getString("sessionId"), "a new session for " + visitor);
      }
      JsonObject status = new JsonObject(http.send("GET", "/v1/pools/" + pool, null, true).body());
      assertEquals(VISITORS, status.getInteger("leased"), status::encode);
      assertEquals(VISITORS, status.getInteger("free"), status::encode);

      // records: every answered call there, none left open
      Redis client = RedisClientFactory.create(vertx, redis.url());
      RedisCallStore store = new RedisCallStore(client);
      Map<String, List<CallRecord>> bySip = new HashMap<>();
      Await.until(WAIT, () -> {
        bySip.clear();
        for (CallRecord r : StoredCalls.all(store)) {
          if (property.equals(r.property())) {
            bySip.computeIfAbsent(r.sipCallId(), k -> new ArrayList<>()).add(r);
          }
        }
        return bySip.keySet().containsAll(connected)
            && bySip.values().stream().flatMap(List::stream).allMatch(CallRecord::finished);
      });
      int closedAtRestart = 0;
      for (String callId : connected) {
        List<CallRecord> records = bySip.get(callId);
        assertNotNull(records, "no record of answered call " + callId);
        // a call whose answer died with the router may be set up again by the caller's retransmitted
        // INVITE through the new router: two calls at the business line, two records; never more
        assertTrue(records.size() <= 2, () -> "records of " + callId + ": " + records);
        assertTrue(records.stream().filter(r -> r.endReason() == null).count() <= 1,
            () -> "records of " + callId + ": " + records);
        for (CallRecord r : records) {
          assertEquals("lease", r.resolution(), r::toString);
          assertEquals(dialled.get(callId), r.number().e164(), r::toString);
          if (r.endReason() != null) {
            assertEquals(CallRecord.END_ROUTER_RESTART, r.endReason(), r::toString);
            assertEquals(CallStatus.ANSWERED, r.status(), r::toString);
            assertFalse(r.endedAt().isBefore(r.answeredAt()), r::toString);
            closedAtRestart++;
          }
        }
        if (endedByBye.contains(callId)) {
          assertTrue(records.stream().anyMatch(r -> r.endReason() == null && r.status() == CallStatus.ANSWERED),
              () -> "a call that hung up normally: " + records);
        }
        if (upAtKill.contains(callId)) {
          assertEquals(1, records.size(), () -> "records of " + callId + ": " + records);
          assertEquals(CallRecord.END_ROUTER_RESTART, records.get(0).endReason(),
              () -> "a call up when its router died: " + records);
        }
      }
      for (var e : bySip.entrySet()) {
        for (CallRecord r : e.getValue()) {
          assertTrue(r.finished(), r::toString);
          assertTrue(dialled.containsKey(e.getKey()), () -> "a record of a call never placed: " + r);
        }
      }
      assertFalse(upAtKill.isEmpty(), "no call was up at the kill: the test did not test the restart");
      assertTrue(connected.size() >= CALLS * 9 / 10, "only " + connected.size() + " of " + CALLS + " calls connected");
      System.out.printf("kill test: %d calls placed, %d answered, %d closed at the router's restart, "
          + "%d assigns retried across the kill%n", dialled.size(), connected.size(), closedAtRestart,
          assignRetries.get());
    } finally {
      load.shutdownNow();
      if (router != null) {
        router.close();
      }
      if (dni != null) {
        dni.close();
      }
      caller.close();
      line.close();
      Await.result(vertx.close());
      redis.stop();
    }
  }


  private void assignUntilAnswered(String property, String visitor, Map<String, String> numberOf,
      Map<String, String> sessionOf, CountDownLatch restarted, AtomicInteger failures) throws Exception {
    int budgetMisses = 0;
    while (true) {
      try {
        JsonObject a = assign(property, visitor);
        if (!a.getBoolean("fallback")) {
          String before = numberOf.putIfAbsent(visitor, a.getString("number"));
          sessionOf.putIfAbsent(visitor, a.getString("sessionId"));
          if (before != null) { // a returning visitor keeps its number and session, across the kill too
            assertEquals(before, a.getString("number"), "the lease of " + visitor + " was lost");
            assertEquals(sessionOf.get(visitor), a.getString("sessionId"), "a new session for " + visitor);
          }
          return;
        }
        // The default number without a reason: the public time budget ran out (a JVM just restarted,
        // on a slow host). The lease, if any, is untouched; ask again, as the snippet would, a few times.
        if (a.containsKey("reason") || ++budgetMisses > 20) {
          throw new AssertionError("fallback for " + visitor + ": " + a.encode());
        }
      } catch (IOException killedMidRequest) {
        failures.incrementAndGet();
        assertTrue(restarted.await(120, TimeUnit.SECONDS), "dni-server not restarted");
      }
    }
  }

  private JsonObject assign(String property, String visitor) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send("POST", "/v1/assign", new JsonObject().put("property", property)
        .put("visitorId", visitor)
        .put("page", new JsonObject().put("url", "https://kill.example/?utm_source=google").put("referrer", ""))
        .encode(), false);
    if (r.statusCode() != 200) {
      throw new AssertionError("assign: " + r.statusCode() + " " + r.body());
    }
    return new JsonObject(r.body());
  }
}
