package io.calltrack.dni.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.RedisCallStore;
import io.calltrack.core.rollup.RollupKeys;
import io.calltrack.core.testing.TestRedis;
import io.calltrack.core.testing.TestReplicaPair;
import io.calltrack.dni.DniServer;
import io.calltrack.dni.testing.DniClient;
import io.calltrack.dni.testing.DniClient.Reply;
import io.calltrack.dni.testing.DniTestBase;
import io.calltrack.dni.report.CallSeeder;
import io.calltrack.dni.testing.TestNumbers;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.LocalDate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The admin API with {@code CALLTRACK_REDIS_WAIT=1:2000} on a real master and replica: a change the
 * replica confirms answers as usual and is on the replica when it does; one it does not confirm (the
 * replica stopped) answers 503 {@code not_replicated} after the 2 s (a shorter wait failed a change
 * the replica was not stopped for, on a host busy with the rest of the suite), saying to send it again, and sending it again
 * once the replica is back makes it: configuration, API keys, spend, outcomes, marketing settings and
 * erasures, every admin write.
 */
class ReplicatedAdminWritesTest extends DniTestBase {
  static TestReplicaPair pair;

  @BeforeAll
  static void startPair() {
    pair = TestReplicaPair.start();
  }

  @AfterAll
  static void stopPair() {
    if (pair != null) {
      pair.close();
    }
  }

  @Test
  void aChangeNoReplicaConfirmedIs503AndSentAgainItIsMade() {
    DniServer durable = extraServer(pair.masterUrl() + "|wait=1:2000");
    DniClient admin = clientFor(durable, 1);
    String prop = TestRedis.uniqueId("prop");
    String printed = TestNumbers.block(1).get(0);
    Reply made = admin.adminPut("/v1/properties/" + prop, propertyBody(printed, ORIGIN));
    assertEquals(200, made.status(), made::toString);
    assertTrue(pair.cli(pair.replicaPort(), "HGET", "{cfg}:properties", prop).contains(prop));

    String pool = TestRedis.uniqueId("pool");
    JsonObject poolBody = poolBody(prop, TestNumbers.block(2), 120, 1800, "fallback");
    Reply key = admin.request(HttpMethod.POST, "/v1/api-keys",
        DniClient.body(new JsonObject().put("property", prop).put("scope", "read").put("name", "ci")), admin.admin());
    assertEquals(201, key.status(), key::toString);
    String visitor = admin.assign(assignBody(prop, null)).json().getString("visitorId");
    CallRecord call = new CallSeeder(vertx, pair.masterUrl()).call(prop, io.calltrack.core.testing.TestNumbers.fresh(), "+14155550123",
        Instant.parse("2026-03-02T10:00:00Z"), CallSeeder.source("google", "cpc"), 30);
    JsonArray spend = new JsonArray().add(new JsonObject().put("date", "2026-03-02").put("source", "google")
        .put("medium", "cpc").put("campaign", "brand").put("amount", "50.00"));
    JsonObject outcome = new JsonObject().put("converted", true).put("value", "120.00");
    pair.freezeReplica();
    try {
      notReplicated(admin.adminPut("/v1/pools/" + pool, poolBody));
      notReplicated(admin.adminPut("/v1/numbers/" + TestNumbers.block(1).get(0),
          new JsonObject().put("property", prop).put("source", "yellow-pages").put("medium", "print")));
      notReplicated(admin.request(HttpMethod.POST, "/v1/api-keys",
          DniClient.body(new JsonObject().put("property", prop).put("scope", "read").put("name", "ci")), admin.admin()));
      notReplicated(admin.request(HttpMethod.DELETE, "/v1/api-keys/" + key.json().getString("id"), null, admin.admin()));
      // money: what the ROI reports are made of
      notReplicated(admin.adminPut("/v1/spend?property=" + prop, spend));
      notReplicated(admin.request(HttpMethod.POST, "/v1/calls/" + call.callId() + "/outcome",
          DniClient.body(outcome), admin.admin()));
      notReplicated(admin.request(HttpMethod.POST, "/v1/outcomes",
          Buffer.buffer(call.callId() + ",true,true,80.00\n"), admin.admin().set("content-type", "text/csv")));
      notReplicated(admin.adminPut("/v1/properties/" + prop + "/marketing", new JsonObject().put("currency", "USD")));
      // an erasure: many writes, then one barrier on each master
      notReplicated(admin.request(HttpMethod.DELETE, "/v1/visitors/" + visitor, null, admin.admin()));
    } finally {
      pair.thawReplica();
    }
    Reply again = admin.adminPut("/v1/pools/" + pool, poolBody);
    assertEquals(200, again.status(), again::toString);
    assertTrue(pair.cli(pair.replicaPort(), "HGET", "{cfg}:pools", pool).contains(pool));
    Reply assigned = admin.assign(assignBody(prop, null));
    assertEquals(200, assigned.status(), assigned::toString);
    assertTrue(poolBody.getJsonArray("numbers").contains(assigned.json().getString("number")), assigned::toString);
    Reply spent = admin.adminPut("/v1/spend?property=" + prop, spend);
    assertEquals(200, spent.status(), spent::toString);
    assertTrue(pair.cli(pair.replicaPort(), "HGETALL", new RollupKeys(prop).spend(LocalDate.parse("2026-03-02")))
        .contains("5000"));
    Reply valued = admin.request(HttpMethod.POST, "/v1/calls/" + call.callId() + "/outcome",
        DniClient.body(outcome), admin.admin());
    assertEquals(200, valued.status(), valued::toString);
    String record = pair.cli(pair.replicaPort(), "HGETALL", RedisCallStore.key(prop, call.callId()));
    assertTrue(record.contains("120.00"), record);
    Reply erased = admin.request(HttpMethod.DELETE, "/v1/visitors/" + visitor, null, admin.admin());
    assertEquals(200, erased.status(), erased::toString);
  }

  private static void notReplicated(Reply r) {
    assertEquals(503, r.status(), r::toString);
    assertEquals("not_replicated", r.error(), r::toString);
    assertTrue(r.json().getString("detail").contains("0 of 1 replicas"), r::toString);
    assertTrue(r.json().getString("detail").contains("send the same request again"), r::toString);
  }
}
