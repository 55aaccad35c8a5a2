package io.calltrack.core.conversation;

import com.fasterxml.jackson.databind.JsonNode;
import io.calltrack.core.calls.CallMedia;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.CallStatus;
import io.calltrack.core.calls.RedisCallStore;
import io.calltrack.core.marketing.PropertySettings;
import io.calltrack.core.marketing.SettingsStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Transcribes recorded calls through each property's speech-to-text service ({@code conversations.transcription}):
 * a call is queued ({@link TranscriptionQueue}) when the calls stream shows its recording in ({@link #offer}),
 * and every {@link #POLL} the transcriber takes the due ones, at most {@link #AT_ONCE} at a time, reads the
 * recording, sends each side that spoke (the caller's channel, the agent's) to the service and keeps the
 * merged transcript ({@link Transcripts}). A call whose recording is gone (erased, past retention) is dropped;
 * a failure is retried with a doubling delay, then given up with a warning. Every dni-server runs one: the
 * queue's lease gives each call to one.
 */
public final class Transcriber implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Transcriber.class);
  public static final Duration POLL = Duration.ofSeconds(5);
  /** Calls being transcribed at once by this server: the service does the work, this only waits. */
  public static final int AT_ONCE = 4;
  /** The longest piece of a side sent in one request: 20 minutes of 8 kHz 16-bit audio is 19.2 MB, under OpenAI's 25 MB. */
  public static final int PIECE_SECONDS = 20 * 60;

  private final Vertx vertx;
  private final SettingsStore settings;
  private final RedisCallStore calls;
  private final Transcripts transcripts;
  private final TranscriptionQueue queue;
  private final SpeechToText service;
  private final Path recordings;
  private final Supplier<Future<List<String>>> properties;
  private BiConsumer<String, String> counted = (to, result) -> { };
  private int working;
  private int pieceSeconds = PIECE_SECONDS;
  private long timer = -1;
  private boolean polling;

  /**
   * @param recordings the recordings folder (null: this server keeps none, and transcribes nothing)
   * @param properties the properties whose calls may be queued (every shard's)
   */
  public Transcriber(Vertx vertx, SettingsStore settings, RedisCallStore calls, Transcripts transcripts,
      TranscriptionQueue queue, SpeechToText service, Path recordings, Supplier<Future<List<String>>> properties) {
    this.vertx = vertx;
    this.settings = settings;
    this.calls = calls;
    this.transcripts = transcripts;
    this.queue = queue;
    this.service = service;
    this.recordings = recordings;
    this.properties = properties;
  }

  /** Sends each side in pieces of at most {@code seconds} (tests cut short recordings). */
  Transcriber inPiecesOf(int seconds) {
    this.pieceSeconds = seconds;
    return this;
  }

  /** Counts each call transcribed or given up ({@code calltrack_deliveries_total{to="transcription"}}). */
  public Transcriber countedBy(BiConsumer<String, String> counter) {
    this.counted = counter;
    return this;
  }

  /**
   * Queues the call of a calls-stream entry if its property transcribes and the entry shows it answered,
   * over and recorded; completes once queued (or not). A started transcriber then takes it at once,
   * not at its next poll.
   */
  public Future<Void> offer(PropertySettings s, String property, String callId, JsonNode record) {
    if (s.conversations().transcription() == null || callId == null || record == null) {
      return Future.succeededFuture();
    }
    boolean over = !record.path("endedAt").isMissingNode() && !record.path("endedAt").isNull();
    boolean answered = CallStatus.ANSWERED.json().equals(record.path("status").asText());
    String file = record.path("media").path("recording").asText(null);
    if (!over || !answered || file == null) {
      return Future.succeededFuture();
    }
    return queue.offer(property, callId).map(queued -> {
      if (queued && timer >= 0) {
        poll();
      }
      return null;
    });
  }

  public void start() {
    if (recordings != null) {
      timer = vertx.setPeriodic(POLL.toMillis(), id -> poll());
    }
  }

  /**
   * Takes the due calls of every property that transcribes, as many as there is room for, and
   * transcribes them; completes with how many were taken once each is transcribed, dropped or set to be
   * tried again. A poll while the last one is still taking calls takes none.
   */
  public Future<Integer> poll() {
    if (recordings == null || polling) {
      return Future.succeededFuture(0);
    }
    polling = true;
    List<Future<Void>> work = new ArrayList<>();
    return properties.get().compose(ids -> {
      Future<Void> chain = Future.succeededFuture();
      for (String property : ids) {
        chain = chain.compose(v -> AT_ONCE - working <= 0 ? Future.succeededFuture()
            : settings.get(property).compose(s -> {
              ConversationRules.Transcription to = s.conversations().transcription();
              if (to == null) {
                return Future.succeededFuture();
              }
              return queue.claim(property, AT_ONCE - working).map(due -> {
                due.forEach(callId -> {
                  working++;
                  work.add(transcribe(property, callId, to).onComplete(done -> working--));
                });
                return null;
              });
            }));
      }
      return chain;
    }).onComplete(claimed -> polling = false)
        .compose(claimed -> Future.join(work).otherwiseEmpty().map(done -> work.size()));
  }

  /** One call: transcribed and kept, dropped, or retried later; completes when it is one of those. */
  Future<Void> transcribe(String property, String callId, ConversationRules.Transcription to) {
    return calls.get(property, callId).compose(found -> {
      CallRecord call = found.orElse(null);
      CallMedia media = call == null ? null : call.media();
      String file = media == null ? null : media.recordingFile();
      if (file == null) {
        return queue.finish(property, callId); // erased or expired since it was queued: nothing to hear
      }
      return vertx.fileSystem().readFile(recordings.resolve(file).toString())
          .recover(err -> Future.failedFuture(new IllegalStateException(
              "the recording is not in this server's recordings folder (CALLTRACK_RECORDINGS_DIR)")))
          .compose(wav -> vertx.executeBlocking(() -> Wav.split(wav.getBytes()), false))
          .compose(sides -> {
            List<Transcript.Segment> all = new ArrayList<>();
            // a side that never spoke is not sent: a speech-to-text model hears words in silence
            Future<Void> chain = Future.succeededFuture();
            if (spoke(media.callerTalkSeconds())) {
              chain = chain.compose(v -> side(to, Transcript.Speaker.CALLER, sides.caller(), all));
            }
            if (spoke(media.lineTalkSeconds())) {
              chain = chain.compose(v -> side(to, Transcript.Speaker.AGENT, sides.agent(), all));
            }
            return chain.compose(v -> vertx.executeBlocking(() -> Transcripts.write(new Transcript(all, to.model())), false));
          })
          .compose(json -> transcripts.put(property, callId, json))
          .compose(v -> {
            counted.accept("transcription", "transcribed");
            return queue.finish(property, callId);
          }, err -> {
            // the caller was erased meanwhile, or the record is past its retention: nothing to keep it in
            if (err instanceof io.calltrack.core.CalltrackException.Gone
                || err instanceof io.calltrack.core.CalltrackException.NotFound) {
              return queue.finish(property, callId);
            }
            return queue.retry(property, callId, err.getMessage()).map(again -> {
              if (!again) {
                counted.accept("transcription", "given-up");
                LOG.warn("call {}: transcription given up after {} attempts: {}", callId,
                    TranscriptionQueue.MAX_ATTEMPTS, err.getMessage());
              } else {
                LOG.info("call {}: transcription failed, to be tried again: {}", callId, err.getMessage());
              }
              return null;
            });
          });
    });
  }

  /**
   * One side of the recording, sent in pieces of at most {@link #pieceSeconds} (a long call is larger than
   * a service takes in one file); each piece's segments moved to their time in the whole recording.
   */
  private Future<Void> side(ConversationRules.Transcription to, Transcript.Speaker speaker, byte[] mono,
      List<Transcript.Segment> all) {
    List<byte[]> pieces = Wav.pieces(mono, pieceSeconds);
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < pieces.size(); i++) {
      java.math.BigDecimal offset = java.math.BigDecimal.valueOf((long) i * pieceSeconds);
      byte[] piece = pieces.get(i);
      chain = chain.compose(v -> service.transcribe(to, speaker, piece).map(segments -> {
        for (Transcript.Segment g : segments) {
          all.add(new Transcript.Segment(g.speaker(), g.start().add(offset), g.text()));
        }
        return null;
      }));
    }
    return chain;
  }

  /** Whether a side carried speech; unknown (a relay that measured nothing) counts as spoken. */
  private static boolean spoke(Double talkSeconds) {
    return talkSeconds == null || talkSeconds > 0;
  }

  @Override
  public void close() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    service.close();
  }
}
