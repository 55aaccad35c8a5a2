package io.calltrack.dni.conversation;

import static io.calltrack.dni.testing.DniClient.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.attribution.Attribution;
import io.calltrack.core.calls.CallEvent;
import io.calltrack.core.calls.CallMedia;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.CallStatus;
import io.calltrack.core.calls.RedisCallStore;
import io.calltrack.core.redis.RedisClientFactory;
import io.calltrack.core.testing.TestNumbers;
import io.calltrack.core.testing.TestRedis;
import io.calltrack.dni.DniServerOptions;
import io.calltrack.dni.testing.DniClient.Reply;
import io.calltrack.dni.testing.DniTestBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A recorded call transcribed by the running dni-server: the router's media event on the calls stream
 * queues it, the transcriber sends both sides of the recording to the property's speech-to-text service
 * (a real local HTTP server here) at once, and the transcript with its analysis is served by the API;
 * a property without a service sends nothing.
 */
class TranscriptionApiTest extends DniTestBase {
  @TempDir static Path recordings;

  @Override
  protected DniServerOptions options(String redisUrl) {
    return super.options(redisUrl).withRecordingsDir(recordings);
  }

  @Test
  void aRecordedCallIsTranscribedOnceItsRecordingIsIn() throws Exception {
    List<String> heard = new CopyOnWriteArrayList<>();
    HttpServer stt = await(vertx.createHttpServer().requestHandler(req -> {
      if (req.path().startsWith("/slow")) {
        return; // takes the audio, never answers
      }
      req.body().onSuccess(b -> {
      String form = b.toString(java.nio.charset.StandardCharsets.ISO_8859_1);
      boolean caller = form.contains("filename=\"caller.wav\"");
      heard.add(req.path() + (caller ? " caller" : " agent"));
      req.response().putHeader("content-type", "application/json").end(caller
          ? "{\"segments\":[{\"start\":2.0,\"text\":\" Can I get a quote for a new boiler?\"}]}"
          : "{\"segments\":[{\"start\":0.4,\"text\":\" Thank you for calling.\"}]}");
      });
    }).listen(0, "127.0.0.1"));

    String property = TestRedis.uniqueId("stt");
    String silent = TestRedis.uniqueId("stt");
    for (String p : List.of(property, silent)) {
      assertEquals(200, api.adminPut("/v1/properties/" + p, propertyBody(TestNumbers.fresh().e164(), ORIGIN)).status());
    }
    Reply set = api.adminPut("/v1/properties/" + property + "/marketing", new JsonObject().put("conversations",
        new JsonObject().put("leadPhrases", new JsonArray().add("a quote")).put("transcription", new JsonObject()
            .put("url", "http://127.0.0.1:" + stt.actualPort() + "/v1/audio/transcriptions").put("apiKey", "sk-local"))));
    assertEquals(200, set.status(), set::toString);
    assertEquals("whisper-1", set.json().getJsonObject("conversations").getJsonObject("transcription").getString("model"));

    Redis redis = RedisClientFactory.create(vertx, TestRedis.url());
    try {
      RedisCallStore calls = new RedisCallStore(redis);
      String quiet = recordedCall(calls, silent);
      String id = recordedCall(calls, property);
      // the dispatcher reads the stream every 250 ms, and the transcriber takes the call as it is queued
      JsonObject t = io.calltrack.core.testing.Await.until(java.time.Duration.ofSeconds(30),
          () -> api.adminGet("/v1/calls/" + id + "/transcript"), r -> r.status() == 200).json();
      assertEquals("whisper-1", t.getString("source"));
      assertEquals(List.of("agent", "caller"), t.getJsonArray("segments").stream()
          .map(s -> ((JsonObject) s).getString("speaker")).toList());
      assertEquals(true, t.getJsonObject("analysis").getBoolean("leadIntent"));
      assertEquals(List.of("/v1/audio/transcriptions caller", "/v1/audio/transcriptions agent"), heard);
      assertEquals(404, api.adminGet("/v1/calls/" + quiet + "/transcript").status());
      Reply report = api.adminGet("/v1/reports/conversations?property=" + property + "&from=2026-03-10&to=2026-03-10");
      assertEquals(1, report.json().getJsonObject("total").getInteger("transcribed"), report::toString);

      // a service that takes the audio and does not answer: the call says it is waiting
      String slow = TestRedis.uniqueId("stt");
      assertEquals(200, api.adminPut("/v1/properties/" + slow, propertyBody(TestNumbers.fresh().e164(), ORIGIN)).status());
      assertEquals(200, api.adminPut("/v1/properties/" + slow + "/marketing", new JsonObject().put("conversations",
          new JsonObject().put("transcription", new JsonObject()
              .put("url", "http://127.0.0.1:" + stt.actualPort() + "/slow/v1/audio/transcriptions")))).status());
      String waiting = recordedCall(calls, slow);
      Reply pending = io.calltrack.core.testing.Await.until(java.time.Duration.ofSeconds(30),
          () -> api.adminGet("/v1/calls/" + waiting + "/transcript"),
          r -> r.status() == 404 && r.json().getString("detail").contains("waiting to be transcribed"));
      assertEquals("call '" + waiting + "' has no transcript: it is waiting to be transcribed",
          pending.json().getString("detail"));
    } finally {
      redis.close();
    }
  }

  /** An answered call of {@code property} whose recording the router wrote, as its events reach Redis. */
  private static String recordedCall(RedisCallStore calls, String property) throws Exception {
    String id = TestRedis.uniqueId("c");
    Instant at = Instant.parse("2026-03-10T15:00:00Z");
    CallRecord r = CallRecord.started(id, id + "@sip", TestNumbers.fresh(), "+16175550100", property, at)
        .withAttribution("lease", null, Attribution.UNKNOWN, List.of());
    await(calls.apply(new CallEvent(id, 0, CallEvent.Type.STARTED, at, r)));
    r = r.answered(at.plusSeconds(2), 200).ended(at.plusSeconds(20), CallStatus.ANSWERED, 200);
    await(calls.apply(new CallEvent(id, 1, CallEvent.Type.ENDED, r.endedAt(), r)));
    ByteBuffer wav = ByteBuffer.allocate(44 + 8000 * 4).order(ByteOrder.LITTLE_ENDIAN);
    wav.putInt(0x46464952).putInt(36 + 8000 * 4).putInt(0x45564157).putInt(0x20746d66).putInt(16)
        .putShort((short) 1).putShort((short) 2).putInt(8000).putInt(32000).putShort((short) 4).putShort((short) 16)
        .putInt(0x61746164).putInt(8000 * 4);
    Files.write(recordings.resolve(id + ".wav"), wav.array());
    r = r.withMedia(new CallMedia(true, true, id + ".wav", 18.0, 6.0, 5.0, 0.2, 0.0));
    await(calls.apply(new CallEvent(id, 2, CallEvent.Type.MEDIA, r.endedAt().plusSeconds(1), r)));
    return id;
  }
}
