package io.calltrack.launcher.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.localredis.EmbeddedRedis;
import io.calltrack.core.testing.TestCluster;
import io.calltrack.launcher.ProcessOutput;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image's exact entry command (Dockerfile ENTRYPOINT + the compose cluster service's command and
 * environment), run outside a container on the jar the build made: only the paths of the entry
 * script and the jar, the Redis node addresses and the ports differ (what the image's COPY and
 * compose's network would give). It starts on a real Redis Cluster with ./calltrack's JVM defaults for
 * its command, its health check command passes, and it assigns a number.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ImageEntryCommandIT {
  @TempDir Path dataDir;

  @Test
  void entryCommandRunsOnTheClusterAndPassesItsHealthCheck() throws Exception {
    ComposeFile compose = ComposeFile.read();
    String imageJar = ComposeFileTest.jarInImage();
    Path jar = ComposeFile.repoRoot().resolve("launcher/target/calltrack.jar");
    assertTrue(Files.exists(jar), "the build made " + jar);
    TestCluster cluster = TestCluster.shared();
    int httpPort = EmbeddedRedis.freePort();
    int sipPort = EmbeddedRedis.freePort();

    List<String> command = new ArrayList<>();
    for (String a : compose.dockerArray("ENTRYPOINT")) {
      command.add(a.equals(ComposeFileTest.scriptInImage()) ? ComposeFile.repoRoot().resolve("calltrack").toString() : a);
    }
    command.addAll(compose.list("calltrack-cluster", "command"));
    Map<String, String> env = ComposeFileTest.environment("calltrack-cluster");
    env.put("CALLTRACK_REDIS_URL", String.join(",", cluster.urls().subList(0, 3)));
    env.put("CALLTRACK_HTTP_PORT", Integer.toString(httpPort));
    env.put("CALLTRACK_SIP_PORT", Integer.toString(sipPort));
    env.put("CALLTRACK_SIP_ADVERTISE", "127.0.0.1:" + sipPort);
    env.put("CALLTRACK_SIP_TRUNKS", "127.0.0.0/8");
    env.put("CALLTRACK_HTTP_HOST", "127.0.0.1");
    env.put("CALLTRACK_SIP_HOST", "127.0.0.1");
    env.put("CALLTRACK_DATA_DIR", dataDir.toString());
    env.put("CALLTRACK_ADMIN_TOKEN", "image-test-token");
    env.put("CALLTRACK_HTTP_INSTANCES", "2");
    assertEquals(imageJar, env.get("CALLTRACK_JAR"));
    env.put("CALLTRACK_JAR", jar.toString());

    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> k.startsWith("CALLTRACK_"));
    pb.environment().putAll(env);
    Process p = pb.start();
    try {
      ProcessOutput.of(p).awaitReady(Duration.ofSeconds(120));
      // ./calltrack execs java: the process is the JVM, with the defaults ./calltrack gives `run`
      List<String> jvmArgs = List.of(p.info().arguments().orElseThrow());
      assertTrue(jvmArgs.containsAll(List.of("-Xmx1g", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20")), jvmArgs.toString());
      assertEquals(jar.toString(), jvmArgs.get(jvmArgs.indexOf("-jar") + 1));
      List<String> health = new ArrayList<>();
      for (String a : compose.healthcheck("calltrack-cluster").subList(1, compose.healthcheck("calltrack-cluster").size())) {
        health.add(a.equals(imageJar) ? jar.toString()
            : a.replace("127.0.0.1:8080", "127.0.0.1:" + httpPort));
      }
      Process check = new ProcessBuilder(health).redirectErrorStream(true).start();
      String out = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(check.waitFor(60, TimeUnit.SECONDS));
      assertEquals(0, check.exitValue(), "health check: " + out);

      HttpClient http = HttpClient.newHttpClient();
      String base = "http://127.0.0.1:" + httpPort;
      assertEquals(2, send(http, "PUT", base + "/v1/properties/img", """
          {"name":"Img","allowedOrigins":["https://img.example"],"swapNumbers":["+15551240000"],
           "defaultNumber":"+15551240000","businessLine":"sip:+15559990000@127.0.0.1:5070","timezone":"UTC",
           "assignLimits":{"leaseToAutomatedClients":true}}
          """).statusCode() / 100);
      assertEquals(2, send(http, "PUT", base + "/v1/pools/img-web", """
          {"property":"img","numbers":["+15551240001","+15551240002"],"leaseSeconds":600,"holdSeconds":600,
           "onExhausted":"fallback"}
          """).statusCode() / 100);
      HttpResponse<String> assign = send(http, "POST", base + "/v1/assign", """
          {"property":"img","visitorId":"visitor-1","page":{"url":"https://img.example/","referrer":""}}
          """);
      assertEquals(200, assign.statusCode(), assign.body());
      assertTrue(assign.body().contains("\"fallback\":false"), assign.body());
    } finally {
      p.destroy();
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "stops on SIGTERM");
    }
    assertFalse(p.isAlive());
  }

  private static HttpResponse<String> send(HttpClient http, String method, String url, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
        .header("content-type", "application/json").header("authorization", "Bearer image-test-token")
        .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
