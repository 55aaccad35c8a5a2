package io.calltrack.dni.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.calltrack.core.testing.TestNumbers;
import io.calltrack.core.testing.TestRedis;
import io.calltrack.dni.testing.BrowserScripts;
import io.calltrack.dni.testing.DniClient.Reply;
import io.calltrack.dni.testing.DniTestBase;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What the dashboard's browser tests share: a property whose days are cut in UTC (so the seeded
 * times fall on the days the assertions name), and the dashboard opened and signed in to by one of
 * the {@code js-snippet/test/e2e} scripts built on {@code signed-in-dashboard.mjs}.
 */
abstract class SignedInDashboardTest extends DniTestBase {

  /** A new property (id starting with {@code prefix}) in the UTC time zone, created through the admin API. */
  protected String utcProperty(String prefix) {
    String property = TestRedis.uniqueId(prefix);
    Reply put = api.adminPut("/v1/properties/" + property,
        propertyBody(TestNumbers.fresh().e164(), ORIGIN).put("timezone", "UTC"));
    assertEquals(200, put.status(), put.toString());
    return property;
  }

  /** Where {@code script} saves its screenshot: {@code target/artifacts/<script name>.png}. */
  protected static Path screenshot(String script) {
    return BrowserScripts.ARTIFACTS.resolve(script.replace(".mjs", ".png"));
  }

  /**
   * Runs {@code script} on {@code /dashboard?<query>} of this test's server with the admin token
   * (after removing an earlier screenshot of it) and returns what the script reports of the page.
   */
  protected JsonObject openSignedIn(String script, String query) throws Exception {
    return openSignedIn(script, query, TOKEN);
  }

  /** The same, signed in with {@code bearer}: the admin token or a property's API key. */
  protected JsonObject openSignedIn(String script, String query, String bearer) throws Exception {
    Path shot = screenshot(script);
    Files.createDirectories(shot.getParent());
    Files.deleteIfExists(shot);
    return BrowserScripts.run(script, script.replace(".mjs", "-browser"), Duration.ofMinutes(3),
        "http://127.0.0.1:" + server.port() + "/dashboard?" + query, bearer, shot.toString());
  }
}
