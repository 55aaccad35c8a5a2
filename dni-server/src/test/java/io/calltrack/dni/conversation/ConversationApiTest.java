package io.calltrack.dni.conversation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.RedisCallStore;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.core.testing.TestNumbers;
import io.calltrack.core.testing.TestRedis;
import io.calltrack.dni.report.CallSeeder;
import io.calltrack.dni.testing.DniClient;
import io.calltrack.dni.testing.DniClient.Reply;
import io.calltrack.dni.testing.DniTestBase;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Conversation intelligence through HTTP and the real call store: a transcript kept beside its call and
 * analysed under the property's rules as they are when read; the conversations report's figures, grouped
 * by a dimension and by day; a property's API key limited to its own calls; bad transcripts refused in
 * the client's terms and nothing kept; a caller's erasure taking the transcript, and a transcript
 * delivered after it refused.
 */
class ConversationApiTest extends DniTestBase {
  static final Instant DAY = Instant.parse("2026-03-10T15:00:00Z");

  static JsonObject seg(String speaker, double start, String text) {
    return new JsonObject().put("speaker", speaker).put("start", start).put("text", text);
  }

  static JsonObject transcript(JsonObject... segments) {
    return new JsonObject().put("segments", new JsonArray(List.of((Object[]) segments))).put("source", "whisper-1");
  }

  Reply put(String callId, Object body, MultiMap headers) {
    return api.request(HttpMethod.PUT, "/v1/calls/" + callId + "/transcript", DniClient.body(body), headers);
  }

  String property() {
    String property = TestRedis.uniqueId("conv");
    assertEquals(200, api.adminPut("/v1/properties/" + property,
        propertyBody(TestNumbers.fresh().e164(), ORIGIN).put("timezone", "America/New_York")).status());
    Reply rules = api.adminPut("/v1/properties/" + property + "/marketing", new JsonObject()
        .put("conversations", new JsonObject()
            .put("keyPhrases", new JsonArray().add("price").add("Acme Plumbing").add("PRICE"))
            .put("leadPhrases", new JsonArray().add("book an appointment").add("a quote"))
            .put("script", new JsonArray().add("thank you for calling").add("can I have your name"))));
    assertEquals(200, rules.status(), rules::toString);
    // one of each phrase kept, as first written
    assertEquals(new JsonArray().add("price").add("Acme Plumbing"),
        rules.json().getJsonObject("conversations").getJsonArray("keyPhrases"));
    return property;
  }

  @Test
  void aTranscriptIsKeptAndAnalysedUnderTheRulesAsTheyAreWhenRead() {
    String property = property();
    CallSeeder seeder = new CallSeeder(vertx);
    CallRecord call = seeder.call(property, TestNumbers.fresh(), "+16175550101", DAY, CallSeeder.source("google", "cpc"), 60);

    Reply kept = put(call.callId(), transcript(
        seg("caller", 4.2, "Hi, I'd like to BOOK an appointment... what's the price?"),
        seg("agent", 0.5, "Thank you for calling, this is Dana."),
        seg("agent", 9, "  "),
        seg("caller", 12.25, "Is that cheaper than Acmé Plumbing? It's priceless.")), api.admin());
    assertEquals(200, kept.status(), kept::toString);
    JsonObject t = kept.json();
    assertEquals(call.callId(), t.getString("callId"));
    // blank segments dropped, the rest in the order they were said
    assertEquals(3, t.getJsonArray("segments").size());
    assertEquals("agent", t.getJsonArray("segments").getJsonObject(0).getString("speaker"));
    assertEquals(12.25, t.getJsonArray("segments").getJsonObject(2).getDouble("start"));
    JsonObject a = t.getJsonObject("analysis");
    assertEquals(new JsonArray().add("price").add("Acme Plumbing"), a.getJsonArray("keyPhrases"));
    assertEquals(new JsonArray().add("book an appointment"), a.getJsonArray("leadPhrases"));
    assertTrue(a.getBoolean("leadIntent"));
    assertEquals(new JsonArray().add("thank you for calling"), a.getJsonArray("scriptSaid"));
    assertEquals(new JsonArray().add("can I have your name"), a.getJsonArray("scriptMissed"));
    assertEquals(0.5, a.getDouble("scriptAdherence"));

    // the rules change: the same transcript read again is analysed under the new ones
    assertEquals(200, api.adminPut("/v1/properties/" + property + "/marketing", new JsonObject()
        .put("conversations", new JsonObject().put("keyPhrases", new JsonArray().add("cheaper")))).status());
    JsonObject again = api.adminGet("/v1/calls/" + call.callId() + "/transcript").json().getJsonObject("analysis");
    assertEquals(new JsonArray().add("cheaper"), again.getJsonArray("keyPhrases"));
    assertFalse(again.containsKey("leadIntent"), again::encode);
    assertFalse(again.containsKey("scriptAdherence"), again::encode);
  }

  @Test
  void theReportCountsCoverageMentionsIntentScriptAndAccuracyByDimensionAndDay() {
    String property = property();
    CallSeeder seeder = new CallSeeder(vertx);
    PhoneNumber n = TestNumbers.fresh();
    // google: two answered and transcribed (a lead the business qualified; a non-lead it did not), one missed
    CallRecord lead = seeder.call(property, n, "+16175550111", DAY, CallSeeder.source("google", "cpc"), 60);
    CallRecord browse = seeder.call(property, n, "+16175550112", DAY.plusSeconds(600), CallSeeder.source("google", "cpc"), 30);
    seeder.call(property, n, "+16175550113", DAY.plusSeconds(900), CallSeeder.source("google", "cpc"), -1);
    // bing, the next day: one answered and transcribed (a lead the business did not qualify), one not transcribed
    Instant next = DAY.plus(java.time.Duration.ofDays(1));
    CallRecord missedLead = seeder.call(property, n, "+16175550114", next, CallSeeder.source("bing", "cpc"), 40);
    seeder.call(property, n, "+16175550115", next.plusSeconds(60), CallSeeder.source("bing", "cpc"), 20);
    // another property's transcribed call in the same days counts nowhere here
    String other = property();
    CallRecord neighbour = seeder.call(other, n, "+16175550116", DAY, CallSeeder.source("google", "cpc"), 20);
    assertEquals(200, put(neighbour.callId(), transcript(seg("caller", 1, "a quote please")), api.admin()).status());

    assertEquals(200, put(lead.callId(), transcript(seg("agent", 0, "Thank you for calling, can I have your name?"),
        seg("caller", 3, "Sure. I want to book an appointment, what is the price")), api.admin()).status());
    assertEquals(200, put(browse.callId(), transcript(seg("agent", 0, "Hello."),
        seg("caller", 2, "Just checking your opening hours.")), api.admin()).status());
    assertEquals(200, put(missedLead.callId(), transcript(seg("agent", 0, "Thank you for calling."),
        seg("caller", 2, "Could I get a quote?")), api.admin()).status());
    outcome(lead.callId(), true);
    outcome(browse.callId(), false);
    outcome(missedLead.callId(), false);

    Reply r = api.adminGet("/v1/reports/conversations?property=" + property + "&from=2026-03-10&to=2026-03-11&groupBy=source");
    assertEquals(200, r.status(), r::toString);
    JsonObject total = r.json().getJsonObject("total");
    assertEquals(io.calltrack.core.conversation.ConversationReport.FIELDS, List.copyOf(total.fieldNames()));
    assertEquals(5, total.getInteger("calls"));
    assertEquals(4, total.getInteger("answered"));
    assertEquals(3, total.getInteger("transcribed"));
    assertEquals(0.75, total.getDouble("transcriptionCoverage"));
    assertEquals(1, total.getInteger("keyPhraseCalls"));
    assertEquals(0.3333, total.getDouble("keyPhraseMentionRate"));
    assertEquals(new JsonObject().put("price", 1).put("Acme Plumbing", 0), total.getJsonObject("phrases"));
    assertEquals(2, total.getInteger("leadIntentCalls"));
    assertEquals(0.6667, total.getDouble("intentDetectionRate"));
    assertEquals(0.5, total.getDouble("scriptAdherence")); // 3 lines said of 3 calls x 2
    assertEquals(3, total.getInteger("classifiedCalls"));
    assertEquals(0.6667, total.getDouble("classificationAccuracy")); // the quote the business did not qualify
    JsonArray rows = r.json().getJsonArray("rows");
    assertEquals(2, rows.size());
    JsonObject bing = rows.getJsonObject(0);
    assertEquals("bing", bing.getString("source"));
    assertEquals(0.5, bing.getDouble("transcriptionCoverage"));
    assertEquals(0.0, bing.getDouble("classificationAccuracy"));
    JsonObject google = rows.getJsonObject(1);
    assertEquals("google", google.getString("source"));
    assertEquals(3, google.getInteger("calls"));
    assertEquals(1.0, google.getDouble("transcriptionCoverage"));
    assertEquals(1.0, google.getDouble("classificationAccuracy"));

    // days cut in New York's time zone
    JsonArray days = api.adminGet("/v1/reports/conversations?property=" + property
        + "&from=2026-03-10&to=2026-03-11&groupBy=day").json().getJsonArray("rows");
    assertEquals(List.of("2026-03-10", "2026-03-11"), days.stream().map(d -> ((JsonObject) d).getString("day")).toList());
    assertEquals(2, days.getJsonObject(0).getInteger("transcribed"));

    Reply badGroup = api.adminGet("/v1/reports/conversations?property=" + property + "&groupBy=colour");
    assertEquals(400, badGroup.status(), badGroup::toString);
    assertTrue(badGroup.json().getString("detail").contains("groupBy"), badGroup::toString);
    assertEquals(404, api.adminGet("/v1/reports/conversations?property=no-such-property").status());
  }

  @Test
  void badTranscriptsAreRefusedInTheClientsTermsAndChangeNothing() {
    String property = property();
    CallRecord call = new CallSeeder(vertx).call(property, TestNumbers.fresh(), "+16175550121", DAY,
        CallSeeder.source("google", "cpc"), 60);
    assertEquals(404, api.adminGet("/v1/calls/" + call.callId() + "/transcript").status());
    assertBad(put(call.callId(), transcript(seg("customer", 1, "hi")), api.admin()), "segments[1].speaker must be one of");
    assertBad(put(call.callId(), transcript(seg("caller", -1, "hi")), api.admin()), "start");
    assertBad(put(call.callId(), new JsonObject().put("segments", "hello"), api.admin()), "segments");
    assertBad(put(call.callId(), new JsonObject().put("segments", new JsonArray().add(
        new JsonObject().put("speaker", "caller").put("start", 1))), api.admin()), "text");
    assertBad(put(call.callId(), transcript(seg("caller", 1, "x".repeat(10_001))), api.admin()), "10000");
    assertEquals(404, api.adminGet("/v1/calls/" + call.callId() + "/transcript").status());
    assertEquals(404, put("no-such-call", transcript(seg("caller", 1, "hi")), api.admin()).status());

    Reply badRules = api.adminPut("/v1/properties/" + property + "/marketing", new JsonObject()
        .put("conversations", new JsonObject().put("leadPhrases", new JsonArray().add("  ?! "))));
    assertBad(badRules, "conversations.leadPhrases[1]");
    Reply badService = api.adminPut("/v1/properties/" + property + "/marketing", new JsonObject()
        .put("conversations", new JsonObject().put("transcription", new JsonObject().put("url", "ftp://stt.example"))));
    assertBad(badService, "conversations.transcription.url");
  }

  @Test
  void aPropertysKeyReachesItsOwnCallsTranscriptsOnly() {
    String property = property();
    String other = property();
    CallSeeder seeder = new CallSeeder(vertx);
    CallRecord mine = seeder.call(property, TestNumbers.fresh(), "+16175550131", DAY, CallSeeder.source("google", "cpc"), 60);
    CallRecord theirs = seeder.call(other, TestNumbers.fresh(), "+16175550132", DAY, CallSeeder.source("google", "cpc"), 60);
    Reply issued = api.request(HttpMethod.POST, "/v1/api-keys", DniClient.body(new JsonObject()
        .put("property", property).put("scope", "write").put("name", "stt")), api.admin());
    assertEquals(201, issued.status(), issued::toString);
    MultiMap key = DniClient.headers("authorization", "Bearer " + issued.json().getString("key"),
        "content-type", "application/json");
    assertEquals(200, put(mine.callId(), transcript(seg("caller", 1, "a quote")), key).status());
    assertEquals(403, put(theirs.callId(), transcript(seg("caller", 1, "a quote")), key).status());
    assertEquals(404, api.adminGet("/v1/calls/" + theirs.callId() + "/transcript").status());
    assertEquals(200, api.request(HttpMethod.GET, "/v1/reports/conversations?property=" + property, null, key).status());
    assertEquals(403, api.request(HttpMethod.GET, "/v1/reports/conversations?property=" + other, null, key).status());
  }

  @Test
  void erasingTheCallerTakesTheTranscriptAndALateOneIsNotKept() {
    String property = property();
    String caller = "+16175550141";
    CallSeeder seeder = new CallSeeder(vertx);
    CallRecord call = seeder.call(property, TestNumbers.fresh(), caller, DAY, CallSeeder.source("google", "cpc"), 60);
    assertEquals(200, put(call.callId(), transcript(seg("caller", 1, "My name is Jo Smith")), api.admin()).status());
    Reply erased = api.request(HttpMethod.DELETE, "/v1/callers/" + caller, null, api.admin());
    assertEquals(200, erased.status(), erased::toString);
    assertEquals(404, api.adminGet("/v1/calls/" + call.callId() + "/transcript").status());
    assertFalse(caller.equals(DniClient.await(seeder.store().get(property, call.callId())).orElseThrow().caller()));
    // the transcriber was still at work when the caller was erased: what it delivers now is not kept
    Reply late = put(call.callId(), transcript(seg("caller", 1, "My name is Jo Smith")), api.admin());
    assertEquals(410, late.status(), late::toString);
    io.vertx.redis.client.Redis redis = io.vertx.redis.client.Redis.createClient(vertx, TestRedis.url());
    try {
      assertNull(DniClient.await(io.vertx.redis.client.RedisAPI.api(redis)
          .hget(RedisCallStore.key(property, call.callId()), "transcript")));
    } finally {
      redis.close();
    }
  }

  private void outcome(String callId, boolean qualified) {
    Reply r = api.request(HttpMethod.POST, "/v1/calls/" + callId + "/outcome",
        DniClient.body(new JsonObject().put("qualified", qualified)), api.admin());
    assertEquals(200, r.status(), r::toString);
  }

  private static void assertBad(Reply r, String detail) {
    assertEquals(400, r.status(), r::toString);
    assertTrue(r.json().getString("detail").contains(detail), r::toString);
    assertFalse(r.text().contains("io.calltrack") || r.text().contains("jackson"), r::toString);
  }
}
