package io.calltrack.localredis;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import redis.embedded.RedisServer;

/**
 * The redis-server binary that the {@code embedded-redis} jar ships, run as a child process on
 * loopback. The launcher runs it when {@code CALLTRACK_REDIS_URL} is unset, so a first run needs
 * nothing installed; tests use it (test scope) when no other Redis is given. It lives in this small
 * module so that {@code core}, the domain, does not ship a redis-server binary.
 */
public final class EmbeddedRedis implements AutoCloseable {
  private final int port;
  private final Path dataDir;
  private final boolean stopAtJvmExit;
  private Process server;
  private Thread exitHook;

  private EmbeddedRedis(int port, Path dataDir, boolean stopAtJvmExit) {
    this.port = port;
    this.dataDir = dataDir;
    this.stopAtJvmExit = stopAtJvmExit;
  }

  /**
   * Starts redis-server on {@code port} (0 picks a free one). With a {@code dataDir} it keeps an
   * append-only file there, so leases survive a restart; without one it keeps nothing on disk.
   */
  public static EmbeddedRedis start(int port, Path dataDir) {
    return start(port, dataDir, true);
  }

  /**
   * {@link #start(int, Path)}; with {@code stopAtJvmExit} false it is left running at the JVM's exit
   * for the caller to {@link #stop()} from its own shutdown, after what uses it (an exit hook of its
   * own would run beside the caller's, and stop Redis under servers still closing).
   */
  public static EmbeddedRedis start(int port, Path dataDir, boolean stopAtJvmExit) {
    EmbeddedRedis redis = new EmbeddedRedis(port == 0 ? freePort() : port, dataDir, stopAtJvmExit);
    redis.start();
    return redis;
  }

  /** Starts (again, after {@link #stop()}) on the same port and data directory. */
  public synchronized void start() {
    if (server != null) {
      return;
    }
    try {
      var builder = RedisServer.newRedisServer()
          .port(port)
          .bind("127.0.0.1")
          .setting("protected-mode yes");
      if (dataDir != null) {
        Files.createDirectories(dataDir);
        builder.setting("dir " + dataDir.toAbsolutePath())
            .setting("appendonly yes")
            .setting("appendfsync everysec")
            .setting("save \"\"");
      } else {
        builder.setting("appendonly no").setting("save \"\"");
      }
      // the library extracts its redis-server and writes the configuration; the process is run here:
      // the library's own start adds a JVM exit hook that stops it, whatever it is told
      List<String> command = inItsOwnSession(builder.buildCommandArgs());
      // what it prints: beside its data (written afresh at each start), else in a temporary file
      Path log = dataDir != null ? dataDir.resolve("redis.log")
          : Files.createTempFile("calltrack-redis-" + port + "-", ".log");
      if (dataDir == null) {
        log.toFile().deleteOnExit();
      }
      Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      server = p;
      try {
        awaitListening(p, log);
      } catch (IOException e) {
        stop();
        throw e;
      }
      if (stopAtJvmExit) {
        exitHook = new Thread(this::stop, "calltrack-embedded-redis-stop");
        Runtime.getRuntime().addShutdownHook(exitHook);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the embedded redis-server on port " + port, e);
    }
  }

  /**
   * The command run in a session of its own where {@code setsid} exists (util-linux: every Debian):
   * a Ctrl-C in a terminal signals the whole foreground process group, and redis-server stopped at
   * that same moment, under the servers still using it (each then logged its connection lost on the
   * way down); in its own session it stops when {@link #stop()} or the JVM's exit stops it, after them.
   * setsid execs redis-server in its place (a child of the JVM leads no group), so the process
   * started and stopped here is redis-server itself.
   */
  private static List<String> inItsOwnSession(List<String> command) {
    if (!Files.isExecutable(SETSID)) {
      return command;
    }
    List<String> own = new ArrayList<>(command.size() + 1);
    own.add(SETSID.toString());
    own.addAll(command);
    return own;
  }

  private static final Path SETSID = Path.of("/usr/bin/setsid");

  /**
   * Stops the child process (its data stays in {@code dataDir}, if any): SIGTERM, on which Redis
   * writes what it must and exits; killed if it has not within 10 s.
   */
  public synchronized void stop() {
    if (server == null) {
      return;
    }
    Process p = server;
    server = null;
    if (exitHook != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(exitHook);
      } catch (IllegalStateException exiting) {
        // the JVM is exiting: the hook is what called this, or runs beside it
      }
      exitHook = null;
    }
    p.destroy();
    try {
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  public int port() {
    return port;
  }

  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  @Override
  public void close() {
    stop();
  }

  /**
   * Waits for redis-server to say it is ready (after loading its append-only file, which may take a
   * while: clients would meet LOADING before) and to accept a connection; fails with what it printed
   * if it exits first.
   */
  private void awaitListening(Process p, Path log) throws IOException {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (!Files.readString(log).contains("Ready to accept connections")) {
      if (!p.isAlive() || System.nanoTime() > deadline) {
        String said = Files.readString(log).strip();
        throw new IOException("redis-server " + (p.isAlive() ? "did not become ready" : "exited") + " on port "
            + port + ": " + said.substring(Math.max(0, said.length() - 2_000)));
      }
      java.util.concurrent.locks.LockSupport.parkNanos(10_000_000);
    }
    long connectBy = System.nanoTime() + 10_000_000_000L;
    while (true) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException e) {
        if (System.nanoTime() > connectBy) {
          throw new IOException("redis-server did not start listening on port " + port, e);
        }
        java.util.concurrent.locks.LockSupport.parkNanos(10_000_000);
      }
    }
  }

  /** Free ports are picked from here up to the kernel's ephemeral range. */
  private static final int FIRST_FIXED_PORT = 20_000;
  /** Ports this process gave out: one may not be bound yet (a router's HTTP and SIP ports). */
  private static final Set<Integer> GIVEN = ConcurrentHashMap.newKeySet();

  /**
   * A port free for both TCP and UDP (SIPp and the router bind both), below the kernel's ephemeral
   * range. A port the kernel hands out for a bind to port 0 could be given again at once, to any of
   * the sockets a test opens (Redis connections, a SIP stack's, another SIPp's): a SIPp trunk then
   * failed to bind its port ("errno = 98") in a CI run. Below that range only an explicit bind can
   * take it, and each candidate is bound both ways first.
   */
  public static int freePort() {
    int ephemeralLow = ephemeralLow();
    if (ephemeralLow > FIRST_FIXED_PORT + 1_000) {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      for (int attempt = 0; attempt < 200; attempt++) {
        int port = FIRST_FIXED_PORT + random.nextInt(ephemeralLow - FIRST_FIXED_PORT);
        if (bindable(port) && GIVEN.add(port)) {
          return port;
        }
      }
    }
    try (ServerSocket s = new ServerSocket(0)) { // an unusual port range: the kernel's choice
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The first port of the kernel's ephemeral range (Linux; 32768, its default, elsewhere). */
  static int ephemeralLow() {
    // read line by line: Files.readString trusts the size /proc reports and returns "3" of "32768 60999"
    try (BufferedReader in = Files.newBufferedReader(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))) {
      return Integer.parseInt(in.readLine().strip().split("\\s+")[0]);
    } catch (IOException | RuntimeException e) {
      return 32_768;
    }
  }

  /** Whether {@code port} can be bound now on every address, for TCP and for UDP. */
  static boolean bindable(int port) {
    try (ServerSocket tcp = new ServerSocket();
        DatagramSocket udp = new DatagramSocket(null)) {
      tcp.setReuseAddress(true); // a port in TIME_WAIT is free to listen on (redis-server reuses it too)
      tcp.bind(new InetSocketAddress(port));
      udp.bind(new InetSocketAddress(port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
