package io.calltrack.core.testing;

import io.calltrack.core.redis.RedisTarget;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A real Redis Cluster for tests: three masters and three replicas of Debian's {@code redis-server}
 * on loopback, each on free ports (client and cluster bus), created with {@code redis-cli --cluster
 * create}. {@link #shared()} is one cluster per test JVM for tests that only read and write; a test
 * that kills nodes starts its own with {@link #start()} and closes it.
 *
 * <p>{@code cluster-node-timeout} is 1 s so a killed master's replica takes over in a few seconds.
 */
public final class TestCluster implements AutoCloseable {
  private static TestCluster shared;

  private final Path dir;
  private final Map<Integer, Process> nodes = new LinkedHashMap<>();

  private TestCluster(Path dir) {
    this.dir = dir;
  }

  /** The JVM's shared cluster (started on first use, stopped at exit). */
  public static synchronized TestCluster shared() {
    if (shared == null) {
      shared = start();
      TestCluster s = shared;
      Runtime.getRuntime().addShutdownHook(new Thread(s::close, "test-cluster-stop"));
    }
    return shared;
  }

  /** A cluster of the caller's own: 3 masters, 3 replicas, every slot served, replicas in sync. */
  public static TestCluster start() {
    return Scratch.booted("calltrack-cluster", TestCluster::new, TestCluster::boot);
  }

  private void boot() throws IOException {
    Set<Integer> taken = new HashSet<>();
    List<Integer> ports = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      // a free port is only free when it was checked: other builds on this machine may take it before
      // redis-server binds it, and the node then exits. Such a node is started again on other ports.
      for (int attempt = 1; ; attempt++) {
        int port = freePort(taken);
        int bus = freePort(taken);
        Process p = node(port, bus);
        // this node answers (by its pid: a server of someone else's that took the port would answer too)
        await(Duration.ofSeconds(20), () -> !p.isAlive() || cli(port, "INFO", "server").contains("process_id:" + p.pid()),
            "node " + port + " answers");
        if (p.isAlive()) {
          nodes.put(port, p);
          ports.add(port);
          break;
        }
        if (attempt == 3) {
          throw new IllegalStateException("redis-server could not start on a free port three times; see "
              + dir.resolve("node-" + port).resolve("redis.log"));
        }
      }
    }
    List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
    ports.forEach(p -> create.add("127.0.0.1:" + p));
    create.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
    String out = run(create, Duration.ofSeconds(60));
    if (!out.contains("All 16384 slots covered")) {
      throw new IllegalStateException("redis-cli --cluster create failed:\n" + out);
    }
    for (int port : ports) {
      await(Duration.ofSeconds(30), () -> cli(port, "CLUSTER", "INFO").contains("cluster_state:ok"),
          "cluster_state:ok on " + port);
    }
    await(Duration.ofSeconds(30), () -> masters().size() == 3 && replicasInSync() == 3, "three replicas in sync");
  }

  private Process node(int port, int bus) throws IOException {
    Path nodeDir = Files.createDirectories(dir.resolve("node-" + port));
    return new ProcessBuilder("redis-server", "--port", Integer.toString(port),
        "--cluster-port", Integer.toString(bus), "--bind", "127.0.0.1", "--protected-mode", "yes",
        "--cluster-enabled", "yes", "--cluster-config-file", "nodes-" + port + ".conf",
        "--cluster-node-timeout", "1000", "--dir", nodeDir.toString(),
        "--appendonly", "no", "--save", "", "--daemonize", "no")
        .redirectErrorStream(true)
        .redirectOutput(nodeDir.resolve("redis.log").toFile())
        .start();
  }

  /** Seed node URLs, {@code redis://127.0.0.1:port}, masters and replicas. */
  public List<String> urls() {
    return nodes.keySet().stream().map(p -> "redis://127.0.0.1:" + p).toList();
  }

  public RedisTarget target() {
    return RedisTarget.cluster(urls());
  }

  /** The one-string form the servers' options take. */
  public String spec() {
    return target().spec();
  }

  /** Port of the master now serving {@code key}'s slot. */
  public int masterOf(String key) {
    int slot = Integer.parseInt(cli(anyLivePort(), "CLUSTER", "KEYSLOT", key).strip());
    for (String line : cli(anyLivePort(), "CLUSTER", "NODES").split("\n")) {
      String[] f = line.strip().split(" ");
      if (f.length < 9 || !f[2].contains("master") || f[2].contains("fail")) {
        continue;
      }
      for (int i = 8; i < f.length; i++) {
        String[] range = f[i].split("-");
        int lo = Integer.parseInt(range[0]);
        int hi = range.length > 1 ? Integer.parseInt(range[1]) : lo;
        if (slot >= lo && slot <= hi) {
          return Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1, f[1].indexOf('@')));
        }
      }
    }
    throw new IllegalStateException("no master serves slot " + slot);
  }

  /** Ports of the live masters. */
  public List<Integer> masters() {
    List<Integer> out = new ArrayList<>();
    for (String line : cli(anyLivePort(), "CLUSTER", "NODES").split("\n")) {
      String[] f = line.strip().split(" ");
      if (f.length >= 8 && f[2].contains("master") && !f[2].contains("fail")) {
        out.add(Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1, f[1].indexOf('@'))));
      }
    }
    return out;
  }

  private int replicasInSync() {
    int n = 0;
    for (int port : live()) {
      String info = cli(port, "INFO", "replication");
      if (info.contains("role:slave") && info.contains("master_link_status:up")) {
        n++;
      }
    }
    return n;
  }

  /** SIGKILLs the node on {@code port} (no shutdown, no last write to disk or replica). */
  public void kill(int port) {
    Process p = nodes.get(port);
    p.destroyForcibly();
    try {
      p.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Waits until every slot is served again by a live master, with {@code cluster_state:ok}. */
  public void awaitHealthy(Duration timeout) {
    for (int port : live()) {
      await(timeout, () -> cli(port, "CLUSTER", "INFO").contains("cluster_state:ok"), "cluster_state:ok on " + port);
    }
  }

  /** Runs a command through {@code redis-cli} on a node; its raw output. */
  public String cli(int port, String... command) {
    List<String> cmd = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(port)));
    cmd.addAll(List.of(command));
    return run(cmd, Duration.ofSeconds(10));
  }

  private List<Integer> live() {
    return nodes.entrySet().stream().filter(e -> e.getValue().isAlive()).map(Map.Entry::getKey).toList();
  }

  private int anyLivePort() {
    return live().get(0);
  }

  /**
   * Runs a command with a deadline. Its output goes to a file, not a pipe read before the wait: a
   * read would block for as long as the command runs (a redis-cli stuck on a node that stopped
   * answering, or {@code --cluster create} waiting for a join forever), and the deadline never apply.
   */
  public static String run(List<String> cmd, Duration timeout) {
    Path out = null;
    try {
      out = Files.createTempFile("redis-cli", ".out");
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("timed out after " + timeout + ": " + cmd);
      }
      return Files.readString(out, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } finally {
      if (out != null) {
        try {
          Files.deleteIfExists(out);
        } catch (IOException ignored) {
          // a temp file left behind
        }
      }
    }
  }

  private static void await(Duration timeout, java.util.function.BooleanSupplier ok, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!ok.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("cluster: timed out waiting for " + what);
      }
      try {
        Thread.sleep(50); // polling a condition with a deadline, not waiting for time to pass
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  private static int freePort(Set<Integer> taken) {
    while (true) {
      try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
        if (taken.add(s.getLocalPort())) {
          return s.getLocalPort();
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  @Override
  public void close() {
    Scratch.stopAndRemove(nodes.values(), dir);
  }
}
