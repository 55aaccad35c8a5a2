package io.calltrack.launcher.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.calltrack.core.redis.RedisTarget;
import io.calltrack.launcher.LauncherAccess;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * docker/compose.yaml and docker/Dockerfile against the code (no container engine here): every
 * CALLTRACK_ variable they set is one the launcher reads and ends up meaning what the file says,
 * every command is a launcher command, every published port is the one the service listens on,
 * every health check calls a command and a route that exist, the image runs as a non-root user.
 * {@code ImageEntryCommandIT} then runs the image's entry command itself.
 */
class ComposeFileTest {
  static final ComposeFile COMPOSE = ComposeFile.read();
  static final Map<String, String> GIVEN = Map.of("CALLTRACK_ADMIN_TOKEN", "token-from-the-shell",
      "CALLTRACK_SIP_ADVERTISE", "203.0.113.7:5062", "CALLTRACK_SIP_TRUNKS", "198.51.100.0/24");

  /** The Dockerfile's ENV, then the service's environment over it. */
  static Map<String, String> environment(String service) {
    Map<String, String> env = new HashMap<>();
    for (String line : COMPOSE.dockerLines("ENV")) {
      for (String pair : line.split("\\s+")) {
        int eq = pair.indexOf('=');
        env.put(pair.substring(0, eq), pair.substring(eq + 1));
      }
    }
    env.putAll(COMPOSE.environment(service, GIVEN));
    return env;
  }

  @Test
  void everyCalltrackVariableIsReadAndMeansWhatTheFileSays() {
    assertEquals(List.of("dni-server", "sip-router", "calltrack-cluster"), COMPOSE.calltrackServices());
    for (String service : COMPOSE.calltrackServices()) {
      Map<String, String> env = environment(service);
      LauncherAccess.Read s = LauncherAccess.settings(env);
      for (Map.Entry<String, String> e : env.entrySet()) {
        String v = e.getValue();
        String where = service + ": " + e.getKey() + "=" + v;
        switch (e.getKey()) {
          case "CALLTRACK_ADMIN_TOKEN" -> assertEquals(GIVEN.get("CALLTRACK_ADMIN_TOKEN"), s.adminToken(), where);
          case "CALLTRACK_HTTP_HOST" -> assertEquals(v, s.httpHost(), where);
          case "CALLTRACK_HTTP_PORT" -> assertEquals(Integer.parseInt(v), s.httpPort(), where);
          case "CALLTRACK_HTTP_INSTANCES" -> assertEquals(v.equals("auto")
              ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(v), s.httpInstances(), where);
          case "CALLTRACK_SIP_HOST" -> assertEquals(v, s.sipHost(), where);
          case "CALLTRACK_SIP_PORT" -> assertEquals(Integer.parseInt(v), s.sipPort(), where);
          case "CALLTRACK_SIP_ADVERTISE" -> assertEquals(GIVEN.get("CALLTRACK_SIP_ADVERTISE"), s.sipAdvertise(), where);
          case "CALLTRACK_SIP_TRUNKS" -> assertEquals(List.of(GIVEN.get("CALLTRACK_SIP_TRUNKS")), s.sipTrunks(), where);
          case "CALLTRACK_METRICS_PORT" -> assertEquals(Integer.parseInt(v), s.metricsPort(), where);
          case "CALLTRACK_DATA_DIR" -> assertEquals(Path.of(v), s.dataDir(), where);
          // read by ./calltrack, the image's entry (ImageEntryCommandIT runs it): the jar it runs
          case "CALLTRACK_JAR" -> assertEquals(jarInImage(), v, where);
          case "CALLTRACK_REDIS_URL", "CALLTRACK_REDIS_MODE", "CALLTRACK_REDIS_MASTER", "CALLTRACK_REDIS_WAIT" ->
              redisMeansWhatTheFileSays(service, env, s.redisUrl());
          default -> fail(where + ": the launcher does not read this variable");
        }
      }
      assertTrue(env.containsKey("CALLTRACK_REDIS_URL"), service + " names its Redis (else it would embed one)");
    }
  }

  private static void redisMeansWhatTheFileSays(String service, Map<String, String> env, String spec) {
    RedisTarget t = RedisTarget.parse(spec);
    String mode = env.getOrDefault("CALLTRACK_REDIS_MODE", "standalone");
    assertEquals(mode.toUpperCase(), t.mode().name(), service);
    assertEquals(Arrays.asList(env.get("CALLTRACK_REDIS_URL").split(",")), t.urls(), service);
    if (env.containsKey("CALLTRACK_REDIS_WAIT")) {
      String[] w = env.get("CALLTRACK_REDIS_WAIT").split(":");
      assertEquals(Integer.parseInt(w[0]), t.writes().replicas(), service);
      assertEquals(Long.parseLong(w[1]), t.writes().timeout().toMillis(), service);
    }
    for (String url : t.urls()) {
      URI u = URI.create(url);
      String node = u.getHost();
      assertTrue(COMPOSE.services.containsKey(node), service + " uses Redis at " + node + ", not a service here");
      List<String> command = COMPOSE.list(node, "command");
      assertEquals("redis-server", command.get(0));
      assertEquals(Integer.toString(u.getPort()), value(command, "--port", "6379"), node + " listens on another port");
      assertEquals("yes", value(command, "--appendonly", "no"), node + " keeps an append-only file");
      assertEquals(t.mode() == RedisTarget.Mode.CLUSTER ? "yes" : "no", value(command, "--cluster-enabled", "no"),
          node + " is a cluster node exactly when the service says cluster");
      assertFalse(COMPOSE.healthcheck(node).isEmpty(), node + " has a health check");
    }
  }

  private static String value(List<String> command, String flag, String dflt) {
    int i = command.indexOf(flag);
    return i < 0 ? dflt : command.get(i + 1);
  }

  @Test
  void commandsPortsAndHealthChecksExist() {
    List<String> expose = Arrays.asList(String.join(" ", COMPOSE.dockerLines("EXPOSE")).split("\\s+"));
    String jar = jarInImage();
    for (String service : COMPOSE.calltrackServices()) {
      LauncherAccess.Read s = LauncherAccess.settings(environment(service));
      List<String> command = COMPOSE.list(service, "command");
      assertTrue(LauncherAccess.commands().contains(command.get(0)), service + ": no launcher command " + command);
      boolean http = !command.get(0).equals("sip-router");
      boolean sip = !command.get(0).equals("dni-server");
      List<String> expected = new ArrayList<>();
      if (http) {
        expected.add(Integer.toString(s.httpPort()));
      }
      if (sip) {
        expected.add(s.sipPort() + "/udp");
        expected.add(s.sipPort() + "/tcp");
      }
      if (command.get(0).equals("sip-router")) {
        expected.add(Integer.toString(s.metricsPort()));
      }
      List<String> published = new ArrayList<>();
      for (String mapping : COMPOSE.list(service, "ports")) {
        String container = mapping.substring(mapping.indexOf(':') + 1);
        published.add(container);
        assertTrue(expose.contains(container), service + " publishes " + container + ", which the image does not EXPOSE");
      }
      assertEquals(expected, published, service + " publishes the ports it listens on");

      List<String> health = COMPOSE.healthcheck(service);
      assertEquals(List.of("CMD", "java"), health.subList(0, 2), service);
      int j = health.indexOf("-jar");
      assertEquals(jar, health.get(j + 1), service + "'s health check runs the image's jar");
      assertEquals("health", health.get(j + 2), service);
      URI url = URI.create(health.get(j + 3));
      assertEquals(http ? s.httpPort() : s.metricsPort(), url.getPort(), service + " health check's port");
      assertEquals(http ? "/health/ready" : "/health/live", url.getPath(), service);
    }
  }

  @Test
  void imageRunsAsNonRootWithAHealthCheckAndItsJar() {
    String user = COMPOSE.dockerLines("USER").get(0);
    assertNotEquals("root", user);
    assertFalse(user.startsWith("0"), "USER " + user);
    // the entry is ./calltrack (its JVM defaults per command), running the image's jar
    assertEquals(List.of(scriptInImage()), COMPOSE.dockerArray("ENTRYPOINT"));
    assertEquals(jarInImage(), environment("dni-server").get("CALLTRACK_JAR"));
    List<String> health = COMPOSE.dockerArray("HEALTHCHECK");
    assertEquals("health", health.get(health.indexOf("-jar") + 2));
    assertTrue(LauncherAccess.commands().contains(COMPOSE.dockerArray("CMD").get(0)));
  }

  /** Where the Dockerfile copies the launcher's jar. */
  static String jarInImage() {
    return copiedTo("/launcher/target/calltrack.jar");
  }

  /** Where the Dockerfile copies the repository's ./calltrack script. */
  static String scriptInImage() {
    return copiedTo("/calltrack");
  }

  private static String copiedTo(String sourceEnding) {
    for (String copy : COMPOSE.dockerLines("COPY")) {
      String[] parts = copy.split("\\s+");
      if (parts.length >= 3 && parts[parts.length - 2].endsWith(sourceEnding)) {
        return parts[parts.length - 1];
      }
    }
    throw new AssertionError("the Dockerfile copies nothing ending " + sourceEnding);
  }
}
