package io.calltrack.core.redis;

import io.calltrack.core.config.Ports;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Which Redis to use: one server, a Redis Cluster (seed nodes) or a Sentinel-watched master. The
 * launcher reads it from {@code CALLTRACK_REDIS_MODE}, {@code CALLTRACK_REDIS_URL} (comma-separated
 * {@code redis://host:port}) and {@code CALLTRACK_REDIS_MASTER}.
 *
 * <p>It also has a one-string form ({@link #spec()}, read back by {@link #parse}) so servers' options
 * keep carrying a single "redis URL": a plain {@code redis://host:port} is standalone,
 * {@code cluster:redis://a:7000,redis://b:7001} a cluster, {@code sentinel:mymaster@redis://s1:26379,...}
 * a Sentinel set-up; a {@code |wait=replicas:timeoutMs} suffix asks for WAIT-backed writes.
 */
public record RedisTarget(Mode mode, List<String> urls, String master, LuaScript.Durability writes) {
  public enum Mode { STANDALONE, CLUSTER, SENTINEL }

  public RedisTarget(Mode mode, List<String> urls, String master) {
    this(mode, urls, master, LuaScript.Durability.NONE);
  }

  public RedisTarget {
    writes = writes == null ? LuaScript.Durability.NONE : writes;
    if (mode == null) {
      throw new IllegalArgumentException("Redis mode must be standalone, cluster or sentinel");
    }
    urls = List.copyOf(urls);
    if (urls.isEmpty()) {
      throw new IllegalArgumentException("CALLTRACK_REDIS_URL names no Redis node");
    }
    for (String u : urls) {
      if (!isNodeUrl(u)) {
        throw new IllegalArgumentException("CALLTRACK_REDIS_URL: '" + u
            + "' is not a redis://host:port URL (a host, and a port from 1 to 65535 if one is given)");
      }
    }
    if (mode == Mode.STANDALONE && urls.size() != 1) {
      throw new IllegalArgumentException(
          "CALLTRACK_REDIS_URL names " + urls.size() + " nodes: set CALLTRACK_REDIS_MODE=cluster or sentinel");
    }
    if (mode == Mode.SENTINEL && (master == null || master.isBlank())) {
      throw new IllegalArgumentException("CALLTRACK_REDIS_MODE=sentinel needs CALLTRACK_REDIS_MASTER (the master's name)");
    }
    if (mode != Mode.SENTINEL) {
      master = null;
    }
  }

  /**
   * Whether {@code u} names one node: redis:// or rediss://, a host, and a port from 1 to 65535 when
   * one is given (checked here so that a typo is refused in these terms at start, not by the client
   * library's parser at the first connection). Only what follows the user information is read: a
   * password may hold any character.
   */
  private static boolean isNodeUrl(String u) {
    int scheme = u.startsWith("redis://") ? 8 : u.startsWith("rediss://") ? 9 : -1;
    if (scheme < 0) {
      return false;
    }
    String rest = u.substring(Math.max(scheme, u.lastIndexOf('@') + 1));
    int end = rest.length();
    for (char c : new char[] {'/', '?'}) {
      end = rest.indexOf(c) >= 0 ? Math.min(end, rest.indexOf(c)) : end;
    }
    String hostPort = rest.substring(0, end);
    int hostEnd = hostPort.startsWith("[") ? hostPort.indexOf(']') + 1 : hostPort.indexOf(':');
    if (hostEnd < 0) {
      hostEnd = hostPort.length();
    }
    if (hostEnd == 0 || hostPort.substring(0, hostEnd).isBlank()) {
      return false;
    }
    if (hostEnd == hostPort.length()) {
      return true;
    }
    String port = hostPort.charAt(hostEnd) == ':' ? hostPort.substring(hostEnd + 1) : "";
    return Ports.isPort(port);
  }

  public static RedisTarget standalone(String url) {
    return new RedisTarget(Mode.STANDALONE, List.of(url), null);
  }

  public static RedisTarget cluster(List<String> seeds) {
    return new RedisTarget(Mode.CLUSTER, seeds, null);
  }

  public static RedisTarget sentinel(String master, List<String> sentinels) {
    return new RedisTarget(Mode.SENTINEL, sentinels, master);
  }

  /**
   * From the three settings: {@code mode} null or blank is standalone; {@code urls} comma-separated.
   * Returns null when {@code urls} is unset (the caller then runs an embedded Redis).
   */
  public static RedisTarget of(String mode, String urls, String master) {
    if (urls == null || urls.isBlank()) {
      if (mode != null && !mode.isBlank() && !mode.strip().equalsIgnoreCase("standalone")) {
        throw new IllegalArgumentException("CALLTRACK_REDIS_MODE=" + mode.strip() + " needs CALLTRACK_REDIS_URL");
      }
      return null;
    }
    return new RedisTarget(mode(mode), split(urls), master == null ? null : master.strip());
  }

  /**
   * {@link #of} from an environment map, with {@code CALLTRACK_REDIS_WAIT} ({@code replicas[:timeoutMs]},
   * e.g. {@code 1:200}) for the writes that must survive a failover; null when
   * {@code CALLTRACK_REDIS_URL} is unset.
   */
  public static RedisTarget fromEnv(Map<String, String> env) {
    RedisTarget t = of(env.get("CALLTRACK_REDIS_MODE"), env.get("CALLTRACK_REDIS_URL"), env.get("CALLTRACK_REDIS_MASTER"));
    String wait = env.get("CALLTRACK_REDIS_WAIT");
    if (wait == null || wait.isBlank()) {
      return t;
    }
    LuaScript.Durability writes = durability(wait.strip());
    if (t == null && writes.replicas() > 0) {
      throw new IllegalArgumentException("CALLTRACK_REDIS_WAIT=" + wait.strip()
          + " needs CALLTRACK_REDIS_URL: the embedded Redis has no replicas to wait for");
    }
    return t == null ? null : t.withWrites(writes);
  }

  public RedisTarget withWrites(LuaScript.Durability d) {
    return new RedisTarget(mode, urls, master, d);
  }

  /** {@code replicas[:timeoutMs]}; the timeout defaults to 200 ms. */
  static LuaScript.Durability durability(String text) {
    try {
      String[] p = text.split(":");
      int replicas = Integer.parseInt(p[0]);
      long ms = p.length > 1 ? Long.parseLong(p[1]) : 200;
      if (replicas < 0 || replicas > 16 || ms < 1 || ms > 60_000 || p.length > 2) {
        throw new NumberFormatException();
      }
      return replicas == 0 ? LuaScript.Durability.NONE
          : new LuaScript.Durability(replicas, java.time.Duration.ofMillis(ms));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("CALLTRACK_REDIS_WAIT must be replicas[:timeoutMs], e.g. 1:200, not '"
          + text + "'");
    }
  }

  /** Reads the one-string form (see the class comment). */
  public static RedisTarget parse(String spec) {
    String s = spec.strip();
    int bar = s.lastIndexOf("|wait=");
    if (bar >= 0) {
      return parse(s.substring(0, bar)).withWrites(durability(s.substring(bar + "|wait=".length())));
    }
    if (s.startsWith("cluster:")) {
      return cluster(split(s.substring("cluster:".length())));
    }
    if (s.startsWith("sentinel:")) {
      String rest = s.substring("sentinel:".length());
      int at = rest.indexOf("@redis");
      if (at <= 0) {
        throw new IllegalArgumentException("sentinel target must read sentinel:<master>@redis://host:port,...");
      }
      return sentinel(rest.substring(0, at), split(rest.substring(at + 1)));
    }
    return standalone(s);
  }

  /**
   * {@code spec} (a URL, a list or the one-string form) with every password replaced by {@code ***}:
   * {@code redis://:secret@host:6379} and {@code redis://user:secret@host} as they may be printed or
   * logged.
   */
  public static String redacted(String spec) {
    return spec == null ? null : PASSWORD.matcher(spec).replaceAll("$1***@");
  }

  /** A URL's user information up to its password: {@code redis://[user]:} before {@code password@}. */
  private static final java.util.regex.Pattern PASSWORD =
      java.util.regex.Pattern.compile("(rediss?://[^:@/,|]*:)[^@/,|]*@");

  /** The one-string form, for options that carry a single Redis URL. */
  public String spec() {
    String list = String.join(",", urls);
    String target = switch (mode) {
      case STANDALONE -> list;
      case CLUSTER -> "cluster:" + list;
      case SENTINEL -> "sentinel:" + master + "@" + list;
    };
    return writes.enabled() ? target + "|wait=" + writes.replicas() + ":" + writes.timeout().toMillis() : target;
  }

  private static Mode mode(String mode) {
    if (mode == null || mode.isBlank()) {
      return Mode.STANDALONE;
    }
    try {
      return Mode.valueOf(mode.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "CALLTRACK_REDIS_MODE must be standalone, cluster or sentinel, not '" + mode.strip() + "'");
    }
  }

  private static List<String> split(String urls) {
    return Arrays.stream(urls.split(",")).map(String::strip).filter(u -> !u.isEmpty()).toList();
  }

  @Override
  public String toString() {
    return spec();
  }
}
