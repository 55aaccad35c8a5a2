package io.calltrack.core.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * {@code redis-cli MONITOR} on one node, into a file: what the node was sent, in order, for tests that
 * check which commands a client sent where. Open once the node has answered {@code OK}.
 */
public final class TestMonitor implements AutoCloseable {
  private final Path out;
  private final Process process;

  private TestMonitor(Path out, Process process) {
    this.out = out;
    this.process = process;
  }

  /** MONITOR on the node at {@code port}, once it is listening. */
  public static TestMonitor on(int port) {
    try {
      Path out = Files.createTempFile("monitor", ".txt");
      Process p = new ProcessBuilder("redis-cli", "-p", Integer.toString(port), "MONITOR")
          .redirectOutput(out.toFile()).start();
      TestMonitor monitor = new TestMonitor(out, p);
      Await.until(Duration.ofSeconds(10), () -> monitor.seen().startsWith("OK"));
      return monitor;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Everything the node was sent so far, one command a line. */
  public String seen() {
    try {
      return Files.readString(out);
    } catch (IOException e) {
      return "";
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      process.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      Files.deleteIfExists(out);
    } catch (IOException ignored) {
      // a temp file left behind is harmless
    }
  }
}
