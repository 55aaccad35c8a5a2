package io.calltrack.dni;

import static io.calltrack.dni.testing.DniClient.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.calltrack.core.testing.TestRedis;
import io.calltrack.dni.testing.DniClient;
import io.calltrack.dni.testing.DniClient.Reply;
import io.calltrack.dni.testing.DniTestBase;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Leases live in Redis: a restarted dni-server carries on with the same numbers and sessions. */
class RestartTest extends DniTestBase {

  @Test
  void leasesSurviveARestart() {
    DniServer first = startServer(TestRedis.url());
    JsonObject before;
    Site site;
    try (DniClient c = new DniClient(vertx, first.port(), TOKEN)) {
      site = site(c, 5, 120, 600, "fallback");
      before = c.assign(assignBody(site.property(), "loyal")).json();
      assertFalse(before.getBoolean("fallback"));
    } finally {
      await(first.close());
    }

    clock.advance(Duration.ofSeconds(60));
    DniServer second = extraServer(TestRedis.url());
    DniClient c = clientFor(second, 4);
    Reply hb = c.post("/v1/sessions/" + before.getString("sessionId") + "/heartbeat", null);
    assertEquals(200, hb.status(), hb::toString);

    JsonObject after = c.assign(assignBody(site.property(), "loyal")).json();
    assertFalse(after.getBoolean("fallback"));
    assertEquals(before.getString("number"), after.getString("number"), "same visitor, same number");
    assertEquals(1, c.adminGet("/v1/pools/" + site.poolId()).json().getInteger("leased"));
  }
}
