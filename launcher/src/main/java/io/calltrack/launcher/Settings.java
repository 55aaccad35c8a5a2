package io.calltrack.launcher;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Everything the launcher reads from the environment (DESIGN.md "Command line"), read in one place.
 * A missing admin token is made up at start and printed, so a first run is never left unprotected.
 */
public record Settings(
    String httpHost,
    int httpPort,
    String sipHost,
    int sipPort,
    List<String> sipTrunks,
    String redisUrl,
    String adminToken,
    boolean adminTokenGenerated,
    Path configFile,
    Path dataDir,
    int metricsPort,
    Duration answerTimeout,
    String sipOutbound,
    int sipCallbackPort) {

  /** The same settings with another config file (the {@code --config} flag). */
  public Settings withConfigFile(Path file) {
    return new Settings(httpHost, httpPort, sipHost, sipPort, sipTrunks, redisUrl, adminToken, adminTokenGenerated,
        file, dataDir, metricsPort, answerTimeout, sipOutbound, sipCallbackPort);
  }

  public static Settings fromEnv(Map<String, String> env) {
    String token = blankToNull(env.get("CALLTRACK_ADMIN_TOKEN"));
    boolean generated = token == null;
    if (generated) {
      byte[] bytes = new byte[16];
      new SecureRandom().nextBytes(bytes);
      token = HexFormat.of().formatHex(bytes);
    }
    String config = blankToNull(env.get("CALLTRACK_CONFIG"));
    return new Settings(
        env.getOrDefault("CALLTRACK_HTTP_HOST", "0.0.0.0"),
        port(env, "CALLTRACK_HTTP_PORT", 8080),
        env.getOrDefault("CALLTRACK_SIP_HOST", "127.0.0.1"),
        port(env, "CALLTRACK_SIP_PORT", 5060),
        Arrays.stream(env.getOrDefault("CALLTRACK_SIP_TRUNKS", "127.0.0.0/8").split(","))
            .map(String::strip).filter(s -> !s.isEmpty()).toList(),
        blankToNull(env.get("CALLTRACK_REDIS_URL")),
        token,
        generated,
        config == null ? null : Path.of(config),
        Path.of(env.getOrDefault("CALLTRACK_DATA_DIR", ".calltrack")),
        port(env, "CALLTRACK_METRICS_PORT", 9090),
        Duration.ofSeconds(port(env, "CALLTRACK_ANSWER_TIMEOUT_SECONDS", 30)),
        blankToNull(env.get("CALLTRACK_SIP_OUTBOUND")),
        port(env, "CALLTRACK_SIP_CALLBACK_PORT", port(env, "CALLTRACK_SIP_PORT", 5060) + 2));
  }

  private static int port(Map<String, String> env, String name, int dflt) {
    String v = blankToNull(env.get(name));
    if (v == null) {
      return dflt;
    }
    try {
      int p = Integer.parseInt(v.strip());
      if (p < 0 || p > 65535) {
        throw new NumberFormatException();
      }
      return p;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a number from 0 to 65535, not '" + v + "'");
    }
  }

  private static String blankToNull(String v) {
    return v == null || v.isBlank() ? null : v.strip();
  }
}
