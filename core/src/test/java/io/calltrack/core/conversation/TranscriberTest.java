package io.calltrack.core.conversation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.attribution.Attribution;
import io.calltrack.core.calls.CallEvent;
import io.calltrack.core.calls.CallMedia;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.CallStatus;
import io.calltrack.core.calls.RedisCallStore;
import io.calltrack.core.json.JsonMapper;
import io.calltrack.core.marketing.PropertySettings;
import io.calltrack.core.marketing.SettingsStore;
import io.calltrack.core.redis.RedisClientFactory;
import io.calltrack.core.testing.Await;
import io.calltrack.core.testing.MutableClock;
import io.calltrack.core.testing.TestNumbers;
import io.calltrack.core.testing.TestRedis;
import io.calltrack.core.webhooks.WebhookTargets;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transcriber against a real Redis and a real local HTTP server where the speech-to-text service
 * would be: each side of the recording sent apart as the mono WAV of its channel, the answers merged into
 * one transcript by time, a side that never spoke not sent, a failure retried after its delay (on the
 * injected clock) and given up after the last attempt, a call queued once, an erased recording dropped.
 */
class TranscriberTest {
  static Vertx vertx;
  static Redis redis;
  static RedisAPI api;
  static HttpServer stt;
  static final List<Map<String, String>> requests = new CopyOnWriteArrayList<>();
  static final Map<String, Function<Map<String, String>, Integer>> status = new ConcurrentHashMap<>();

  @TempDir
  Path recordings;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    redis = RedisClientFactory.create(vertx, TestRedis.url());
    api = RedisAPI.api(redis);
    stt = Await.result(vertx.createHttpServer().requestHandler(TranscriberTest::answer).listen(0, "127.0.0.1"));
  }

  @AfterAll
  static void stop() {
    Await.result(vertx.close());
  }

  /** A Whisper-like server: reads the multipart form, answers verbose_json by the side it heard. */
  static void answer(HttpServerRequest req) {
    req.body().onSuccess(body -> {
      Map<String, String> form = form(req.getHeader("content-type"), body);
      form.put("authorization", String.valueOf(req.getHeader("authorization")));
      form.put("path", req.path());
      requests.add(form);
      int code = status.getOrDefault(req.path(), f -> 200).apply(form);
      if (code != 200) {
        req.response().setStatusCode(code).end("{\"error\":{\"message\":\"overloaded\"}}");
        return;
      }
      // the left channel is all 1000s, the right all -1000s: say which was heard
      short first = ByteBuffer.wrap(form.get("file").getBytes(StandardCharsets.ISO_8859_1), 44, 2)
          .order(ByteOrder.LITTLE_ENDIAN).getShort();
      String json = first == 1000
          ? "{\"text\":\"hi\",\"segments\":[{\"start\":1.5,\"end\":3,\"text\":\" I'd like to book an appointment.\"},"
              + "{\"start\":6.25,\"end\":7,\"text\":\" Thanks.\"}]}"
          : "{\"text\":\"Thank you for calling Acme.\"}";
      req.response().putHeader("content-type", "application/json").end(json);
    });
  }

  /** The parts of a multipart/form-data body, by name (bytes as ISO-8859-1 text). */
  static Map<String, String> form(String type, Buffer body) {
    String boundary = type.substring(type.indexOf("boundary=") + 9);
    String text = body.toString(StandardCharsets.ISO_8859_1);
    Map<String, String> out = new ConcurrentHashMap<>();
    for (String part : text.split("--" + java.util.regex.Pattern.quote(boundary))) {
      int blank = part.indexOf("\r\n\r\n");
      if (blank < 0) {
        continue;
      }
      String head = part.substring(0, blank);
      String name = head.replaceAll("(?s).*?; name=\"([^\"]+)\".*", "$1");
      out.put(name, part.substring(blank + 4, part.length() - 2));
      if (head.contains("filename=")) {
        out.put(name + ".type", head.replaceAll("(?s).*Content-Type: ([^\\r\\n]+).*", "$1"));
      }
    }
    return out;
  }

  /** A 16-bit stereo WAV of {@code frames} frames: left 1000, right -1000. */
  static byte[] stereo(int frames) {
    ByteBuffer b = ByteBuffer.allocate(44 + frames * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(0x46464952).putInt(36 + frames * 4).putInt(0x45564157);
    b.putInt(0x20746d66).putInt(16).putShort((short) 1).putShort((short) 2).putInt(8000).putInt(32000)
        .putShort((short) 4).putShort((short) 16);
    b.putInt(0x61746164).putInt(frames * 4);
    for (int i = 0; i < frames; i++) {
      b.putShort((short) 1000).putShort((short) -1000);
    }
    return b.array();
  }

  record Setup(String property, MutableClock clock, TranscriptionQueue queue, Transcriber transcriber,
      RedisCallStore calls, String path) {}

  Setup setup(String apiKey) {
    String property = TestRedis.uniqueId("stt");
    String path = "/" + property + "/v1/audio/transcriptions";
    MutableClock clock = MutableClock.at("2026-12-07T10:00:00Z");
    ConversationRules rules = new ConversationRules(null, List.of("book an appointment"), null,
        new ConversationRules.Transcription("http://127.0.0.1:" + stt.actualPort() + path, apiKey, "whisper-1", "en"));
    SettingsStore settings = new SettingsStore(redis);
    Await.result(settings.put(property, new PropertySettings(null, null, null, null, null, null, null, null, rules)));
    RedisCallStore calls = new RedisCallStore(redis);
    TranscriptionQueue queue = new TranscriptionQueue(api, clock);
    Transcriber t = new Transcriber(vertx, settings, calls, new Transcripts(api), queue,
        new SpeechToText(vertx, WebhookTargets.ANY), recordings, () -> Future.succeededFuture(List.of(property)));
    return new Setup(property, clock, queue, t, calls, path);
  }

  /** A recorded, answered call of {@code property}, its recording in the folder; queued as the stream shows it. */
  CallRecord recordedCall(Setup s, Double callerTalk, Double lineTalk) throws Exception {
    return recordedCall(s, callerTalk, lineTalk, 1);
  }

  CallRecord recordedCall(Setup s, Double callerTalk, Double lineTalk, int seconds) throws Exception {
    String id = TestRedis.uniqueId("c");
    Instant at = Instant.parse("2026-12-07T09:00:00Z");
    CallRecord r = CallRecord.started(id, id + "@sip", TestNumbers.fresh(), "+16175550100", s.property(), at)
        .withAttribution("lease", null, Attribution.UNKNOWN, List.of())
        .answered(at.plusSeconds(2), 200).ended(at.plusSeconds(30), CallStatus.ANSWERED, 200)
        .withMedia(new CallMedia(true, true, id + ".wav", 28.0, callerTalk, lineTalk, 0.1, 0.0));
    Files.write(recordings.resolve(id + ".wav"), stereo(8000 * seconds));
    Await.result(s.calls().apply(new CallEvent(id, 3, CallEvent.Type.MEDIA, at.plusSeconds(31), r)));
    PropertySettings settings = Await.result(new SettingsStore(redis).get(s.property()));
    Await.result(s.transcriber().offer(settings, s.property(), id, JsonMapper.tree(JsonMapper.write(r))));
    return r;
  }

  @Test
  void eachSideIsSentApartAndTheAnswersMergedByTime() throws Exception {
    Setup s = setup("sk-test-123");
    CallRecord call = recordedCall(s, 9.0, 4.0);
    // the stream read again after a restart queues it no second time
    Await.result(s.transcriber().offer(Await.result(new SettingsStore(redis).get(s.property())), s.property(),
        call.callId(), JsonMapper.tree(JsonMapper.write(call))));
    assertEquals(1L, Await.result(s.queue().size(s.property())));

    assertEquals(1, Await.result(s.transcriber().poll()));
    List<Map<String, String>> mine = requests.stream().filter(r -> r.get("path").equals(s.path())).toList();
    assertEquals(2, mine.size());
    for (Map<String, String> r : mine) {
      assertEquals("whisper-1", r.get("model"));
      assertEquals("verbose_json", r.get("response_format"));
      assertEquals("en", r.get("language"));
      assertEquals("Bearer sk-test-123", r.get("authorization"));
      assertEquals("audio/wav", r.get("file.type"));
      byte[] wav = r.get("file").getBytes(StandardCharsets.ISO_8859_1);
      assertEquals(44 + 8000 * 2, wav.length); // one second, one channel
      assertEquals(1, ByteBuffer.wrap(wav).order(ByteOrder.LITTLE_ENDIAN).getShort(22)); // mono
    }
    Transcript t = stored(s.property(), call.callId()).orElseThrow();
    assertEquals("whisper-1", t.source());
    assertEquals(List.of("agent:0:Thank you for calling Acme.", "caller:1.5:I'd like to book an appointment.",
            "caller:6.25:Thanks."),
        t.segments().stream().map(g -> g.speaker().json() + ":" + g.start().toPlainString() + ":" + g.text()).toList());
    assertEquals(Boolean.TRUE, ConversationAnalysis.of(t, Await.result(new SettingsStore(redis).get(s.property()))
        .conversations()).leadIntent());
    assertEquals(0L, Await.result(s.queue().size(s.property())));
    // a transcribed call is not queued again
    Await.result(s.transcriber().offer(Await.result(new SettingsStore(redis).get(s.property())), s.property(),
        call.callId(), JsonMapper.tree(JsonMapper.write(call))));
    assertEquals(0L, Await.result(s.queue().size(s.property())));
  }

  @Test
  void aLongRecordingGoesInPiecesEachPutAtItsTime() throws Exception {
    Setup s = setup(null);
    CallRecord call = recordedCall(s, 3.0, 3.0, 3);
    assertEquals(1, Await.result(s.transcriber().inPiecesOf(1).poll()));
    List<Map<String, String>> mine = requests.stream().filter(r -> r.get("path").equals(s.path())).toList();
    assertEquals(6, mine.size(), "three one-second pieces of each side");
    assertTrue(mine.stream().allMatch(r -> r.get("file").length() == 44 + 8000 * 2));
    Transcript t = stored(s.property(), call.callId()).orElseThrow();
    assertEquals(List.of("0", "1", "2"), t.segments().stream().filter(g -> g.speaker() == Transcript.Speaker.AGENT)
        .map(g -> g.start().toPlainString()).toList());
    assertEquals(List.of("1.5", "2.5", "3.5", "6.25", "7.25", "8.25"), t.segments().stream()
        .filter(g -> g.speaker() == Transcript.Speaker.CALLER).map(g -> g.start().toPlainString()).toList());
  }

  @Test
  void aSideThatNeverSpokeIsNotSent() throws Exception {
    Setup s = setup(null);
    CallRecord call = recordedCall(s, 12.0, 0.0);
    assertEquals(1, Await.result(s.transcriber().poll()));
    List<Map<String, String>> mine = requests.stream().filter(r -> r.get("path").equals(s.path())).toList();
    assertEquals(1, mine.size());
    assertEquals("null", mine.get(0).get("authorization"));
    Transcript t = stored(s.property(), call.callId()).orElseThrow();
    assertTrue(t.segments().stream().allMatch(g -> g.speaker() == Transcript.Speaker.CALLER), t::toString);
  }

  @Test
  void aFailureIsTriedAgainAfterItsDelayAndGivenUpAfterTheLastAttempt() throws Exception {
    Setup s = setup(null);
    status.put(s.path(), f -> 503);
    CallRecord call = recordedCall(s, 5.0, 5.0);
    assertEquals(1, Await.result(s.transcriber().poll()));
    assertTrue(stored(s.property(), call.callId()).isEmpty());
    // not due again before its delay, even when the calls stream is read again and offers it
    Await.result(s.transcriber().offer(Await.result(new SettingsStore(redis).get(s.property())), s.property(),
        call.callId(), JsonMapper.tree(JsonMapper.write(call))));
    assertEquals(0, Await.result(s.transcriber().poll()));
    s.clock().advance(TranscriptionQueue.FIRST_RETRY.plusSeconds(1));
    status.remove(s.path());
    assertEquals(1, Await.result(s.transcriber().poll()));
    assertTrue(stored(s.property(), call.callId()).isPresent());

    // a service that keeps failing: 1, 2, 4, 8, 16 minutes apart, then the call is given up
    Setup down = setup(null);
    status.put(down.path(), f -> 500);
    CallRecord lost = recordedCall(down, 5.0, 5.0);
    List<String> counted = new CopyOnWriteArrayList<>();
    down.transcriber().countedBy((to, result) -> counted.add(to + ":" + result));
    for (int i = 0; i < TranscriptionQueue.MAX_ATTEMPTS; i++) {
      assertEquals(1, Await.result(down.transcriber().poll()), "attempt " + (i + 1));
      down.clock().advance(TranscriptionQueue.FIRST_RETRY.multipliedBy(1L << i).plusSeconds(1));
    }
    assertEquals(List.of("transcription:given-up"), counted);
    assertEquals(0L, Await.result(down.queue().size(down.property())));
    assertEquals(0, Await.result(down.transcriber().poll()));
    assertTrue(stored(down.property(), lost.callId()).isEmpty());
    // why, for the API; and the calls stream read again does not start it over
    String why = Await.result(down.queue().status(down.property(), lost.callId()));
    assertTrue(why.startsWith("its transcription was given up after 6 attempts: ") && why.contains("answered 500"), why);
    Await.result(down.transcriber().offer(Await.result(new SettingsStore(redis).get(down.property())), down.property(),
        lost.callId(), JsonMapper.tree(JsonMapper.write(lost))));
    assertEquals(0L, Await.result(down.queue().size(down.property())));
    assertEquals("it is waiting to be transcribed", Await.result(s.queue().status(s.property(),
        recordedCall(s, 1.0, 1.0).callId())));
  }

  @Test
  void aCallWhoseRecordingWasErasedMeanwhileIsDropped() throws Exception {
    Setup s = setup(null);
    CallRecord call = recordedCall(s, 5.0, 5.0);
    // the caller erased: the record no longer names the recording
    Await.result(s.calls().apply(new CallEvent(call.callId(), 4, CallEvent.Type.MEDIA, call.endedAt(),
        call.withMedia(call.media().withoutRecording()))));
    assertEquals(1, Await.result(s.transcriber().poll()));
    assertFalse(requests.stream().anyMatch(r -> r.get("path").equals(s.path())));
    assertEquals(0L, Await.result(s.queue().size(s.property())));
  }

  @Test
  void theWavIsCutIntoItsTwoSides() {
    Wav.Sides sides = Wav.split(stereo(4000));
    assertEquals(0.5, sides.seconds());
    assertEquals(1000, ByteBuffer.wrap(sides.caller()).order(ByteOrder.LITTLE_ENDIAN).getShort(44));
    assertEquals(-1000, ByteBuffer.wrap(sides.agent()).order(ByteOrder.LITTLE_ENDIAN).getShort(44 + 2 * 3999));
    assertEquals(io.calltrack.core.CalltrackException.Invalid.class,
        org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class, () -> Wav.split(new byte[] {1, 2, 3})).getClass());
    byte[] mono = Wav.header(8000, 10);
    assertThrows(mono);
  }

  private static void assertThrows(byte[] notStereo) {
    org.junit.jupiter.api.Assertions.assertThrows(io.calltrack.core.CalltrackException.Invalid.class, () -> Wav.split(notStereo));
  }

  /** The transcript kept for the call, read as the API reads it. */
  private java.util.Optional<Transcript> stored(String property, String callId) {
    String json = Await.result(new Transcripts(api).json(property, java.util.List.of(callId))).get(callId);
    return java.util.Optional.ofNullable(json == null ? null : Transcripts.read(json));
  }
}
