package io.calltrack.dni.calls;

import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.CallStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recordings follow their call record (docs/privacy.md): a recording whose record is gone (expired by the
 * property's call-record retention, or never written) or no longer names it (the caller was erased) is
 * deleted. Runs every {@link #INTERVAL}, and at once after an erasure ({@link #sweep}). A file younger than
 * {@link #GRACE} whose record does not say anything of it yet is left alone: the router writes the
 * recording before the record names it.
 */
public final class RecordingSweeper implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RecordingSweeper.class);
  static final Duration INTERVAL = Duration.ofMinutes(10);
  static final Duration GRACE = Duration.ofMinutes(5);

  private final Vertx vertx;
  private final CallStore calls;
  private final Path dir;
  private final Clock clock;
  private long timerId = -1;

  public RecordingSweeper(Vertx vertx, CallStore calls, Path dir, Clock clock) {
    this.vertx = vertx;
    this.calls = calls;
    this.dir = dir;
    this.clock = clock;
  }

  public void start() {
    if (dir != null) {
      timerId = vertx.setPeriodic(INTERVAL.toMillis(), id -> sweep());
    }
  }

  /** Deletes the recordings that no call record names any more; completes with how many went. */
  public Future<Integer> sweep() {
    if (dir == null) {
      return Future.succeededFuture(0);
    }
    return vertx.executeBlocking(this::candidates, false).compose(files -> {
      Future<Integer> chain = Future.succeededFuture(0);
      for (Candidate f : files) {
        String callId = f.path().getFileName().toString().replaceFirst("\\.wav$", "");
        chain = chain.compose(n -> calls.get(callId).compose(rec -> keep(rec, f)
            ? Future.succeededFuture(n)
            : vertx.fileSystem().delete(f.path().toString()).map(v -> n + 1).otherwise(n)));
      }
      return chain;
    }).onSuccess(n -> {
      if (n > 0) {
        LOG.info("deleted {} recording(s) whose call record expired or was erased", n);
      }
    });
  }

  private static boolean keep(Optional<CallRecord> rec, Candidate file) {
    if (rec.isPresent() && rec.get().media() != null) {
      return file.path().getFileName().toString().equals(rec.get().media().recording()); // else: erased
    }
    return file.young(); // no record, or one the media event has not reached yet
  }

  private record Candidate(Path path, boolean young) {}

  private List<Candidate> candidates() throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    List<Candidate> out = new ArrayList<>();
    long cutoff = clock.instant().minus(GRACE).toEpochMilli();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        if (io.calltrack.core.calls.CallMedia.RECORDING_FILE.matcher(f.getFileName().toString()).matches()) {
          out.add(new Candidate(f, Files.getLastModifiedTime(f).toMillis() >= cutoff));
        }
      }
    }
    return out;
  }

  @Override
  public void close() {
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
    }
  }
}
