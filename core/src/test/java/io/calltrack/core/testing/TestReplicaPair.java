package io.calltrack.core.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A master and its replica of Debian's {@code redis-server} on loopback, for tests of WAIT-backed
 * writes. {@link #freezeReplica()} stops the replica (SIGSTOP): it stays connected, so the master
 * counts it, but it confirms nothing until {@link #thawReplica()}.
 */
public final class TestReplicaPair implements AutoCloseable {
  private final Path dir;
  private final List<Process> processes = new ArrayList<>();
  private int master;
  private int replica;
  private Process replicaProcess;

  private TestReplicaPair(Path dir) {
    this.dir = dir;
  }

  /** A master and a replica that has finished its first sync and acknowledged it. */
  public static TestReplicaPair start() {
    return Scratch.booted("calltrack-replica-pair", TestReplicaPair::new, TestReplicaPair::boot);
  }

  private void boot() throws IOException {
    master = freePort();
    Process m = node(master);
    replica = freePort();
    replicaProcess = node(replica, "--replicaof", "127.0.0.1", Integer.toString(master));
    try {
      // each answers by its own pid: a server of someone else's that took the port would answer too
      Await.until(Duration.ofSeconds(30), () -> cli(master, "INFO", "server").contains("process_id:" + m.pid())
          && cli(replica, "INFO", "server").contains("process_id:" + replicaProcess.pid())
          && cli(replica, "INFO", "replication").contains("master_link_status:up"));
      awaitReplicaCaughtUp();
    } catch (AssertionError notReady) {
      throw new IllegalStateException("the master and its replica did not come up; replica: "
          + cli(replica, "INFO", "replication") + "\n" + log(master) + "\n" + log(replica), notReady);
    }
  }

  public String masterUrl() {
    return "redis://127.0.0.1:" + master;
  }

  public int masterPort() {
    return master;
  }

  public int replicaPort() {
    return replica;
  }

  /** Runs a command through {@code redis-cli} on the node at {@code port}; its raw output. */
  public String cli(int port, String... command) {
    List<String> cmd = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(port)));
    cmd.addAll(List.of(command));
    return TestCluster.run(cmd, Duration.ofSeconds(10)).strip();
  }

  /** The replica stops (SIGSTOP): connected, confirming nothing. */
  public void freezeReplica() {
    signal("-STOP");
  }

  /** The replica goes on (SIGCONT) and catches up. */
  public void thawReplica() {
    signal("-CONT");
    awaitReplicaCaughtUp();
  }

  /** Until the replica has applied every write the master had taken when asked ({@link #awaitCaughtUp}). */
  public void awaitReplicaCaughtUp() {
    awaitCaughtUp(master, replica);
  }

  /**
   * Waits until the replica on {@code replica} has applied every write the master on {@code master}
   * had taken when asked, by their offsets; answers the master's offset (-1: it did not answer). Not
   * {@code WAIT 1} from redis-cli: WAIT counts only the writes of its own connection, and redis-cli's
   * has none, so it answers at once. That hid a real gap: after the initial (diskless) sync a master
   * streams writes to its replica only once the replica has acknowledged the sync ({@code REPLCONF
   * ACK}), and a master killed before that takes every write since the sync with it.
   */
  public static long awaitCaughtUp(int master, int replica) {
    long written = replicationOffset(probe(master), "master_repl_offset");
    Await.until(Duration.ofSeconds(30), () -> replicationOffset(probe(replica), "slave_repl_offset") >= written);
    return written;
  }

  /** {@code INFO replication} of the node on {@code port}; empty if it did not answer in time. */
  private static String probe(int port) {
    try {
      return TestCluster.run(List.of("redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(port), "INFO",
          "replication"), Duration.ofSeconds(10));
    } catch (IllegalStateException timedOut) {
      return "";
    }
  }

  /** A field of {@code INFO replication} as a number, -1 when absent (a node that did not answer). */
  static long replicationOffset(String info, String field) {
    for (String line : info.split("\r?\n")) {
      if (line.startsWith(field + ":")) {
        return Long.parseLong(line.substring(field.length() + 1).strip());
      }
    }
    return -1;
  }

  private void signal(String which) {
    String out = TestCluster.run(List.of("kill", which, Long.toString(replicaProcess.pid())), Duration.ofSeconds(10));
    if (!out.isBlank()) {
      throw new IllegalStateException("kill " + which + ": " + out);
    }
  }

  private Process node(int port, String... more) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(port),
        "--bind", "127.0.0.1", "--protected-mode", "yes", "--dir", dir.toString(),
        "--dbfilename", "dump-" + port + ".rdb", "--appendonly", "no", "--save", "", "--daemonize", "no",
        // the first sync at once, not after the 5 s a master waits for more replicas to share it
        "--repl-diskless-sync-delay", "0"));
    cmd.addAll(List.of(more));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(dir.resolve("redis-" + port + ".log").toFile()).start();
    processes.add(p);
    return p;
  }

  private String log(int port) {
    try {
      return "redis " + port + ":\n" + Files.readString(dir.resolve("redis-" + port + ".log"));
    } catch (IOException e) {
      return "redis " + port + ": no log";
    }
  }

  private static int freePort() throws IOException {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() {
    if (replicaProcess != null) {
      TestCluster.run(List.of("kill", "-CONT", Long.toString(replicaProcess.pid())), Duration.ofSeconds(10));
    }
    Scratch.stopAndRemove(processes, dir);
  }
}
