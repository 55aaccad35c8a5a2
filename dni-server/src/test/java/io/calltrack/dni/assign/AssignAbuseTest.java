package io.calltrack.dni.assign;

import static io.calltrack.dni.testing.DniClient.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.testing.TestRedis;
import io.calltrack.dni.testing.DniClient;
import io.calltrack.dni.testing.DniClient.Reply;
import io.calltrack.dni.testing.DniTestBase;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * One client cannot drain a pool: a flood of fresh-visitor assigns from one address over real HTTP and
 * real Redis, told apart from other addresses by X-Forwarded-For from the (trusted) loopback proxy.
 */
class AssignAbuseTest extends DniTestBase {
  static final JsonObject LIMITS = new JsonObject().put("liveLeases", 5).put("liveLeasesHard", 20)
      .put("perMinute", 30).put("perMinuteHard", 60).put("leaseToAutomatedClients", false);

  /** A property with its limits from the start (the server's property cache never saw it without). */
  Site limitedSite(DniClient c, int poolSize) {
    String property = TestRedis.uniqueId("abuse");
    String printed = io.calltrack.dni.testing.TestNumbers.one();
    Reply p = c.adminPut("/v1/properties/" + property, propertyBody(printed, ORIGIN).put("assignLimits", LIMITS));
    assertEquals(200, p.status(), p::toString);
    assertEquals(5, p.json().getJsonObject("assignLimits").getInteger("liveLeases"), p::toString);
    String poolId = TestRedis.uniqueId("pool");
    List<String> numbers = io.calltrack.dni.testing.TestNumbers.block(poolSize);
    assertEquals(200, c.adminPut("/v1/pools/" + poolId, poolBody(property, numbers, 120, 1800, "fallback")).status());
    return new Site(property, printed, poolId, numbers);
  }

  Site limitedSite(int poolSize) {
    return limitedSite(api, poolSize);
  }

  Future<Reply> assignFrom(String address, String userAgent, String visitorId, Site site) {
    MultiMap h = DniClient.jsonType().add("x-forwarded-for", address).add("user-agent", userAgent);
    return api.send(HttpMethod.POST, "/v1/assign", DniClient.body(assignBody(site.property(), visitorId)), h);
  }

  static final String BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36";

  /** A soft limit above the hard one given is a 400, and nothing changes (AssignLimitsTest: a hard one left out). */
  @Test
  void aSoftLimitAboveItsHardLimitIsRefused() {
    Site site = limitedSite(2);
    Reply contradictory = api.adminPut("/v1/properties/" + site.property(), propertyBody(site.defaultNumber(), ORIGIN)
        .put("assignLimits", new JsonObject().put("liveLeases", 50).put("liveLeasesHard", 40)));
    assertEquals(400, contradictory.status(), contradictory::toString);
    assertTrue(contradictory.json().getString("detail").contains("assignLimits.liveLeases (50)"), contradictory::toString);
    assertEquals(5, api.adminGet("/v1/properties/" + site.property()).json().getJsonObject("assignLimits")
        .getInteger("liveLeases"), "nothing changed");
  }

  @Test
  void aFloodFromOneAddressLeavesNumbersForEveryoneElse() {
    Site site = limitedSite(30);
    List<Future<Reply>> flood = new ArrayList<>();
    for (int i = 0; i < 80; i++) {
      flood.add(assignFrom("203.0.113.7", BROWSER, null, site));
    }
    int leased = 0;
    int fallbacks = 0;
    int refused = 0;
    for (Future<Reply> f : flood) {
      Reply r = await(f);
      if (r.status() == 429) {
        refused++;
        assertEquals("too_many_requests", r.error());
      } else {
        assertEquals(200, r.status(), r::toString);
        if (r.json().getBoolean("fallback")) {
          fallbacks++;
          assertEquals(site.defaultNumber(), r.json().getString("number"));
          assertTrue(Set.of("too_many_leases", "too_many_assigns").contains(r.json().getString("reason")), r::toString);
        } else {
          leased++;
        }
      }
    }
    assertEquals(5, leased, "the flood got exactly its live-lease allowance");
    assertEquals(80, leased + fallbacks + refused);
    assertTrue(refused > 0, "past 60 a minute the flood is refused outright");

    // everyone else still gets tracking numbers: 15 other addresses, one visitor each
    Set<String> numbers = new HashSet<>();
    for (int i = 1; i <= 15; i++) {
      Reply r = await(assignFrom("198.51.100." + i, BROWSER, null, site));
      assertEquals(200, r.status(), r::toString);
      assertFalse(r.json().getBoolean("fallback"), r::toString);
      assertNull(r.json().getString("reason"));
      numbers.add(r.json().getString("number"));
    }
    assertEquals(15, numbers.size());

    // a minute later (injected clock) the flooding address is under its rate again, but its 5 leases
    // still live: it gets the default number, not more numbers
    clock.advance(Duration.ofSeconds(61));
    Reply again = await(assignFrom("203.0.113.7", BROWSER, null, site));
    assertEquals(200, again.status());
    assertTrue(again.json().getBoolean("fallback"));
    assertEquals("too_many_leases", again.json().getString("reason"));
    // its leases ran out (120 s lease), but their numbers are held for 1800 s more: still counted
    clock.advance(Duration.ofSeconds(120));
    assertEquals("too_many_leases", await(assignFrom("203.0.113.7", BROWSER, null, site)).json().getString("reason"));
    // once the holds end it is an ordinary client again
    clock.advance(Duration.ofSeconds(1800));
    Reply later = await(assignFrom("203.0.113.7", BROWSER, null, site));
    assertFalse(later.json().getBoolean("fallback"), later::toString);
  }

  /**
   * One IPv6 host has a whole /64 to pick addresses from: counted per address, a loop that took a
   * new one for each request got a number every time, until the pool was empty.
   */
  @Test
  void anIpv6ClientIsCountedByItsSlash64() {
    Site site = limitedSite(30);
    int leased = 0;
    for (int i = 1; i <= 20; i++) {
      Reply r = await(assignFrom("2001:db8:77:1:" + Integer.toHexString(i) + "::" + i, BROWSER, null, site));
      assertEquals(200, r.status(), r::toString);
      if (!r.json().getBoolean("fallback")) {
        leased++;
      }
    }
    assertEquals(5, leased, "twenty addresses of one /64 are one client");
    Reply neighbour = await(assignFrom("2001:db8:77:2::1", BROWSER, null, site));
    assertFalse(neighbour.json().getBoolean("fallback"), "the next /64 is someone else");
  }

  /**
   * A proxy like HAProxy adds its own X-Forwarded-For line after the client's instead of extending
   * it. Reading only the first line, the client's, let a client name a new address on each request.
   */
  @Test
  void aClientsOwnForwardedForLineBuysNoLeases() {
    Site site = limitedSite(30);
    int leased = 0;
    for (int i = 1; i <= 12; i++) {
      MultiMap h = DniClient.jsonType().add("x-forwarded-for", "10.66.0." + i).add("x-forwarded-for", "203.0.113.99")
          .add("user-agent", BROWSER);
      Reply r = api.request(HttpMethod.POST, "/v1/assign", DniClient.body(assignBody(site.property(), null)), h);
      assertEquals(200, r.status(), r::toString);
      if (!r.json().getBoolean("fallback")) {
        leased++;
      }
    }
    assertEquals(5, leased, "one client behind the proxy, whatever its own line said");
  }

  Reply heartbeatFrom(String address, String sessionId) {
    return api.post("/v1/sessions/" + sessionId + "/heartbeat", null,
        DniClient.headers("origin", ORIGIN).add("x-forwarded-for", address).add("user-agent", BROWSER));
  }

  @Test
  void leasesKeptAliveByHeartbeatsStillCountForTheirAddress() {
    Site site = limitedSite(30); // 5 live leases per address, 120 s lease
    String address = "203.0.113.44";
    List<String> sessions = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      Reply r = await(assignFrom(address, BROWSER, null, site));
      assertFalse(r.json().getBoolean("fallback"), r::toString);
      sessions.add(r.json().getString("sessionId"));
    }
    assertEquals("too_many_leases", await(assignFrom(address, BROWSER, null, site)).json().getString("reason"));
    // the client keeps its five leases alive well past their first 120 s (injected clock)
    for (int beat = 0; beat < 4; beat++) {
      clock.advance(Duration.ofSeconds(90));
      for (String sid : sessions) {
        Reply b = heartbeatFrom(address, sid);
        assertEquals(200, b.status(), b::toString);
      }
    }
    // 360 s on: every first lease period is long over, the leases live, and still count
    Reply more = await(assignFrom(address, BROWSER, null, site));
    assertTrue(more.json().getBoolean("fallback"), more::toString);
    assertEquals("too_many_leases", more.json().getString("reason"));
    // one lease given back: its number is on hold (1800 s), kept from everyone, so it still counts
    assertEquals(204, api.post("/v1/sessions/" + sessions.get(0) + "/release", null,
        DniClient.headers("origin", ORIGIN).add("x-forwarded-for", address).add("user-agent", BROWSER)).status());
    assertEquals("too_many_leases", await(assignFrom(address, BROWSER, null, site)).json().getString("reason"));
    // heartbeats stop: the renewed leases end, and their holds too: the address is an ordinary client again
    clock.advance(Duration.ofSeconds(121 + 1800));
    Reply later = await(assignFrom(address, BROWSER, null, site));
    assertFalse(later.json().getBoolean("fallback"), later::toString);
  }

  /**
   * A released or lapsed lease leaves its number on hold, out of everyone's reach: if it stopped
   * counting for its address, one address could take a lease, let it go and take another until the
   * pool was empty, within its limits all along.
   */
  @Test
  void leasesGivenBackOrLeftToLapseStillCountUntilTheirHoldEnds() {
    Site site = limitedSite(20); // 5 leases per address, 30 a minute; lease 120 s, hold 1800 s
    String attacker = "203.0.113.77";
    int leased = 0;
    for (int i = 0; i < 25; i++) { // take and give back at once
      Reply r = await(assignFrom(attacker, BROWSER, null, site));
      assertEquals(200, r.status(), r::toString);
      if (!r.json().getBoolean("fallback")) {
        leased++;
        assertEquals(204, api.post("/v1/sessions/" + r.json().getString("sessionId") + "/release", null,
            DniClient.headers("origin", ORIGIN).add("x-forwarded-for", attacker).add("user-agent", BROWSER)).status());
      }
    }
    assertEquals(5, leased, "released leases still count while their numbers are held");
    for (int round = 0; round < 4; round++) { // take and let lapse, a lease period at a time
      clock.advance(Duration.ofSeconds(121));
      Reply r = await(assignFrom(attacker, BROWSER, null, site));
      assertEquals("too_many_leases", r.json().getString("reason"), r::toString);
    }
    JsonObject pool = api.adminGet("/v1/pools/" + site.poolId()).json();
    assertEquals(15, pool.getInteger("free"), pool::encode);
    Reply victim = await(assignFrom("198.51.100.9", BROWSER, null, site));
    assertFalse(victim.json().getBoolean("fallback"), victim::toString);
    // the holds over, the address may take numbers again
    clock.advance(Duration.ofSeconds(1800));
    Reply again = await(assignFrom(attacker, BROWSER, null, site));
    assertFalse(again.json().getBoolean("fallback"), again::toString);
  }

  @Test
  void crawlersAndHeadlessBrowsersGetTheDefaultNumberWithoutALease() {
    Site site = limitedSite(3);
    for (String ua : List.of("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0 Safari/537.36",
        "curl/8.5.0", "python-requests/2.31", "Go-http-client/1.1")) {
      Reply r = await(assignFrom("192.0.2.1", ua, null, site));
      assertEquals(200, r.status(), r::toString);
      assertTrue(r.json().getBoolean("fallback"), ua);
      assertEquals("automated_client", r.json().getString("reason"), ua);
      assertNull(r.json().getString("sessionId"));
    }
    JsonObject pool = api.adminGet("/v1/pools/" + site.poolId()).json();
    assertEquals(0, pool.getInteger("leased"), pool::encode);
  }

  @Test
  void forwardedForFromAnUntrustedPeerIsIgnored() {
    // a server that trusts no proxy: every request is the loopback peer, whatever X-Forwarded-For says
    var untrusting = await(io.calltrack.dni.DniServer.start(vertx, options(TestRedis.url()).withHardening(
        io.calltrack.dni.http.ServerHardening.DEFAULTS)));
    DniClient c = new DniClient(vertx, untrusting.port(), TOKEN);
    try {
      Site site = limitedSite(c, 20);
      int leased = 0;
      for (int i = 0; i < 10; i++) {
        MultiMap h = DniClient.jsonType().add("x-forwarded-for", "10.0.0." + i).add("user-agent", BROWSER);
        Reply r = c.request(HttpMethod.POST, "/v1/assign", DniClient.body(assignBody(site.property(), null)), h);
        if (!r.json().getBoolean("fallback")) {
          leased++;
        }
      }
      assertEquals(5, leased, "spoofed X-Forwarded-For bought no extra leases");
    } finally {
      c.close();
      await(untrusting.close());
    }
  }
}
