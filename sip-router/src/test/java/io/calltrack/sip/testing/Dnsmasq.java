package io.calltrack.sip.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * dnsmasq (Debian package {@code dnsmasq-base}, installed by scripts/test) as a real DNS server on a
 * loopback port, authoritative for the names it is given (SRV and address records) and for nothing
 * else (no upstream, no /etc/hosts). A missing dnsmasq fails the test that needs it; it is never skipped.
 */
public final class Dnsmasq implements AutoCloseable {
  private static final java.util.concurrent.atomic.AtomicInteger STARTS = new java.util.concurrent.atomic.AtomicInteger();
  public final int port;
  private final Path log;
  private final Process process;

  private Dnsmasq(int port, Path log, Process process) {
    this.port = port;
    this.log = log;
    this.process = process;
  }

  /** The server as CALLTRACK_SIP_DNS names it. */
  public String address() {
    return "127.0.0.1:" + port;
  }

  private static String binary() {
    for (String p : List.of("/usr/sbin/dnsmasq", "/usr/bin/dnsmasq", "/sbin/dnsmasq")) {
      if (Files.isExecutable(Path.of(p))) {
        return p;
      }
    }
    throw new AssertionError("dnsmasq is not installed: the SRV tests need it as their DNS server. "
        + "Install the Debian package 'dnsmasq-base', or run scripts/test, which does.");
  }

  /**
   * Serves {@code domain} (every name under it that is not given is NXDOMAIN) with {@code records}:
   * dnsmasq's own options, e.g. {@code --srv-host=_sip._udp.pbx.test,line.pbx.test,5070,10,100} and
   * {@code --host-record=line.pbx.test,127.0.0.1}.
   */
  public static Dnsmasq start(Path dir, String domain, List<String> records) throws IOException {
    // dnsmasq listens on UDP and TCP: a port free for UDP (the kernel's pick, in the ephemeral range)
    // could be an outgoing TCP connection's at that moment ("failed to create listening socket:
    // Address already in use", seen once in a suite run beside other builds). The port is taken below
    // the ephemeral range, free for both, and another is tried if dnsmasq still meets one in use.
    AssertionError last = null;
    for (int attempt = 0; attempt < 5; attempt++) {
      try {
        return start(dir, domain, records, freePort());
      } catch (AssertionError e) {
        if (!e.getMessage().contains("Address already in use")) {
          throw e;
        }
        last = e;
      }
    }
    throw last;
  }

  /** A port of loopback free for both UDP and TCP now, between 20000 and 32767 (below the ephemeral range). */
  static int freePort() {
    for (int attempt = 0; attempt < 200; attempt++) {
      int port = 20000 + java.util.concurrent.ThreadLocalRandom.current().nextInt(12768);
      try (java.net.DatagramSocket udp = new java.net.DatagramSocket(port, java.net.InetAddress.getLoopbackAddress());
          java.net.ServerSocket tcp = new java.net.ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
        return port;
      } catch (IOException taken) {
        // another one
      }
    }
    throw new AssertionError("no port free for both UDP and TCP on loopback");
  }

  /** As {@link #start(Path, String, List)}, on {@code port} (a server started again where it was). */
  public static Dnsmasq start(Path dir, String domain, List<String> records, int port) throws IOException {
    Files.createDirectories(dir);
    String name = "dnsmasq-" + port + "-" + STARTS.incrementAndGet(); // a server started again has a log of its own
    Path log = dir.resolve(name + ".log");
    List<String> cmd = new ArrayList<>(List.of(binary(), "--keep-in-foreground", "--conf-file=/dev/null",
        "--port=" + port, "--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv", "--no-hosts",
        "--pid-file=" + dir.resolve(name + ".pid"), "--log-facility=-", "--local=/" + domain + "/"));
    cmd.addAll(records);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    Dnsmasq d = new Dnsmasq(port, log, p);
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!d.started()) {
      if (!p.isAlive() || System.nanoTime() > deadline) {
        throw new AssertionError("dnsmasq did not start:\n" + d.output());
      }
      Thread.onSpinWait();
    }
    return d;
  }

  private boolean started() {
    return output().contains("started, version");
  }

  private String output() {
    try {
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (IOException e) {
      return e.toString();
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
