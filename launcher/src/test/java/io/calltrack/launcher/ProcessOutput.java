package io.calltrack.launcher;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The output of a {@code calltrack} process the tests started, read line by line on a daemon thread
 * (so the process never blocks on a full pipe) and kept for the failure message.
 */
public final class ProcessOutput {
  private final Process process;
  private final StringBuffer text = new StringBuffer();
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

  private ProcessOutput(Process process) {
    this.process = process;
  }

  /** Starts reading {@code process}'s output (stderr should be redirected into it). */
  public static ProcessOutput of(Process process) {
    ProcessOutput out = new ProcessOutput(process);
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          out.text.append(line).append('\n');
          out.lines.add(line);
        }
      } catch (IOException ignored) {
        // the process ended
      }
    }, "process-output-" + process.pid());
    reader.setDaemon(true);
    reader.start();
    return out;
  }

  /**
   * Waits until the process prints {@code ready.} (every command does once it serves); if it does not
   * within {@code timeout}, or dies first, kills it and fails with what it printed.
   */
  public ProcessOutput awaitReady(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      String line = lines.poll(1, TimeUnit.SECONDS);
      if (line != null && line.startsWith("ready.")) {
        return this;
      }
      if (line == null && !process.isAlive()) {
        break;
      }
    }
    process.destroyForcibly();
    throw new AssertionError("calltrack did not become ready; it printed:\n" + text);
  }

  /** Everything printed so far. */
  public String text() {
    return text.toString();
  }
}
