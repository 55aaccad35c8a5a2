package io.calltrack.core.testing;

import io.calltrack.core.redis.LuaScript;
import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * Watches what Lua scripts really do on a Redis Cluster: {@code MONITOR} on every master shows each
 * {@code EVALSHA}/{@code EVAL} followed by the commands its script ran ({@code [0 lua]} lines).
 * From that it tells, per script, the declared KEYS, the keys each command touched, and whether
 * every touched key was declared; the declared keys' slots come from the cluster's own
 * {@code CLUSTER KEYSLOT}.
 */
public final class ScriptAudit implements AutoCloseable {
  /** Commands whose every argument is a key; {@code PUBLISH} has none; every other command's first argument is its key. */
  private static final Set<String> ALL_KEYS = Set.of("DEL", "UNLINK", "EXISTS", "PFCOUNT", "PFMERGE", "MGET",
      "SINTER", "SUNION", "SDIFF", "TOUCH");
  private static final Set<String> NO_KEYS = Set.of("PUBLISH", "PING", "TIME", "ECHO");

  /** One script run: which script (by SHA), the KEYS it declared and the keys its commands touched. */
  public record Run(int port, String sha, List<String> declared, List<String> touched) {
    public List<String> undeclared() {
      List<String> out = new ArrayList<>(touched);
      out.removeAll(declared);
      return out;
    }
  }

  private final TestCluster cluster;
  private final List<Process> monitors = new ArrayList<>();
  private final Map<Integer, Path> files = new HashMap<>();

  private ScriptAudit(TestCluster cluster) {
    this.cluster = cluster;
  }

  /** Starts {@code redis-cli MONITOR} on every master of {@code cluster}. */
  public static ScriptAudit start(TestCluster cluster) throws IOException {
    ScriptAudit a = new ScriptAudit(cluster);
    for (int port : cluster.masters()) {
      Path f = Files.createTempFile("monitor-" + port, ".txt");
      a.files.put(port, f);
      a.monitors.add(new ProcessBuilder("redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(port), "MONITOR")
          .redirectErrorStream(true).redirectOutput(f.toFile()).start());
    }
    // MONITOR answers OK once it is on: wait for every one, so nothing run after this is missed
    a.awaitEveryMonitor(text -> text.startsWith("OK"), "MONITOR did not start");
    return a;
  }

  /** Waits (10 s at most) until every monitor's file shows what {@code shown} looks for. */
  private void awaitEveryMonitor(java.util.function.Predicate<String> shown, String otherwise) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    for (Path f : files.values()) {
      while (!shown.test(Files.readString(f))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(otherwise);
        }
        Thread.onSpinWait();
      }
    }
  }

  /**
   * Stops monitoring and parses every script run seen. First an {@code ECHO} of a marker goes to each
   * master and each monitor's file must show it: a monitor stopped right after a script's answer
   * could miss the script (Redis writes to its monitors after it answers, and redis-cli writes the
   * file after it reads), and a test then saw no run at all.
   */
  public List<Run> runs() throws IOException {
    String marker = "audit-end-" + System.nanoTime();
    for (Map.Entry<Integer, Path> e : files.entrySet()) {
      try {
        new ProcessBuilder("redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(e.getKey()), "ECHO", marker)
            .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while ending the audit", ie);
      }
    }
    awaitEveryMonitor(text -> text.contains(marker), "a monitor never showed the audit's end marker");
    close();
    List<Run> out = new ArrayList<>();
    for (Map.Entry<Integer, Path> e : files.entrySet()) {
      Run current = null;
      for (String line : Files.readAllLines(e.getValue(), StandardCharsets.UTF_8)) {
        int open = line.indexOf('[');
        int close = line.indexOf(']', open);
        if (open < 0 || close < 0) {
          continue;
        }
        String client = line.substring(open + 1, close);
        List<String> args = unquote(line.substring(close + 1));
        if (args.isEmpty()) {
          continue;
        }
        String cmd = args.get(0).toUpperCase();
        if (client.endsWith(" lua")) {
          if (current != null) {
            current.touched().addAll(keysOf(cmd, args.subList(1, args.size())));
          }
          continue;
        }
        current = null;
        if (cmd.equals("EVALSHA") || cmd.equals("EVAL")) {
          String sha = cmd.equals("EVAL") ? sha1(args.get(1)) : args.get(1).toLowerCase();
          int n = Integer.parseInt(args.get(2));
          current = new Run(e.getKey(), sha, List.copyOf(args.subList(3, 3 + n)), new ArrayList<>());
          out.add(current);
        }
      }
    }
    return out;
  }

  private static List<String> keysOf(String cmd, List<String> args) {
    if (NO_KEYS.contains(cmd) || args.isEmpty()) {
      return List.of();
    }
    return ALL_KEYS.contains(cmd) ? args : List.of(args.get(0));
  }

  /** The slot of each key, asked of the cluster ({@code CLUSTER KEYSLOT}). */
  public static Map<String, Long> slots(RedisAPI api, Set<String> keys) {
    Map<String, Future<io.vertx.redis.client.Response>> asks = new HashMap<>();
    for (String k : keys) {
      asks.put(k, api.cluster(List.of("KEYSLOT", k)));
    }
    Await.result(Future.all(new ArrayList<>(asks.values())));
    Map<String, Long> out = new HashMap<>();
    asks.forEach((k, f) -> out.put(k, f.result().toLong()));
    return out;
  }

  /** Every {@code .lua} resource under {@code root} (e.g. {@code /lua}) on the classpath, as resource names. */
  public static Set<String> scriptResources(String root) {
    Set<String> out = new TreeSet<>();
    try {
      for (URL url : Collections.list(ScriptAudit.class.getClassLoader().getResources(root.substring(1)))) {
        if (url.getProtocol().equals("file")) {
          Path base = Path.of(url.toURI());
          try (var walk = Files.walk(base)) {
            walk.filter(p -> p.toString().endsWith(".lua"))
                .forEach(p -> out.add(root + "/" + base.relativize(p).toString().replace('\\', '/')));
          }
        } else if (url.getProtocol().equals("jar")) {
          var jar = ((JarURLConnection) url.openConnection()).getJarFile();
          jar.stream().map(e -> "/" + e.getName())
              .filter(n -> n.startsWith(root + "/") && n.endsWith(".lua")).forEach(out::add);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    return out;
  }

  /** The loaded scripts that contain {@code resource} (alone, or with a library prepended). */
  public static List<LuaScript> scriptsOf(String resource) {
    List<LuaScript> out = new ArrayList<>();
    for (LuaScript s : LuaScript.loaded()) {
      if (List.of(s.name().split("\\+")).contains(resource)) {
        out.add(s);
      }
    }
    return out;
  }

  /** MONITOR's quoting (sdscatrepr): "..." with \\ \" \n \r \t \a \b and \xHH escapes. */
  static List<String> unquote(String s) {
    List<String> out = new ArrayList<>();
    int i = 0;
    while (i < s.length()) {
      if (s.charAt(i) != '"') {
        i++;
        continue;
      }
      i++;
      java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
      while (i < s.length() && s.charAt(i) != '"') {
        char c = s.charAt(i);
        if (c == '\\' && i + 1 < s.length()) {
          char n = s.charAt(i + 1);
          switch (n) {
            case 'n' -> { b.write('\n'); i += 2; }
            case 'r' -> { b.write('\r'); i += 2; }
            case 't' -> { b.write('\t'); i += 2; }
            case 'a' -> { b.write(7); i += 2; }
            case 'b' -> { b.write('\b'); i += 2; }
            case 'x' -> { b.write(Integer.parseInt(s.substring(i + 2, i + 4), 16)); i += 4; }
            default -> { b.write(n); i += 2; }
          }
        } else {
          byte[] bytes = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
          b.write(bytes, 0, bytes.length);
          i++;
        }
      }
      i++;
      out.add(b.toString(StandardCharsets.UTF_8));
    }
    return out;
  }

  private static String sha1(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Distinct keys over runs. */
  public static Set<String> declaredKeys(List<Run> runs) {
    Set<String> out = new LinkedHashSet<>();
    runs.forEach(r -> out.addAll(r.declared()));
    return out;
  }

  @Override
  public void close() {
    for (Process p : monitors) {
      p.destroy();
      try {
        p.waitFor(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    monitors.clear();
  }
}
