package io.calltrack.launcher.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.core.testing.Await;
import io.calltrack.core.testing.TestNumbers;
import io.calltrack.core.testing.TestRedis;
import io.calltrack.dni.DniServer;
import io.calltrack.dni.DniServerOptions;
import io.calltrack.localredis.EmbeddedRedis;
import io.calltrack.sip.SipRouter;
import io.calltrack.sip.SipRouterOptions;
import io.calltrack.sip.testing.RtpPcap;
import io.calltrack.sip.testing.Rtpengine;
import io.calltrack.sip.testing.Sipp;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16's "done when", end to end: a property set to record through the admin API, a SIPp call with
 * speech on both legs through the router and a real rtpengine, and its recording fetched from the API as a
 * WAV of the length that was played, with the measures in the call record.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RecordingEndToEndTest {
  static final String TOKEN = "e2e-admin-token-0123456789";

  @TempDir Path dir;

  @Test
  void aRecordedCallsWavIsServedByTheApiWithItsLengthAndMeasures() throws Exception {
    Sipp.binary();
    Path audio = Sipp.SCENARIOS.resolve("audio");
    Properties speech = new Properties();
    try (InputStream in = Files.newInputStream(audio.resolve("speech.properties"))) {
      speech.load(in);
    }
    Path trunkScenario = withPcap("trunk-uac-media.xml",
        RtpPcap.write(Files.readAllBytes(audio.resolve("caller.al")), dir.resolve("caller.pcap")));
    Path lineScenario = withPcap("business-line-uas-media.xml",
        RtpPcap.write(Files.readAllBytes(audio.resolve("line.al")), dir.resolve("line.pcap")));
    Path recordings = dir.resolve("recordings");
    Vertx vertx = Vertx.vertx();
    try (Rtpengine rtpengine = Rtpengine.start(dir.resolve("rtpengine"))) {
      String redisUrl = TestRedis.url();
      DniServer dni = Await.result(DniServer.start(vertx, DniServerOptions.of(redisUrl, TOKEN)
          .withRecordingsDir(recordings)));
      SipRouter router = Await.result(SipRouter.start(vertx, new SipRouterOptions("127.0.0.1", EmbeddedRedis.freePort(),
          List.of("127.0.0.0/8"), redisUrl, dir.resolve("spool"), new SimpleMeterRegistry(), Clock.systemUTC(),
          Duration.ofSeconds(20), null, null).withMedia(rtpengine.ngAddress(), recordings)));
      WebClient http = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(dni.port()));
      try (Sipp line = Sipp.uas(lineScenario.toString(), 1, "udp", "-mi", "127.0.0.1", "-mp",
          Integer.toString(Rtpengine.freeUdpRange(4)))) {
        String property = TestRedis.uniqueId("recorded");
        PhoneNumber printed = TestNumbers.fresh();
        PhoneNumber number = TestNumbers.fresh(); // the tracking number the trunk dials
        HttpResponse<Buffer> put = Await.result(http.put("/v1/properties/" + property).bearerTokenAuthentication(TOKEN)
            .sendJsonObject(new JsonObject().put("swapNumbers", new JsonArray().add(printed.e164()))
                .put("businessLine", "sip:+15559990000@127.0.0.1:" + line.port).put("record", true)));
        assertEquals(200, put.statusCode(), put::bodyAsString);
        assertEquals(Boolean.TRUE, put.bodyAsJsonObject().getBoolean("record"));
        HttpResponse<Buffer> pool = Await.result(http.put("/v1/pools/" + TestRedis.uniqueId("pool"))
            .bearerTokenAuthentication(TOKEN).sendJsonObject(new JsonObject().put("property", property)
                .put("numbers", new JsonArray().add(number.e164()))));
        assertEquals(200, pool.statusCode(), pool::bodyAsString);
        Await.until(Duration.ofSeconds(30), () -> router.routes(number));
        try (Sipp trunk = Sipp.uac(trunkScenario.toString(), router.port(), number.e164(), 1, Duration.ofMillis(11_500),
            "udp", "-mi", "127.0.0.1", "-mp", Integer.toString(Rtpengine.freeUdpRange(4)))) {
          assertEquals(0, trunk.exitCode(Duration.ofSeconds(90)), () -> "trunk:\n" + trunk.output());
        }
        assertEquals(0, line.exitCode(Duration.ofSeconds(90)), () -> "business line:\n" + line.output());

        JsonObject call = Await.until(Duration.ofSeconds(30), () -> callTo(http, number),
            c -> c != null && c.getJsonObject("media") != null);
        JsonObject media = call.getJsonObject("media");
        assertTrue(media.getBoolean("recorded"), media::encode);

        HttpResponse<Buffer> wav = Await.result(http.get("/v1/calls/" + call.getString("callId") + "/recording")
            .bearerTokenAuthentication(TOKEN).send());
        assertEquals(200, wav.statusCode(), wav::bodyAsString);
        assertEquals("audio/wav", wav.getHeader("content-type"));
        double played = Double.parseDouble(speech.getProperty("seconds"));
        assertEquals(played, wavSeconds(wav.body().getBytes()), 0.5, "the served recording's length");
        double caller = Double.parseDouble(speech.getProperty("callerSpeech"));
        double lineTalk = Double.parseDouble(speech.getProperty("lineSpeech"));
        assertEquals(caller, media.getDouble("callerTalkSeconds"), 0.1 * caller, media::encode);
        assertEquals(lineTalk, media.getDouble("lineTalkSeconds"), 0.1 * lineTalk, media::encode);
        double deadAir = (played - caller - lineTalk) / played;
        assertEquals(deadAir, media.getDouble("deadAirShare"), 0.1 * deadAir, media::encode);
      } finally {
        http.close();
        Await.result(router.close());
        Await.result(dni.close());
      }
    } finally {
      Await.result(vertx.close());
    }
  }

  private Path withPcap(String scenario, Path pcap) throws java.io.IOException {
    Path out = dir.resolve(scenario);
    Files.writeString(out, Files.readString(Sipp.SCENARIOS.resolve(scenario)).replace("PCAP_FILE", pcap.toString()));
    return out;
  }

  private static JsonObject callTo(WebClient http, PhoneNumber number) {
    HttpResponse<Buffer> r = Await.result(http.get("/v1/calls?limit=500").bearerTokenAuthentication(TOKEN).send());
    for (Object c : r.bodyAsJsonObject().getJsonArray("calls")) {
      if (number.e164().equals(((JsonObject) c).getString("number"))) {
        return (JsonObject) c;
      }
    }
    return null;
  }

  /** A PCM WAV's length from its header: data bytes over bytes per second. */
  private static double wavSeconds(byte[] wav) {
    ByteBuffer b = ByteBuffer.wrap(wav).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals("RIFF", new String(wav, 0, 4, java.nio.charset.StandardCharsets.US_ASCII));
    assertEquals("WAVE", new String(wav, 8, 4, java.nio.charset.StandardCharsets.US_ASCII));
    assertEquals(1, b.getShort(20), "PCM");
    assertEquals(wav.length - 44, b.getInt(40));
    return b.getInt(40) / (double) b.getInt(28);
  }
}
