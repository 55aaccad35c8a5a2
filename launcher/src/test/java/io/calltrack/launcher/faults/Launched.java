package io.calltrack.launcher.faults;

import io.calltrack.launcher.Main;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A {@code calltrack <command>} in a JVM of its own, as the fault tests start, kill and restart it. */
final class Launched implements AutoCloseable {
  private final Process process;
  private final StringBuffer output = new StringBuffer();

  private Launched(Process process) {
    this.process = process;
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
    launched.awaitReady();
    return launched;
  }

  private void awaitReady() throws InterruptedException {
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          output.append(line).append('\n');
          lines.add(line);
        }
      } catch (IOException ignored) {
        // the process ended
      }
    }, "launched-output");
    reader.setDaemon(true);
    reader.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (System.nanoTime() < deadline) {
      String line = lines.poll(1, TimeUnit.SECONDS);
      if (line != null && line.startsWith("ready.")) {
        return;
      }
      if (line == null && !process.isAlive()) {
        break;
      }
    }
    process.destroyForcibly();
    throw new AssertionError("calltrack did not become ready; it printed:\n" + output);
  }

  /** SIGKILL: no shutdown hook, nothing flushed or closed by the process itself. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new AssertionError("process " + process.pid() + " outlived SIGKILL");
    }
  }

  String output() {
    return output.toString();
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
