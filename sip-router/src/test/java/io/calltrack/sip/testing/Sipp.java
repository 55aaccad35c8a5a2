package io.calltrack.sip.testing;

import io.calltrack.localredis.EmbeddedRedis;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * SIPp (Debian package {@code sip-tester}) run as a real peer: a trunk placing calls or a business
 * line answering them, with the scenario files of {@code sip-router/sipp}. A missing sipp fails the
 * test that needs it; it is never skipped.
 */
public final class Sipp implements AutoCloseable {
  /** The scenario folder {@code sip-router/sipp}, found from the module directory Maven runs tests in. */
  public static final Path SCENARIOS = scenarios();

  private static Path scenarios() {
    for (String candidate : List.of("sipp", "../sip-router/sipp", "sip-router/sipp")) {
      Path p = Path.of(candidate).toAbsolutePath().normalize();
      if (Files.isRegularFile(p.resolve("trunk-uac.xml"))) {
        return p;
      }
    }
    throw new AssertionError("cannot find the SIPp scenarios (sip-router/sipp) from " + Path.of("").toAbsolutePath());
  }

  private final Process process;
  private final Path log;
  public final int port;

  private Sipp(Process process, Path log, int port) {
    this.process = process;
    this.log = log;
    this.port = port;
  }

  public static String binary() {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
      Path p = Path.of(dir, "sipp");
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    throw new AssertionError("sipp is not installed: these tests need SIPp as a real SIP peer. "
        + "Install the Debian package 'sip-tester' (apt-get install sip-tester), or run scripts/test, which does.");
  }

  /**
   * A free port for SIPp's SIP socket, outside the media ports an {@code -mp} among {@code extra} gives
   * it (audio and video RTP and RTCP: four from there): the two were picked free each on its own, and
   * once landed on the same port (SIPp: "Unable to bind video RTP socket").
   */
  private static int sipPort(String... extra) {
    int media = -1;
    for (int i = 0; i + 1 < extra.length; i++) {
      if (extra[i].equals("-mp")) {
        media = Integer.parseInt(extra[i + 1]);
      }
    }
    while (true) {
      int port = EmbeddedRedis.freePort();
      if (media < 0 || port < media || port >= media + 4) {
        return port;
      }
    }
  }

  /** A business line: {@code scenario} (e.g. business-line-uas.xml) answering {@code calls} calls on a free port. */
  public static Sipp uas(String scenario, int calls, String transport, String... extra) {
    int port = sipPort(extra);
    List<String> args = new ArrayList<>(List.of("-sf", SCENARIOS.resolve(scenario).toString(), "-i", "127.0.0.1",
        "-p", Integer.toString(port), "-m", Integer.toString(calls), "-t", transportFlag(transport)));
    args.addAll(List.of(extra));
    return run(args, port);
  }

  /** A trunk calling {@code number} through the router at {@code routerPort}. */
  public static Sipp uac(String scenario, int routerPort, String number, int calls, Duration pause, String transport,
      String... extra) {
    int port = sipPort(extra);
    List<String> args = new ArrayList<>(List.of("127.0.0.1:" + routerPort, "-sf", SCENARIOS.resolve(scenario).toString(),
        "-s", number, "-i", "127.0.0.1", "-p", Integer.toString(port), "-m", Integer.toString(calls),
        "-t", transportFlag(transport), "-r", "5"));
    if (pause != null) {
      args.addAll(List.of("-d", Long.toString(pause.toMillis())));
    }
    args.addAll(List.of(extra)); // later flags win: e.g. "-r", "20" for a faster call rate
    return run(args, port);
  }

  private static String transportFlag(String transport) {
    return "tcp".equalsIgnoreCase(transport) ? "t1" : "u1";
  }

  private static Sipp run(List<String> args, int port) {
    List<String> cmd = new ArrayList<>();
    cmd.add(binary());
    cmd.addAll(args);
    // a hard stop so a lost message can never hang the build; -timeout_error makes that a failure
    try {
      Path log = Files.createTempFile("sipp-", ".log");
      cmd.addAll(List.of("-timeout", "60s", "-timeout_error", "-nostdin", "-trace_err",
          "-error_file", log + ".err",
          // big socket buffers and patient retransmissions: on a loaded shared machine SIPp and the
          // router stall for hundreds of ms, and default UDP buffers then drop datagrams
          "-buff_size", Integer.toString(4 * 1024 * 1024), "-max_retrans", "12"));
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      return new Sipp(p, log, port);
    } catch (IOException e) {
      throw new AssertionError("cannot run sipp: " + e, e);
    }
  }

  /** Waits for SIPp to finish and returns its exit code (0: every call as the scenario says). */
  public int exitCode(Duration within) {
    try {
      if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("sipp did not finish within " + within + ":\n" + output());
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public String output() {
    try {
      Path err = Path.of(log + ".err");
      String out = Files.readString(log) + (Files.exists(err) ? "\n--- unexpected messages:\n" + Files.readString(err) : "");
      return out.length() > 6000 ? out.substring(out.length() - 6000) : out;
    } catch (IOException e) {
      return "(no sipp output: " + e + ")";
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
    try {
      Files.deleteIfExists(log);
      Files.deleteIfExists(Path.of(log + ".err"));
    } catch (IOException ignored) {
      // a temp file
    }
  }
}
