package io.calltrack.dni.http;

import static io.calltrack.dni.testing.DniClient.headers;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.dni.testing.DniClient;
import io.calltrack.dni.testing.DniClient.Reply;
import io.calltrack.dni.testing.DniTestBase;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Requests that two readers could read two ways: a JSON object naming a field twice, a query parameter
 * given twice, a JSON body labelled as CSV. Each is a 400 that says so, and changes nothing: which of
 * the two the server would have acted on is not the client's to guess (nor a way round the checks).
 */
class AmbiguousRequestsTest extends DniTestBase {

  private MultiMap admin(String contentType) {
    return headers("authorization", "Bearer " + TOKEN, "content-type", contentType);
  }

  private static void invalid(Reply r, String detailHas) {
    assertEquals(400, r.status(), r::toString);
    assertEquals("invalid_request", r.error(), r::toString);
    assertTrue(r.json().getString("detail").contains(detailHas), r::toString);
  }

  @Test
  void aFieldNamedTwiceIsRefusedWhereverItIs() {
    Site site = site(2);
    String path = "/v1/properties/" + site.property();
    String before = api.adminGet(path).text();
    invalid(api.adminPut(path, "{\"name\": \"A\", \"name\": \"B\", \"swapNumbers\": [\"" + site.defaultNumber() + "\"]}"),
        "'name' twice");
    invalid(api.adminPut(path, "{\"swapNumbers\": [\"" + site.defaultNumber() + "\"], \"callbacks\": {\"attempts\": 2, "
        + "\"attempts\": 3}}"), "'callbacks.attempts' twice");
    assertEquals(before, api.adminGet(path).text(), "nothing was changed");

    // a pool body naming its property twice: a key's check and the store must never read two properties
    String pool = "/v1/pools/" + site.poolId();
    String poolBefore = api.adminGet("/v1/properties/" + site.property() + "/pools").text();
    invalid(api.adminPut(pool, "{\"property\": \"other\", \"property\": \"" + site.property() + "\", \"numbers\": [\""
        + site.numbers().get(0) + "\"]}"), "'property' twice");
    assertEquals(poolBefore, api.adminGet("/v1/properties/" + site.property() + "/pools").text());

    invalid(api.post("/v1/assign", "{\"property\": \"" + site.property() + "\", \"property\": \"" + site.property() + "\"}"),
        "'property' twice");
    assertEquals(0, api.adminGet(pool).json().getInteger("leased"), "nothing was leased");
  }

  @Test
  void aQueryParameterGivenTwiceIsRefused() {
    Site a = site(1);
    Site b = site(1);
    invalid(api.adminGet("/v1/pools?property=" + a.property() + "&property=" + b.property()),
        "query parameter 'property' is given 2 times");
    invalid(api.adminGet("/v1/calls?from=2026-03-01T00:00:00Z&from=nonsense"), "query parameter 'from' is given 2 times");
    invalid(api.adminGet("/v1/calls?limit=1&limit=500"), "'limit'");
    invalid(api.adminGet("/v1/dashboard?property=" + a.property() + "&property=" + a.property()), "'property'");
    assertEquals(200, api.adminGet("/v1/calls?limit=1&other=1&other=2").status(),
        "a parameter the endpoint does not take is not read, however often it comes");
  }

  /**
   * A JSON body labelled {@code text/csv} on an endpoint that takes no CSV was read as JSON by the
   * endpoint but passed the contract's checks unread (CSV bodies are the endpoint's to check): only the
   * endpoint's own checks held for it, not the contract's.
   */
  @Test
  void jsonLabelledAsCsvIsCheckedAsJson() {
    Site site = site(1);
    String path = "/v1/properties/" + site.property();
    String before = api.adminGet(path).text();
    JsonObject tooMany = propertyBody(site.defaultNumber(), ORIGIN)
        .put("callbacks", new JsonObject().put("concurrent", 1_000_000).put("requestsPerHour", 1_000_000_000));
    invalid(api.request(HttpMethod.PUT, path, tooMany.toBuffer(), admin("text/csv")), "callbacks.");
    invalid(api.request(HttpMethod.PUT, path, tooMany.toBuffer(), admin("text/csv; charset=utf-8")), "callbacks.");
    assertEquals(before, api.adminGet(path).text(), "nothing was changed");

    // the contract's limit on a session hint held only for JSON labelled as JSON; as CSV it was dropped unread
    Reply assign = api.request(HttpMethod.POST, "/v1/assign", new JsonObject().put("property", site.property())
        .put("sessionId", "x".repeat(300)).toBuffer(), headers("content-type", "text/csv"));
    invalid(assign, "sessionId must be at most 128 characters");
    assertEquals(0, api.adminGet("/v1/pools/" + site.poolId()).json().getInteger("leased"), "nothing was leased");
  }

  /**
   * One leading UTF-8 byte-order mark (what Windows editors and PowerShell write) is not part of the
   * JSON: the contract's check skipped it and the endpoint then refused the body as malformed at line 1,
   * column 1. Both now read past it, as the CSV uploads always have.
   */
  @Test
  void aLeadingByteOrderMarkIsNotPartOfTheJson() {
    Site site = site(1);
    String path = "/v1/properties/" + site.property();
    byte[] json = propertyBody(site.defaultNumber(), ORIGIN).put("name", "With a BOM").encode().getBytes(StandardCharsets.UTF_8);
    Buffer withBom = Buffer.buffer(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}).appendBytes(json);
    Reply put = api.request(HttpMethod.PUT, path, withBom, api.admin());
    assertEquals(200, put.status(), put::toString);
    assertEquals("With a BOM", api.adminGet(path).json().getString("name"));

    String pool = "/v1/pools/" + site.poolId();
    Buffer poolWithBom = Buffer.buffer(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF})
        .appendBuffer(poolBody(site.property(), site.numbers(), 300, 60, "fallback").toBuffer());
    Reply putPool = api.request(HttpMethod.PUT, pool, poolWithBom, api.admin());
    assertEquals(200, putPool.status(), putPool::toString);
    assertEquals(300, putPool.json().getInteger("leaseSeconds"));

    Reply assign = api.request(HttpMethod.POST, "/v1/assign", Buffer.buffer(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF})
        .appendBuffer(new JsonObject().put("property", site.property()).toBuffer()), DniClient.jsonType());
    assertEquals(200, assign.status(), assign::toString);

    // a second one is no byte-order mark but text before the JSON
    Buffer twice = Buffer.buffer(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}).appendBuffer(withBom);
    invalid(api.request(HttpMethod.PUT, path, twice, api.admin()), "JSON");
    assertEquals(new JsonArray().add(site.defaultNumber()), api.adminGet(path).json().getJsonArray("swapNumbers"));
  }
}
