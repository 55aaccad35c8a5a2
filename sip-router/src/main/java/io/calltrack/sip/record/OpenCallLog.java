package io.calltrack.sip.record;

import io.calltrack.core.calls.CallEvent;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.CallStatus;
import io.calltrack.core.json.JsonMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The router's write-ahead log of open calls, on local disk ({@code calls.open}): every call event
 * is appended here, synchronously, before the call goes on (before the INVITE is forwarded, before a
 * response is relayed) and before it is sent to Redis; a line {@code closed <callId>} follows once
 * the call's last event is in Redis or in the {@link Spool}. A router killed mid-call therefore
 * finds, at its next start, every call it had not finished recording, with each event it had
 * produced — Redis writes that died in flight included — and {@link CallJournal} replays and closes
 * them (events are idempotent by call id and seq, so replaying one Redis already has is harmless).
 *
 * <p>A call's first line is its whole event (JSON). A later step that is the plain transition of the
 * record before it (ringing, answered with a code, ended with a status and code) is one short line,
 * {@code step <callId> <seq> <type> <instant> <status> <code>}, read back by applying that transition
 * to the call's record as last logged: a call's steps no longer write, and keep in memory until the
 * call closes, its whole record three more times. Any other step is written whole.
 *
 * <p>Lines reach the operating system at each append (a write per event, no fsync): they survive the
 * process being killed, not the machine losing power. The file is emptied whenever no call is open and
 * rewritten with only the open calls once it is mostly closed ones, so a finished call's caller number
 * does not stay on disk. Thread-safe: calls append from their own executors.
 */
final class OpenCallLog implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OpenCallLog.class);
  private static final String CLOSED = "closed ";
  private static final String STEP = "step ";
  /**
   * Closed calls' lines (caller numbers: personal data, docs/privacy.md) stay on disk no longer than
   * needed: the file is emptied whenever no call is open, and rewritten once it is mostly closed calls
   * and past this many lines.
   */
  private static final int COMPACT_AFTER_LINES = 1_000;

  private final Path file;
  /** Each open call's lines and its record as they leave it, in order of the calls' first lines. */
  private final Map<String, Logged> open = new LinkedHashMap<>();
  /** Lines in {@link #open}: counted as they come and go (walking the map at every close cost a fifth of the router's CPU). */
  private int openLines;
  /** Calls closed since the last write: their lines go out with the next event's (one write, no wake-up). */
  private final java.util.Queue<String> closing = new java.util.concurrent.ConcurrentLinkedQueue<>();
  private BufferedWriter writer;
  private int lines;

  /**
   * One open call: its lines as written (a compaction copies lines instead of serialising every open
   * event again) and the record they leave it in (what its next step line is taken against).
   */
  private static final class Logged {
    final List<String> lines = new ArrayList<>(4);
    CallRecord last;
  }

  private OpenCallLog(Path file) {
    this.file = file;
  }

  /** Opens the log in {@code dir}; what an earlier run left open is {@link #leftovers()}. */
  static OpenCallLog open(Path dir) {
    OpenCallLog log = new OpenCallLog(dir.resolve("calls.open"));
    try {
      Files.createDirectories(dir);
      log.load();
      log.compact(); // also drops a line cut short by a kill mid-write
      return log;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the open-calls log in " + dir, e);
    }
  }

  private void load() throws IOException {
    if (!Files.exists(file)) {
      return;
    }
    int n = 0;
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      n++;
      if (line.isBlank()) {
        continue;
      }
      if (line.startsWith(CLOSED)) {
        open.remove(line.substring(CLOSED.length()).strip());
        continue;
      }
      try {
        String stepOf = callIdOf(line);
        Logged before = stepOf == null ? null : open.get(stepOf);
        CallEvent e = read(line, before == null ? null : before.last);
        Logged call = open.computeIfAbsent(e.callId(), k -> new Logged());
        call.lines.add(line);
        call.last = e.record();
      } catch (RuntimeException e) {
        // only the last line can be cut short (a kill mid-write): that event was never acknowledged
        LOG.warn("skipping unreadable line {} of {}", n, file);
      }
    }
    openLines = open.values().stream().mapToInt(c -> c.lines.size()).sum();
  }

  /** Calls left open by an earlier run (or not yet closed by this one): each call's events, oldest first. */
  synchronized Map<String, List<CallEvent>> leftovers() {
    Map<String, List<CallEvent>> copy = new LinkedHashMap<>();
    open.forEach((id, call) -> {
      List<CallEvent> events = new ArrayList<>(call.lines.size());
      CallRecord last = null;
      for (String line : call.lines) {
        CallEvent e = read(line, last);
        events.add(e);
        last = e.record();
      }
      copy.put(id, events);
    });
    return copy;
  }

  /** A line back as its event; a step line needs the record the call's lines before it leave it in. */
  static CallEvent read(String line, CallRecord before) {
    if (!line.startsWith(STEP)) {
      return JsonMapper.read(line, CallEvent.class);
    }
    String[] f = line.substring(STEP.length()).split(" ");
    if (f.length != 6 || before == null) {
      throw new IllegalArgumentException("a step line without its call's earlier lines");
    }
    CallEvent.Type type = CallEvent.Type.of(f[2]);
    Instant at = Instant.parse(f[3]);
    CallRecord after = step(before, type, at, "-".equals(f[4]) ? null : CallStatus.of(f[4]),
        "-".equals(f[5]) ? null : Integer.valueOf(f[5]));
    if (after == null) {
      throw new IllegalArgumentException("not a step: " + f[2]);
    }
    return new CallEvent(f[0], Integer.parseInt(f[1]), type, at, after);
  }

  /** The call id of a step line; null for a whole event (its call id is read with it). */
  private static String callIdOf(String line) {
    if (!line.startsWith(STEP)) {
      return null;
    }
    int end = line.indexOf(' ', STEP.length());
    return end < 0 ? null : line.substring(STEP.length(), end);
  }

  /** The transition a step line stands for, as the router's call recorder makes it; null for other types. */
  private static CallRecord step(CallRecord r, CallEvent.Type type, Instant at, CallStatus status, Integer code) {
    return switch (type) {
      case RINGING -> r.ringing(at);
      case ANSWERED -> code == null ? null : r.answered(at, code);
      case ENDED -> r.ended(at, status, code);
      default -> null;
    };
  }

  /**
   * The event's line: a step line when applying its step to the call's record as last logged gives
   * the event's record exactly, else the whole event.
   */
  static String line(CallEvent event, CallRecord before) {
    CallRecord r = event.record();
    if (before != null && event.callId().indexOf(' ') < 0
        && r.equals(step(before, event.type(), event.at(), r.status(), r.finalCode()))) {
      return STEP + event.callId() + ' ' + event.seq() + ' ' + event.type().json() + ' ' + event.at() + ' '
          + (r.status() == null ? "-" : r.status().json()) + ' ' + (r.finalCode() == null ? "-" : r.finalCode());
    }
    return line(event);
  }

  /** Logs an event; when this returns the event is in the operating system's hands. */
  void append(CallEvent event) {
    // a call's first event is serialised outside the lock: the calls' threads wait for each other
    // only for the write itself (one call's events come from its one executor, so they still reach
    // the file in order); its steps' lines are short
    String whole = event.type() == CallEvent.Type.STARTED ? line(event) : null;
    synchronized (this) {
      Logged call = open.computeIfAbsent(event.callId(), k -> new Logged());
      String line = whole != null ? whole : line(event, call.last);
      call.lines.add(line);
      call.last = event.record();
      openLines++;
      writeClosing();
      writeLine(line, true);
      compactIfMostlyClosed();
    }
  }

  /**
   * An event's line, without null fields: a call being set up is mostly nulls, and an open call's lines
   * stay in memory (and on disk) until it closes, about a third of what an established call cost the
   * router with them. Read back, a missing field is null again.
   */
  static String line(CallEvent event) {
    return JsonMapper.writeWithoutNulls(event);
  }

  /**
   * The call's last event is in Redis or the spool: it needs no recovery any more. Written with the
   * next event, or by {@link #flushClosed} (the journal's periodic check): a router killed before
   * that replays the call once more, which changes nothing (events are idempotent by seq).
   */
  void closed(String callId) {
    closing.add(callId);
  }

  /** Writes the closes waiting for an event to go with. */
  synchronized void flushClosed() {
    if (!closing.isEmpty()) {
      writeClosing();
      flush();
      compactIfMostlyClosed();
    }
  }

  private void writeClosing() {
    String callId;
    while ((callId = closing.poll()) != null) {
      Logged gone = open.remove(callId);
      if (gone != null) {
        openLines -= gone.lines.size();
        writeLine(CLOSED + callId, false);
      }
    }
  }

  private void compactIfMostlyClosed() {
    if (open.isEmpty() || (lines > COMPACT_AFTER_LINES && lines > 4 * openLines)) {
      try {
        compact();
      } catch (IOException e) {
        LOG.warn("could not compact {}: {}", file, e.toString());
      }
    }
  }

  synchronized int openCalls() {
    return Math.max(0, open.size() - closing.size());
  }

  private void writeLine(String line, boolean flush) {
    try {
      if (writer == null) {
        writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8,
            StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
      }
      writer.write(line);
      writer.newLine();
      lines++;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the open-calls log " + file, e);
    }
    if (flush) {
      flush();
    }
  }

  private void flush() {
    try {
      if (writer != null) {
        writer.flush();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the open-calls log " + file, e);
    }
  }

  /** Rewrites the file with only the open calls' events (a new file moved over the old one). */
  private void compact() throws IOException {
    closeWriter();
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    int n = 0;
    try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
      for (Logged logged : open.values()) {
        for (String line : logged.lines) {
          w.write(line);
          w.newLine();
          n++;
        }
      }
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    lines = n;
  }

  private void closeWriter() throws IOException {
    if (writer != null) {
      writer.close();
      writer = null;
    }
  }

  @Override
  public synchronized void close() {
    writeClosing();
    try {
      closeWriter();
    } catch (IOException e) {
      LOG.warn("closing the open-calls log", e);
    }
  }
}
