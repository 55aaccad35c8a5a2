package io.calltrack.dni.snippet;

import static io.calltrack.dni.testing.DniClient.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.testing.TestRedis;
import io.calltrack.dni.testing.BrowserScripts;
import io.calltrack.dni.testing.DniClient.Reply;
import io.calltrack.dni.testing.DniTestBase;
import io.calltrack.dni.testing.TestNumbers;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Page scenarios of dni.js in real headless Chromium against a real dni-server on Redis, what jsdom
 * cannot show ({@code js-snippet/test/e2e/scenarios.mjs}, one browser run per scenario): typing into
 * a rich-text editor, storage blocked, a sandboxed page, ad-sized landing URLs, web components, the
 * back/forward cache, several tabs of one visitor, a single-page app whose router rewrote its
 * address before dni.js ran, a reload or Back to an earlier page, a strict CSP, and a prerendered page
 * (in a Chromium without DevTools: under DevTools it does not prerender). Like {@link SnippetBrowserTest} it fails,
 * saying what is missing, without node, chromium or the js-snippet npm packages.
 */
class SnippetScenariosBrowserTest extends DniTestBase {
  private String printed;
  private List<String> pool;
  private String poolId;
  /** Numbers of the pool leased once the scenario's browser was gone. */
  private int leased;

  private JsonObject run(String scenario) throws Exception {
    return run(scenario, 60);
  }

  private JsonObject run(String scenario, int leaseSeconds) throws Exception {
    BrowserScripts.requireTools();
    printed = TestNumbers.one();
    pool = TestNumbers.block(5);
    String property = TestRedis.uniqueId("scenario");
    // the test site: serves what the browser script stores with POST /__page?path=... {body, headers}
    java.util.Map<String, JsonObject> pages = new java.util.concurrent.ConcurrentHashMap<>();
    // and keeps what its pages report with POST /__log {...}, read back with GET /__log (a browser
    // run without DevTools has no other way to tell the script what happened)
    JsonArray log = new JsonArray();
    HttpServer site = await(vertx.createHttpServer(new io.vertx.core.http.HttpServerOptions().setMaxInitialLineLength(65536)).requestHandler(req -> {
      if (req.path().equals("/__log")) {
        if (req.method() == io.vertx.core.http.HttpMethod.POST) {
          req.body().onSuccess(b -> {
            log.add(b.toJsonObject());
            req.response().setStatusCode(204).end();
          });
        } else {
          req.response().putHeader("content-type", "application/json").putHeader("cache-control", "no-store")
              .end(log.encode());
        }
        return;
      }
      if (req.method() == io.vertx.core.http.HttpMethod.POST && req.path().equals("/__page")) {
        String path = req.getParam("path");
        req.body().onSuccess(b -> {
          pages.put(path, b.toJsonObject());
          req.response().setStatusCode(204).end();
        });
        return;
      }
      JsonObject page = pages.get(req.path());
      if (page == null) {
        req.response().setStatusCode(404).end("not found");
        return;
      }
      var res = req.response().putHeader("content-type", "text/html; charset=utf-8").putHeader("cache-control", "no-store");
      JsonObject headers = page.getJsonObject("headers", new JsonObject());
      headers.fieldNames().forEach(h -> res.putHeader(h, headers.getString(h)));
      res.end(page.getString("body"));
    }).listen(0, "127.0.0.1"));
    try {
      String origin = "http://127.0.0.1:" + site.actualPort();
      Reply p = api.adminPut("/v1/properties/" + property, propertyBody(printed, origin)
          .put("assignLimits", new JsonObject().put("leaseToAutomatedClients", true)));
      assertEquals(200, p.status(), p::toString);
      poolId = TestRedis.uniqueId("scenariopool");
      Reply pp = api.adminPut("/v1/pools/" + poolId, poolBody(property, pool, leaseSeconds, 1800, "fallback"));
      assertEquals(200, pp.status(), pp::toString);
      JsonObject report = BrowserScripts.run("scenarios.mjs", "scenario-" + scenario, Duration.ofMinutes(2), new JsonObject()
          .put("scenario", scenario).put("dni", "http://127.0.0.1:" + server.port()).put("site", origin)
          .put("property", property).put("printed", printed).put("chromium", BrowserScripts.CHROMIUM.toString()).encode());
      System.out.println("scenario " + scenario + ": " + report.encode());
      leased = api.adminGet("/v1/pools/" + poolId).json().getInteger("leased");
      return report;
    } finally {
      await(site.close());
    }
  }

  private static String dashes(String e164) {
    return e164.substring(2, 5) + "-" + e164.substring(5, 8) + "-" + e164.substring(8);
  }

  @Test
  void textTypedIntoAContentEditableFieldIsLeftAsTyped() throws Exception {
    JsonObject r = run("contenteditable");
    String number = r.getString("number");
    assertTrue(pool.contains(number), r::encode);
    assertEquals(dashes(number), r.getString("shown"), "the page's number is swapped");
    assertEquals(dashes(number), r.getString("marker"), "the observer ran after the typing");
    assertEquals("Our number is " + dashes(printed) + ".", r.getString("typed"), "what the user typed into the editor");
  }

  @Test
  void withoutLocalStorageTheCookieKeepsTheVisitorOfALongAdLandingUrl() throws Exception {
    JsonObject r = run("cookieOnlyLongLanding");
    JsonArray assigns = r.getJsonArray("assigns");
    assertEquals(2, assigns.size(), r::encode);
    JsonObject landing = assigns.getJsonObject(0);
    JsonObject next = assigns.getJsonObject(1);
    assertEquals("spring-emergency-plumbing-2026", landing.getString("campaign"));
    assertTrue(r.getBoolean("cookieSet"), "the _calltrack cookie was stored (landing URL of "
        + r.getInteger("landingLength") + " characters): " + r.encode());
    assertEquals(landing.getString("gotVisitor"), next.getString("visitorId"), "the second page view is the same visitor");
    assertEquals("spring-emergency-plumbing-2026", next.getString("campaign"), "the ad click is still the last touch");
  }

  /**
   * Consent required: before the visitor consents nothing is kept on the device and each page view is
   * a visit of its own; consent given on the second page keeps that page's touch; a page whose consent
   * manager answers at once is the same visitor; consent withdrawn erases the record.
   */
  @Test
  void withConsentRequiredNothingIsKeptUntilTheVisitorConsents() throws Exception {
    JsonObject r = run("consent");
    assertEquals(new JsonArray(), r.getJsonArray("errors"), r::encode);
    for (String view : List.of("landing", "pricing")) {
      JsonObject v = r.getJsonObject(view);
      assertTrue(pool.contains(v.getString("number")), view + " got a number: " + r.encode());
      assertEquals(false, v.getBoolean("cookie"), view + ": no cookie");
      assertNull(v.getValue("local"), view + ": nothing in localStorage");
    }
    JsonArray assigns = r.getJsonArray("assigns");
    assertEquals(3, assigns.size(), r::encode);
    assertNull(assigns.getJsonObject(1).getValue("sent"), "the second page view is a new visit: no stored visitor");
    assertEquals("consent-test", assigns.getJsonObject(0).getString("campaign"), "the landing is attributed");
    assertNull(assigns.getJsonObject(1).getValue("campaign"), "the second page does not know the landing's campaign");
    assertTrue(r.getJsonObject("granted").getBoolean("cookie"), "consent: the cookie is written");
    assertEquals(assigns.getJsonObject(1).getString("got"), assigns.getJsonObject(2).getString("sent"),
        "the third page is the visitor who consented");
    assertTrue(pool.contains(r.getJsonObject("contact").getString("number")), r::encode);
    assertEquals(false, r.getJsonObject("withdrawn").getBoolean("cookie"), "withdrawn: the cookie is gone");
    assertNull(r.getJsonObject("withdrawn").getValue("local"), "and localStorage");
  }

  @Test
  void aMalformedDataTimeoutFailsSafe() throws Exception {
    JsonObject r = run("badTimeout");
    assertEquals(List.of(), r.getJsonArray("errors").getList(), "nothing thrown into the page");
    assertNotEquals("never", r.getValue("number"), "calltrack.ready callbacks are called");
  }

  @Test
  void aSandboxedPageFailsSafe() throws Exception {
    JsonObject r = run("sandboxed");
    assertEquals(dashes(printed), r.getString("shown"));
    assertEquals(List.of(), r.getJsonArray("errors").getList(), "nothing thrown into the page");
    assertTrue(r.getBoolean("api"), "window.calltrack is the API");
    assertEquals(null, r.getValue("number"), "ready(null)");
  }

  @Test
  void aLongLandingUrlStillGetsANumberOnReload() throws Exception {
    JsonObject r = run("longUrl");
    assertTrue(pool.contains(r.getString("first")), r::encode);
    assertEquals(r.getString("first"), r.getString("second"), "the reload shows the number too: " + r.encode());
  }

  @Test
  void aTapOnTheSwappedTelLinkOfAWebComponentIsTapEvidence() throws Exception {
    JsonObject r = run("shadowTap");
    assertEquals("tel:" + r.getString("number"), r.getString("shadowHref"), "the component's link is swapped");
    assertEquals(List.of("tap", "tap"), r.getJsonArray("evidence").getList(),
        "one tap beacon for the tap in the component, one for the light-DOM link: " + r.encode());
  }

  /**
   * Back from the bfcache, the page renews its lease at once. The release it sent as it was left may
   * reach the server first (the renewal is a 410: one re-assign, whose number the page shows) or after
   * the renewal (which names the lease it would end, so it ends nothing: the number stays, no assign).
   */
  @Test
  void aPageRestoredFromTheBackForwardCacheAssignsOnce() throws Exception {
    JsonObject r = run("bfcache");
    assertTrue(r.getJsonArray("persisted").contains(true), "restored from the bfcache: " + r.encode());
    Integer renewal = r.getInteger("renewal");
    if (renewal != null && renewal == 200) {
      assertEquals(0, r.getJsonArray("reassigns").size(), "renewed before the release: no re-assign: " + r.encode());
      assertEquals(r.getString("number"), r.getString("current"), "the same number: " + r.encode());
    } else {
      assertEquals(Integer.valueOf(410), renewal, "the renewal after the release: " + r.encode());
      assertEquals(1, r.getJsonArray("reassigns").size(), "one re-assign after the restore: " + r.encode());
      assertEquals(r.getJsonArray("reassigns").getJsonObject(0).getString("number"), r.getString("current"),
          "the page shows the new number: " + r.encode());
    }
  }

  @Test
  void aReloadOrBackToAnEarlierPageIsNoNewTouch() throws Exception {
    JsonObject r = run("replayedTouch");
    assertEquals(List.of("google / organic", "google / cpc", "google / cpc", "google / cpc"), r.getJsonArray("touches").getList(),
        "the search visit, the ad click, then Back and a reload keep the ad click as the last touch: " + r.encode());
    List<String> both = List.of("google / organic", "google / cpc");
    assertEquals(new io.vertx.core.json.JsonArray(List.of(List.of(), both, both, both)).encode(),
        r.getJsonArray("journeys").encode(),
        "the journey: one touch is none to send; the ad click makes two, and Back and a reload no third: " + r.encode());
    assertEquals(List.of(200, 200, 200, 200), r.getJsonArray("statuses").getList(), "the server took every journey");
    assertEquals(List.of(), r.getJsonArray("errors").getList(), "nothing thrown into the page");
  }

  @Test
  void dataHideWorksUnderAStrictContentSecurityPolicyThatAllowsStylesByNonce() throws Exception {
    JsonObject r = run("cspNonce");
    assertEquals("hidden", r.getString("whileWaiting"), "hidden while the assign is on its way: " + r.encode());
    assertEquals(dashes(r.getString("number")), r.getString("shown"), r::encode);
    assertEquals("visible", r.getString("after"), r::encode);
    assertEquals(List.of(), r.getJsonArray("refused").getList(), "nothing refused by the page's policy");
    assertEquals(List.of(), r.getJsonArray("errors").getList(), "nothing thrown into the page");
  }

  @Test
  void aSinglePageAppThatRewroteItsAddressBeforeDniJsRanIsAttributedToItsAdClick() throws Exception {
    JsonObject r = run("spaRouter");
    assertEquals(dashes(r.getString("number")), r.getString("shown").replace("Call ", ""), r::encode);
    assertTrue(r.getString("address").endsWith("/contact"), "the router moved on before dni.js ran: " + r.encode());
    JsonObject a = r.getJsonObject("attribution");
    assertEquals("google / cpc / spa-launch / g-123",
        a.getString("source") + " / " + a.getString("medium") + " / " + a.getString("campaign") + " / " + a.getString("gclid"),
        "the ad click, not the address the router left: " + r.encode());
    assertEquals("/landing?" + r.getString("query"), a.getString("landingPage"), "the page the visitor landed on");
    assertEquals(1, r.getInteger("assigns"), r::encode);
    assertEquals(List.of(), r.getJsonArray("errors").getList(), "nothing thrown into the page");
  }

  @Test
  void aPrerenderedPageTakesItsNumberWhenItIsShownAndOneNeverShownTakesNone() throws Exception {
    JsonObject r = run("prerender");
    List<JsonObject> log = r.getJsonArray("log").stream().map(JsonObject.class::cast).toList();
    for (String page : List.of("/offer", "/other")) {
      assertTrue(log.stream().anyMatch(e -> e.getString("page").equals(page) && e.getString("event").equals("loaded")
          && e.getBoolean("prerendering")), "Chromium prerendered " + page + " and ran dni.js there: " + r.encode());
    }
    JsonObject ready = log.stream().filter(e -> e.getString("page").equals("/offer") && e.getString("event").equals("ready"))
        .findFirst().orElseThrow(() -> new AssertionError("the shown page got its number: " + r.encode()));
    assertEquals(false, ready.getBoolean("prerendering"), "its number came once it was shown: " + r.encode());
    assertTrue(pool.contains(ready.getString("number")), r::encode);
    assertEquals(dashes(ready.getString("number")), ready.getString("shown"), r::encode);
    assertTrue(ready.getDouble("activationStart") > 0, "shown from the prerender, not loaded again: " + r.encode());
    assertTrue(ready.getDouble("assignStart") >= ready.getDouble("activationStart"),
        "the assign was sent at its activation, not while it was prerendered: " + r.encode());
    assertEquals(1, leased, "the prerendered page never shown holds no number: " + r.encode());
  }

  @Test
  void anOlderTabDoesNotOverwriteTheLastTouchAnotherTabRecorded() throws Exception {
    JsonObject r = run("staleTab", 5);
    assertEquals("A-new", r.getString("storedAfterAdClick"), r::encode);
    assertTrue(r.getJsonArray("reassign").size() >= 1, "tab B re-assigned after the release: " + r.encode());
    assertEquals("A-new", r.getString("contact"), "the ad click is the last touch of the next page view: " + r.encode());
  }
}
