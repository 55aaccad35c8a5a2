package io.calltrack.sip.testing;

import java.io.File;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * rtpengine (Debian package {@code rtpengine-daemon}, installed by scripts/test) run as a real media relay
 * for the tests: userspace only ({@code --table=-1}, no kernel module), on loopback, its ng port and a
 * small RTP port range free, recording to pcap in {@code recordingDir}. A missing rtpengine fails the test
 * that needs it; it is never skipped.
 */
public final class Rtpengine implements AutoCloseable {
  private static final int RTP_PORTS = 40;

  public final int ngPort;
  public final Path recordingDir;
  private final Path log;
  private Process process;

  private Rtpengine(int ngPort, Path recordingDir, Path log) {
    this.ngPort = ngPort;
    this.recordingDir = recordingDir;
    this.log = log;
  }

  public String ngAddress() {
    return "127.0.0.1:" + ngPort;
  }

  public static String binary() {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
      Path p = Path.of(dir, "rtpengine");
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    throw new AssertionError("rtpengine is not installed: these tests need it as the media relay. "
        + "Install the Debian package 'rtpengine-daemon' (apt-get install rtpengine-daemon), or run scripts/test, which does.");
  }

  public static Rtpengine start(Path dir) throws IOException {
    Files.createDirectories(dir);
    Rtpengine r = new Rtpengine(freeUdpPort(), dir.resolve("recordings"), dir.resolve("rtpengine.log"));
    r.start();
    return r;
  }

  /** Starts it (again, after {@link #stop}) on the same ports. */
  public void start() throws IOException {
    int rtpBase = freeUdpRange(RTP_PORTS);
    Files.createDirectories(recordingDir);
    process = new ProcessBuilder(List.of(binary(), "--config-file=none", "--table=-1", "--foreground", "--log-stderr",
        "--log-level=5", "--interface=127.0.0.1", "--listen-ng=127.0.0.1:" + ngPort,
        "--port-min=" + rtpBase, "--port-max=" + (rtpBase + RTP_PORTS - 1), "--recording-dir=" + recordingDir,
        "--recording-method=pcap", "--recording-format=eth", "--delete-delay=0", "--timeout=60"))
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!answersPing()) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        throw new AssertionError("rtpengine did not start:\n" + output());
      }
    }
  }

  /** Stops it (SIGTERM, then waits): its ng port no longer answers. */
  public void stop() {
    if (process != null && process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** An ng ping answered within 300 ms. */
  private boolean answersPing() {
    try (DatagramSocket s = new DatagramSocket()) {
      s.setSoTimeout(300);
      byte[] ping = "t1 d7:command4:pinge".getBytes(StandardCharsets.US_ASCII);
      s.send(new DatagramPacket(ping, ping.length, InetAddress.getLoopbackAddress(), ngPort));
      byte[] buf = new byte[256];
      DatagramPacket reply = new DatagramPacket(buf, buf.length);
      s.receive(reply);
      return new String(buf, 0, reply.getLength(), StandardCharsets.US_ASCII).contains("pong");
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return false;
    }
  }

  public String output() {
    try {
      String out = Files.readString(log);
      return out.length() > 6000 ? out.substring(out.length() - 6000) : out;
    } catch (IOException e) {
      return "(no rtpengine output: " + e + ")";
    }
  }

  static int freeUdpPort() throws IOException {
    try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** A run of {@code n} UDP ports on loopback that are free now (tried at random in 20000-59999). */
  public static int freeUdpRange(int n) {
    for (int attempt = 0; attempt < 200; attempt++) {
      int base = 20000 + 2 * ThreadLocalRandom.current().nextInt(20000 - n);
      if (rangeFree(base, n)) {
        return base;
      }
    }
    throw new AssertionError("no free run of " + n + " UDP ports");
  }

  private static boolean rangeFree(int base, int n) {
    for (int p = base; p < base + n; p++) {
      try (DatagramSocket s = new DatagramSocket(p, InetAddress.getLoopbackAddress())) {
        // free
      } catch (IOException e) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void close() {
    stop();
  }
}
