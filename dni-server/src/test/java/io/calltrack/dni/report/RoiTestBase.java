package io.calltrack.dni.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.core.testing.Await;
import io.calltrack.core.testing.TestNumbers;
import io.calltrack.core.testing.TestRedis;
import io.calltrack.dni.testing.DniClient;
import io.calltrack.dni.testing.DniClient.Reply;
import io.calltrack.dni.testing.DniTestBase;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.time.Duration;

/** A real dni-server (as {@link DniTestBase}) with what ROI tests send and read: properties, uploads, reports. */
public abstract class RoiTestBase extends DniTestBase {

  protected String newProperty(String timezone) {
    String id = TestRedis.uniqueId("roi");
    PhoneNumber printed = TestNumbers.fresh();
    JsonObject body = propertyBody(printed.e164(), ORIGIN).put("timezone", timezone);
    Reply r = api.adminPut("/v1/properties/" + id, body);
    assertEquals(200, r.status(), r.toString());
    return id;
  }

  protected Reply adminPost(String path, Object json) {
    return api.request(HttpMethod.POST, path, DniClient.body(json), api.admin());
  }

  protected Reply csv(HttpMethod method, String path, String text) {
    return csv(method, path, Buffer.buffer(text));
  }

  /** A CSV upload as the file's bytes, whatever their encoding. */
  protected Reply csv(HttpMethod method, String path, Buffer bytes) {
    MultiMap h = DniClient.headers("authorization", "Bearer " + TOKEN, "content-type", "text/csv");
    return api.request(method, path, bytes, h);
  }

  protected JsonObject report(String query) {
    Reply r = api.adminGet("/v1/reports/roi?" + query);
    assertEquals(200, r.status(), r.toString());
    return r.json();
  }

  /** Waits until the rollup consumer has counted {@code calls} calls in the range. */
  protected JsonObject reportWhenCounted(String query, long calls) {
    return Await.until(Duration.ofSeconds(60), () -> report(query),
        rep -> rep.getJsonObject("total").getLong("calls") == calls);
  }

  protected static JsonObject row(JsonObject report, String field, String value) {
    for (Object o : report.getJsonArray("rows")) {
      JsonObject row = (JsonObject) o;
      if (value == null ? row.getValue(field) == null : value.equals(row.getValue(field))) {
        return row;
      }
    }
    throw new AssertionError("no row " + field + "=" + value + " in " + report.encodePrettily());
  }
}
