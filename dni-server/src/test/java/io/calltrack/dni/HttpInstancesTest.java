package io.calltrack.dni;

import static io.calltrack.dni.testing.DniClient.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.calltrack.core.testing.TestRedis;
import io.calltrack.dni.testing.DniClient;
import io.calltrack.dni.testing.DniClient.Reply;
import io.calltrack.dni.testing.DniTestBase;
import io.calltrack.dni.testing.TestNumbers;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * CALLTRACK_HTTP_INSTANCES: a server of two HTTP verticles (each its own event loop, Redis client
 * and engine) on one port keeps the pool contract — 2,000 visitors at once on 500 numbers over many
 * connections get 500 distinct numbers and 1,500 fallbacks — and closing it frees the port.
 */
class HttpInstancesTest extends DniTestBase {

  @Test
  void twoInstancesOnOnePortKeepThePoolContract() throws Exception {
    Set<String> before = new HashSet<>(vertx.deploymentIDs());
    DniServer two = await(DniServer.start(vertx, options(TestRedis.url()).withInstances(2)));
    int port = two.port();
    try {
      assertEquals(2, two.instances());
      assertEquals(1, vertx.deploymentIDs().size() - before.size(), "one deployment of two verticles");
      DniClient client = clientFor(two, 32);
      Site site = site(client, 500, 300, 1800, "fallback");
      List<Future<Reply>> replies = new ArrayList<>();
      for (int i = 0; i < 2000; i++) {
        replies.add(client.assignAsync(assignBody(site.property(), "visitor-" + i)));
      }
      await(Future.all(replies));
      Set<String> leased = new HashSet<>();
      int leases = 0;
      int fallbacks = 0;
      for (Future<Reply> f : replies) {
        Reply r = f.result();
        assertEquals(200, r.status(), r::toString);
        JsonObject a = r.json();
        if (a.getBoolean("fallback")) {
          fallbacks++;
        } else {
          leases++;
          leased.add(a.getString("number"));
        }
      }
      assertEquals(500, leases);
      assertEquals(500, leased.size(), "never one number leased twice");
      assertEquals(1500, fallbacks);
    } finally {
      await(two.close());
    }
    assertEquals(before, new HashSet<>(vertx.deploymentIDs()), "every verticle undeployed");
    // nothing listens on the port any more: the next server can bind it (a listener would refuse the
    // bind). Not a connect: one from the ephemeral range can, rarely, reach itself (TCP's simultaneous
    // open); that, or a listener left open, failed this test once in a full suite run
    try (java.net.ServerSocket again = new java.net.ServerSocket()) {
      again.setReuseAddress(true);
      again.bind(new InetSocketAddress("127.0.0.1", port));
    }
  }

  /**
   * Read-your-writes across the instances of one server: a property changed through one connection
   * (one instance) is what an assign through another connection (the other instance: Vert.x hands
   * connections out in turn) answers with right after, though that instance had it cached.
   */
  @Test
  void aConfigWriteThroughOneInstanceIsReadByAnAssignThroughTheOther() {
    DniServer two = await(DniServer.start(vertx, options(TestRedis.url()).withInstances(2)));
    try {
      DniClient writer = clientFor(two, 1);
      DniClient reader = clientFor(two, 1);
      String property = TestRedis.uniqueId("prop");
      Reply first = writer.adminPut("/v1/properties/" + property, propertyBody(TestNumbers.one(), ORIGIN));
      assertEquals(200, first.status(), first::toString);
      for (int i = 0; i < 20; i++) {
        // read (and cached) by the reader's instance before the write
        assertEquals(200, reader.assign(assignBody(property, null)).status());
        String printed = TestNumbers.one();
        Reply put = writer.adminPut("/v1/properties/" + property, propertyBody(printed, ORIGIN));
        assertEquals(200, put.status(), put::toString);
        // no pool: the answer is the property's default number, as the instance reads it
        Reply a = reader.assign(assignBody(property, null));
        assertEquals(200, a.status(), a::toString);
        assertEquals(printed, a.json().getString("number"), "write " + i + " seen by the next assign");
      }
    } finally {
      await(two.close());
    }
  }
}
