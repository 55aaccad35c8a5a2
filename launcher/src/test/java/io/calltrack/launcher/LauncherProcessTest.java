package io.calltrack.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.localredis.EmbeddedRedis;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher as a user runs it: a separate JVM, no CALLTRACK_REDIS_URL (so it starts the embedded
 * redis-server), stopped with SIGTERM as Ctrl-C would. The redis child must go with it, and leases
 * must survive the restart because the embedded Redis keeps an append-only file in the data dir.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class LauncherProcessTest {
  private static final String TOKEN = "test-admin-token";
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir Path dataDir;

  @Test
  void dniServerStartsEmbeddedRedisStopsItOnSigtermAndKeepsLeasesAcrossRestart() throws Exception {
    int port = EmbeddedRedis.freePort();
    String base = "http://127.0.0.1:" + port;

    Launched first = launch(port);
    ProcessHandle redisChild = first.process.toHandle().descendants()
        .filter(p -> p.info().command().orElse("").contains("redis-server"))
        .findFirst().orElseThrow(() -> new AssertionError("no embedded redis-server child process"));

    assertEquals(200, send("PUT", base + "/v1/properties/acme", """
        {"name":"Acme","allowedOrigins":["https://acme.example"],"swapNumbers":["+15551230000"],
         "defaultNumber":"+15551230000","businessLine":"sip:+15559990000@127.0.0.1:5070","timezone":"UTC"}
        """, true).statusCode() / 100 * 100);
    assertEquals(200, send("PUT", base + "/v1/pools/acme-web", """
        {"property":"acme","numbers":["+15551230001","+15551230002"],"leaseSeconds":600,"holdSeconds":600,
         "onExhausted":"fallback"}
        """, true).statusCode() / 100 * 100);
    String assign = """
        {"property":"acme","visitorId":"visitor-1","page":{"url":"https://acme.example/plumbing","referrer":""}}
        """;
    HttpResponse<String> before = assignLeased(base, assign);
    String number = field(before.body(), "number");
    assertTrue(number.equals("+15551230001") || number.equals("+15551230002"), before.body());

    stop(first);
    assertFalse(redisChild.isAlive(), "the embedded redis-server outlived the launcher");

    Launched second = launch(port);
    try {
      HttpResponse<String> after = assignLeased(base, assign);
      assertEquals(number, field(after.body(), "number"), "the visitor's lease did not survive the restart");
      assertEquals("false", field(after.body(), "fallback"));
    } finally {
      stop(second);
    }
  }

  private record Launched(Process process, ProcessOutput output) {}

  /**
   * Assigns until the answer is a lease. A freshly started JVM on a slow host can miss the public
   * assign's time budget and answer the default number (fallback) for its first requests; the
   * visitor's lease, if any, is untouched by that, so asking again is what a browser would do.
   */
  private HttpResponse<String> assignLeased(String base, String assign) throws IOException, InterruptedException {
    HttpResponse<String> r = null;
    for (int attempt = 0; attempt < 10; attempt++) {
      r = send("POST", base + "/v1/assign", assign, false);
      assertEquals(200, r.statusCode(), r.body());
      if ("false".equals(field(r.body(), "fallback"))) {
        return r;
      }
    }
    throw new AssertionError("ten assigns answered the default number: " + r.body());
  }

  private Launched launch(int port) throws IOException, InterruptedException {
    return launch(port, java.util.Map.of());
  }

  @Test
  void metricsTokenAndAddressComeFromTheEnvironment() throws Exception {
    int port = EmbeddedRedis.freePort();
    int metricsPort = EmbeddedRedis.freePort();
    Launched launched = launch(port, java.util.Map.of("CALLTRACK_METRICS_TOKEN", "scrape-token-42",
        "CALLTRACK_METRICS_PORT", Integer.toString(metricsPort), "CALLTRACK_METRICS_HOST", "127.0.0.1"));
    try {
      assertEquals(404, get("http://127.0.0.1:" + port + "/metrics", null).statusCode(),
          "/metrics left the main address");
      String metrics = "http://127.0.0.1:" + metricsPort + "/metrics";
      assertEquals(401, get(metrics, null).statusCode());
      assertEquals(401, get(metrics, TOKEN).statusCode(), "the admin token is not the metrics token");
      HttpResponse<String> ok = get(metrics, "scrape-token-42");
      assertEquals(200, ok.statusCode(), ok.body());
      assertTrue(ok.body().contains("# TYPE"), ok.body());
    } finally {
      stop(launched);
    }
  }

  @Test
  void theRouterAlonesMetricsNeedTheMetricsToken() throws Exception {
    int metricsPort = EmbeddedRedis.freePort();
    Launched launched = launchRouter(metricsPort, "CALLTRACK_METRICS_TOKEN", "router-scrape-7");
    try {
      String metrics = "http://127.0.0.1:" + metricsPort + "/metrics";
      HttpResponse<String> none = get(metrics, null);
      assertEquals(401, none.statusCode(), none.body());
      assertEquals(401, get(metrics, TOKEN).statusCode(), "the admin token is not the metrics token");
      assertEquals(401, get(metrics, "router-scrape-8").statusCode());
      HttpResponse<String> ok = get(metrics, "router-scrape-7");
      assertEquals(200, ok.statusCode(), ok.body());
      assertTrue(ok.body().contains("calltrack_sip_"), "the router's own metrics");
      assertEquals(200, get("http://127.0.0.1:" + metricsPort + "/health/live", null).statusCode(),
          "liveness stays open to the orchestrator");
    } finally {
      stop(launched);
    }
  }

  @Test
  void theRoutersWarmUpCallsAreCarriedBeforeItListensAndCountedNowhere() throws Exception {
    int metricsPort = EmbeddedRedis.freePort();
    Launched launched = launchRouter(metricsPort, "CALLTRACK_SIP_WARMUP_CALLS", "60");
    try {
      String out = launched.output().text();
      assertTrue(out.contains("warm-up      60 of 60 calls (60 attributed) through a router of its own"), out);
      assertTrue(out.indexOf("warm-up") < out.indexOf("sip-router   sip:"), "warmed before it listens:\n" + out);
      if (System.getProperty("os.name").startsWith("Linux") && List.of("amd64", "aarch64").contains(System.getProperty("os.arch"))) {
        assertTrue(out.contains("transport    epoll (native)"), "Netty's epoll transport on Linux:\n" + out);
      }
      String metrics = get("http://127.0.0.1:" + metricsPort + "/metrics", null).body();
      List<String> counted = metrics.lines()
          .filter(l -> l.startsWith("calltrack_sip_calls_total") || l.startsWith("calltrack_sip_post_dial_delay_seconds_count"))
          .toList();
      assertFalse(counted.isEmpty(), metrics);
      for (String line : counted) {
        assertEquals(0.0, Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)),
            "no warm-up call in the router's meters: " + line);
      }
    } finally {
      stop(launched);
    }
  }

  private HttpResponse<String> get(String url, String bearer) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET();
    if (bearer != null) {
      b.header("Authorization", "Bearer " + bearer);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aRouterThatCannotListenSaysWhereAndFromWhichSettingsAndExits() throws Exception {
    // its UDP port taken (JAIN-SIP words it with the JDK exception's class name), then its TCP port
    // (the stack's cleanup threw a NullPointerException over the real failure)
    try (java.net.DatagramSocket udp = new java.net.DatagramSocket(
        new java.net.InetSocketAddress("127.0.0.1", EmbeddedRedis.freePort()))) {
      assertSaysWhyItCannotListen(udp.getLocalPort());
    }
    try (java.net.ServerSocket tcp = new java.net.ServerSocket(
        EmbeddedRedis.freePort(), 50, java.net.InetAddress.getByName("127.0.0.1"))) {
      assertSaysWhyItCannotListen(tcp.getLocalPort());
    }
  }

  private void assertSaysWhyItCannotListen(int sipPort) throws Exception {
    Process p = command("sip-router", EmbeddedRedis.freePort(), java.util.Map.of(
        "CALLTRACK_SIP_PORT", Integer.toString(sipPort),
        "CALLTRACK_METRICS_PORT", Integer.toString(EmbeddedRedis.freePort()),
        "CALLTRACK_SIP_WARMUP_CALLS", "0")).start();
    ProcessOutput out = ProcessOutput.of(p);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the launcher did not exit: " + out.text());
    assertEquals(1, p.exitValue(), out.text());
    String said = "calltrack: failed to start: sip-router on 127.0.0.1:" + sipPort
        + " (CALLTRACK_SIP_HOST, CALLTRACK_SIP_PORT): Address already in use\n";
    // the output is read on a thread of its own: wait for the last line to arrive
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!out.text().contains(said) && System.nanoTime() < deadline) {
      java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
    }
    assertTrue(out.text().contains(said), out.text());
    assertFalse(out.text().contains("Exception") || out.text().contains("Cannot invoke"), out.text());
  }

  /** {@code sip-router} alone, its metrics on {@code metricsPort}, with one more variable set. */
  private Launched launchRouter(int metricsPort, String name, String value) throws IOException, InterruptedException {
    return launch("sip-router", java.util.Map.of(name, value, "CALLTRACK_METRICS_PORT", Integer.toString(metricsPort),
        "CALLTRACK_SIP_PORT", Integer.toString(EmbeddedRedis.freePort())));
  }

  private Launched launch(int port, java.util.Map<String, String> extraEnv) throws IOException, InterruptedException {
    return launch("dni-server", port, extraEnv);
  }

  private Launched launch(String command, java.util.Map<String, String> extraEnv)
      throws IOException, InterruptedException {
    return launch(command, EmbeddedRedis.freePort(), extraEnv);
  }

  private Launched launch(String command, int port, java.util.Map<String, String> extraEnv)
      throws IOException, InterruptedException {
    Process p = command(command, port, extraEnv).start();
    return new Launched(p, ProcessOutput.of(p).awaitReady(Duration.ofSeconds(90)));
  }

  /** {@code calltrack COMMAND} on this test's classpath: HTTP on {@code port}, embedded Redis, its data dir. */
  private ProcessBuilder command(String command, int port, java.util.Map<String, String> extraEnv) {
    ProcessBuilder pb = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"),
        Main.class.getName(), command);
    pb.environment().remove("CALLTRACK_REDIS_URL");
    pb.environment().put("CALLTRACK_HTTP_PORT", Integer.toString(port));
    pb.environment().put("CALLTRACK_HTTP_HOST", "127.0.0.1");
    pb.environment().put("CALLTRACK_ADMIN_TOKEN", TOKEN);
    pb.environment().put("CALLTRACK_DATA_DIR", dataDir.toString());
    pb.environment().putAll(extraEnv);
    pb.redirectErrorStream(true);
    return pb;
  }

  private static void stop(Launched launched) throws InterruptedException {
    Process p = launched.process;
    List<ProcessHandle> children = p.toHandle().descendants().toList();
    p.destroy(); // SIGTERM, what Ctrl-C's SIGINT also leads to: the shutdown hook runs
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "launcher did not stop within 60 s of SIGTERM");
    for (ProcessHandle child : children) {
      child.onExit().toCompletableFuture().orTimeout(30, TimeUnit.SECONDS).join();
    }
  }

  private HttpResponse<String> send(String method, String url, String body, boolean admin)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
        .timeout(Duration.ofSeconds(30))
        .header("content-type", "application/json")
        .method(method, HttpRequest.BodyPublishers.ofString(body));
    if (admin) {
      b.header("authorization", "Bearer " + TOKEN);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String field(String json, String name) {
    Object v = new io.vertx.core.json.JsonObject(json).getValue(name);
    if (v == null) {
      throw new AssertionError("no field " + name + " in " + json);
    }
    return v.toString();
  }
}
