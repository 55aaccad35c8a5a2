package io.calltrack.dni;

import static io.calltrack.dni.testing.DniClient.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.calltrack.dni.testing.DniClient.Reply;
import io.calltrack.dni.testing.DniTestBase;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 2's "Done when": a property and a 50-number pool; 200 visitors get exactly 50 distinct
 * numbers and 150 fallbacks; a repeat visitor keeps its number; the pool endpoint reports 50 leased;
 * after lease and hold run out every number is free again.
 */
class DoneWhenScenarioTest extends DniTestBase {
  private static final int LEASE = 120;
  private static final int HOLD = 1800;

  @Test
  void fiftyNumbersTwoHundredVisitors() {
    Site site = site(api, 50, LEASE, HOLD, "fallback");

    List<Future<Reply>> replies = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      replies.add(api.assignAsync(assignBody(site.property(), "visitor-" + i)));
    }
    await(Future.all(replies));
    Map<String, String> numberOfVisitor = new HashMap<>();
    int fallbacks = 0;
    for (Future<Reply> f : replies) {
      assertEquals(200, f.result().status(), f.result()::toString);
      JsonObject a = f.result().json();
      if (a.getBoolean("fallback")) {
        fallbacks++;
        assertEquals(site.defaultNumber(), a.getString("number"));
      } else {
        numberOfVisitor.put(a.getString("visitorId"), a.getString("number"));
      }
    }
    assertEquals(50, numberOfVisitor.size());
    assertEquals(50, new java.util.HashSet<>(numberOfVisitor.values()).size(), "50 distinct numbers");
    assertEquals(150, fallbacks);

    var repeat = numberOfVisitor.entrySet().iterator().next();
    clock.advance(Duration.ofSeconds(30));
    JsonObject again = api.assign(assignBody(site.property(), repeat.getKey())).json();
    assertFalse(again.getBoolean("fallback"));
    assertEquals(repeat.getValue(), again.getString("number"), "a repeat visitor keeps its number");

    JsonObject pool = api.adminGet("/v1/pools/" + site.poolId()).json();
    assertEquals(50, pool.getInteger("size"));
    assertEquals(50, pool.getInteger("leased"));
    assertEquals(0, pool.getInteger("free"));
    assertEquals(150, pool.getLong("exhausted"));

    clock.advance(Duration.ofSeconds(LEASE + 1));
    JsonObject afterLease = api.adminGet("/v1/pools/" + site.poolId()).json();
    assertEquals(0, afterLease.getInteger("leased"), "every lease ran out");
    assertEquals(50, afterLease.getInteger("holding"), "and every number is held for late callers");

    clock.advance(Duration.ofSeconds(HOLD + 1));
    JsonObject afterHold = api.adminGet("/v1/pools/" + site.poolId()).json();
    assertEquals(50, afterHold.getInteger("free"), "every number is free again");
    assertEquals(0, afterHold.getInteger("leased"));
    assertEquals(0, afterHold.getInteger("holding"));

    JsonObject newcomer = api.assign(assignBody(site.property(), "newcomer")).json();
    assertFalse(newcomer.getBoolean("fallback"));
  }
}
