package io.calltrack.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.calls.CallMedia;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.CallStatus;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.core.testing.Await;
import io.calltrack.sip.testing.NgPath;
import io.calltrack.sip.testing.Rtpengine;
import io.calltrack.sip.testing.RtpPcap;
import io.calltrack.sip.testing.Sipp;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A SIPp call with audio on both legs (speech synthesised by espeak-ng, see sipp/audio/make-audio.sh)
 * through the router and a real rtpengine: recorded, measured, and connected even when rtpengine is down.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class MediaRecordingTest {
  static final Duration SIPP_WAIT = Duration.ofSeconds(90);
  static final Path AUDIO = Sipp.SCENARIOS.resolve("audio");

  @TempDir static Path dir;
  static Rtpengine rtpengine;
  /** The router reaches rtpengine through it: a test may make one command slower than the rest. */
  static NgPath ngPath;
  static RouterFixture fx;
  static SipRouter router;
  static SimpleMeterRegistry registry = new SimpleMeterRegistry();
  static Path recordings;
  static Path trunkScenario;
  static Path lineScenario;
  static Path trunkReinviteScenario;
  static Path lineReinviteScenario;
  static Path trunkChallengedScenario;
  static Path lineChallengingScenario;
  static Properties speech = new Properties();

  @BeforeAll
  static void start() throws IOException {
    Sipp.binary();
    rtpengine = Rtpengine.start(dir.resolve("rtpengine"));
    ngPath = new NgPath(rtpengine.ngPort);
    recordings = dir.resolve("recordings");
    fx = new RouterFixture(dir.resolve("spool"));
    router = fx.routerWithMedia(List.of("127.0.0.0/8"), Duration.ofSeconds(10), registry, ngPath.address(),
        recordings);
    Path callerPcap = RtpPcap.write(Files.readAllBytes(AUDIO.resolve("caller.al")), dir.resolve("caller.pcap"));
    Path linePcap = RtpPcap.write(Files.readAllBytes(AUDIO.resolve("line.al")), dir.resolve("line.pcap"));
    trunkScenario = withPcap("trunk-uac-media.xml", callerPcap);
    lineScenario = withPcap("business-line-uas-media.xml", linePcap);
    trunkReinviteScenario = withPcap("trunk-uac-media-reinvite.xml", callerPcap);
    lineReinviteScenario = withPcap("business-line-uas-media-reinvite.xml", linePcap);
    trunkChallengedScenario = withPcap("trunk-uac-media-challenged.xml", callerPcap);
    lineChallengingScenario = withPcap("business-line-uas-media-challenging.xml", linePcap);
    try (InputStream in = Files.newInputStream(AUDIO.resolve("speech.properties"))) {
      speech.load(in);
    }
  }

  private static Path withPcap(String scenario, Path pcap) throws IOException {
    Path out = dir.resolve(scenario);
    Files.writeString(out, Files.readString(Sipp.SCENARIOS.resolve(scenario)).replace("PCAP_FILE", pcap.toString()));
    return out;
  }

  @AfterAll
  static void stop() {
    try {
      if (fx != null) {
        fx.close();
      }
    } finally {
      if (ngPath != null) {
        ngPath.close();
      }
      if (rtpengine != null) {
        rtpengine.close();
      }
    }
  }

  @AfterEach
  void everyCommandOnTime() {
    ngPath.slow(null, Duration.ZERO);
  }

  /** Places one call with audio both ways, the caller hanging up after {@code pause}; returns its finished record. */
  private static CallRecord call(PhoneNumber[] number, boolean record, Duration pause) {
    return call(number, record, pause, trunkScenario, lineScenario);
  }

  private static CallRecord call(PhoneNumber[] number, boolean record, Duration pause, Path trunkScenario,
      Path lineScenario) {
    try (Sipp line = Sipp.uas(lineScenario.toString(), 1, "udp", "-mi", "127.0.0.1", "-mp",
        Integer.toString(Rtpengine.freeUdpRange(4)))) {
      number[0] = fx.property("sip:+15559990000@127.0.0.1:" + line.port, record, router);
      try (Sipp trunk = Sipp.uac(trunkScenario.toString(), router.port(), number[0].e164(), 1, pause, "udp",
          "-mi", "127.0.0.1", "-mp", Integer.toString(Rtpengine.freeUdpRange(4)))) {
        assertEquals(0, trunk.exitCode(SIPP_WAIT), () -> "trunk:\n" + trunk.output() + "\nrtpengine:\n" + rtpengine.output());
        assertEquals(0, line.exitCode(SIPP_WAIT), () -> "business line:\n" + line.output());
      }
    }
    PhoneNumber n = number[0];
    fx.awaitFinished(c -> n.equals(c.number()), 1);
    Await.until(RouterFixture.WAIT, () -> fx.records(c -> n.equals(c.number()) && c.media() != null).size() == 1);
    return fx.records(c -> n.equals(c.number())).get(0);
  }

  @Test
  void aRecordedCallIsServedAsAWavOfItsLengthWithTalkTimeAndDeadAirMeasured() throws IOException {
    CallRecord r = call(new PhoneNumber[1], true, Duration.ofMillis(11_500));
    assertEquals(CallStatus.ANSWERED, r.status());
    CallMedia m = r.media();
    assertTrue(m.anchored(), m::toString);
    assertTrue(m.recorded(), m::toString);
    assertEquals(r.callId() + ".wav", m.recording());

    System.out.println("recorded call: " + m); // the figures, for a reader of the test output
    double played = Double.parseDouble(speech.getProperty("seconds"));
    Path wav = recordings.resolve(m.recording());
    assertTrue(Files.isRegularFile(wav), "no recording at " + wav);
    double wavSeconds = wavSeconds(wav);
    assertEquals(played, wavSeconds, 0.5, "recording length");
    assertEquals(wavSeconds, m.recordingSeconds(), 0.05);

    double callerSpeech = Double.parseDouble(speech.getProperty("callerSpeech"));
    double lineSpeech = Double.parseDouble(speech.getProperty("lineSpeech"));
    assertEquals(callerSpeech, m.callerTalkSeconds(), 0.10 * callerSpeech, "caller talk time " + m);
    assertEquals(lineSpeech, m.lineTalkSeconds(), 0.10 * lineSpeech, "business line talk time " + m);
    double deadAir = (played - callerSpeech - lineSpeech) / played; // the two sides never speak at once
    assertEquals(deadAir, m.deadAirShare(), 0.10 * deadAir, "dead-air share " + m);
    assertEquals(0.0, m.holdSeconds(), 1e-9);
    // rtpengine's own pcap and metadata are gone once the recording is made
    try (var left = Files.list(rtpengine.recordingDir.resolve("pcaps"))) {
      assertEquals(List.of(), left.toList());
    }
  }

  /**
   * Both sides play their audio only after a re-INVITE's offer/answer: had the router relayed the
   * re-INVITE's SDP untouched, the two sides would send to each other directly and the recording would
   * miss them.
   */
  @Test
  void audioAfterAReinviteStillGoesThroughRtpengine() {
    CallMedia m = call(new PhoneNumber[1], true, Duration.ofMillis(11_500), trunkReinviteScenario,
        lineReinviteScenario).media();
    assertTrue(m.recorded(), m::toString);
    double callerSpeech = Double.parseDouble(speech.getProperty("callerSpeech"));
    double lineSpeech = Double.parseDouble(speech.getProperty("lineSpeech"));
    assertEquals(callerSpeech, m.callerTalkSeconds(), 0.10 * callerSpeech, "caller talk time " + m);
    assertEquals(lineSpeech, m.lineTalkSeconds(), 0.10 * lineSpeech, "business line talk time " + m);
  }

  /**
   * The business line challenges the INVITE (407 with a digest challenge) and the trunk sends it again
   * with credentials, same Call-ID and From tag: one call, one record, answered and recorded from the
   * retry's media; the first attempt's rtpengine leg (offered, recording asked, then deleted at the 407)
   * leaves no pcap or metadata behind in rtpengine's recording folder. The first attempt's delete
   * reaches rtpengine late, after the retry has come (a busy host, as in a CI run): it must still not
   * take the retry's media with it (same Call-ID and tag), so the retry's offer waits for it.
   */
  @Test
  void aCallTheLineChallengesIsOneRecordedCallAndLeavesNoRtpengineFilesOfTheFirstAttempt() throws IOException {
    java.util.Set<String> before = rtpengineFiles();
    ngPath.slow("delete", Duration.ofMillis(250)); // under the ng client's 400-ms retry: sent once
    PhoneNumber[] number = new PhoneNumber[1];
    try (Sipp line = Sipp.uas(lineChallengingScenario.toString(), 1, "udp", "-mi", "127.0.0.1", "-mp",
        Integer.toString(Rtpengine.freeUdpRange(4)))) {
      number[0] = fx.property("sip:+15559990000@127.0.0.1:" + line.port, true, router);
      try (Sipp trunk = Sipp.uac(trunkChallengedScenario.toString(), router.port(), number[0].e164(), 1,
          Duration.ofMillis(11_500), "udp", "-mi", "127.0.0.1", "-mp", Integer.toString(Rtpengine.freeUdpRange(4)),
          "-au", "trunk", "-ap", "s3cret")) {
        assertEquals(0, trunk.exitCode(SIPP_WAIT), () -> "trunk:\n" + trunk.output() + "\nrtpengine:\n" + rtpengine.output());
        assertEquals(0, line.exitCode(SIPP_WAIT), () -> "business line:\n" + line.output());
      }
    }
    PhoneNumber n = number[0];
    // one record for the 407 and its retry: before the fix, a FAILED one (407) and an ANSWERED one
    CallRecord r = fx.awaitFinished(c -> n.equals(c.number()), 1).get(0);
    assertEquals(CallStatus.ANSWERED, r.status(), r::toString);
    r = Await.until(RouterFixture.WAIT, () -> fx.records(c -> n.equals(c.number())), l -> l.get(0).media() != null)
        .get(0);
    CallMedia m = r.media();
    assertTrue(m.anchored(), m::toString);
    assertTrue(m.recorded(), m::toString);
    assertEquals(r.callId() + ".wav", m.recording());
    Path wav = recordings.resolve(m.recording());
    assertTrue(Files.isRegularFile(wav), "no recording at " + wav);
    double played = Double.parseDouble(speech.getProperty("seconds"));
    assertEquals(played, wavSeconds(wav), 0.5, "recording length");
    double callerSpeech = Double.parseDouble(speech.getProperty("callerSpeech"));
    double lineSpeech = Double.parseDouble(speech.getProperty("lineSpeech"));
    assertEquals(callerSpeech, m.callerTalkSeconds(), 0.10 * callerSpeech, "caller talk time " + m);
    assertEquals(lineSpeech, m.lineTalkSeconds(), 0.10 * lineSpeech, "business line talk time " + m);

    // rtpengine's files of both attempts (pcap and metadata, written from each offer on) go: the retry's once
    // its recording is made, the first attempt's when the retry takes the record over (off the call's thread)
    try {
      Await.until(RouterFixture.WAIT, () -> newRtpengineFiles(before).isEmpty());
    } catch (AssertionError e) {
      assertEquals(List.of(), newRtpengineFiles(before), "rtpengine files left behind by call " + r.sipCallId());
    }
  }

  /**
   * rtpengine's files (pcaps, metadata, its tmp folder) in its recording folder. By listing, not by name:
   * rtpengine names them after the Call-ID escaped ({@code 1-123%40127.0.0.1-<random>.pcap}).
   */
  private static java.util.Set<String> rtpengineFiles() {
    java.util.Set<String> found = new java.util.TreeSet<>();
    for (String sub : List.of("pcaps", "metadata", "tmp")) {
      Path d = rtpengine.recordingDir.resolve(sub);
      if (!Files.isDirectory(d)) {
        continue;
      }
      try (var files = Files.list(d)) {
        files.forEach(f -> found.add(sub + "/" + f.getFileName()));
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
    return found;
  }

  /** rtpengine's files that were not there {@code before}. */
  private static List<String> newRtpengineFiles(java.util.Set<String> before) {
    return rtpengineFiles().stream().filter(f -> !before.contains(f)).toList();
  }

  @Test
  void aCallPlacedWhileRtpengineIsStoppedStillConnectsAndIsMarkedUnrecorded() throws IOException {
    double before = registry.counter("calltrack.sip.media.relay.unanswered").count();
    rtpengine.stop();
    try {
      CallRecord r = call(new PhoneNumber[1], true, Duration.ofMillis(1_500));
      assertEquals(CallStatus.ANSWERED, r.status());
      CallMedia m = r.media();
      assertFalse(m.anchored(), m::toString);
      assertFalse(m.recorded(), m::toString);
      assertNull(m.recording());
      assertEquals(Boolean.TRUE, m.recordingAsked(), "a recording the property asked for and lost: " + m);
      assertEquals(before + 1, registry.counter("calltrack.sip.media.relay.unanswered").count());
    } finally {
      rtpengine.start();
    }
  }

  @Test
  void aPropertyThatDoesNotRecordIsRelayedButNotRecorded() {
    CallRecord r = call(new PhoneNumber[1], false, Duration.ofMillis(1_500));
    assertEquals(CallStatus.ANSWERED, r.status());
    assertTrue(r.media().anchored(), r.media()::toString);
    assertFalse(r.media().recorded());
    assertNull(r.media().recording());
    assertEquals(Boolean.FALSE, r.media().recordingAsked(), r.media()::toString);
    assertNotNull(r.durationSeconds());
  }

  /** Length of a PCM WAV from its header: data bytes over bytes per second. */
  static double wavSeconds(Path wav) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(wav)).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals("RIFF", new String(b.array(), 0, 4, java.nio.charset.StandardCharsets.US_ASCII));
    assertEquals("WAVE", new String(b.array(), 8, 4, java.nio.charset.StandardCharsets.US_ASCII));
    int byteRate = b.getInt(28);
    int dataBytes = b.getInt(40);
    assertEquals(dataBytes + 44, b.capacity());
    return dataBytes / (double) byteRate;
  }
}
