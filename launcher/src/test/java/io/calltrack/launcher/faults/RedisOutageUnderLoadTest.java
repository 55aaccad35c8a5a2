package io.calltrack.launcher.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.CallStatus;
import io.calltrack.core.calls.RedisCallStore;
import io.calltrack.localredis.EmbeddedRedis;
import io.calltrack.core.redis.RedisClientFactory;
import io.calltrack.core.testing.Await;
import io.calltrack.core.testing.TestNumbers;
import io.calltrack.dni.DniServer;
import io.calltrack.dni.DniServerOptions;
import io.calltrack.sip.SipRouter;
import io.calltrack.sip.SipRouterOptions;
import io.calltrack.sip.testing.SipPhone;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import javax.sip.message.Request;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Redis (a real redis-server process with an append-only file) stopped for 10 s while visitors ask
 * for numbers and callers call them, then started again. Meanwhile visitors get the default number
 * ({@code fallback: true}) and every call connects (routing from memory, records to the router's
 * spool). Afterwards every call's record is there exactly once, with its four events on the stream
 * once each, attributed to the visitor's lease, and the ROI rollups equal a recount from the records.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class RedisOutageUnderLoadTest {
  static final String TOKEN = "outage-admin-token-0123456789";
  static final Duration OUTAGE = Duration.ofSeconds(10);
  static final Duration WAIT = Duration.ofSeconds(30);
  static final List<String> SOURCES = List.of("google", "bing", "facebook");
  static final int VISITORS = 12;

  @TempDir Path dir;

  private DniHttp http;

  @Test
  void tenSecondsWithoutRedisUnderLoad() throws Exception {
    EmbeddedRedis redis = EmbeddedRedis.start(0, dir.resolve("redis"));
    Vertx vertx = Vertx.vertx();
    SipPhone line = SipPhone.start("outage-line");
    SipPhone caller = SipPhone.start("outage-caller");
    DniServer dni = null;
    SipRouter router = null;
    try {
      dni = Await.result(DniServer.start(vertx, DniServerOptions.of(redis.url(), TOKEN)));
      http = new DniHttp(dni.port(), TOKEN, "https://outage.example");
      String property = "outage-" + Long.toHexString(System.nanoTime());
      String printed = TestNumbers.fresh().e164();
      JsonArray numbers = new JsonArray();
      for (int i = 0; i < VISITORS * 2; i++) {
        numbers.add(TestNumbers.fresh().e164());
      }
      http.admin("PUT", "/v1/properties/" + property, new JsonObject().put("name", "Outage test")
          .put("allowedOrigins", new JsonArray().add("https://outage.example"))
          .put("swapNumbers", new JsonArray().add(printed)).put("defaultNumber", printed)
          .put("businessLine", line.uri("+15559990000", "udp")).put("timezone", "UTC")
          // one test client plays many visitors from one address: no per-address assign limits here
          .put("assignLimits", new JsonObject().put("liveLeases", Integer.MAX_VALUE).put("liveLeasesHard", Integer.MAX_VALUE).put("perMinute", Integer.MAX_VALUE).put("perMinuteHard", Integer.MAX_VALUE).put("leaseToAutomatedClients", true)));
      http.admin("PUT", "/v1/pools/" + property + "-web", new JsonObject().put("property", property)
          .put("numbers", numbers).put("leaseSeconds", 1800).put("holdSeconds", 1800).put("onExhausted", "fallback"));
      router = Await.result(SipRouter.start(vertx, new SipRouterOptions("127.0.0.1", EmbeddedRedis.freePort(),
          List.of("127.0.0.0/8"), redis.url(), dir.resolve("router"), new SimpleMeterRegistry(), Clock.systemUTC(),
          Duration.ofSeconds(10))));
      Redis client = RedisClientFactory.create(vertx, redis.url());
      RedisAPI api = RedisAPI.api(client);

      // half the visitors arrive before the outage and keep their numbers
      Map<String, String> numberOf = new HashMap<>();
      List<String> visitors = new ArrayList<>();
      for (int v = 0; v < VISITORS; v++) {
        visitors.add("outage-visitor-" + v);
      }
      for (int v = 0; v < VISITORS / 2; v++) {
        JsonObject a = assign(property, visitors.get(v));
        assertFalse(a.getBoolean("fallback"), a::encode);
        numberOf.put(visitors.get(v), a.getString("number"));
      }
      SipRouter r = router;
      for (String n : numberOf.values()) {
        Await.until(WAIT, () -> r.routes(io.calltrack.core.phone.PhoneNumber.parse(n)));
      }
      // the AOF (fsync every second) takes the configuration and the leases before Redis goes
      Await.result(api.bgrewriteaof());
      Await.until(WAIT, () -> {
        String info = Await.result(api.info(List.of("persistence"))).toString();
        return info.contains("aof_rewrite_in_progress:0") && info.contains("aof_rewrite_scheduled:0");
      });

      List<String> placed = new ArrayList<>();
      int k = 0;
      // before: a few calls
      for (; k < 10; k++) {
        placed.add(callAndHangUp(caller, router, numberOf, visitors, k));
        assign(property, visitors.get(k % (VISITORS / 2))); // page views of returning visitors
      }
      redis.stop();
      Instant down = Instant.now();
      int fallbacks = 0;
      int duringOutage = 0;
      while (Duration.between(down, Instant.now()).compareTo(OUTAGE) < 0) {
        placed.add(callAndHangUp(caller, router, numberOf, visitors, k++));
        duringOutage++;
        // a new visitor or a returning one: both get the default number while Redis is away
        String visitor = visitors.get(VISITORS / 2 + duringOutage % (VISITORS / 2));
        JsonObject a = assign(property, visitor);
        assertTrue(a.getBoolean("fallback"), a::encode);
        assertEquals(printed, a.getString("number"), a::encode);
        fallbacks++;
      }
      assertTrue(router.spoolDepth() > 0, "calls during the outage went to the spool");
      redis.start();
      // after: the rest of the visitors arrive, the earlier ones still have their numbers
      for (int v = VISITORS / 2; v < VISITORS; v++) {
        String visitor = visitors.get(v);
        JsonObject a = Await.until(WAIT, () -> assignQuietly(property, visitor), x -> x != null && !x.getBoolean("fallback"));
        numberOf.put(visitor, a.getString("number"));
        Await.until(WAIT, () -> r.routes(io.calltrack.core.phone.PhoneNumber.parse(a.getString("number"))));
      }
      for (int v = 0; v < VISITORS / 2; v++) {
        JsonObject a = assign(property, visitors.get(v));
        assertEquals(numberOf.get(visitors.get(v)), a.getString("number"), "a lease lost in the outage");
      }
      assertEquals(VISITORS, new HashSet<>(numberOf.values()).size(), "a number leased twice: " + numberOf);
      for (int end = k + 10; k < end; k++) {
        placed.add(callAndHangUp(caller, router, numberOf, visitors, k));
      }
      Await.until(WAIT, () -> r.spoolDepth() == 0);

      // every call's record once, finished, attributed to the lease its number was under
      RedisCallStore store = new RedisCallStore(client);
      Map<String, List<CallRecord>> bySip = new HashMap<>();
      Await.until(WAIT, () -> {
        bySip.clear();
        for (CallRecord c : StoredCalls.all(store)) {
          if (property.equals(c.property())) {
            bySip.computeIfAbsent(c.sipCallId(), x -> new ArrayList<>()).add(c);
          }
        }
        return bySip.keySet().containsAll(placed)
            && bySip.values().stream().flatMap(List::stream).allMatch(CallRecord::finished);
      });
      assertEquals(new HashSet<>(placed), bySip.keySet());
      List<CallRecord> records = new ArrayList<>();
      for (String id : placed) {
        assertEquals(1, bySip.get(id).size(), () -> "records of " + id + ": " + bySip.get(id));
        CallRecord c = bySip.get(id).get(0);
        assertEquals(CallStatus.ANSWERED, c.status(), c::toString);
        assertEquals("lease", c.resolution(), c::toString);
        records.add(c);
      }
      assertEventsOnceAndInOrder(api, property, records);

      // the rollups, fed from the stream, equal a recount from the records
      String day = records.get(0).startedAt().atZone(ZoneOffset.UTC).toLocalDate().toString();
      Map<String, long[]> recount = recount(records);
      String query = "/v1/reports/roi?groupBy=source&property=" + property + "&from=" + day + "&to=" + day;
      JsonObject report = Await.until(WAIT, () -> reportQuietly(query),
          rep -> rep != null && rep.getJsonObject("total").getLong("calls") == records.size());
      Map<String, long[]> rolled = new TreeMap<>();
      for (Object o : report.getJsonArray("rows")) {
        JsonObject row = (JsonObject) o;
        rolled.put(String.valueOf(row.getString("source")), new long[] {row.getLong("calls"),
            row.getLong("answered"), row.getLong("missed"), row.getLong("uniqueCallers")});
      }
      assertEquals(toString(recount), toString(rolled), "rollups vs a recount of the records");
      JsonObject total = report.getJsonObject("total");
      assertEquals(records.size(), total.getLong("answered"));
      assertEquals(0, total.getLong("missed"));
      System.out.printf("outage test: %d calls (%d during the %d s outage), %d fallback assigns, all connected%n",
          placed.size(), duringOutage, OUTAGE.toSeconds(), fallbacks);
    } finally {
      caller.close();
      line.close();
      if (router != null) {
        Await.result(router.close());
      }
      if (dni != null) {
        Await.result(dni.close());
      }
      Await.result(vertx.close());
      redis.stop();
    }
  }

  /** One call from caller k to the number of one of the visitors that have one; answered and hung up. */
  private static String callAndHangUp(SipPhone caller, SipRouter router, Map<String, String> numberOf,
      List<String> visitors, int k) {
    List<String> withNumbers = visitors.stream().filter(numberOf::containsKey).toList();
    String number = numberOf.get(withNumbers.get(k % withNumbers.size()));
    String from = String.format("+1555777%04d", k % 7);
    String callId = caller.call("sip:" + number + "@127.0.0.1:" + router.port(), router.port(), "udp", from, null);
    caller.awaitResponseFor(callId, Request.INVITE, 200, WAIT); // every call connects
    caller.byeFor(callId);
    caller.awaitResponseFor(callId, Request.BYE, 200, WAIT);
    return callId;
  }

  /** Per source: calls, answered, missed, unique callers. */
  private static Map<String, long[]> recount(List<CallRecord> records) {
    Map<String, List<CallRecord>> bySource = new TreeMap<>();
    for (CallRecord c : records) {
      String source = c.attribution() == null ? "null" : String.valueOf(c.attribution().source());
      bySource.computeIfAbsent(source, x -> new ArrayList<>()).add(c);
    }
    Map<String, long[]> out = new TreeMap<>();
    bySource.forEach((source, calls) -> {
      Set<String> callers = new HashSet<>();
      calls.forEach(c -> callers.add(c.caller()));
      out.put(source, new long[] {calls.size(), calls.stream().filter(c -> c.status() == CallStatus.ANSWERED).count(),
          calls.stream().filter(c -> c.status() != CallStatus.ANSWERED && c.endedAt() != null).count(), callers.size()});
    });
    return out;
  }

  private static String toString(Map<String, long[]> m) {
    StringBuilder b = new StringBuilder();
    m.forEach((k, v) -> b.append(k).append('=').append(java.util.Arrays.toString(v)).append(' '));
    return b.toString();
  }

  /**
   * Each call's events on the stream: each once, seq rising from 0 (started) to 3 (ended); a ringing or
   * answered event still waiting for the write before it is taken over by the next one (its seq absent).
   */
  private static void assertEventsOnceAndInOrder(RedisAPI api, String property, List<CallRecord> records) {
    Set<String> ours = new HashSet<>();
    records.forEach(c -> ours.add(c.callId()));
    Response entries = Await.result(api.xrange(List.of(RedisCallStore.eventsStream(property), "-", "+")));
    Map<String, List<Integer>> seqs = new HashMap<>();
    Map<String, List<String>> types = new HashMap<>();
    for (Response entry : entries) {
      Response fields = entry.get(1);
      Map<String, String> f = new HashMap<>();
      for (int i = 0; i + 1 < fields.size(); i += 2) {
        f.put(fields.get(i).toString(), fields.get(i + 1).toString());
      }
      if (ours.contains(f.get("callId")) && f.get("seq") != null) {
        seqs.computeIfAbsent(f.get("callId"), x -> new ArrayList<>()).add(Integer.parseInt(f.get("seq")));
        types.computeIfAbsent(f.get("callId"), x -> new ArrayList<>()).add(f.get("type"));
      }
    }
    assertEquals(ours, seqs.keySet());
    seqs.forEach((id, s) -> {
      List<String> t = types.get(id);
      assertEquals(0, s.get(0), "events of " + id + ": " + s);
      assertEquals(3, s.get(s.size() - 1), "events of " + id + ": " + s);
      for (int i = 1; i < s.size(); i++) {
        assertTrue(s.get(i) > s.get(i - 1), "events of " + id + " once and in order: " + s);
      }
      assertEquals("started", t.get(0), "events of " + id + ": " + t);
      assertEquals("ended", t.get(t.size() - 1), "events of " + id + ": " + t);
    });
  }

  private JsonObject reportQuietly(String query) {
    try {
      HttpResponse<String> r = http.send("GET", query, null, true);
      return r.statusCode() == 200 ? new JsonObject(r.body()) : null;
    } catch (IOException | InterruptedException e) {
      return null;
    }
  }

  private JsonObject assignQuietly(String property, String visitor) {
    try {
      return assign(property, visitor);
    } catch (IOException | InterruptedException e) {
      return null;
    }
  }

  private JsonObject assign(String property, String visitor) throws IOException, InterruptedException {
    int n = Integer.parseInt(visitor.substring(visitor.lastIndexOf('-') + 1));
    HttpResponse<String> r = http.send("POST", "/v1/assign", new JsonObject().put("property", property)
        .put("visitorId", visitor)
        .put("page", new JsonObject().put("url", "https://outage.example/?utm_source=" + SOURCES.get(n % SOURCES.size()))
            .put("referrer", ""))
        .put("attribution", new JsonObject().put("source", SOURCES.get(n % SOURCES.size())))
        .encode(), false);
    assertEquals(200, r.statusCode(), () -> "assign: " + r.body()); // never a 5xx, Redis or not
    return new JsonObject(r.body());
  }
}
