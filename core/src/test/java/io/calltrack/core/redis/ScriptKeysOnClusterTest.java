package io.calltrack.core.redis;

import static io.calltrack.core.testing.Await.result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.attribution.Attribution;
import io.calltrack.core.calls.CallEvent;
import io.calltrack.core.calls.CallOutcome;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.CallStatus;
import io.calltrack.core.calls.RedisCallStore;
import io.calltrack.core.config.PoolConfig;
import io.calltrack.core.config.PropertyConfig;
import io.calltrack.core.config.RedisConfigStore;
import io.calltrack.core.config.StaticNumberConfig;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.core.pool.Assignment;
import io.calltrack.core.pool.RedisPoolEngine;
import io.calltrack.core.rollup.RollupStore;
import io.calltrack.core.spend.SpendRow;
import io.calltrack.core.spend.SpendStore;
import io.calltrack.core.testing.MutableClock;
import io.calltrack.core.testing.ScriptAudit;
import io.calltrack.core.testing.TestCluster;
import io.calltrack.core.testing.TestNumbers;
import io.calltrack.core.testing.TestRedis;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import io.calltrack.core.callback.Callback;
import io.calltrack.core.callback.RedisCallbackStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every Lua script under {@code /lua} on core's classpath (found by listing the resources, so a new
 * script is covered without touching this test) runs on a real Redis Cluster through the code that
 * uses it, under MONITOR: each script must be run at least once by the workload below, every key
 * its commands touch must be one it declared in KEYS, and its declared keys must all be in one slot
 * by the cluster's own {@code CLUSTER KEYSLOT}.
 */
class ScriptKeysOnClusterTest {
  static Vertx vertx;
  static TestCluster cluster;
  static Redis redis;
  static RedisAPI api;

  @BeforeAll
  static void start() {
    cluster = TestCluster.shared();
    vertx = Vertx.vertx();
    redis = RedisClientFactory.create(vertx, cluster.target());
    api = RedisAPI.api(redis);
  }

  @AfterAll
  static void stop() {
    result(vertx.close());
  }

  @Test
  void everyScriptDeclaresEveryKeyInOneSlot() throws Exception {
    Set<String> resources = ScriptAudit.scriptResources("/lua");
    assertTrue(resources.size() >= 16, "found the scripts: " + resources);
    List<ScriptAudit.Run> runs;
    try (ScriptAudit audit = ScriptAudit.start(cluster)) {
      workload();
      runs = audit.runs();
    }

    // every script resource is part of a loaded script, and every loaded script ran here
    Set<String> ran = new HashSet<>();
    runs.forEach(r -> ran.add(r.sha()));
    for (String resource : resources) {
      List<LuaScript> scripts = ScriptAudit.scriptsOf(resource);
      assertFalse(scripts.isEmpty(), resource + " is not loaded by any code the workload uses: add it there");
      for (LuaScript s : scripts) {
        assertTrue(ran.contains(s.sha()), s.name() + " never ran in the workload: add a use of it");
      }
    }

    Map<String, Long> slots = ScriptAudit.slots(api, ScriptAudit.declaredKeys(runs));
    List<String> problems = new ArrayList<>();
    Map<String, String> nameBySha = new java.util.HashMap<>();
    LuaScript.loaded().forEach(s -> nameBySha.put(s.sha(), s.name()));
    for (ScriptAudit.Run run : runs) {
      if (io.calltrack.core.pool.FirstLayoutPool.shas().contains(run.sha())) {
        continue; // the earlier version's scripts, run to write a pool for the migration to move
      }
      String name = nameBySha.getOrDefault(run.sha(), run.sha());
      Set<Long> runSlots = new HashSet<>();
      run.declared().forEach(k -> runSlots.add(slots.get(k)));
      if (runSlots.size() > 1) {
        problems.add(name + " declares keys in " + runSlots.size() + " slots: " + run.declared());
      }
      for (String key : run.undeclared()) {
        problems.add(name + " touched undeclared key " + key + " (declared " + run.declared() + ")");
      }
    }
    assertEquals(List.of(), problems);
  }

  @Test
  void theAuditSeesAnUndeclaredKey() throws Exception {
    // the audit itself: a script touching a key it did not declare (same slot) is caught
    String tag = "{audit-" + TestRedis.uniqueId("t") + "}";
    List<ScriptAudit.Run> runs;
    try (ScriptAudit audit = ScriptAudit.start(cluster)) {
      result(api.eval(List.of("redis.call('SET', KEYS[1], 'a'); return redis.call('GET', KEYS[1] .. ':hidden')",
          "1", tag + ":declared")));
      runs = audit.runs();
    }
    List<String> undeclared = runs.stream().filter(r -> r.declared().contains(tag + ":declared"))
        .flatMap(r -> r.undeclared().stream()).toList();
    assertEquals(List.of(tag + ":declared:hidden"), undeclared);
  }

  /** Runs every script through the code that uses it: config, pools, calls, rollups, spend. */
  private static void workload() {
    MutableClock clock = MutableClock.at("2026-11-20T15:00:00Z");
    RedisConfigStore config = result(RedisConfigStore.create(vertx, redis));
    try {
      PhoneNumber business = TestNumbers.fresh();
      PropertyConfig property = new PropertyConfig(TestRedis.uniqueId("keys"), null, List.of(), List.of(business),
          business, null, "America/New_York");
      result(config.putProperty(property));
      PoolConfig pool = new PoolConfig(TestRedis.uniqueId("pool"), property.id(), TestNumbers.fresh(3), 60, 600,
          PoolConfig.OnExhausted.RECYCLE_OLDEST, null);
      result(config.putPool(pool));
      result(config.putStaticNumber(new StaticNumberConfig(TestNumbers.fresh(), property.id(), "print", "offline", null)));
      result(config.poolsOf(property.id()));
      result(config.resyncPools());

      RedisPoolEngine engine = new RedisPoolEngine(vertx, redis, config, clock);
      Attribution a = new Attribution("google", "cpc", "winter", "plumber", null, "/", null, null, null, null, null,
          null);
      Assignment first = result(engine.assign(property.id(), "v1", a));
      for (int i = 2; i <= 5; i++) { // past the pool's size: recycles
        result(engine.assign(property.id(), "v" + i, a));
      }
      Assignment last = result(engine.assign(property.id(), "v5", a));
      result(engine.heartbeat(last.sessionId()));
      result(engine.evidence(last.sessionId(), io.calltrack.core.pool.Session.Evidence.Kind.TAP));
      result(engine.release(last.sessionId()));
      result(engine.resolve(first.number(), clock.instant()));
      // with the caller's key too; the candidate sessions come in one batch, which a cluster takes only
      // when all its keys are in one slot
      var candidates = result(engine.candidates(first.number(), "+12125550100", clock.instant()));
      assertFalse(candidates.sessions().isEmpty(), "no candidate session read on the cluster");
      assertTrue(candidates.sessions().stream().allMatch(s -> s.number().equals(first.number())
          && s.attribution() != null && "plumber".equals(s.attribution().keyword())));
      assertTrue(candidates.sessions().stream().anyMatch(s -> s.sessionId().equals(first.sessionId())));
      assertEquals("v1", result(engine.session(first.sessionId())).orElseThrow().visitorId());
      result(engine.status(pool.id()));

      // a pool written by the first key layout (a history zset per number), moved by the first call
      // that meets it
      PoolConfig oldPool = new PoolConfig(TestRedis.uniqueId("old-pool"), property.id(), TestNumbers.fresh(2), 60, 600,
          PoolConfig.OnExhausted.RECYCLE_OLDEST, null);
      result(config.putPool(oldPool));
      var firstLayout = new io.calltrack.core.pool.FirstLayoutPool(api, oldPool, RedisPoolEngine.DEFAULT_HISTORY_WINDOW);
      String released = firstLayout.assign("old-1", a, clock.instant()).get(1).toString();
      firstLayout.assign("old-2", a, clock.instant());
      firstLayout.release(released, clock.instant());
      firstLayout.assign("old-3", a, clock.instant()); // recycles the released number
      result(engine.status(oldPool.id()));
      if (!"2".equals(String.valueOf(result(api.hget(new io.calltrack.core.pool.PoolKeys(oldPool.id()).meta(), "layout"))))) {
        throw new AssertionError("the old pool was not migrated");
      }

      clock.advance(Duration.ofHours(1));
      result(engine.sweep());

      RedisCallStore calls = new RedisCallStore(redis);
      RollupStore rollups = new RollupStore(redis, config);
      String callId = TestRedis.uniqueId("call");
      Instant start = clock.instant();
      CallRecord r = CallRecord.started(callId, callId + "@sip", first.number(), "+15055550100", property.id(), start)
          .withAttribution("lease", null, a, List.of());
      result(calls.apply(new CallEvent(callId, 0, CallEvent.Type.STARTED, start, r)));
      result(rollups.apply(r, "1-0"));
      r = r.answered(start.plusSeconds(3), 200).ended(start.plusSeconds(63), CallStatus.ANSWERED, 200);
      result(calls.apply(new CallEvent(callId, 1, CallEvent.Type.ENDED, r.endedAt(), r)));
      String entry = result(calls.setOutcomeEvent(callId, new CallOutcome(true, true, new BigDecimal("10.00"), "USD")));
      result(rollups.refresh(callId, entry)); // replaces the first contribution: old and new keys
      // a recount: the stream's clock on the stream's own node, then the call applied again
      result(new io.calltrack.core.rollup.RollupRecount(api, rollups).run(property.id(), null, null));

      RedisCallbackStore callbacks = new RedisCallbackStore(api, clock, RedisCallbackStore.Limits.DEFAULT);
      result(callbacks.request(Callback.requested(RedisCallbackStore.newId(property.id()), property.id(),
          "+13125550123", first.sessionId(), null, clock.instant()), "192.0.2.1"));
      // a router claims it, holds it while calling, lets it wait for a retry, claims it again and
      // finishes it; a second one is erased with its phone
      Callback claimed = result(callbacks.claim(property.id(), "router-1", Duration.ofSeconds(60), 1)).orElseThrow();
      result(callbacks.hold(claimed.attempt("c1", clock.instant()), "router-1", Duration.ofSeconds(60), true));
      result(callbacks.reschedule(claimed.failedAttempt(io.calltrack.core.callback.CallbackState.RETRY_WAIT,
          clock.instant(), "busy"), "router-1"));
      Callback again = result(callbacks.claim(property.id(), "router-1", Duration.ofSeconds(60), 1)).orElseThrow();
      result(callbacks.finish(again.ended(io.calltrack.core.callback.CallbackState.COMPLETED, clock.instant(), "done"),
          "router-1"));
      result(callbacks.request(Callback.requested(RedisCallbackStore.newId(property.id()), property.id(),
          "+13125550124", null, null, clock.instant()), null));
      result(callbacks.erasePhone(property.id(), "+13125550124"));
      // a missed call's callback, cancelled: its caller got through
      result(callbacks.request(Callback.forMissedCall(property.id(), "+13125550126", null, "c-missed", clock.instant()),
          null));
      result(callbacks.cancelMissedCallbacks(property.id(), "+13125550126", "answered"));
      // one asked from v5's visit: erased with v5 below
      result(callbacks.request(Callback.requested(RedisCallbackStore.newId(property.id()), property.id(),
          "+13125550125", last.sessionId(), null, clock.instant()), "v5", "192.0.2.1", Duration.ofDays(1),
          io.calltrack.core.callback.CallbackSettings.DEFAULT));

      // a call of the old single {calls} layout, moved into its property's shard
      String oldCall = TestRedis.uniqueId("old-call");
      result(api.hset(List.of(io.calltrack.core.calls.CallsMigration.oldKey(oldCall), "seq", "1", "record",
          io.calltrack.core.json.JsonMapper.write(CallRecord.started(oldCall, oldCall + "@sip", first.number(),
              "+15055550101", property.id(), start)))));
      result(api.zadd(List.of(io.calltrack.core.calls.CallsMigration.OLD_INDEX, "0",
          String.format("%013d|%s", start.toEpochMilli(), oldCall))));
      if (result(new io.calltrack.core.calls.CallsMigration(api).run()).copied() < 1) {
        throw new AssertionError("the migration workload copied nothing");
      }

      // alerts and webhooks (issue 14): an episode observed, the webhook dispatcher's lock taken and given up
      io.calltrack.core.alerts.AlertEpisodes episodes = new io.calltrack.core.alerts.AlertEpisodes(redis);
      result(episodes.observe(property.id(), "pool.exhausted:" + pool.id(), true, clock.instant(), Duration.ZERO));
      result(episodes.observe(property.id(), "pool.exhausted:" + pool.id(), false, clock.instant(), Duration.ZERO));
      io.calltrack.core.webhooks.WebhookSender sender =
          new io.calltrack.core.webhooks.WebhookSender(vertx, clock, Duration.ofMillis(10), Duration.ofMillis(10));
      io.calltrack.core.webhooks.CallWebhookDispatcher dispatcher = new io.calltrack.core.webhooks.CallWebhookDispatcher(
          vertx, redis, new io.calltrack.core.marketing.SettingsStore(redis), sender,
          () -> io.vertx.core.Future.succeededFuture(List.of()));
      result(dispatcher.holdLock());
      result(dispatcher.releaseLock());
      result(dispatcher.initEventsCursors(List.of(io.calltrack.core.calls.RedisCallStore.eventsStream(property.id()))));
      // a GA4 event claimed for a call (sent nowhere that answers: the claim is what runs here)
      com.fasterxml.jackson.databind.JsonNode gaCall = io.calltrack.core.json.JsonMapper.tree(
          "{\"callId\":\"c-ga\",\"attribution\":{\"gaClientId\":\"1.2\"}}");
      result(new io.calltrack.core.webhooks.CallEventForwarder(api, sender).forward(
          new io.calltrack.core.marketing.PropertySettings(null, null, null, null, null, null,
              new io.calltrack.core.marketing.PropertySettings.Analytics("G-CLUSTER1", "secret-cluster", "http://127.0.0.1:9/mp")),
          property.id(), "c-ga", "ended", gaCall, null, clock.instant(), null));
      sender.close();

      result(new SpendStore(redis).replaceDays(property.id(),
          List.of(new SpendRow(LocalDate.parse("2026-11-20"), "google", "cpc", "winter", 1000),
              new SpendRow(LocalDate.parse("2026-11-21"), "google", "cpc", "winter", 500))));
      result(new SpendStore(redis).replaceSourceDays(property.id(), "bing", "cpc",
          List.of(new SpendRow(LocalDate.parse("2026-11-20"), "bing", "cpc", "winter", 300))));

      // assign limits: admit (and reserve), then settle the reservation into the lease
      io.calltrack.core.abuse.AssignLimiter limiter = new io.calltrack.core.abuse.AssignLimiter(api, clock);
      var admitted = result(limiter.admit(property.id(), "203.0.113.9", io.calltrack.core.config.AssignLimits.DEFAULT));
      result(limiter.settle(property.id(), "203.0.113.9", admitted.reservation(), last.sessionId(),
          last.leaseExpiresAt()));
      // privacy: erasure of a visitor (indexed by the assigns above) and of a caller
      var sessions = new io.calltrack.core.privacy.RedisSessionRetention(api);
      var eraser = new io.calltrack.core.privacy.Eraser(api, calls, config, sessions, callbacks);
      result(eraser.eraseVisitor("v5"));
      // the call queued for transcription, leased, failed once, then done with
      var transcriptions = new io.calltrack.core.conversation.TranscriptionQueue(api, clock);
      result(transcriptions.offer(property.id(), callId));
      result(transcriptions.claim(property.id(), 4));
      result(transcriptions.retry(property.id(), callId, "the service answered 503"));
      result(transcriptions.finish(property.id(), callId));
      // a transcript kept beside the call, which the caller's erasure then takes
      result(new io.calltrack.core.conversation.Transcripts(api).put(property.id(), callId,
          io.calltrack.core.conversation.Transcripts.write(new io.calltrack.core.conversation.Transcript(List.of(
              new io.calltrack.core.conversation.Transcript.Segment(io.calltrack.core.conversation.Transcript.Speaker.CALLER,
                  BigDecimal.ONE, "a quote please")), null))));
      result(eraser.eraseCaller("+15055550100"));
      // API keys: issue, check (its use recorded), revoke
      var apiKeys = new io.calltrack.core.auth.ApiKeys(redis, clock);
      var issued = result(apiKeys.create(property.id(), io.calltrack.core.auth.ApiKey.Scope.read, "audit"));
      if (!(result(apiKeys.authenticate(issued.key())) instanceof io.calltrack.core.auth.ApiKeys.Valid)
          || !result(apiKeys.revoke(issued.record().id()))) {
        throw new AssertionError("the API key workload did not issue, find and revoke its key");
      }
    } finally {
      result(config.close());
    }
  }
}
