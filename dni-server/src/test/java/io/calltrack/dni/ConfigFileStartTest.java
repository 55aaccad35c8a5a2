package io.calltrack.dni;

import static io.calltrack.dni.testing.DniClient.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.calltrack.core.CalltrackException;
import io.calltrack.core.testing.TestRedis;
import io.calltrack.dni.testing.DniClient;
import io.calltrack.dni.testing.DniTestBase;
import io.calltrack.dni.testing.TestNumbers;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code CALLTRACK_CONFIG}: a server started with a config file serves its properties and pools at once. */
class ConfigFileStartTest extends DniTestBase {

  @Test
  void theConfigFileIsAppliedAtStart(@TempDir Path dir) throws IOException {
    String property = TestRedis.uniqueId("prop");
    String poolId = TestRedis.uniqueId("pool");
    String printed = TestNumbers.one();
    List<String> numbers = TestNumbers.block(3);
    String staticNumber = TestNumbers.one();
    JsonObject config = new JsonObject()
        .put("properties", new JsonArray().add(propertyBody(printed, ORIGIN).put("id", property)))
        .put("pools", new JsonArray().add(poolBody(property, numbers, 60, 300, "fallback").put("id", poolId)))
        .put("numbers", new JsonArray().add(new JsonObject().put("number", staticNumber).put("property", property)
            .put("source", "radio")));
    Path file = dir.resolve("calltrack.json");
    Files.writeString(file, config.encodePrettily());

    DniServer s = await(DniServer.start(vertx, options(TestRedis.url()).withConfigFile(file)));
    try (DniClient c = new DniClient(vertx, s.port(), TOKEN)) {
      assertEquals(printed, c.adminGet("/v1/properties/" + property).json().getString("defaultNumber"));
      assertEquals(3, c.adminGet("/v1/pools/" + poolId).json().getInteger("free"));
      assertEquals("radio", c.adminGet("/v1/numbers/" + staticNumber).json().getString("source"));
      JsonObject a = c.assign(assignBody(property, "v")).json();
      assertFalse(a.getBoolean("fallback"));
    } finally {
      await(s.close());
    }
  }

  @Test
  void anInvalidConfigFileStopsTheStart(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("bad.json");
    Files.writeString(file, "{\"properties\": [{\"id\": \"x\", \"defaultNumber\": \"not a number\"}]}");
    Exception e = assertThrows(Exception.class, () -> await(DniServer.start(vertx, options(TestRedis.url()).withConfigFile(file))));
    assertEquals(CalltrackException.Invalid.class, e.getClass(), e::toString);

    Path missing = dir.resolve("missing.json");
    assertThrows(CalltrackException.Invalid.class,
        () -> await(DniServer.start(vertx, options(TestRedis.url()).withConfigFile(missing))));
  }
}
