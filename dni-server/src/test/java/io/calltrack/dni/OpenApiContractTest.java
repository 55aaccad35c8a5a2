package io.calltrack.dni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.testing.TestRedis;
import io.calltrack.dni.testing.DniClient.Reply;
import io.calltrack.dni.testing.DniTestBase;
import io.calltrack.dni.testing.TestNumbers;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * openapi.json is the API's contract: the server serves it, it names exactly the routes the server
 * mounts, and requests that do not fit it get the same clear 400 everywhere. (That every answer of
 * the API tests fits it is checked by DniClient on each answer.)
 */
class OpenApiContractTest extends DniTestBase {
  private static final Pattern LEAKS = Pattern.compile(
      "Exception|\\bat io\\.|io\\.vertx|com\\.fasterxml|jackson|JsonSchema|OutputUnit|token|\\$ref|#/");

  @Test
  void theServerServesItsContract() {
    Reply r = api.get("/openapi.json");
    assertEquals(200, r.status());
    JsonObject doc = r.json();
    assertEquals("3.1.0", doc.getString("openapi"));
    assertTrue(doc.getJsonObject("paths").containsKey("/v1/assign"));
  }

  @Test
  void everyMountedRouteIsDocumentedAndEveryDocumentedOperationIsMounted() {
    assertEquals(Set.of(), server.undocumentedRoutes(), "routes without an operation in openapi.json");
    Set<String> mounted = new TreeSet<>();
    for (String route : server.routes()) {
      mounted.add(route.replaceAll(":([A-Za-z0-9_]+)", "{$1}"));
    }
    Set<String> documented = new TreeSet<>();
    JsonObject paths = api.get("/openapi.json").json().getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      for (String method : paths.getJsonObject(path).fieldNames()) {
        documented.add(method.toUpperCase() + " " + path);
      }
    }
    assertEquals(documented, mounted);
  }

  @Test
  void badRequestsGetTheSameClearAnswerEverywhere() {
    Site site = site(2);
    // a body field of the wrong type
    assertClear(api.adminPut("/v1/pools/" + TestRedis.uniqueId("pool"),
        poolBody(site.property(), TestNumbers.block(2), 60, 60, "fallback").put("leaseSeconds", "soon")),
        "leaseSeconds", "whole number");
    // a nested field, on the snippet's endpoint, sent as text/plain like the snippet does
    Reply nested = api.post("/v1/assign", assignBody(site.property(), null).put("page", "home"),
        io.vertx.core.MultiMap.caseInsensitiveMultiMap().add("content-type", "text/plain"));
    assertClear(nested, "page", "JSON object");
    // an element of a list
    assertClear(api.adminPut("/v1/properties/" + site.property(),
        propertyBody(site.defaultNumber(), ORIGIN).put("swapNumbers", new JsonArray().add(5))),
        "swapNumbers[1]", "string");
    // a query parameter
    assertClear(api.adminGet("/v1/calls?limit=many"), "limit", "whole number");
    assertClear(api.adminGet("/v1/reports/roi?property=" + site.property() + "&groupBy=color"), "groupBy", "one of");
    // a missing field
    assertClear(api.adminPut("/v1/numbers/" + TestNumbers.one(), new JsonObject().put("source", "print")),
        "property", "required");
    // not JSON at all
    assertClear(api.adminPut("/v1/pools/" + TestRedis.uniqueId("pool"), Buffer.buffer("{\"property\":")),
        "JSON", "malformed");
    // valid JSON, but nested past what any request takes: said so, not called invalid
    assertClear(api.adminPut("/v1/pools/" + TestRedis.uniqueId("pool"),
        Buffer.buffer("[".repeat(1_001) + "]".repeat(1_001))), "JSON", "nested deeper than 1000");
    // JSON sent with a form content type (what curl -d does) is still read, and checked, as JSON
    assertClear(api.request(HttpMethod.PUT, "/v1/pools/" + TestRedis.uniqueId("pool"),
        Buffer.buffer("{\"property\": \"" + site.property() + "\", \"numbers\": \"+15550100001\"}"),
        io.vertx.core.MultiMap.caseInsensitiveMultiMap().add("authorization", "Bearer " + TOKEN)
            .add("content-type", "application/x-www-form-urlencoded")),
        "numbers", "a list");
    // an enum value
    assertClear(api.adminPut("/v1/pools/" + TestRedis.uniqueId("pool"),
        poolBody(site.property(), TestNumbers.block(2), 60, 60, "panic")), "onExhausted", "one of");

    // and a refused request changed nothing
    Reply pools = api.adminGet("/v1/properties/" + site.property() + "/pools");
    assertEquals(1, pools.json().getJsonArray("pools").size(), pools::toString);
  }

  private static void assertClear(Reply r, String field, String expectation) {
    assertEquals(400, r.status(), r::toString);
    assertEquals("invalid_request", r.error(), r::toString);
    String detail = r.json().getString("detail");
    assertTrue(detail.contains(field), () -> "names the field '" + field + "': " + detail);
    assertTrue(detail.contains(expectation), () -> "says what was expected (" + expectation + "): " + detail);
    assertFalse(LEAKS.matcher(detail).find(), () -> "speaks the client's terms: " + detail);
  }

  @Test
  void theDashboardsAnswersFitTheContract() {
    // the other API tests reach these only through Chromium; DniClient checks each answer here
    Site site = site(1);
    Reply page = api.get("/dashboard");
    assertEquals(200, page.status());
    assertTrue(page.header("content-type").startsWith("text/html"));
    assertEquals(200, api.get("/dashboard/dashboard.js").status());
    assertEquals(404, api.get("/dashboard/nothing.txt").status());
    Reply properties = api.adminGet("/v1/dashboard/properties");
    assertEquals(200, properties.status(), properties::toString);
    assertTrue(properties.text().contains(site.property()));
  }

  @Test
  void aRequestCheckedAgainstTheContractStillReachesItsEndpoint() {
    // the check must not get in the way of what the snippet really sends: JSON as text/plain, a query
    Site site = site(2);
    Reply r = api.post("/v1/assign?property=" + site.property(), assignBody(site.property(), null),
        io.vertx.core.MultiMap.caseInsensitiveMultiMap().add("content-type", "text/plain;charset=UTF-8"));
    assertEquals(200, r.status(), r::toString);
    assertTrue(site.numbers().contains(r.json().getString("number")));
    Reply csv = api.request(HttpMethod.GET, "/v1/reports/roi?property=" + site.property() + "&format=csv",
        null, api.admin());
    assertEquals(200, csv.status(), csv::toString);
    assertTrue(csv.header("content-type").startsWith("text/csv"));
    List<String> lines = csv.text().lines().toList();
    assertTrue(lines.get(0).startsWith("source,calls"), lines::toString);
  }
}
