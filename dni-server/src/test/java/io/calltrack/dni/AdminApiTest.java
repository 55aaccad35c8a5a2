package io.calltrack.dni;

import static io.calltrack.dni.testing.DniClient.headers;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.testing.TestRedis;
import io.calltrack.dni.testing.DniClient;
import io.calltrack.dni.testing.DniClient.Reply;
import io.calltrack.dni.testing.DniTestBase;
import io.calltrack.dni.testing.TestNumbers;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The admin API through a real server and client: properties, pools, static numbers, auth, bad input. */
class AdminApiTest extends DniTestBase {

  @Test
  void putAndGetProperty() {
    String id = TestRedis.uniqueId("prop");
    String printed = TestNumbers.one();
    JsonObject body = propertyBody(printed, ORIGIN, "https://shop.example").put("id", "ignored-body-id");
    Reply put = api.adminPut("/v1/properties/" + id, body);
    assertEquals(200, put.status(), put::toString);
    JsonObject stored = put.json();
    assertEquals(id, stored.getString("id"), "the URL names the property, not the body");
    assertEquals("Shop", stored.getString("name"));
    assertEquals(new JsonArray().add(ORIGIN).add("https://shop.example"), stored.getJsonArray("allowedOrigins"));
    assertEquals(new JsonArray().add(printed), stored.getJsonArray("swapNumbers"));
    assertEquals(printed, stored.getString("defaultNumber"));
    assertEquals("sip:+15559990000@127.0.0.1:5070", stored.getString("businessLine"));
    assertEquals("America/New_York", stored.getString("timezone"));

    Reply get = api.adminGet("/v1/properties/" + id);
    assertEquals(200, get.status(), get::toString);
    assertEquals(stored, get.json());
    assertTrue(get.header("content-type").startsWith("application/json"));
  }

  @Test
  void propertyNumbersInPrintedFormsAreStoredAsE164() {
    String id = TestRedis.uniqueId("prop");
    // the same number printed twice (the header's and the footer's form) is one number to swap
    JsonObject body = new JsonObject().put("swapNumbers", new JsonArray().add("(555) 123-4567").add("555.123.4568")
        .add("+1 555 123 4567"));
    Reply put = api.adminPut("/v1/properties/" + id, body);
    assertEquals(200, put.status(), put::toString);
    assertEquals(new JsonArray().add("+15551234567").add("+15551234568"), put.json().getJsonArray("swapNumbers"));
    assertEquals("+15551234567", put.json().getString("defaultNumber"), "first swap number is the default");
    assertEquals("UTC", put.json().getString("timezone"));
  }

  /** A property that does not exist is a 404 wherever a list is asked of it, not an empty list. */
  @Test
  void listsOfAPropertyThatDoesNotExistAre404() {
    String nobody = TestRedis.uniqueId("nosuch");
    for (String path : List.of("/v1/pools?property=" + nobody, "/v1/calls?property=" + nobody)) {
      Reply r = api.adminGet(path);
      assertEquals(404, r.status(), path + ": " + r);
      assertEquals("no property '" + nobody + "'", r.json().getString("detail"), r::toString);
    }
    Site site = site(1);
    assertEquals(1, api.adminGet("/v1/pools?property=" + site.property()).json().getJsonArray("pools").size());
  }

  @Test
  void replacingAPropertyChangesIt() {
    String id = TestRedis.uniqueId("prop");
    String printed = TestNumbers.one();
    assertEquals(200, api.adminPut("/v1/properties/" + id, propertyBody(printed, ORIGIN)).status());
    assertEquals(200, api.adminPut("/v1/properties/" + id, propertyBody(printed, ORIGIN).put("name", "Renamed")).status());
    assertEquals("Renamed", api.adminGet("/v1/properties/" + id).json().getString("name"));
  }

  @Test
  void listPropertiesAndAPropertysPools() {
    String a = TestRedis.uniqueId("prop-a");
    String b = TestRedis.uniqueId("prop-b");
    assertEquals(200, api.adminPut("/v1/properties/" + a, propertyBody(TestNumbers.one(), ORIGIN)).status());
    assertEquals(200, api.adminPut("/v1/properties/" + b, propertyBody(TestNumbers.one(), ORIGIN)).status());
    Reply list = api.adminGet("/v1/properties");
    assertEquals(200, list.status(), list::toString);
    List<String> ids = list.json().getJsonArray("properties").stream()
        .map(o -> ((JsonObject) o).getString("id")).toList();
    assertTrue(ids.contains(a) && ids.contains(b), ids::toString);

    String pool1 = TestRedis.uniqueId("pool");
    String pool2 = TestRedis.uniqueId("pool");
    assertEquals(200, api.adminPut("/v1/pools/" + pool1, poolBody(a, TestNumbers.block(2), 60, 60, "fallback")).status());
    assertEquals(200, api.adminPut("/v1/pools/" + pool2, poolBody(a, TestNumbers.block(1), 60, 60, "fallback")
        .put("match", new JsonObject().put("medium", "cpc"))).status());
    Reply pools = api.adminGet("/v1/properties/" + a + "/pools");
    assertEquals(200, pools.status(), pools::toString);
    List<String> poolIds = pools.json().getJsonArray("pools").stream()
        .map(o -> ((JsonObject) o).getString("id")).sorted().toList();
    assertEquals(java.util.stream.Stream.of(pool1, pool2).sorted().toList(), poolIds);
    assertEquals(new JsonArray(), api.adminGet("/v1/properties/" + b + "/pools").json().getJsonArray("pools"));
    assertEquals(404, api.adminGet("/v1/properties/" + TestRedis.uniqueId("nope") + "/pools").status());
    assertEquals(401, api.get("/v1/properties").status());
  }

  @Test
  void unknownPropertyIs404() {
    Reply get = api.adminGet("/v1/properties/" + TestRedis.uniqueId("nope"));
    assertEquals(404, get.status());
    assertEquals("not_found", get.error());
    assertNotNull(get.json().getString("detail"));
  }

  @Test
  void badPropertiesAreRefusedAndChangeNothing() {
    String id = TestRedis.uniqueId("prop");
    String printed = TestNumbers.one();
    assertEquals(200, api.adminPut("/v1/properties/" + id, propertyBody(printed, ORIGIN)).status());
    String path = "/v1/properties/" + id;

    assertInvalid(api.adminPut(path, "{\"name\": \"x\", "), "malformed JSON");
    assertInvalid(api.adminPut(path, "[1,2]"), "an array is not a property");
    assertInvalid(api.adminPut(path, ""), "empty body");
    assertInvalid(api.adminPut(path, propertyBody(printed, ORIGIN).put("swapNumbers", "+15551230000")), "wrong type");
    assertInvalid(api.adminPut(path, propertyBody(printed, ORIGIN).put("allowedOrigins", new JsonArray().add(5).add(new JsonObject()))),
        "wrong element type");
    assertInvalid(api.adminPut(path, propertyBody("not a number", ORIGIN)), "invalid phone number");
    assertInvalid(api.adminPut(path, propertyBody("+1 555", ORIGIN)), "too short phone number");
    assertInvalid(api.adminPut(path, propertyBody(printed, "not an origin")), "bad origin");
    assertInvalid(api.adminPut(path, propertyBody(printed, ORIGIN).put("timezone", "Mars/Olympus")), "bad timezone");
    assertInvalid(api.adminPut(path, propertyBody(printed, ORIGIN).put("businessLine", "http://x")), "bad SIP URI");
    assertInvalid(api.adminPut("/v1/properties/bad%20id!", propertyBody(printed, ORIGIN)), "bad id");

    Reply after = api.adminGet(path);
    assertEquals("Shop", after.json().getString("name"));
    assertEquals(printed, after.json().getString("defaultNumber"));
    assertEquals("America/New_York", after.json().getString("timezone"));
  }

  /**
   * The router sends each call to the line as the INVITE's Request-URI: one SIP URI, user and host,
   * no headers (RFC 3261 19.1.5 keeps them out of a Request-URI), a port that is a port.
   */
  @Test
  void aBusinessLineIsOneSipUriWithoutHeaders() {
    String id = TestRedis.uniqueId("prop");
    String printed = TestNumbers.one();
    String path = "/v1/properties/" + id;
    assertEquals(200, api.adminPut(path, propertyBody(printed, ORIGIN)).status());
    for (String bad : List.of("sip:+15559990000@pbx.example.com?Route=%3Csip:evil.example%3E",
        "sip:+15559990000@pbx.example.com;lr?Route=x", "sip:a@b@c", "sip:+15559990000@pbx.example.com:99999",
        "sip:+15559990000@pbx.example.com:0", "sip:+15559990000@pbx.example.com:abc", "sip:+15559990000@pbx.example.com>",
        "<sip:+15559990000@pbx.example.com>", "sip:+15559990000@pbx.example.com,sip:x@y.example",
        "sip:+15559990000@pb\"x.example", "sip:+15559990000@pbx_example.com", "sip:+15559990000@[::1",
        "sip:+15559990000@pbx.example.com;", "sip:", "sip:@", "sip:@pbx.example.com", "http://pbx.example.com")) {
      Reply r = api.adminPut(path, propertyBody(printed, ORIGIN).put("businessLine", bad));
      assertInvalid(r, bad);
      assertTrue(r.json().getString("detail").startsWith("businessLine must be a SIP URI"), () -> bad + ": " + r);
    }
    assertEquals("sip:+15559990000@127.0.0.1:5070", api.adminGet(path).json().getString("businessLine"));

    for (String good : List.of("sips:+15559990000@pbx.example.com", "SIP:reception@PBX.example.com:5061",
        "sip:+15559990000@pbx.example.com;transport=tcp;user=phone", "sip:+15559990000@[2001:db8::5]:5060",
        "sip:0908.799.0000@pbx.example.com", "sip:+1-555-999-0000@203.0.113.7:65535", "sip:pbx.example.com@10.0.0.5",
        "sip:%2B15559990000@pbx.example.com.")) {
      Reply r = api.adminPut(path, propertyBody(printed, ORIGIN).put("businessLine", good));
      assertEquals(200, r.status(), () -> good + ": " + r);
      assertEquals(good, r.json().getString("businessLine"));
    }
  }

  /**
   * An allowed origin is compared with the {@code Origin} a browser sends ({@code scheme://host[:port]},
   * the default port left out): an entry with a query, a fragment, a user, another scheme, the default
   * port or a port that is none never matches one, so the site's pages would all be refused.
   */
  @Test
  void allowedOriginsAreOriginsAsABrowserSendsThem() {
    String id = TestRedis.uniqueId("prop");
    String printed = TestNumbers.one();
    String path = "/v1/properties/" + id;
    assertEquals(200, api.adminPut(path, propertyBody(printed, ORIGIN)).status());
    for (String bad : List.of("https://a.example?x=1", "https://a.example#top", "https://user@a.example",
        "ftp://a.example", "https://a.example:99999", "https://a.example:443", "http://a.example:80",
        "https://a.example/path", "null", "a.example")) {
      Reply r = api.adminPut(path, propertyBody(printed, ORIGIN).put("allowedOrigins", new JsonArray().add(bad)));
      assertInvalid(r, bad);
      assertTrue(r.json().getString("detail").contains("'" + bad + "'"), () -> bad + ": " + r);
    }
    assertEquals(new JsonArray().add(ORIGIN), api.adminGet(path).json().getJsonArray("allowedOrigins"));
    for (String good : List.of("*", "https://a.example", "HTTPS://A.EXAMPLE", "http://localhost:8080",
        "https://a.example:8443", "http://[::1]:3000")) {
      Reply r = api.adminPut(path, propertyBody(printed, ORIGIN).put("allowedOrigins", new JsonArray().add(good)));
      assertEquals(200, r.status(), () -> good + ": " + r);
    }
  }

  @Test
  void putAndGetPool() {
    String property = TestRedis.uniqueId("prop");
    assertEquals(200, api.adminPut("/v1/properties/" + property, propertyBody(TestNumbers.one(), ORIGIN)).status());
    String poolId = TestRedis.uniqueId("pool");
    List<String> numbers = TestNumbers.block(5);
    JsonObject body = poolBody(property, numbers, 90, 600, "recycle-oldest")
        .put("match", new JsonObject().put("source", "google").put("medium", "cpc"));
    Reply put = api.adminPut("/v1/pools/" + poolId, body);
    assertEquals(200, put.status(), put::toString);
    JsonObject stored = put.json();
    assertEquals(poolId, stored.getString("id"));
    assertEquals(property, stored.getString("property"));
    assertEquals(new JsonArray(List.copyOf(numbers)), stored.getJsonArray("numbers"));
    assertEquals(90, stored.getInteger("leaseSeconds"));
    assertEquals(600, stored.getInteger("holdSeconds"));
    assertEquals("recycle-oldest", stored.getString("onExhausted"));
    assertEquals(new JsonObject().put("source", "google").put("medium", "cpc"), stored.getJsonObject("match"));

    Reply status = api.adminGet("/v1/pools/" + poolId);
    assertEquals(200, status.status(), status::toString);
    JsonObject s = status.json();
    assertEquals(poolId, s.getString("poolId"));
    assertEquals(property, s.getString("property"));
    assertEquals(5, s.getInteger("size"));
    assertEquals(0, s.getInteger("leased"));
    assertEquals(0, s.getInteger("holding"));
    assertEquals(5, s.getInteger("free"));
    assertEquals(0.0, s.getDouble("utilization"));
    assertEquals(0L, s.getLong("exhausted"));
    assertEquals(0L, s.getLong("recycled"));
  }

  @Test
  void poolDefaultsApply() {
    String property = TestRedis.uniqueId("prop");
    assertEquals(200, api.adminPut("/v1/properties/" + property, propertyBody(TestNumbers.one(), ORIGIN)).status());
    Reply put = api.adminPut("/v1/pools/" + TestRedis.uniqueId("pool"),
        new JsonObject().put("property", property).put("numbers", new JsonArray(List.copyOf(TestNumbers.block(2)))));
    assertEquals(200, put.status(), put::toString);
    assertEquals(120, put.json().getInteger("leaseSeconds"));
    assertEquals(1800, put.json().getInteger("holdSeconds"));
    assertEquals("fallback", put.json().getString("onExhausted"));
  }

  @Test
  void badPoolsAreRefusedAndChangeNothing() {
    String property = TestRedis.uniqueId("prop");
    assertEquals(200, api.adminPut("/v1/properties/" + property, propertyBody(TestNumbers.one(), ORIGIN)).status());
    String poolId = TestRedis.uniqueId("pool");
    List<String> numbers = TestNumbers.block(3);
    String path = "/v1/pools/" + poolId;
    assertEquals(200, api.adminPut(path, poolBody(property, numbers, 60, 60, "fallback")).status());

    List<String> others = TestNumbers.block(3);
    assertInvalid(api.adminPut(path, "{\"property\":"), "malformed JSON");
    assertInvalid(api.adminPut(path, poolBody(property, others, 60, 60, "fallback").put("leaseSeconds", "soon")), "wrong type");
    assertInvalid(api.adminPut(path, poolBody(property, others, 60, 60, "fallback").put("leaseSeconds", 1.5)), "fraction");
    assertInvalid(api.adminPut(path, poolBody(property, others, 1, 60, "fallback")), "lease too short");
    assertInvalid(api.adminPut(path, poolBody(property, others, 60, -1, "fallback")), "negative hold");
    assertInvalid(api.adminPut(path, poolBody(property, others, 60, 60, "panic")), "unknown policy");
    assertInvalid(api.adminPut(path, poolBody(property, List.of(), 60, 60, "fallback")), "no numbers");
    assertInvalid(api.adminPut(path, poolBody(property, List.of(others.get(0), others.get(0)), 60, 60, "fallback")), "duplicate");
    assertInvalid(api.adminPut(path, poolBody(property, List.of(others.get(0), "12ab"), 60, 60, "fallback")), "invalid number");
    assertInvalid(api.adminPut(path, poolBody(property, others, 60, 60, "fallback").put("numbers", others.get(0))), "numbers not a list");
    assertInvalid(api.adminPut(path, poolBody(property, others, 60, 60, "fallback").put("match", "google")), "match not an object");

    Reply unknownProperty = api.adminPut(path, poolBody(TestRedis.uniqueId("nope"), others, 60, 60, "fallback"));
    assertEquals(404, unknownProperty.status(), unknownProperty::toString);
    assertEquals("not_found", unknownProperty.error());

    // a number can be in one pool only
    String otherPool = TestRedis.uniqueId("pool");
    Reply conflict = api.adminPut("/v1/pools/" + otherPool, poolBody(property, List.of(numbers.get(0)), 60, 60, "fallback"));
    assertEquals(409, conflict.status(), conflict::toString);
    assertEquals("conflict", conflict.error());
    assertEquals(404, api.adminGet("/v1/pools/" + otherPool).status(), "the refused pool was not created");

    Reply status = api.adminGet(path);
    assertEquals(3, status.json().getInteger("size"), "the pool kept its three numbers");
    assertEquals(3, status.json().getInteger("free"));
  }

  @Test
  void unknownPoolIs404() {
    Reply r = api.adminGet("/v1/pools/" + TestRedis.uniqueId("nope"));
    assertEquals(404, r.status());
    assertEquals("not_found", r.error());
  }

  @Test
  void putAndGetStaticNumber() {
    String property = TestRedis.uniqueId("prop");
    assertEquals(200, api.adminPut("/v1/properties/" + property, propertyBody(TestNumbers.one(), ORIGIN)).status());
    String number = TestNumbers.one();
    JsonObject body = new JsonObject().put("property", property).put("source", "billboard")
        .put("medium", "offline").put("campaign", "highway-12").put("region", "Chicago");
    // '+' written as %2B and as itself: both name the same number
    Reply put = api.adminPut("/v1/numbers/" + number.replace("+", "%2B"), body);
    assertEquals(200, put.status(), put::toString);
    assertEquals(new JsonObject().put("number", number).put("property", property).put("source", "billboard")
        .put("medium", "offline").put("campaign", "highway-12").put("region", "Chicago"), put.json());
    Reply get = api.adminGet("/v1/numbers/" + number);
    assertEquals(200, get.status(), get::toString);
    assertEquals(put.json(), get.json());
  }

  @Test
  void badStaticNumbersAreRefused() {
    String property = TestRedis.uniqueId("prop");
    assertEquals(200, api.adminPut("/v1/properties/" + property, propertyBody(TestNumbers.one(), ORIGIN)).status());
    JsonObject body = new JsonObject().put("property", property).put("source", "radio");
    assertInvalid(api.adminPut("/v1/numbers/555-CALL-NOW", body), "letters are not digits");
    assertInvalid(api.adminPut("/v1/numbers/12", body), "too short");
    assertInvalid(api.adminPut("/v1/numbers/" + TestNumbers.one(), "{"), "malformed JSON");
    assertInvalid(api.adminPut("/v1/numbers/" + TestNumbers.one(), body.copy().put("source", new JsonArray())), "wrong type");

    String number = TestNumbers.one();
    Reply unknownProperty = api.adminPut("/v1/numbers/" + number,
        new JsonObject().put("property", TestRedis.uniqueId("nope")).put("source", "radio"));
    assertEquals(404, unknownProperty.status(), unknownProperty::toString);
    assertEquals(404, api.adminGet("/v1/numbers/" + number).status(), "nothing was stored");

    // a pool number cannot also be a static number
    String poolNumber = TestNumbers.one();
    assertEquals(200, api.adminPut("/v1/pools/" + TestRedis.uniqueId("pool"),
        poolBody(property, List.of(poolNumber), 60, 60, "fallback")).status());
    Reply conflict = api.adminPut("/v1/numbers/" + poolNumber, body);
    assertEquals(409, conflict.status(), conflict::toString);
  }

  @Test
  void adminNeedsTheBearerToken() {
    String id = TestRedis.uniqueId("prop");
    JsonObject body = propertyBody(TestNumbers.one(), ORIGIN);
    for (var h : List.of(
        headers(),
        headers("authorization", "Bearer wrong-token"),
        headers("authorization", "Bearer " + TOKEN + "x"),
        headers("authorization", "Basic " + TOKEN),
        headers("authorization", TOKEN),
        headers("authorization", "Bearer "))) {
      Reply r = api.request(HttpMethod.PUT, "/v1/properties/" + id, DniClient.body(body), h);
      assertEquals(401, r.status(), () -> h + " -> " + r);
      assertEquals("unauthorized", r.error());
      assertNotNull(r.header("www-authenticate"));
      Reply g = api.request(HttpMethod.GET, "/v1/pools/whatever", null, h);
      assertEquals(401, g.status());
      Reply n = api.request(HttpMethod.PUT, "/v1/numbers/+15551230000", DniClient.body(body), h);
      assertEquals(401, n.status());
    }
    assertEquals(404, api.adminGet("/v1/properties/" + id).status(), "unauthorised PUTs stored nothing");
    Reply lowerCaseScheme = api.request(HttpMethod.PUT, "/v1/properties/" + id, DniClient.body(body),
        headers("authorization", "bearer " + TOKEN));
    assertEquals(200, lowerCaseScheme.status(), "the auth scheme is case-insensitive");
  }

  /**
   * Authorization is no list header (RFC 9110 11.6.2): a request with two is refused whichever comes
   * first, or a proxy in front that reads the other one and this server would disagree on who is asking.
   */
  @Test
  void twoAuthorizationHeadersAreRefused() {
    String id = TestRedis.uniqueId("prop");
    JsonObject body = propertyBody(TestNumbers.one(), ORIGIN);
    for (var h : List.of(headers("authorization", "Bearer " + TOKEN, "authorization", "Bearer wrong-token"),
        headers("authorization", "Bearer wrong-token", "authorization", "Bearer " + TOKEN),
        headers("authorization", "Bearer " + TOKEN, "authorization", "Bearer " + TOKEN))) {
      Reply r = api.request(HttpMethod.PUT, "/v1/properties/" + id, DniClient.body(body), h);
      assertEquals(401, r.status(), () -> h + " -> " + r);
      assertEquals("send one Authorization header", r.json().getString("detail"));
    }
    assertEquals(404, api.adminGet("/v1/properties/" + id).status(), "nothing was stored");
  }

  @Test
  void withoutAnAdminTokenTheAdminApiIsClosed() {
    DniServer closed = DniClient.await(DniServer.start(vertx,
        new DniServerOptions("127.0.0.1", 0, TestRedis.url(), null, null, null, clock)));
    try (DniClient c = new DniClient(vertx, closed.port(), "")) {
      Reply r = c.request(HttpMethod.GET, "/v1/properties/x", null, headers("authorization", "Bearer "));
      assertEquals(401, r.status());
      assertEquals(401, c.request(HttpMethod.GET, "/v1/properties/x", null, headers("authorization", "Bearer null")).status());
    } finally {
      DniClient.await(closed.close());
    }
  }

  @Test
  void bodiesOver16KiBAre413AndChangeNothing() {
    String id = TestRedis.uniqueId("prop");
    JsonObject body = propertyBody(TestNumbers.one(), ORIGIN).put("name", "x".repeat(17 * 1024));
    Reply r = api.adminPut("/v1/properties/" + id, body);
    assertEquals(413, r.status(), r::toString);
    assertEquals("payload_too_large", r.error());
    assertEquals(404, api.adminGet("/v1/properties/" + id).status());

    Reply assign = api.post("/v1/assign", Buffer.buffer("{\"property\":\"" + "p".repeat(20_000) + "\"}"));
    assertEquals(413, assign.status());
    assertEquals("payload_too_large", assign.error());

    Reply justUnder = api.adminPut("/v1/properties/" + id,
        propertyBody(TestNumbers.one(), ORIGIN).put("name", "y".repeat(15 * 1024)));
    assertEquals(200, justUnder.status(), "a body under the limit is fine");
  }

  @Test
  void aPoolOfThousandsOfNumbersFitsItsLargerLimit() {
    String property = TestRedis.uniqueId("prop");
    assertEquals(200, api.adminPut("/v1/properties/" + property, propertyBody(TestNumbers.one(), ORIGIN)).status());
    String poolId = TestRedis.uniqueId("pool");
    List<String> numbers = TestNumbers.block(5000); // about 85 KB of JSON
    Reply put = api.adminPut("/v1/pools/" + poolId, poolBody(property, numbers, 60, 60, "fallback"));
    assertEquals(200, put.status(), () -> put.status() + " " + put.text().substring(0, Math.min(300, put.text().length())));
    assertEquals(5000, api.adminGet("/v1/pools/" + poolId).json().getInteger("free"));

    JsonObject huge = poolBody(property, TestNumbers.block(3), 60, 60, "fallback").put("padding", "x".repeat(300 * 1024));
    Reply tooBig = api.adminPut("/v1/pools/" + TestRedis.uniqueId("pool"), huge);
    assertEquals(413, tooBig.status());
    assertEquals("payload_too_large", tooBig.error());
  }

  @Test
  void unknownRoutesAre404AndWrongMethods405() {
    Reply unknown = api.get("/v1/nothing-here");
    assertEquals(404, unknown.status());
    assertEquals("not_found", unknown.error());
    assertTrue(unknown.header("content-type").startsWith("application/json"));

    Reply wrongMethod = api.request(HttpMethod.DELETE, "/v1/properties/x", null, api.admin());
    assertEquals(405, wrongMethod.status(), wrongMethod::toString);
    assertEquals("method_not_allowed", wrongMethod.error());

    Reply getAssign = api.get("/v1/assign");
    assertEquals(405, getAssign.status(), getAssign::toString);
    assertEquals("method_not_allowed", getAssign.error());
  }

  /**
   * The admin routes sit in one sub-router per first path segment: a segment's bare path, a longer
   * word that starts with it, and a segment that has public and admin routes (callbacks: POST is
   * public, GET by id admin) each answer as with one sub-router on /v1.
   */
  @Test
  void eachAdminSegmentAnswersItsOwnPathsOnly() {
    assertEquals(200, api.request(HttpMethod.GET, "/v1/properties", null, api.admin()).status());
    Reply deleteAll = api.request(HttpMethod.DELETE, "/v1/properties", null, api.admin());
    assertEquals(405, deleteAll.status(), deleteAll::toString);
    Reply longer = api.request(HttpMethod.GET, "/v1/propertiesx", null, api.admin());
    assertEquals(404, longer.status(), longer::toString);
    Reply longerChild = api.request(HttpMethod.GET, "/v1/propertiesx/p", null, api.admin());
    assertEquals(404, longerChild.status(), longerChild::toString);
    // /v1/callbacks: POST is public, GET admin (the list); nothing else is
    Reply deleteCallbacks = api.request(HttpMethod.DELETE, "/v1/callbacks", null, api.admin());
    assertEquals(405, deleteCallbacks.status(), deleteCallbacks::toString);
    Reply listCallbacks = api.request(HttpMethod.GET, "/v1/callbacks", null, api.admin());
    assertEquals(400, listCallbacks.status(), listCallbacks::toString);
    Reply noToken = api.get("/v1/callbacks/" + TestRedis.uniqueId("cb"));
    assertEquals(401, noToken.status(), noToken::toString);
    Reply unknown = api.request(HttpMethod.GET, "/v1/callbacks/" + TestRedis.uniqueId("cb"), null, api.admin());
    assertEquals(404, unknown.status(), unknown::toString);
    assertEquals("not_found", unknown.error());
  }

  @Test
  void theServerServesTheSnippet() {
    Reply js = api.get("/dni.js");
    assertEquals(200, js.status());
    assertTrue(js.header("content-type").startsWith("application/javascript"), js.header("content-type"));
    assertTrue(js.body().length() > 0);
  }

  @Test
  void healthEndpoints() {
    Reply live = api.get("/health/live");
    assertEquals(200, live.status());
    assertEquals("up", live.json().getString("status"));
    Reply ready = api.get("/health/ready");
    assertEquals(200, ready.status());
    assertEquals(new JsonObject().put("status", "up").put("redis", "up"), ready.json());
  }

  static void assertInvalid(Reply r, String why) {
    assertEquals(400, r.status(), () -> why + ": " + r);
    JsonObject body = r.json();
    assertEquals("invalid_request", body.getString("error"), why);
    String detail = body.getString("detail");
    assertNotNull(detail, why);
    assertFalse(detail.contains("at io.") || detail.contains("Exception"), () -> why + ": leaks internals: " + detail);
    assertNull(body.getValue("stackTrace"));
  }
}
