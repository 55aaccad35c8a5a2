package io.calltrack.dni;

import static io.calltrack.dni.testing.DniClient.headers;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.testing.TestRedis;
import io.calltrack.dni.testing.DniClient.Reply;
import io.calltrack.dni.testing.DniTestBase;
import io.calltrack.dni.testing.TestNumbers;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** CORS on the snippet's endpoints follows each property's allowedOrigins, and nothing else. */
class CorsTest extends DniTestBase {
  private static final String STRANGER = "https://copycat.example";

  private Reply assignFrom(String origin, JsonObject body) {
    return api.post("/v1/assign", body, headers("content-type", "application/json", "origin", origin));
  }

  private Reply preflight(String path, String origin) {
    return api.request(HttpMethod.OPTIONS, path, null, headers("origin", origin,
        "access-control-request-method", "POST", "access-control-request-headers", "content-type"));
  }

  @Test
  void anAllowedOriginGetsCorsHeaders() {
    Site site = site(3);
    Reply r = assignFrom(ORIGIN, assignBody(site.property(), "v1"));
    assertEquals(200, r.status(), r::toString);
    assertEquals(ORIGIN, r.header("access-control-allow-origin"));
    assertTrue(r.headers().getAll("vary").contains("Origin"));
    assertNull(r.header("access-control-allow-credentials"));

    Reply differentCase = assignFrom("HTTPS://WWW.SHOP.EXAMPLE", assignBody(site.property(), "v2"));
    assertEquals(200, differentCase.status(), "origins compare case-insensitively");
  }

  @Test
  void anotherOriginIsRefusedWithoutCorsHeadersAndLeasesNothing() {
    Site site = site(3);
    Reply r = assignFrom(STRANGER, assignBody(site.property(), "v1"));
    assertEquals(403, r.status(), r::toString);
    assertEquals("forbidden_origin", r.error());
    assertNull(r.header("access-control-allow-origin"));
    assertEquals(0, api.adminGet("/v1/pools/" + site.poolId()).json().getInteger("leased"));
  }

  @Test
  void requestsWithoutOriginAreNotCorsRequests() {
    Site site = site(3);
    Reply r = api.assign(assignBody(site.property(), "server-side"));
    assertEquals(200, r.status());
    assertNull(r.header("access-control-allow-origin"));
  }

  @Test
  void assignPreflight() {
    Site site = site(3);
    Reply ok = preflight("/v1/assign", ORIGIN);
    assertEquals(204, ok.status(), ok::toString);
    assertEquals(ORIGIN, ok.header("access-control-allow-origin"));
    assertTrue(ok.header("access-control-allow-methods").contains("POST"));
    assertTrue(ok.header("access-control-allow-headers").toLowerCase().contains("content-type"));
    assertEquals("600", ok.header("access-control-max-age"));

    Reply named = preflight("/v1/assign?property=" + site.property(), ORIGIN);
    assertEquals(204, named.status());
    assertEquals(ORIGIN, named.header("access-control-allow-origin"));

    Reply denied = preflight("/v1/assign?property=" + site.property(), STRANGER);
    assertEquals(403, denied.status());
    assertNull(denied.header("access-control-allow-origin"));
    assertNull(denied.header("access-control-allow-methods"));

    Reply deniedAnywhere = preflight("/v1/assign", "https://nobody-allows-this-" + TestRedis.uniqueId("o") + ".example");
    assertEquals(403, deniedAnywhere.status());
    assertNull(deniedAnywhere.header("access-control-allow-origin"));
  }

  @Test
  void preflightSeesAPropertyCreatedThroughAnotherServer() {
    DniServer other = extraServer(TestRedis.url());
    String origin = "https://" + TestRedis.uniqueId("late") + ".example";
    String property = TestRedis.uniqueId("prop");
    Reply put = clientFor(other, 2).adminPut("/v1/properties/" + property, propertyBody(TestNumbers.one(), origin));
    assertEquals(200, put.status());
    Reply r = preflight("/v1/assign", origin);
    assertEquals(204, r.status(), r::toString);
    assertEquals(origin, r.header("access-control-allow-origin"));
  }

  @Test
  void sessionEndpointsFollowTheSessionsProperty() {
    Site site = site(3);
    String sessionId = api.assign(assignBody(site.property(), "v1")).json().getString("sessionId");
    String heartbeat = "/v1/sessions/" + sessionId + "/heartbeat";
    String release = "/v1/sessions/" + sessionId + "/release";

    Reply pre = preflight(heartbeat, ORIGIN);
    assertEquals(204, pre.status(), pre::toString);
    assertEquals(ORIGIN, pre.header("access-control-allow-origin"));
    Reply preDenied = preflight(heartbeat, STRANGER);
    assertEquals(403, preDenied.status());
    assertNull(preDenied.header("access-control-allow-origin"));
    assertEquals(204, preflight(release, ORIGIN).status());
    assertEquals(403, preflight(release, STRANGER).status());

    clock.advance(Duration.ofSeconds(60));
    Reply strangerBeat = api.post(heartbeat, null, headers("origin", STRANGER));
    assertEquals(403, strangerBeat.status());
    assertNull(strangerBeat.header("access-control-allow-origin"));
    Reply strangerRelease = api.post(release, null, headers("origin", STRANGER));
    assertEquals(403, strangerRelease.status());
    assertEquals(1, api.adminGet("/v1/pools/" + site.poolId()).json().getInteger("leased"),
        "a stranger's release changed nothing");

    Reply beat = api.post(heartbeat, null, headers("origin", ORIGIN));
    assertEquals(200, beat.status());
    assertEquals(ORIGIN, beat.header("access-control-allow-origin"));

    clock.advance(Duration.ofSeconds(500));
    Reply gone = api.post(heartbeat, null, headers("origin", ORIGIN));
    assertEquals(410, gone.status());
    assertEquals(ORIGIN, gone.header("access-control-allow-origin"), "the snippet can read the 410");
  }

  /**
   * The snippet's beacons (release, evidence) are no-cors requests; from a page whose Referrer-Policy
   * is no-referrer the Fetch standard sends them with {@code Origin: null}. They are taken like a
   * request without Origin. The heartbeat, a CORS fetch, always carries the page's origin: a null one
   * there is a sandboxed frame's, refused.
   */
  @Test
  void beaconsOfANoReferrerPageCarryOriginNullAndAreTaken() {
    Site site = site(2);
    String sessionId = api.assign(assignBody(site.property(), "no-referrer")).json().getString("sessionId");
    String base = "/v1/sessions/" + sessionId;
    Reply beat = api.post(base + "/heartbeat", null, headers("origin", "null"));
    assertEquals(403, beat.status(), beat::toString);
    Reply tap = api.request(io.vertx.core.http.HttpMethod.POST, base + "/evidence",
        io.vertx.core.buffer.Buffer.buffer("{\"kind\":\"tap\"}"), headers("origin", "null", "content-type", "text/plain"));
    assertEquals(204, tap.status(), tap::toString);
    assertNull(tap.header("access-control-allow-origin"), "nothing for a page to read");
    Reply release = api.request(io.vertx.core.http.HttpMethod.POST, base + "/release", null,
        headers("origin", "null", "content-type", "text/plain"));
    assertEquals(204, release.status(), release::toString);
    assertEquals(1, api.adminGet("/v1/pools/" + site.poolId()).json().getInteger("holding"), "released");
  }

  @Test
  void aWildcardPropertyAllowsEveryOrigin() {
    String property = TestRedis.uniqueId("prop");
    String printed = TestNumbers.one();
    assertEquals(200, api.adminPut("/v1/properties/" + property, propertyBody(printed, "*")).status());
    Reply r = assignFrom(STRANGER, assignBody(property, "v"));
    assertEquals(200, r.status());
    assertEquals(STRANGER, r.header("access-control-allow-origin"));
  }

  @Test
  void changingAllowedOriginsTakesEffect() {
    Site site = site(3);
    assertEquals(200, assignFrom(ORIGIN, assignBody(site.property(), "a")).status());
    JsonObject narrowed = propertyBody(site.defaultNumber(), "https://new.shop.example");
    assertEquals(200, api.adminPut("/v1/properties/" + site.property(), narrowed).status());
    assertEquals(403, assignFrom(ORIGIN, assignBody(site.property(), "b")).status());
    Reply fromNew = assignFrom("https://new.shop.example", assignBody(site.property(), "c"));
    assertEquals(200, fromNew.status());
    assertFalse(fromNew.json().getBoolean("fallback"));
  }

  @Test
  void adminEndpointsSendNoCorsHeaders() {
    Site site = site(1);
    Reply r = api.request(HttpMethod.GET, "/v1/pools/" + site.poolId(), null, api.admin().add("origin", ORIGIN));
    assertEquals(200, r.status());
    assertNull(r.header("access-control-allow-origin"));
  }
}
