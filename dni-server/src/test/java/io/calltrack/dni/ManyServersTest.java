package io.calltrack.dni;

import static io.calltrack.dni.testing.DniClient.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.calltrack.core.testing.TestRedis;
import io.calltrack.dni.testing.DniClient;
import io.calltrack.dni.testing.DniClient.Reply;
import io.calltrack.dni.testing.DniTestBase;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The pool contract over HTTP with several servers on one Redis: 2,000 visitors at once on a
 * 500-number pool through three dni-servers get exactly 500 distinct numbers, never one number
 * twice, and 1,500 fallbacks.
 */
class ManyServersTest extends DniTestBase {

  @Test
  void twoThousandConcurrentAssignsOnThreeServers() {
    List<DniClient> clients = List.of(
        clientFor(server, 16),
        clientFor(extraServer(TestRedis.url()), 16),
        clientFor(extraServer(TestRedis.url()), 16));
    Site site = site(clients.get(0), 500, 300, 1800, "fallback");

    List<Future<Reply>> replies = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      replies.add(clients.get(i % 3).assignAsync(assignBody(site.property(), "visitor-" + i)));
    }
    await(Future.all(replies));

    List<String> leased = new ArrayList<>();
    int fallbacks = 0;
    for (Future<Reply> f : replies) {
      Reply r = f.result();
      assertEquals(200, r.status(), r::toString);
      JsonObject a = r.json();
      if (a.getBoolean("fallback")) {
        fallbacks++;
        assertEquals(site.defaultNumber(), a.getString("number"));
      } else {
        leased.add(a.getString("number"));
      }
    }
    Set<String> distinct = new HashSet<>(leased);
    assertEquals(500, leased.size(), "exactly the pool's size leased");
    assertEquals(500, distinct.size(), "never one number leased twice");
    assertEquals(Set.copyOf(site.numbers()), distinct);
    assertEquals(1500, fallbacks);

    JsonObject pool = clients.get(2).adminGet("/v1/pools/" + site.poolId()).json();
    assertEquals(500, pool.getInteger("leased"));
    assertEquals(0, pool.getInteger("free"));
    assertEquals(1500, pool.getLong("exhausted"));
  }
}
