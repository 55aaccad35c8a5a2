package io.calltrack.dni.calls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.calls.CallEvent;
import io.calltrack.core.calls.CallMedia;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.CallStatus;
import io.calltrack.core.calls.RedisCallStore;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.core.redis.RedisClientFactory;
import io.calltrack.core.testing.TestNumbers;
import io.calltrack.core.testing.TestRedis;
import io.calltrack.dni.DniServerOptions;
import io.calltrack.dni.testing.DniClient;
import io.calltrack.dni.testing.DniClient.Reply;
import io.calltrack.dni.testing.DniTestBase;
import io.vertx.core.http.HttpMethod;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /v1/calls/{callId}/recording} over real HTTP on records written as the SIP router writes
 * them, and recordings following their records: erased with the caller, deleted once the record is gone.
 */
class RecordingApiTest extends DniTestBase {
  @TempDir static Path recordings;

  @Override
  protected DniServerOptions options(String redisUrl) {
    return super.options(redisUrl).withRecordingsDir(recordings);
  }

  private RedisCallStore store() {
    return new RedisCallStore(RedisClientFactory.create(vertx, TestRedis.url()));
  }

  /** An answered call from {@code caller}, then its media event naming {@code <callId>.wav} (or no recording). */
  private String recordedCall(String caller, boolean withRecording) {
    String id = TestRedis.uniqueId("call");
    Instant start = Instant.parse("2026-03-02T08:00:00Z");
    CallRecord r = CallRecord.started(id, id + "@trunk", PhoneNumber.parse("+15551230001"), caller, "shop", start)
        .answered(start.plusSeconds(2), 200).ended(start.plusSeconds(12), CallStatus.ANSWERED, null);
    RedisCallStore store = store();
    DniClient.await(store.apply(new CallEvent(id, 0, CallEvent.Type.ENDED, start, r)));
    CallMedia media = withRecording
        ? new CallMedia(true, true, id + ".wav", 10.0, 3.6, 4.7, 0.2, 0.0)
        : CallMedia.notAnchored();
    DniClient.await(store.apply(new CallEvent(id, 1, CallEvent.Type.MEDIA, start.plusSeconds(13), r.withMedia(media))));
    return id;
  }

  private static byte[] wav(String callId) throws IOException {
    byte[] bytes = ("RIFF....WAVEfmt " + callId).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    Files.write(recordings.resolve(callId + ".wav"), bytes);
    return bytes;
  }

  @Test
  void servesARecordedCallAsWavToTheAdminOnly() throws IOException {
    String id = recordedCall(TestNumbers.fresh().e164(), true);
    byte[] bytes = wav(id);
    Reply r = api.adminGet("/v1/calls/" + id + "/recording");
    assertEquals(200, r.status(), r::toString);
    assertEquals("audio/wav", r.header("content-type"));
    assertArrayEquals(bytes, r.body().getBytes());
    assertEquals(401, api.get("/v1/calls/" + id + "/recording").status());
    // the record tells what was measured
    Reply call = api.adminGet("/v1/calls/" + id);
    assertEquals(id + ".wav", call.json().getJsonObject("media").getString("recording"));
    assertEquals(3.6, call.json().getJsonObject("media").getDouble("callerTalkSeconds"));
  }

  @Test
  void aCallWithoutRecordingOrAnUnknownCallIs404() {
    String id = recordedCall(TestNumbers.fresh().e164(), false);
    Reply none = api.adminGet("/v1/calls/" + id + "/recording");
    assertEquals(404, none.status(), none::toString);
    assertTrue(none.error() != null && !none.error().isBlank(), none::toString);
    assertEquals(404, api.adminGet("/v1/calls/no-such-call/recording").status());
  }

  @Test
  void erasingTheCallerDeletesTheirRecordings() throws IOException {
    String caller = TestNumbers.fresh().e164();
    String id = recordedCall(caller, true);
    wav(id);
    String other = recordedCall(TestNumbers.fresh().e164(), true);
    wav(other);
    Reply erased = api.request(HttpMethod.DELETE, "/v1/callers/" + caller, null, api.admin());
    assertEquals(200, erased.status(), erased::toString);
    assertFalse(Files.exists(recordings.resolve(id + ".wav")), "the erased caller's recording is gone");
    assertEquals(404, api.adminGet("/v1/calls/" + id + "/recording").status());
    assertTrue(Files.exists(recordings.resolve(other + ".wav")), "another caller's recording stays");
  }

  @Test
  void aRecordingWhoseRecordExpiredGoesWithTheSweepButAFreshOneWaitsForItsRecord() throws IOException {
    Path expired = recordings.resolve(TestRedis.uniqueId("expired") + ".wav");
    Files.write(expired, new byte[] {1});
    Files.setLastModifiedTime(expired, FileTime.from(clock.instant().minus(RecordingSweeper.GRACE).minusSeconds(1)));
    Path fresh = recordings.resolve(TestRedis.uniqueId("fresh") + ".wav"); // its record is on the way
    Files.write(fresh, new byte[] {1});
    Files.setLastModifiedTime(fresh, FileTime.from(clock.instant()));
    String kept = recordedCall(TestNumbers.fresh().e164(), true);
    wav(kept);
    Files.setLastModifiedTime(recordings.resolve(kept + ".wav"), FileTime.from(clock.instant().minusSeconds(3600)));

    int deleted = DniClient.await(new RecordingSweeper(vertx, store(), recordings, clock).sweep());
    assertFalse(Files.exists(expired));
    assertTrue(Files.exists(fresh));
    assertTrue(Files.exists(recordings.resolve(kept + ".wav")));
    assertTrue(deleted >= 1);
  }
}
