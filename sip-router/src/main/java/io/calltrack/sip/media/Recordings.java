package io.calltrack.sip.media;

import io.calltrack.core.calls.CallMedia;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns rtpengine's pcap of an ended call into the call's recording, {@code <callId>.wav} in the
 * recordings folder (the folder the API serves recordings from, {@code CALLTRACK_RECORDINGS_DIR}), and
 * its conversation measures; rtpengine's pcap and metadata file are removed once read. File work runs
 * on a worker thread, never on a call's executor or an event loop.
 */
public final class Recordings {
  private static final Logger LOG = LoggerFactory.getLogger(Recordings.class);

  private final Vertx vertx;
  private final Path dir;
  private final Counter made;
  private final Counter failed;

  public Recordings(Vertx vertx, Path dir, MeterRegistry registry) {
    this.vertx = vertx;
    this.dir = dir;
    this.made = Counter.builder("calltrack.sip.recordings").tag("result", "made")
        .description("Call recordings made, or lost (rtpengine wrote none, or it could not be read)").register(registry);
    this.failed = Counter.builder("calltrack.sip.recordings").tag("result", "failed")
        .description("Call recordings made, or lost (rtpengine wrote none, or it could not be read)").register(registry);
  }

  /** The file name of a call's recording. */
  public static String fileName(String callId) {
    return callId + ".wav";
  }

  /** What the call record says of the call's media, once the recording (if any) is in place. */
  public Future<CallMedia> finish(MediaAnchor.Outcome outcome, String callId) {
    if (!outcome.anchored()) {
      return Future.succeededFuture(CallMedia.notAnchored(outcome.recordAsked()));
    }
    if (!outcome.recordAsked()) {
      return Future.succeededFuture(CallMedia.anchoredOnly());
    }
    return vertx.executeBlocking(() -> convert(outcome, callId), false);
  }

  /** rtpengine's files of an attempt that is not a call's (see {@code CallObserver#mediaDropped}) are removed. */
  public void drop(MediaAnchor.Outcome outcome) {
    if (outcome.anchored() && outcome.recordAsked() && outcome.pcap() != null) {
      vertx.executeBlocking(() -> {
        removeRtpengineFiles(outcome.pcap());
        return null;
      }, false);
    }
  }

  private CallMedia convert(MediaAnchor.Outcome outcome, String callId) {
    Path pcap = outcome.pcap();
    if (pcap == null || !Files.isRegularFile(pcap)) {
      LOG.warn("call {}: rtpengine wrote no recording (is --recording-dir set?)", callId);
      failed.increment();
      return CallMedia.recordingLost();
    }
    try {
      CallAudio audio = CallAudio.read(pcap, outcome.callerPort(), outcome.linePort());
      Conversation c = Conversation.of(audio);
      Files.createDirectories(dir);
      Wav.write(audio, dir.resolve(fileName(callId)));
      removeRtpengineFiles(pcap);
      made.increment();
      return new CallMedia(true, true, fileName(callId), round(c.seconds(), 100), round(c.callerTalkSeconds(), 100),
          round(c.lineTalkSeconds(), 100), round(c.deadAirShare(), 1000), round(c.holdSeconds(), 100));
    } catch (IOException | RuntimeException e) {
      LOG.warn("call {}: could not read its recording {}: {}", callId, pcap, e.toString());
      failed.increment();
      return CallMedia.recordingLost();
    }
  }

  /** rtpengine's pcap and its metadata file ({@code ../metadata/rtpengine-meta-<name>.txt}). */
  private static void removeRtpengineFiles(Path pcap) {
    try {
      Files.deleteIfExists(pcap);
      String base = pcap.getFileName().toString().replaceFirst("\\.pcap$", "");
      Path parent = pcap.getParent() == null ? null : pcap.getParent().getParent();
      if (parent != null) {
        Files.deleteIfExists(parent.resolve("metadata").resolve("rtpengine-meta-" + base + ".txt"));
      }
    } catch (IOException e) {
      LOG.debug("could not remove rtpengine's files of {}: {}", pcap, e.toString());
    }
  }

  private static double round(double v, int per) {
    return Math.round(v * per) / (double) per;
  }
}
