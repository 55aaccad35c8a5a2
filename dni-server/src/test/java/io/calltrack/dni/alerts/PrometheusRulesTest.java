package io.calltrack.dni.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker/prometheus/alerts.yml passes {@code promtool check rules}, and its unit tests
 * (alerts.test.yml: series in, alerts out) pass {@code promtool test rules}. promtool comes with
 * Debian's prometheus package, which scripts/test installs; missing, this test fails (never skips).
 */
class PrometheusRulesTest {
  static final Path DIR = Path.of("..", "docker", "prometheus").toAbsolutePath().normalize();

  record Run(int exit, String output) {}

  static Run promtool(Path dir, String... args) throws Exception {
    List<String> cmd = new java.util.ArrayList<>(List.of("promtool"));
    cmd.addAll(List.of(args));
    Process p;
    try {
      p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    } catch (IOException e) {
      fail("promtool is required and not on the PATH (Debian: apt-get install --no-install-recommends prometheus;"
          + " scripts/test installs it)", e);
      return null;
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("promtool did not finish: " + out);
    }
    return new Run(p.exitValue(), out);
  }

  @Test
  void rulesFileIsValid() throws Exception {
    Run r = promtool(DIR, "check", "rules", "alerts.yml");
    assertEquals(0, r.exit(), r.output());
    assertTrue(r.output().contains("SUCCESS: 7 rules found"), r.output());
  }

  @Test
  void rulesFireOnTheSeriesTheyAreAbout() throws Exception {
    Run r = promtool(DIR, "test", "rules", "alerts.test.yml");
    assertEquals(0, r.exit(), r.output());
  }

  @Test
  void theCheckWouldCatchABrokenRule(@TempDir Path tmp) throws Exception {
    String broken = Files.readString(DIR.resolve("alerts.yml"))
        .replace("> 0.75", "> > 0.75"); // a syntax error in one expression
    Files.writeString(tmp.resolve("alerts.yml"), broken);
    Run r = promtool(tmp, "check", "rules", "alerts.yml");
    assertNotEquals(0, r.exit(), r.output());
  }
}
