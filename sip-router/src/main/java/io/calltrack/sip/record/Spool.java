package io.calltrack.sip.record;

import io.calltrack.core.calls.CallEvent;
import io.calltrack.core.json.JsonMapper;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Call events waiting for Redis, on local disk: an append-only file of JSON lines
 * ({@code calls.spool}) and the count of lines already taken by Redis ({@code calls.spool.done}).
 * When every line is taken the file is emptied. A crash between a Redis write and the count update
 * replays that event once more, which the store ignores (events are idempotent by call id and seq).
 * A line cut short by a kill mid-write is skipped, and the next run starts a fresh line after it, so
 * it never swallows the event appended next; the count is of lines, so such a line never shifts it.
 * Only the oldest {@value #WINDOW} waiting events are held in memory, the rest stay on disk until
 * the replay reaches them: an outage of an hour at 1,000 calls/s spools millions of events, which
 * held as objects filled the router's heap.
 * Not thread-safe: the {@link CallJournal} calls it from one serial executor.
 */
final class Spool implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Spool.class);

  /** Waiting events held in memory at most; refilled from the file once half are taken. */
  static final int WINDOW = 1024;
  private static final String NEWLINE = System.lineSeparator();

  private final Path file;
  private final Path doneFile;
  private final int window;
  /** The oldest waiting events, at most {@link #window}. */
  private final ArrayDeque<CallEvent> pending = new ArrayDeque<>();
  /** The line of the file each pending event is on (0-based), in step with {@link #pending}. */
  private final ArrayDeque<Long> pendingLines = new ArrayDeque<>();
  /**
   * Lines after those in {@link #pending}, on disk only: always the file's last ones (from line
   * {@code lineCount - unloaded}), the first at byte {@link #unloadedFrom}.
   */
  private long unloaded;
  private long unloadedFrom;
  /** Bytes in the file. */
  private long fileBytes;
  private long lineCount;
  private long done;
  private BufferedWriter writer;
  private volatile int depth;

  private Spool(Path dir, int window) {
    this.file = dir.resolve("calls.spool");
    this.doneFile = dir.resolve("calls.spool.done");
    this.window = window;
  }

  static Spool open(Path dir) {
    return open(dir, WINDOW);
  }

  /** With at most {@code window} events in memory (tests use a small one). */
  static Spool open(Path dir, int window) {
    try {
      Files.createDirectories(dir);
      Spool spool = new Spool(dir, window);
      spool.load();
      return spool;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the call spool in " + dir, e);
    }
  }

  private void load() throws IOException {
    if (Files.exists(doneFile)) {
      done = Long.parseLong(Files.readString(doneFile).strip());
    }
    if (Files.exists(file)) {
      if (Files.size(file) > 0 && !endsWithNewline()) {
        // the last line was cut short: the next event starts on a line of its own
        Files.writeString(file, NEWLINE, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
      }
      try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        String line;
        while ((line = r.readLine()) != null) {
          long at = lineCount++;
          if (at >= done && fitsInMemory()) {
            take(line, at);
          }
          fileBytes += bytes(line);
        }
      }
    }
    updateDepth();
    if (isEmpty()) {
      clear();
    }
  }

  /**
   * Whether the line being added (at byte {@link #fileBytes}) joins the events in memory: only while
   * nothing waits on disk and the window has room, so memory holds the oldest events, in order.
   * Otherwise it is counted as waiting on disk.
   */
  private boolean fitsInMemory() {
    if (unloaded == 0 && pending.size() < window) {
      return true;
    }
    if (unloaded++ == 0) {
      unloadedFrom = fileBytes;
    }
    return false;
  }

  private void updateDepth() {
    depth = (int) Math.min(Integer.MAX_VALUE, pending.size() + unloaded);
  }

  /** Adds a spooled line to the events in memory; a line cut short by a crash mid-write is skipped. */
  private void take(String line, long at) {
    if (line.isBlank()) {
      return;
    }
    try {
      pending.add(JsonMapper.read(line, CallEvent.class));
      pendingLines.add(at);
    } catch (RuntimeException e) {
      // a line cut short by a crash mid-write: nothing after it was acknowledged either
      LOG.warn("skipping an unreadable spool line {} of {}", at + 1, file);
    }
  }

  /** Reads the next lines kept on disk only, until the window is full again. */
  private void refill() {
    try (var ch = java.nio.channels.FileChannel.open(file, StandardOpenOption.READ)) {
      ch.position(unloadedFrom);
      BufferedReader r = new BufferedReader(java.nio.channels.Channels.newReader(ch, StandardCharsets.UTF_8));
      String line;
      while (unloaded > 0 && pending.size() < window && (line = r.readLine()) != null) {
        take(line, lineCount - unloaded);
        unloadedFrom += bytes(line);
        unloaded--;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the call spool " + file, e);
    }
  }

  private static long bytes(String line) {
    return line.getBytes(StandardCharsets.UTF_8).length + NEWLINE.length();
  }

  private boolean endsWithNewline() throws IOException {
    try (var ch = java.nio.channels.FileChannel.open(file, StandardOpenOption.READ)) {
      java.nio.ByteBuffer last = java.nio.ByteBuffer.allocate(1);
      ch.read(last, ch.size() - 1);
      return last.get(0) == '\n';
    }
  }

  void append(CallEvent event) {
    try {
      if (writer == null) {
        writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8,
            StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
      }
      String line = JsonMapper.write(event);
      writer.write(line);
      writer.write(NEWLINE);
      writer.flush();
      long at = lineCount++;
      if (fitsInMemory()) {
        pending.add(event);
        pendingLines.add(at);
      }
      fileBytes += bytes(line);
      updateDepth();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the call spool " + file, e);
    }
  }

  CallEvent peek() {
    return pending.peek();
  }

  /**
   * The oldest events, up to {@code max}, in the spool's order: a call's events among them keep their
   * order, and the store applies them in it ({@link io.calltrack.core.calls.CallStore#applyAll}).
   */
  java.util.List<CallEvent> peekRound(int max) {
    java.util.List<CallEvent> round = new java.util.ArrayList<>(Math.min(max, pending.size()));
    for (CallEvent e : pending) {
      if (round.size() == max) {
        break;
      }
      round.add(e);
    }
    return round;
  }

  /** The oldest event is in Redis now. */
  void ack() {
    ack(1);
  }

  /** The {@code n} oldest events are in Redis now. */
  void ack(int n) {
    for (int i = 0; i < n; i++) {
      pending.poll();
      done = pendingLines.poll() + 1;
    }
    if (unloaded > 0 && pending.size() <= window / 2) {
      refill();
    }
    updateDepth();
    try {
      if (isEmpty()) {
        clear();
      } else {
        Path tmp = doneFile.resolveSibling(doneFile.getFileName() + ".tmp");
        Files.writeString(tmp, Long.toString(done));
        Files.move(tmp, doneFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot update the call spool " + doneFile, e);
    }
  }

  boolean isEmpty() {
    return pending.isEmpty() && unloaded == 0;
  }

  /** Events waiting; safe to read from any thread (the metrics gauge). */
  int depth() {
    return depth;
  }

  private void clear() throws IOException {
    closeWriter();
    Files.deleteIfExists(file);
    Files.deleteIfExists(doneFile);
    done = 0;
    lineCount = 0;
    fileBytes = 0;
    unloaded = 0;
    pendingLines.clear();
  }

  private void closeWriter() throws IOException {
    if (writer != null) {
      writer.close();
      writer = null;
    }
  }

  @Override
  public void close() {
    try {
      closeWriter();
    } catch (IOException e) {
      LOG.warn("closing the call spool", e);
    }
  }
}
