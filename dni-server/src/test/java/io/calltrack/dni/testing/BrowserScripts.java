package io.calltrack.dni.testing;

import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The one way tests drive a real browser: a playwright-core script from {@code js-snippet/test/e2e}
 * run by Node against Debian's headless Chromium. playwright-core comes from the js-snippet build's
 * {@code npm ci} (pinned in its package-lock.json), so there is one install and one version; no
 * browser is ever downloaded. Missing node, chromium or playwright-core fails the test, saying how to
 * get them: a browser test never skips.
 */
public final class BrowserScripts {
  /** The js-snippet module, seen from any sibling module's directory (where surefire runs tests). */
  public static final Path SNIPPET_DIR = Path.of("..", "js-snippet").toAbsolutePath().normalize();
  public static final Path CHROMIUM =
      Path.of(System.getenv().getOrDefault("CALLTRACK_CHROMIUM", "/usr/bin/chromium"));
  /** Where scripts' output logs and screenshots go: the calling module's target/artifacts. */
  public static final Path ARTIFACTS = Path.of("target", "artifacts").toAbsolutePath();

  private BrowserScripts() {}

  /** Fails the calling test, loudly, if anything a browser run needs is missing. */
  public static void requireTools() throws InterruptedException {
    if (!Files.isExecutable(CHROMIUM)) {
      fail("Chromium is required for browser tests and is not at " + CHROMIUM
          + " (Debian: apt-get install --no-install-recommends chromium; or set CALLTRACK_CHROMIUM)");
    }
    try {
      Process node = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
      String version = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (!node.waitFor(60, TimeUnit.SECONDS) || node.exitValue() != 0) {
        fail("`node --version` failed: " + version);
      }
    } catch (IOException e) {
      fail("Node.js 20+ is required for browser tests and `node` is not on the PATH"
          + " (Debian: apt-get install nodejs npm)", e);
    }
    if (!Files.isDirectory(SNIPPET_DIR.resolve("node_modules/playwright-core"))) {
      fail("playwright-core is not installed in " + SNIPPET_DIR
          + ": build js-snippet first (the Maven build of js-snippet runs npm ci)");
    }
  }

  /**
   * Runs {@code js-snippet/test/e2e/<script>} with {@code args} (and CHROMIUM in the environment) and
   * returns the JSON object on the last line it prints. Its stdout and stderr are kept as
   * {@code target/artifacts/<logName>.out.txt} / {@code .err.txt}; a failure shows them.
   */
  public static JsonObject run(String script, String logName, Duration timeout, String... args) throws Exception {
    requireTools();
    Files.createDirectories(ARTIFACTS);
    Path out = ARTIFACTS.resolve(logName + ".out.txt");
    Path err = ARTIFACTS.resolve(logName + ".err.txt");
    List<String> cmd = new ArrayList<>(List.of("node", SNIPPET_DIR.resolve("test/e2e").resolve(script).toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd)
        .directory(SNIPPET_DIR.toFile())
        .redirectOutput(out.toFile())
        .redirectError(err.toFile());
    pb.environment().put("CHROMIUM", CHROMIUM.toString());
    Process process = pb.start();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      fail(script + " did not finish within " + timeout + "; stderr:\n" + Files.readString(err));
    }
    String stdout = Files.readString(out);
    if (process.exitValue() != 0) {
      fail(script + " failed (exit " + process.exitValue() + "):\n" + Files.readString(err) + "\n" + stdout);
    }
    String[] lines = stdout.strip().split("\n");
    return new JsonObject(lines[lines.length - 1]);
  }
}
