package io.calltrack.dni.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.attribution.Attribution;
import io.calltrack.core.calls.CallEvent;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.core.testing.Await;
import io.calltrack.core.testing.TestNumbers;
import io.calltrack.core.testing.TestRedis;
import io.calltrack.dni.report.CallSeeder;
import io.calltrack.dni.testing.DniClient;
import io.calltrack.dni.testing.DniClient.Reply;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The dashboard in real headless Chromium: a pool taken through an hour of use (with an exhaustion),
 * calls, an outcome and spend seeded through the real API and call store; the page, signed in with
 * the admin token, must show the pool's counts and utilization chart, the ROI table and what was said on
 * the calls (the conversations table).
 * Screenshot: {@code dni-server/target/artifacts/dashboard.png}.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class DashboardBrowserTest extends SignedInDashboardTest {

  @Test
  void showsPoolUtilizationAndRoiFromSeededData() throws Exception {
    String property = utcProperty("dash");
    String pool = TestRedis.uniqueId("pool");
    List<String> numbers = TestNumbers.fresh(4).stream().map(PhoneNumber::e164).toList();
    Reply put = api.adminPut("/v1/pools/" + pool, poolBody(property, numbers, 3600, 300, "fallback"));
    assertEquals(200, put.status(), put.toString());

    // an hour of the pool: 0, 1, 2, 3 numbers taken, then all 4 and one visitor turned away (exhausted)
    sample(property);
    for (int i = 1; i <= 3; i++) {
      clock.advance(Duration.ofMinutes(10));
      assertEquals(false, api.assign(assignBody(property, "visitor-" + i)).json().getBoolean("fallback"));
      sample(property);
    }
    clock.advance(Duration.ofMinutes(5)); // 09:35
    JsonObject fourth = api.assign(assignBody(property, "visitor-4")).json();
    assertEquals(true, api.assign(assignBody(property, "visitor-5")).json().getBoolean("fallback"));
    JsonObject busy = sample(property);
    assertEquals(1, busy.getJsonArray("pools").getJsonObject(0).getInteger("exhausted"));
    assertEquals(204, api.request(HttpMethod.POST, "/v1/sessions/" + fourth.getString("sessionId") + "/release",
        null, DniClient.jsonType()).status());
    clock.advance(Duration.ofMinutes(10)); // 09:45: the released number's 5-minute hold is over

    // calls today: two finished google calls (one worth 500.00) and one still ringing; google spend 100
    CallSeeder seeder = new CallSeeder(vertx);
    PhoneNumber n = PhoneNumber.parse(numbers.get(0));
    CallRecord sale = seeder.call(property, n, "+13125550001", Instant.parse("2026-03-02T09:05:00Z"),
        CallSeeder.source("google", "cpc"), 120);
    seeder.call(property, n, "+13125550002", Instant.parse("2026-03-02T09:20:00Z"), CallSeeder.source("google", "cpc"), -1);
    String liveId = TestRedis.uniqueId("live");
    CallRecord ringing = CallRecord.started(liveId, liveId + "@trunk", PhoneNumber.parse(numbers.get(1)),
        "+13125550003", property, Instant.parse("2026-03-02T09:44:00Z"))
        .withAttribution("lease", null, new Attribution("bing", "cpc", null, null, null, null, null, null, null,
            null, null, null), List.of())
        .withCallerVerification(CallRecord.VERIFICATION_FAILED); // the trunk's STIR/SHAKEN check failed
    DniClient.await(seeder.store().apply(new CallEvent(liveId, 0, CallEvent.Type.STARTED, ringing.startedAt(), ringing)));
    assertEquals(200, api.request(HttpMethod.POST, "/v1/calls/" + sale.callId() + "/outcome",
        DniClient.body(new JsonObject().put("qualified", true).put("converted", true).put("value", "500.00")
            .put("currency", "USD")), api.admin()).status());
    // what was said on the sale, under the property's conversation rules
    // and a pool threshold its 3 of 4 numbers taken is above: its health shows it
    assertEquals(200, api.adminPut("/v1/properties/" + property + "/marketing", new JsonObject().put("conversations",
        new JsonObject().put("keyPhrases", new JsonArray().add("boiler")).put("leadPhrases", new JsonArray().add("a quote"))
            .put("script", new JsonArray().add("thank you for calling").add("your name")))
        .put("alerts", new JsonObject().put("url", "https://alerts.invalid/hook").put("secret", "alerts-secret-0123456789")
            .put("poolUtilizationPercent", 50))).status());
    Reply said = api.request(HttpMethod.PUT, "/v1/calls/" + sale.callId() + "/transcript", DniClient.body(new JsonObject()
        .put("segments", new JsonArray()
            .add(new JsonObject().put("speaker", "agent").put("start", 0).put("text", "Thank you for calling."))
            .add(new JsonObject().put("speaker", "caller").put("start", 2).put("text", "I need a quote for a boiler.")))),
        api.admin());
    assertEquals(200, said.status(), said::toString);
    assertEquals(200, api.adminPut("/v1/spend?property=" + property,
        new JsonArray().add(Map.of("date", "2026-03-02", "source", "google", "medium", "cpc", "amount", "100.00"))).status());
    Await.until(Duration.ofSeconds(60), () -> sample(property).getLong("callsToday") == 3
        && sample(property).getJsonArray("liveCalls").size() == 1);

    // a lead asked to be called back (the admin's own request: no origin needed)
    Reply asked = api.request(HttpMethod.POST, "/v1/callbacks",
        DniClient.body(new JsonObject().put("property", property).put("phone", "+13125550009")), api.admin());
    assertEquals(202, asked.status(), asked.toString());

    // the pools listing the page could use too
    JsonObject pools = api.adminGet("/v1/pools?property=" + property).json();
    assertEquals(3, pools.getJsonArray("pools").getJsonObject(0).getInteger("leased"));

    JsonObject page = openSignedIn("dashboard.mjs", "property=" + property);

    assertEquals(new JsonArray(), page.getJsonArray("errors"), "no script errors on the page");
    assertEquals(TOKEN, page.getString("tokenKept"), "the token is kept in sessionStorage");
    JsonObject p = page.getJsonArray("pools").getJsonObject(0);
    assertEquals(pool, p.getString("poolId"));
    assertEquals("4", p.getString("size"));
    assertEquals("3", p.getString("leased"));
    assertEquals("0", p.getString("holding"));
    assertEquals("1", p.getString("free"));
    assertEquals("75.0 %", p.getString("utilization"));
    assertEquals("1", p.getString("exhausted"));
    assertTrue(p.getBoolean("has75Line"));
    assertEquals(6, p.getInteger("chartPoints"), "samples at 09:00, :10, :20, :30, :35 and :45");
    assertEquals(1, p.getInteger("exhaustedMarks"));
    assertEquals("2026-03-02", page.getString("from"));
    assertEquals(3, page.getJsonArray("hourBars").getInteger(9));
    assertEquals(1, page.getInteger("liveRows"));
    // Number, Caller, Status, Source, Looks like spam (after the local start time)
    assertEquals(new JsonArray(List.of(numbers.get(1), "+13125550003", "ringing", "bing", "failed-caller-id-verification")),
        new JsonArray(page.getJsonArray("liveCells").getJsonArray(0).getList().subList(1, 6)));
    assertEquals("(1)", page.getString("callbacksPending"));
    // Due, Phone, From, State, Attempts: asked at 09:45 by the server's clock, due at once
    assertEquals(new JsonArray().add(new JsonArray(List.of("now", "+13125550009", "form", "queued", "0"))),
        page.getJsonArray("callbackRows"));

    JsonArray rows = page.getJsonArray("roiRows");
    JsonArray google = rows.stream().map(JsonArray.class::cast).filter(r -> "google".equals(r.getString(0)))
        .findFirst().orElseThrow(() -> new AssertionError("no google row in " + rows));
    // Source, Calls, Unique, First-time, Answered, Qualified, Conversions, Revenue, Cost, Cost/call, ROAS, ROI %
    assertEquals(new JsonArray(List.of("google", "2", "2", "2", "1", "1", "1", "500.00", "100.00", "50.00", "5.00",
        "400.0")), google);
    assertEquals("3", page.getJsonArray("roiTotal").getString(1));
    // Source, Answered, Transcribed, Coverage, Key phrases, Lead intent, Script, Lead detection right
    assertEquals(new JsonArray().add(new JsonArray(List.of("google", "1", "1", "100.0 %", "100.0 %", "100.0 %", "50.0 %",
        "100.0 %"))), page.getJsonArray("conversationRows"));
    assertEquals("Total", page.getJsonArray("conversationTotal").getString(0));
    // under the linear model (chosen in the page): credit in two places, and no whole-call figures
    JsonArray linearGoogle = page.getJsonArray("linearRows").stream().map(JsonArray.class::cast)
        .filter(r -> "google".equals(r.getString(0))).findFirst()
        .orElseThrow(() -> new AssertionError("no google row in " + page.getJsonArray("linearRows")));
    assertEquals(new JsonArray(List.of("google", "2.00", "–", "–", "–", "–", "1.00", "500.00", "100.00", "50.00",
        "5.00", "400.0")), linearGoogle);
    assertEquals("3.00", page.getJsonArray("linearTotal").getString(1));
    // its health: the pool above the property's 50 %, the four other checks well
    assertEquals("(80 / 100)", page.getString("healthScore"));
    assertEquals(new JsonArray().add("pool.utilization:" + pool), page.getJsonArray("healthProblems"));
    // all properties over the same days: this one's line (Calls, Attributed, Answered, Conversions, Revenue,
    // Cost, ROAS, Currency), and a total per currency
    assertEquals(new JsonArray(List.of("Shop (" + property + ")", "3", "100.0 %", "1", "1", "500.00", "100.00", "5.00",
        "USD")), page.getJsonObject("portfolioRows").getJsonArray(property));
    assertTrue(page.getJsonArray("portfolioTotals").stream().map(JsonArray.class::cast)
        .anyMatch(t -> "USD".equals(t.getString(8))), page::encode);
    assertTrue(Files.size(screenshot("dashboard.mjs")) > 10_000, "a screenshot was saved");
    // the call log of the chosen days, downloaded from the page: its header and one line per call
    JsonObject log = page.getJsonObject("callLog");
    assertEquals("calls-" + property + "-2026-03-02-2026-03-02.csv", log.getString("name"));
    JsonArray lines = log.getJsonArray("lines");
    assertTrue(lines.getString(0).startsWith("callId,startedAt,number,caller,"), lines::encode);
    assertEquals(api.adminGet("/v1/exports/calls?property=" + property + "&from=2026-03-02&to=2026-03-02").text()
        .split("\r\n").length, lines.size(), lines::encode);
    assertTrue(lines.size() >= 4, lines::encode);
  }

  private JsonObject sample(String property) {
    Reply r = api.adminGet("/v1/dashboard?property=" + property);
    assertEquals(200, r.status(), r.toString());
    return r.json();
  }
}
