package io.calltrack.dni.testing;

import static io.calltrack.dni.testing.DniClient.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.calltrack.core.testing.MutableClock;
import io.calltrack.core.testing.TestRedis;
import io.calltrack.dni.DniServer;
import io.calltrack.dni.DniServerOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A real dni-server on a free port, on the shared test Redis, with a hand-moved clock, and a real
 * HTTP client for it. Each test makes its own property, pool and numbers, so tests never collide.
 */
@ExtendWith(VertxExtension.class)
public abstract class DniTestBase {
  public static final String TOKEN = "test-admin-token-0123456789";
  public static final String ORIGIN = "https://www.shop.example";

  protected Vertx vertx;
  protected MutableClock clock;
  protected DniServer server;
  protected DniClient api;
  private final List<DniServer> extraServers = new ArrayList<>();
  private final List<DniClient> extraClients = new ArrayList<>();

  @BeforeEach
  void startServer(Vertx vertx) {
    this.vertx = vertx;
    this.clock = MutableClock.at("2026-03-02T09:00:00Z");
    this.server = startServer(TestRedis.url());
    this.api = new DniClient(vertx, server.port(), TOKEN);
  }

  @AfterEach
  void stopServers() {
    api.close();
    extraClients.forEach(DniClient::close);
    for (DniServer s : extraServers) {
      await(s.close());
    }
    if (server != null) {
      await(server.close());
    }
  }

  /**
   * Tests wait for Redis far longer than the 1 s a visitor waits: on a loaded build machine a stall
   * past a second would turn a lease into a fallback and make contract tests flaky. The timeout's
   * own behaviour is tested with the default in {@code RedisDownTest}.
   */
  public static final Duration TEST_STORE_TIMEOUT = Duration.ofSeconds(20);

  protected DniServerOptions options(String redisUrl) {
    // tests lease many numbers from one loopback address and drive headless Chromium: the assign
    // limits are tested on their own (AssignAbuseTest), with limits set per property
    return DniServerOptions.of(redisUrl, TOKEN).withClock(clock).withStoreTimeout(TEST_STORE_TIMEOUT)
        .withHardening(io.calltrack.dni.http.ServerHardening.DEFAULTS
            .withAssignLimits(io.calltrack.core.config.AssignLimits.NONE)
            .withTrustedProxies(java.util.List.of("127.0.0.1")));
  }

  /** Another server of this test (closed after it), with this test's clock. */
  protected DniServer startServer(String redisUrl) {
    return await(DniServer.start(vertx, options(redisUrl)));
  }

  protected DniServer extraServer(String redisUrl) {
    DniServer s = startServer(redisUrl);
    extraServers.add(s);
    return s;
  }

  protected DniClient clientFor(DniServer s, int connections) {
    DniClient c = new DniClient(vertx, s.port(), TOKEN, connections);
    extraClients.add(c);
    return c;
  }

  /** A property body: one number printed on the site, which is also the default number. */
  public static JsonObject propertyBody(String printedNumber, String... origins) {
    return new JsonObject()
        .put("name", "Shop")
        .put("allowedOrigins", new JsonArray(List.of((Object[]) origins)))
        .put("swapNumbers", new JsonArray().add(printedNumber))
        .put("defaultNumber", printedNumber)
        .put("businessLine", "sip:+15559990000@127.0.0.1:5070")
        .put("timezone", "America/New_York");
  }

  public static JsonObject poolBody(String property, List<String> numbers, int leaseSeconds, int holdSeconds,
      String onExhausted) {
    return new JsonObject()
        .put("property", property)
        .put("numbers", new JsonArray(new ArrayList<Object>(numbers)))
        .put("leaseSeconds", leaseSeconds)
        .put("holdSeconds", holdSeconds)
        .put("onExhausted", onExhausted);
  }

  public static JsonObject assignBody(String property, String visitorId) {
    JsonObject body = new JsonObject()
        .put("property", property)
        .put("page", new JsonObject()
            .put("url", "https://www.shop.example/landing/spring?utm_source=google&utm_medium=cpc#top")
            .put("referrer", "https://www.google.com/"))
        .put("attribution", new JsonObject()
            .put("source", "google").put("medium", "cpc").put("campaign", "spring").put("gclid", "abc123"));
    if (visitorId != null) {
      body.put("visitorId", visitorId);
    }
    return body;
  }

  /** A site set up through the admin API: a property and one pool of fresh numbers. */
  public record Site(String property, String defaultNumber, String poolId, List<String> numbers) {}

  protected Site site(DniClient client, int poolSize, int leaseSeconds, int holdSeconds, String onExhausted) {
    String property = TestRedis.uniqueId("prop");
    String printed = TestNumbers.one();
    DniClient.Reply p = client.adminPut("/v1/properties/" + property, propertyBody(printed, ORIGIN));
    assertEquals(200, p.status(), p::toString);
    String poolId = TestRedis.uniqueId("pool");
    List<String> numbers = TestNumbers.block(poolSize);
    DniClient.Reply pool = client.adminPut("/v1/pools/" + poolId,
        poolBody(property, numbers, leaseSeconds, holdSeconds, onExhausted));
    assertEquals(200, pool.status(), pool::toString);
    return new Site(property, printed, poolId, numbers);
  }

  protected Site site(int poolSize) {
    return site(api, poolSize, 120, 1800, "fallback");
  }
}
