package io.calltrack.core.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** What the Redis fixtures ({@link TestCluster}, {@link TestReplicaPair}) share: their servers in a scratch directory. */
final class Scratch {
  private Scratch() {}

  /** A step of starting a fixture's servers. */
  interface Boot<T> {
    void boot(T fixture) throws IOException;
  }

  /**
   * A fixture made on a new scratch directory and booted; one that fails to boot is closed (its
   * servers stopped, its directory removed) before the failure is thrown.
   */
  static <T extends AutoCloseable> T booted(String prefix, Function<Path, T> make, Boot<T> boot) {
    T fixture;
    try {
      fixture = make.apply(Files.createTempDirectory(prefix));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      boot.boot(fixture);
      return fixture;
    } catch (IOException | RuntimeException e) {
      try {
        fixture.close();
      } catch (Exception closing) {
        e.addSuppressed(closing);
      }
      throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
    }
  }

  /** Kills {@code processes} (no shutdown), waits for them, and removes {@code dir} with everything in it. */
  static void stopAndRemove(Collection<Process> processes, Path dir) {
    processes.forEach(Process::destroyForcibly);
    for (Process p : processes) {
      try {
        p.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException ignored) {
      // a temp directory left behind is harmless
    }
  }
}
