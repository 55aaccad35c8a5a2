package io.calltrack.launcher.faults;

import io.calltrack.launcher.Main;
import io.calltrack.launcher.ProcessOutput;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A {@code calltrack <command>} in a JVM of its own, as the fault tests start, kill and restart it. */
final class Launched implements AutoCloseable {
  private final Process process;
  private final ProcessOutput output;

  private Launched(Process process) {
    this.process = process;
    this.output = ProcessOutput.of(process);
  }

  /** Starts {@code calltrack command} with {@code env} on top of this JVM's, and waits until it prints "ready.". */
  static Launched start(String command, Map<String, String> env) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:TieredStopAtLevel=1",
        "-cp", System.getProperty("java.class.path"),
        Main.class.getName(), command);
    pb.environment().remove("CALLTRACK_REDIS_URL");
    pb.environment().putAll(env);
    pb.redirectErrorStream(true);
    Launched launched = new Launched(pb.start());
    launched.output.awaitReady(Duration.ofSeconds(120));
    return launched;
  }


  /** SIGKILL: no shutdown hook, nothing flushed or closed by the process itself. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new AssertionError("process " + process.pid() + " outlived SIGKILL");
    }
  }

  String output() {
    return output.text();
  }

  /** SIGTERM, then SIGKILL if it has not stopped within 30 s. */
  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }
}
