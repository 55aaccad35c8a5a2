package io.calltrack.dni;

import static io.calltrack.core.testing.Await.result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.config.RedisConfigStore;
import io.calltrack.core.pool.RedisPoolEngine;
import io.calltrack.core.pool.Session;
import io.calltrack.core.redis.RedisClientFactory;
import io.calltrack.core.testing.TestRedis;
import io.calltrack.dni.testing.DniClient;
import io.calltrack.dni.testing.DniClient.Reply;
import io.calltrack.dni.testing.DniTestBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The evidence beacon through a real server: recorded on a live session, refused or ignored otherwise. */
class EvidenceApiTest extends DniTestBase {

  private Session session(String sessionId) {
    Redis redis = RedisClientFactory.create(vertx, TestRedis.url());
    try {
      return result(new RedisPoolEngine(vertx, redis, new RedisConfigStore(vertx, redis), clock)
          .session(sessionId)).orElseThrow();
    } finally {
      redis.close();
    }
  }

  private Reply beacon(String sessionId, String body) {
    // as navigator.sendBeacon sends it: text/plain
    return api.request(HttpMethod.POST, "/v1/sessions/" + sessionId + "/evidence", Buffer.buffer(body),
        DniClient.headers("content-type", "text/plain;charset=UTF-8"));
  }

  @Test
  void aTapOnALiveSessionIsRecordedAndTheTimeZoneFromAssignIsKept() {
    Site site = site(2);
    JsonObject body = assignBody(site.property(), "tapper").put("timeZone", "America/Chicago");
    String sessionId = api.assign(body).json().getString("sessionId");
    clock.advance(Duration.ofSeconds(20));
    Reply r = beacon(sessionId, "{\"kind\":\"tap\"}");
    assertEquals(204, r.status(), r::toString);
    Session s = session(sessionId);
    assertEquals(clock.instant(), s.evidence().tap());
    assertEquals("America/Chicago", s.timeZone());
    assertEquals(204, beacon(sessionId, "{\"kind\":\"hidden\"}").status());
    assertNotNull(session(sessionId).evidence().hidden());
  }

  @Test
  void badUnknownAndEndedBeaconsChangeNothing() {
    Site site = site(2);
    String sessionId = api.assign(assignBody(site.property(), "x").put("timeZone", "Not/AZone")).json()
        .getString("sessionId");
    assertNull(session(sessionId).timeZone(), "an unknown zone is dropped");
    Reply bad = beacon(sessionId, "{\"kind\":\"scroll\"}");
    assertEquals(400, bad.status(), bad::toString);
    assertTrue(bad.json().getString("detail").contains("kind must be one of"), bad::toString);
    assertEquals(400, beacon(sessionId, "not json").status());
    String poolId = sessionId.substring(0, sessionId.indexOf('.'));
    assertEquals(404, beacon(poolId + ".AAAAAAAAAAAAAAAAAAAAAA", "{\"kind\":\"tap\"}").status());
    assertEquals(400, beacon("no-dot", "{\"kind\":\"tap\"}").status());
    assertNull(session(sessionId).evidence().tap());

    clock.advance(Duration.ofHours(2)); // lease and 30-minute hold long over
    assertEquals(204, beacon(sessionId, "{\"kind\":\"tap\"}").status());
    assertNull(session(sessionId).evidence().tap(), "an ended session changes nothing");
  }

  /**
   * GA and the Meta Pixel write their cookies after the snippet's assign on a visitor's first page: the
   * ids beacon fills the session's attribution with them, never over ids the assign carried, and an
   * erasure of the visitor takes them.
   */
  @Test
  void analyticsIdsSentAfterTheAssignFillTheSessionsAttribution() {
    Site site = site(2);
    String sessionId = api.assign(assignBody(site.property(), "first-page")).json().getString("sessionId");
    assertNull(session(sessionId).attribution().gaClientId());
    Reply ids = beacon(sessionId, "{\"kind\":\"ids\",\"gaClientId\":\"55555.1764000000\",\"gaSessionId\":"
        + "\"1764000111\",\"fbp\":\"fb.1.1764000000999.42\"}");
    assertEquals(204, ids.status(), ids::toString);
    Session s = session(sessionId);
    assertEquals("55555.1764000000", s.attribution().gaClientId());
    assertEquals("1764000111", s.attribution().gaSessionId());
    assertEquals("fb.1.1764000000999.42", s.attribution().fbp());
    assertEquals("google", s.attribution().source(), "the touch is what the assign said");

    // a session whose assign carried its GA ids keeps them; only what it lacked is filled
    JsonObject withGa = assignBody(site.property(), "returning");
    withGa.getJsonObject("attribution").put("gaClientId", "111.222");
    String other = api.assign(withGa).json().getString("sessionId");
    assertEquals(204, beacon(other, "{\"kind\":\"ids\",\"gaClientId\":\"999.888\",\"fbp\":\"fb.1.1.2\"}").status());
    assertEquals("111.222", session(other).attribution().gaClientId());
    assertEquals("fb.1.1.2", session(other).attribution().fbp());

    Reply none = beacon(sessionId, "{\"kind\":\"ids\",\"gaClientId\":\"GA1.1.x\"}");
    assertEquals(400, none.status(), none::toString);
    assertTrue(none.json().getString("detail").contains("gaClientId"), none::toString);

    Reply erased = api.request(HttpMethod.DELETE, "/v1/visitors/first-page", null, api.admin());
    assertEquals(200, erased.status(), erased::toString);
    assertNull(session(sessionId).attribution().gaClientId(), "erased with the visitor");
    assertNull(session(sessionId).attribution().fbp());
  }
}
