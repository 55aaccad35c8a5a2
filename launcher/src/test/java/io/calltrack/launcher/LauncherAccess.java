package io.calltrack.launcher;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** What tests in other packages may see of the launcher's package-private settings and commands. */
public final class LauncherAccess {
  private LauncherAccess() {}

  /** The settings as the launcher reads them. */
  public record Read(String httpHost, int httpPort, String sipHost, int sipPort, List<String> sipTrunks,
      String redisUrl, String adminToken, Path dataDir, int metricsPort, int httpInstances, String sipAdvertise) {}

  public static Read settings(Map<String, String> env) {
    Settings s = Settings.fromEnv(env);
    return new Read(s.httpHost(), s.httpPort(), s.sipHost(), s.sipPort(), s.sipTrunks(), s.redisUrl(), s.adminToken(),
        s.dataDir(), s.metricsPort(), s.httpInstances(), s.sipAdvertise());
  }

  /** The router's limits as the launcher reads them. */
  public static io.calltrack.sip.RouterLimits sipLimits(Map<String, String> env) {
    return Settings.fromEnv(env).sipLimits();
  }

  /** dni-server's HTTP defences as the launcher reads them. */
  public static io.calltrack.dni.http.ServerHardening hardening(Map<String, String> env) {
    return Settings.fromEnv(env).http();
  }

  public static List<String> commands() {
    return Main.COMMANDS;
  }
}
