package io.calltrack.dni.dashboard;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a playwright-core script (in {@code src/test/browser}) that drives Debian's headless
 * {@code /usr/bin/chromium}, and returns the JSON line it prints. Installs playwright-core from the
 * npm registry the first time (npm ci, pinned by package-lock.json); never downloads a browser.
 */
final class Chromium {
  static final Path DIR = Path.of("src/test/browser").toAbsolutePath();

  private Chromium() {}

  static synchronized void ensureInstalled() throws IOException, InterruptedException {
    if (Files.isDirectory(DIR.resolve("node_modules/playwright-core"))) {
      return;
    }
    run(List.of("npm", "ci", "--no-audit", "--no-fund"), 300);
  }

  static JsonObject runScript(String script, String... args) throws IOException, InterruptedException {
    ensureInstalled();
    List<String> cmd = new ArrayList<>(List.of("node", script));
    cmd.addAll(List.of(args));
    String out = run(cmd, 180);
    String[] lines = out.strip().split("\n");
    return new JsonObject(lines[lines.length - 1]);
  }

  private static String run(List<String> cmd, int timeoutSeconds) throws IOException, InterruptedException {
    Path log = Files.createTempFile("chromium-run", ".log");
    Process p = new ProcessBuilder(cmd).directory(DIR.toFile()).redirectErrorStream(false)
        .redirectError(log.toFile()).start();
    byte[] stdout = p.getInputStream().readAllBytes();
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(cmd + " did not finish within " + timeoutSeconds + " s");
    }
    String out = new String(stdout, StandardCharsets.UTF_8);
    if (p.exitValue() != 0) {
      throw new AssertionError(cmd + " failed (" + p.exitValue() + "): " + out + "\n" + Files.readString(log));
    }
    return out;
  }
}
