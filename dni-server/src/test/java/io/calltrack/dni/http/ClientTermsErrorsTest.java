package io.calltrack.dni.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.MultiMap;
import io.calltrack.dni.testing.DniClient;
import io.calltrack.dni.testing.DniClient.Reply;
import io.calltrack.dni.testing.DniTestBase;
import io.calltrack.dni.testing.TestNumbers;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every 4xx says what was wrong in the client's terms (field path, expected JSON type, line or row),
 * never a Java class, a parser token name or the parser's source excerpt: malformed and mistyped
 * bodies against the real server.
 */
class ClientTermsErrorsTest extends DniTestBase {
  /** What must never reach a client: how the server is built. */
  static final Pattern INTERNAL = Pattern.compile(
      "java\\.|javax\\.|io\\.calltrack|com\\.fasterxml|io\\.vertx|Exception|JsonToken|\\btoken\\b|\\[Source|"
          + "line: \\d|column: \\d|`|\\bclass\\b|Cannot deserialize|Cannot construct|START_ARRAY|START_OBJECT|"
          + "VALUE_STRING|\\bnull\\b pointer|problem:");

  record Probe(HttpMethod method, String path, String contentType, String body) {}

  @Test
  void malformedAndMistypedBodiesAreAnsweredInTheClientsTerms() {
    Site site = site(2);
    String prop = site.property();
    List<Probe> probes = new ArrayList<>();
    for (String body : List.of("[]", "{", "\"text\"", "null", "42", "{\"property\": 5}",
        "{\"property\": \"" + prop + "\", \"page\": []}", "{\"property\": \"" + prop + "\", \"visitorId\": {}}",
        "{\"property\": \"" + prop + "\", \"attribution\": {\"source\": [1]}}",
        "{\"property\": \"" + prop + "\", \"attribution\": []}", "{\"property\": [\"a\"]}", "{\"a\":1,}",
        "{\"property\": \"" + prop + "\"} trailing", "\u0000\u0001")) {
      probes.add(new Probe(HttpMethod.POST, "/v1/assign", "application/json", body));
    }
    for (String body : List.of("[]", "{", "{\"swapNumbers\": \"x\"}", "{\"swapNumbers\": [1]}",
        "{\"defaultNumber\": {}}", "{\"allowedOrigins\": {\"a\": 1}}", "{\"timezone\": []}",
        "{\"defaultNumber\": \"+15551230000\", \"name\": [1,2]}")) {
      probes.add(new Probe(HttpMethod.PUT, "/v1/properties/" + prop, "application/json", body));
    }
    for (String body : List.of("[]", "{\"property\": \"" + prop + "\", \"numbers\": 5}",
        "{\"property\": \"" + prop + "\", \"numbers\": [\"+15550001111\"], \"leaseSeconds\": \"abc\"}",
        "{\"property\": \"" + prop + "\", \"numbers\": [\"+15550001111\"], \"leaseSeconds\": 1.5}",
        "{\"property\": \"" + prop + "\", \"numbers\": [\"+15550001111\"], \"onExhausted\": 7}",
        "{\"property\": \"" + prop + "\", \"numbers\": [{}]}")) {
      probes.add(new Probe(HttpMethod.PUT, "/v1/pools/" + site.poolId() + "-x", "application/json", body));
    }
    probes.add(new Probe(HttpMethod.PUT, "/v1/numbers/+15550009999", "application/json", "{\"property\": []}"));
    probes.add(new Probe(HttpMethod.PUT, "/v1/numbers/+15550009999", "application/json", "[1]"));
    probes.add(new Probe(HttpMethod.POST, "/v1/calls/nope/outcome", "application/json", "{"));
    probes.add(new Probe(HttpMethod.POST, "/v1/calls/nope/outcome", "application/json", "[true]"));
    probes.add(new Probe(HttpMethod.PUT, "/v1/spend?property=" + prop, "application/json", "{\"rows\": [1, {"));
    probes.add(new Probe(HttpMethod.PUT, "/v1/spend?property=" + prop, "application/json", "[{\"date\": []}]"));
    probes.add(new Probe(HttpMethod.PUT, "/v1/spend?property=" + prop, "text/csv",
        "date,source,medium,campaign,amount\n2026-03-02,google,cpc,\"spring,5.00\n"));
    probes.add(new Probe(HttpMethod.POST, "/v1/outcomes", "text/csv", "callId,qualified,converted,value\n\"abc,true"));
    // an empty body, to every route that reads one (an empty outcomes upload was a 500)
    for (Probe empty : List.of(new Probe(HttpMethod.POST, "/v1/outcomes", "text/csv", ""),
        new Probe(HttpMethod.PUT, "/v1/spend?property=" + prop, "text/csv", ""),
        new Probe(HttpMethod.PUT, "/v1/spend?property=" + prop, "application/json", ""),
        new Probe(HttpMethod.POST, "/v1/calls/nope/outcome", "application/json", ""),
        new Probe(HttpMethod.PUT, "/v1/properties/" + prop, "application/json", ""),
        new Probe(HttpMethod.PUT, "/v1/pools/" + site.poolId() + "-x", "application/json", ""),
        new Probe(HttpMethod.PUT, "/v1/numbers/+15550009999", "application/json", ""),
        new Probe(HttpMethod.PUT, "/v1/properties/" + prop + "/marketing", "application/json", ""),
        new Probe(HttpMethod.POST, "/v1/api-keys", "application/json", ""),
        new Probe(HttpMethod.POST, "/v1/callbacks", "application/json", ""),
        new Probe(HttpMethod.POST, "/v1/assign", "application/json", ""))) {
      probes.add(empty);
    }
    probes.add(new Probe(HttpMethod.GET, "/v1/calls?from=yesterday", null, null));
    probes.add(new Probe(HttpMethod.GET, "/v1/calls?limit=ten", null, null));
    probes.add(new Probe(HttpMethod.GET, "/v1/calls?cursor=%%%", null, null));
    probes.add(new Probe(HttpMethod.GET, "/v1/reports/roi?property=" + prop + "&from=2026-13-40", null, null));
    probes.add(new Probe(HttpMethod.GET, "/v1/reports/roi?property=" + prop + "&groupBy=colour", null, null));
    probes.add(new Probe(HttpMethod.POST, "/v1/sessions/..../heartbeat", null, null));
    // ranges: backwards, or days and instants past what the store's epoch milliseconds hold (these
    // were a 503 "unavailable" with Java's "/ by zero" or "long overflow", a 200 of -8 days, a 500)
    String reports = "property=" + prop + "&from=2026-03-10&to=";
    probes.add(new Probe(HttpMethod.GET, "/v1/reports/dashboard-usage?" + reports + "2026-03-09", null, null));
    probes.add(new Probe(HttpMethod.GET, "/v1/reports/dashboard-usage?" + reports + "2026-03-01", null, null));
    probes.add(new Probe(HttpMethod.GET, "/v1/reports/summary?" + reports + "2026-03-01", null, null));
    probes.add(new Probe(HttpMethod.GET, "/v1/exports/google-ads?" + reports + "2026-03-01", null, null));
    probes.add(new Probe(HttpMethod.GET, "/v1/exports/microsoft-ads?" + reports + "2026-03-01", null, null));
    for (String far : List.of("-999999999-01-01", "%2B999999999-12-31", "1969-12-31", "10000-01-01")) {
      for (String path : List.of("/v1/reports/roi", "/v1/reports/summary", "/v1/reports/dashboard-usage",
          "/v1/exports/google-ads", "/v1/exports/microsoft-ads", "/v1/exports/calls")) {
        probes.add(new Probe(HttpMethod.GET, path + "?property=" + prop + "&from=" + far + "&to=" + far, null, null));
      }
    }
    probes.add(new Probe(HttpMethod.GET, "/v1/reports/targets?property=" + prop + "&month=-999999999-01", null, null));
    probes.add(new Probe(HttpMethod.GET, "/v1/calls?from=-1000000000-01-01T00:00:00Z", null, null));
    probes.add(new Probe(HttpMethod.GET, "/v1/calls?to=%2B1000000000-01-01T00:00:00Z", null, null));

    for (Probe p : probes) {
      MultiMap headers = api.admin();
      if (p.contentType() != null) {
        headers.set("content-type", p.contentType());
      }
      Reply r = api.request(p.method(), p.path(), p.body() == null ? null : Buffer.buffer(p.body()), headers);
      String what = p.method() + " " + p.path() + " " + p.body() + " -> " + r;
      assertTrue(r.status() >= 400 && r.status() < 500, what);
      JsonObject json = r.json();
      assertNotNull(json, what);
      assertNotNull(json.getString("error"), what);
      String detail = json.getString("detail");
      assertNotNull(detail, what);
      assertFalse(INTERNAL.matcher(detail).find(), "internals in " + what);
    }
  }

  /**
   * A body whose schema takes no other fields (an API key's request) names the one it does not take;
   * the answer was "the body does not match the API's schema". Where a map's keys are free (an
   * outcome's stages), a value that does not fit is named for what it is.
   */
  @Test
  void aFieldABodyDoesNotTakeIsNamedWhereTheSchemaListsItsFields() {
    Site site = site(1);
    Reply typo = api.post("/v1/api-keys", new JsonObject().put("property", site.property()).put("scope", "read")
        .put("nmae", "crm"), api.admin().set("content-type", "application/json"));
    assertEquals(400, typo.status(), typo::toString);
    assertEquals("unknown field 'nmae' (the fields each body takes are in /openapi.json)",
        typo.json().getString("detail"), typo::toString);
  }

  /**
   * Every admin body lists its fields: a misspelt one is refused by name and nothing is stored, never
   * dropped (a property whose "timeZone" was ignored kept the default time zone; a pool whose
   * "match": {"sorce": ...} was ignored served every visit).
   */
  @Test
  void aMisspeltFieldOfAnyAdminBodyIsRefusedByName() {
    Site site = site(1);
    String number = TestNumbers.one();
    JsonObject property = propertyBody(site.defaultNumber(), ORIGIN).put("timeZone", "America/Chicago");
    record Typo(String path, JsonObject body, String field) {}
    for (Typo t : List.of(
        new Typo("/v1/properties/" + site.property(), property, "timeZone"),
        new Typo("/v1/properties/" + site.property(), propertyBody(site.defaultNumber(), ORIGIN)
            .put("retention", new JsonObject().put("callRecordDays", 30)), "callRecordDays"),
        new Typo("/v1/properties/" + site.property(), propertyBody(site.defaultNumber(), ORIGIN)
            .put("assignLimits", new JsonObject().put("perMinutes", 5)), "perMinutes"),
        new Typo("/v1/pools/" + site.poolId(), poolBody(site.property(), List.of(number), 600, 60, "fallback")
            .put("holdSecond", 5), "holdSecond"),
        new Typo("/v1/pools/" + site.poolId(), poolBody(site.property(), List.of(number), 600, 60, "fallback")
            .put("match", new JsonObject().put("sorce", "google")), "sorce"),
        new Typo("/v1/numbers/" + number, new JsonObject().put("property", site.property()).put("sourse", "print"),
            "sourse"),
        new Typo("/v1/properties/" + site.property() + "/marketing", new JsonObject().put("curency", "EUR"), "curency"))) {
      Reply r = api.adminPut(t.path(), t.body());
      assertEquals(400, r.status(), () -> t + " -> " + r);
      assertTrue(r.json().getString("detail").matches("unknown field '([a-zA-Z]+\\.)?" + t.field() + "' .*"),
          () -> t + " -> " + r);
    }
    assertEquals("America/New_York", api.adminGet("/v1/properties/" + site.property()).json().getString("timezone"), "nothing stored");
    assertEquals(404, api.adminGet("/v1/numbers/" + number).status());
    // and the ids a GET answers may be sent back: the URL's win
    JsonObject got = api.adminGet("/v1/properties/" + site.property()).json();
    assertEquals(200, api.adminPut("/v1/properties/" + site.property(), got).status());
  }

  /** What Netty cannot read is answered like any other error (Vert.x's own answer had no body). */
  @Test
  void aRequestTooLargeToReadIsAnsweredInJson() {
    Reply line = api.adminGet("/v1/properties/" + "a".repeat(5000));
    assertEquals(414, line.status(), line::toString);
    assertEquals("uri_too_long", line.error(), line::toString);
    assertTrue(line.json().getString("detail").contains("request line"), line::toString);
    MultiMap big = api.admin().add("x-padding", "b".repeat(9000));
    Reply headers = api.request(HttpMethod.GET, "/v1/properties", null, big);
    assertEquals(431, headers.status(), headers::toString);
    assertEquals("headers_too_large", headers.error(), headers::toString);
    // and the server goes on answering
    assertEquals(200, api.adminGet("/v1/properties").status());
  }

  @Test
  void detailsNameTheFieldAndTheExpectedType() {
    Site site = site(1);
    Reply array = api.post("/v1/assign", "[]");
    assertEquals(400, array.status());
    assertTrue(array.json().getString("detail").contains("object"), array::toString);

    Reply field = api.post("/v1/assign", "{\"property\": \"" + site.property() + "\", \"page\": {\"url\": [1]}}");
    assertEquals(400, field.status());
    assertTrue(field.json().getString("detail").contains("url"), field::toString);
    assertTrue(field.json().getString("detail").contains("string"), field::toString);

    // the journey: a list of touches, each touch's time a date-time
    Reply notAList = api.post("/v1/assign", "{\"property\": \"" + site.property()
        + "\", \"attribution\": {\"journey\": \"google\"}}");
    assertEquals(400, notAList.status(), notAList::toString);
    assertTrue(notAList.json().getString("detail").contains("journey"), notAList::toString);
    Reply badTime = api.post("/v1/assign", "{\"property\": \"" + site.property()
        + "\", \"attribution\": {\"journey\": [{\"source\": \"google\", \"at\": \"yesterday\"}]}}");
    assertEquals(400, badTime.status(), badTime::toString);
    assertTrue(badTime.json().getString("detail").contains("attribution.journey[1].at"), badTime::toString);
    assertTrue(badTime.json().getString("detail").contains("ISO-8601"), badTime::toString);

    Reply broken = api.post("/v1/assign", "{\n  \"property\": ");
    assertEquals(400, broken.status());
    assertTrue(broken.json().getString("detail").contains("JSON"), broken::toString);

    Reply lease = api.adminPut("/v1/pools/" + site.poolId(), new JsonObject().put("property", site.property())
        .put("numbers", new io.vertx.core.json.JsonArray().add(site.numbers().get(0))).put("leaseSeconds", "abc"));
    assertEquals(400, lease.status());
    assertTrue(lease.json().getString("detail").contains("leaseSeconds"), lease::toString);
    assertTrue(lease.json().getString("detail").matches("(?s).*(whole number|integer).*"), lease::toString);

    Reply csv = api.request(HttpMethod.POST, "/v1/outcomes", Buffer.buffer("callId,qualified,converted,value\nx,true,false,1\n\"y,true"),
        DniClient.headers("authorization", "Bearer " + TOKEN, "content-type", "text/csv"));
    assertEquals(400, csv.status());
    assertTrue(csv.json().getString("detail").contains("line 3"), csv::toString);
  }

  /**
   * A body past what the event loop checks itself (an upload: here a pool of 5,000 numbers, over 64 KiB)
   * is checked on a worker: answered in the same terms when it does not fit, taken when it does.
   */
  @Test
  void aLargeBodyIsCheckedAsASmallOneIs() {
    Site site = site(1);
    io.vertx.core.json.JsonArray numbers = new io.vertx.core.json.JsonArray(
        new ArrayList<Object>(io.calltrack.dni.testing.TestNumbers.block(5_000)));
    JsonObject pool = new JsonObject().put("property", site.property()).put("numbers", numbers.copy().add(5));
    assertTrue(pool.encode().length() > 64 * 1024);
    Reply bad = api.adminPut("/v1/pools/" + site.poolId() + "-big", pool);
    assertEquals(400, bad.status(), bad::toString);
    assertTrue(bad.json().getString("detail").startsWith("numbers[5001]: expected a string"), bad::toString);
    Reply good = api.adminPut("/v1/pools/" + site.poolId() + "-big", pool.put("numbers", numbers));
    assertEquals(200, good.status(), good::toString);
  }

  @Test
  void objectKeysMadeOfDigitsAreNamedAsKeysNotRows() {
    // stages is an object: its keys are members, however many digits (one past an int was a 500)
    for (String key : List.of("99999999999", "3")) {
      Reply r = api.request(HttpMethod.POST, "/v1/calls/nope/outcome",
          Buffer.buffer("{\"stages\": {\"" + key + "\": 5}}"), api.admin());
      assertEquals(400, r.status(), r::toString);
      assertEquals("invalid_request", r.json().getString("error"), r::toString);
      String detail = r.json().getString("detail");
      assertTrue(detail.startsWith("stages." + key + ": expected a string"), r::toString);
      assertFalse(INTERNAL.matcher(detail).find(), r::toString);
    }
    // a list's entries are still rows, counted from 1
    Site site = site(1);
    Reply list = api.adminPut("/v1/pools/" + site.poolId() + "-rows", new JsonObject().put("property", site.property())
        .put("numbers", new io.vertx.core.json.JsonArray().add(site.numbers().get(0)).add(5)));
    assertEquals(400, list.status(), list::toString);
    assertTrue(list.json().getString("detail").startsWith("numbers[2]: "), list::toString);
  }
}
