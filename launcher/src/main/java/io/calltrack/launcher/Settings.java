package io.calltrack.launcher;

import io.calltrack.core.config.AssignLimits;
import io.calltrack.core.redis.RedisTarget;
import io.calltrack.dni.http.ServerHardening;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Everything the launcher reads from the environment (docs/operations.md, "Configuration"), read in one place.
 * A missing admin token is made up at start and printed, so a first run is never left unprotected.
 */
public record Settings(
    String httpHost,
    int httpPort,
    String sipHost,
    int sipPort,
    List<String> sipTrunks,
    /** The Redis target's one-string form ({@link RedisTarget#spec()}); null: run an embedded redis-server. */
    String redisUrl,
    String adminToken,
    boolean adminTokenGenerated,
    Path configFile,
    Path dataDir,
    int metricsPort,
    Duration answerTimeout,
    int httpInstances,
    String sipAdvertise,
    io.calltrack.sip.RouterLimits sipLimits,
    String sipOutbound,
    int sipCallbackPort,
    /** dni-server's HTTP defences: metrics token and address, trusted proxies, timeouts, assign limits. */
    ServerHardening http,
    /** CALLTRACK_RTPENGINE: rtpengine's ng address (host:port) for media and recording; null: media end to end. */
    String rtpengine,
    /** CALLTRACK_RECORDINGS_DIR: call recordings, written by the router and served by dni-server. */
    Path recordingsDir,
    /** CALLTRACK_SIP_WARMUP_CALLS: calls through a router of its own before the router listens (0: none). */
    int sipWarmupCalls,
    /** CALLTRACK_SIP_DNS: DNS servers (host[:port]) that locate business lines by SRV; empty: the system's. */
    List<String> sipDns) {

  /** The shortest admin token taken: what the admin token opens is everything. */
  public static final int MIN_ADMIN_TOKEN = 16;

  public static Settings fromEnv(Map<String, String> env) {
    // read where webhooks are sent (WebhookTargets.fromEnvironment); a bad value stops the start here
    io.calltrack.core.webhooks.WebhookTargets.parse(env.get(io.calltrack.core.webhooks.WebhookTargets.VARIABLE));
    // and where API keys may point business lines (BusinessLines.fromEnvironment), likewise
    io.calltrack.core.config.BusinessLines.parse(env.get(io.calltrack.core.config.BusinessLines.VARIABLE));
    String token = blankToNull(env.get("CALLTRACK_ADMIN_TOKEN"));
    if (token != null && token.strip().length() < MIN_ADMIN_TOKEN) {
      // a short token ("change-me", "admin") is guessed online with curl in minutes; the value is not echoed
      throw new IllegalArgumentException("CALLTRACK_ADMIN_TOKEN must be at least " + MIN_ADMIN_TOKEN
          + " characters (a random one: openssl rand -hex 16), not " + token.strip().length());
    }
    boolean generated = token == null;
    if (generated) {
      byte[] bytes = new byte[16];
      new SecureRandom().nextBytes(bytes);
      token = HexFormat.of().formatHex(bytes);
    }
    String config = blankToNull(env.get("CALLTRACK_CONFIG"));
    return new Settings(
        env.getOrDefault("CALLTRACK_HTTP_HOST", "0.0.0.0"),
        port(env, "CALLTRACK_HTTP_PORT", 8080),
        env.getOrDefault("CALLTRACK_SIP_HOST", "127.0.0.1"),
        port(env, "CALLTRACK_SIP_PORT", 5060),
        Arrays.stream(env.getOrDefault("CALLTRACK_SIP_TRUNKS", "127.0.0.0/8").split(","))
            .map(String::strip).filter(s -> !s.isEmpty()).toList(),
        redisTarget(env),
        token,
        generated,
        config == null ? null : Path.of(config),
        Path.of(env.getOrDefault("CALLTRACK_DATA_DIR", ".calltrack")),
        port(env, "CALLTRACK_METRICS_PORT", 9090),
        seconds(env, "CALLTRACK_ANSWER_TIMEOUT_SECONDS", Duration.ofSeconds(30)),
        instances(env),
        io.calltrack.sip.SipRouterOptions.checkAdvertise(env.get("CALLTRACK_SIP_ADVERTISE")),
        sipLimits(env),
        blankToNull(env.get("CALLTRACK_SIP_OUTBOUND")),
        callbackPort(env),
        hardening(env),
        io.calltrack.sip.media.NgClient.checkAddress(env.get("CALLTRACK_RTPENGINE")),
        Path.of(env.getOrDefault("CALLTRACK_RECORDINGS_DIR",
            Path.of(env.getOrDefault("CALLTRACK_DATA_DIR", ".calltrack"), "recordings").toString())),
        number(env, "CALLTRACK_SIP_WARMUP_CALLS", WARMUP_CALLS, 100_000, "a whole number from 0 to 100000"),
        io.calltrack.sip.SipRouterOptions.checkDns(env.get("CALLTRACK_SIP_DNS")));
  }

  /** The router's warm-up calls by default: see io.calltrack.sip.RouterWarmUp for why and how many. */
  static final int WARMUP_CALLS = 2000;

  /**
   * CALLTRACK_METRICS_TOKEN, CALLTRACK_METRICS_PORT / CALLTRACK_METRICS_HOST (set: dni-server's
   * {@code /metrics} only on that address), CALLTRACK_TRUSTED_PROXIES (comma list of addresses or CIDR ranges),
   * CALLTRACK_HTTP_HEADER_TIMEOUT_SECONDS, CALLTRACK_HTTP_IDLE_TIMEOUT_SECONDS,
   * CALLTRACK_HTTP_REQUEST_TIMEOUT_SECONDS, and the assign limits
   * of properties that set none: CALLTRACK_ASSIGN_LIVE_LEASES[_HARD], CALLTRACK_ASSIGN_PER_MINUTE[_HARD].
   */
  private static ServerHardening hardening(Map<String, String> env) {
    boolean separate = blankToNull(env.get("CALLTRACK_METRICS_PORT")) != null;
    return new ServerHardening(
        seconds(env, "CALLTRACK_HTTP_HEADER_TIMEOUT_SECONDS"),
        seconds(env, "CALLTRACK_HTTP_IDLE_TIMEOUT_SECONDS"),
        seconds(env, "CALLTRACK_HTTP_REQUEST_TIMEOUT_SECONDS"),
        blankToNull(env.get("CALLTRACK_METRICS_TOKEN")),
        separate ? port(env, "CALLTRACK_METRICS_PORT", 9090) : -1,
        blankToNull(env.get("CALLTRACK_METRICS_HOST")),
        Arrays.stream(env.getOrDefault("CALLTRACK_TRUSTED_PROXIES", "").split(","))
            .map(String::strip).filter(s -> !s.isEmpty()).toList(),
        new AssignLimits(count(env, "CALLTRACK_ASSIGN_LIVE_LEASES"), count(env, "CALLTRACK_ASSIGN_LIVE_LEASES_HARD"),
            count(env, "CALLTRACK_ASSIGN_PER_MINUTE"), count(env, "CALLTRACK_ASSIGN_PER_MINUTE_HARD"), null));
  }

  private static Duration seconds(Map<String, String> env, String name) {
    return seconds(env, name, null);
  }

  /** A positive whole number of seconds, or {@code dflt} when unset. */
  private static Duration seconds(Map<String, String> env, String name, Duration dflt) {
    Integer n = count(env, name);
    return n == null ? dflt : Duration.ofSeconds(n);
  }

  /** A positive whole number, or null when unset. */
  private static Integer count(Map<String, String> env, String name) {
    String v = blankToNull(env.get(name));
    if (v == null) {
      return null;
    }
    try {
      int n = Integer.parseInt(v);
      if (n < 1) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a whole number of at least 1, not '" + v + "'");
    }
  }

  /** The router's limits: new calls per second in total and per source address (0: none), drain time, calls in progress. */
  private static io.calltrack.sip.RouterLimits sipLimits(Map<String, String> env) {
    io.calltrack.sip.RouterLimits d = io.calltrack.sip.RouterLimits.DEFAULTS;
    return d.withInviteRates(port(env, "CALLTRACK_SIP_MAX_CPS", (int) d.invitesPerSecond()),
            port(env, "CALLTRACK_SIP_MAX_CPS_PER_SOURCE", (int) d.invitesPerSecondPerSource()))
        .withDrainTime(Duration.ofSeconds(port(env, "CALLTRACK_SIP_DRAIN_SECONDS", (int) d.drainTime().toSeconds())))
        .withMaxCalls(atLeastZero(env, "CALLTRACK_SIP_MAX_CALLS", d.maxCalls()));
  }

  /** A whole number of at least 0, or {@code dflt} when unset. */
  private static int atLeastZero(Map<String, String> env, String name, int dflt) {
    return number(env, name, dflt, Integer.MAX_VALUE, "a whole number of at least 0");
  }

  /** The config file given on the command line instead of CALLTRACK_CONFIG. */
  public Settings withConfigFile(Path file) {
    return new Settings(httpHost, httpPort, sipHost, sipPort, sipTrunks, redisUrl, adminToken, adminTokenGenerated,
        file, dataDir, metricsPort, answerTimeout, httpInstances, sipAdvertise, sipLimits, sipOutbound,
        sipCallbackPort, http, rtpengine, recordingsDir, sipWarmupCalls, sipDns);
  }

  /** CALLTRACK_REDIS_MODE (standalone|cluster|sentinel), CALLTRACK_REDIS_URL (comma list), CALLTRACK_REDIS_MASTER. */
  private static String redisTarget(Map<String, String> env) {
    RedisTarget t = RedisTarget.fromEnv(env);
    return t == null ? null : t.spec();
  }

  /**
   * CALLTRACK_SIP_CALLBACK_PORT: the callbacks' own SIP stack, beside the router's (CALLTRACK_SIP_PORT + 2
   * unless set); with an outbound trunk it listens, so it cannot be the router's port.
   */
  private static int callbackPort(Map<String, String> env) {
    int sip = port(env, "CALLTRACK_SIP_PORT", 5060);
    int callbacks = port(env, "CALLTRACK_SIP_CALLBACK_PORT", sip + 2 <= 65535 ? sip + 2 : sip - 2);
    if (callbacks == sip && sip != 0 && blankToNull(env.get("CALLTRACK_SIP_OUTBOUND")) != null) {
      throw new IllegalArgumentException("CALLTRACK_SIP_CALLBACK_PORT must not be CALLTRACK_SIP_PORT (both " + sip
          + "): with CALLTRACK_SIP_OUTBOUND set, callbacks listen on a SIP port of their own");
    }
    return callbacks;
  }

  /** CALLTRACK_HTTP_INSTANCES: a number of HTTP verticles, or unset / "auto" for one per core. */
  private static int instances(Map<String, String> env) {
    String v = blankToNull(env.get("CALLTRACK_HTTP_INSTANCES"));
    if (v == null || v.equalsIgnoreCase("auto")) {
      return Runtime.getRuntime().availableProcessors();
    }
    try {
      int n = Integer.parseInt(v);
      if (n < 1 || n > 256) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("CALLTRACK_HTTP_INSTANCES must be a number from 1 to 256 or auto, not '"
          + v + "'");
    }
  }

  private static int port(Map<String, String> env, String name, int dflt) {
    return number(env, name, dflt, 65535, "a number from 0 to 65535");
  }

  /** A whole number from 0 to {@code max}, or {@code dflt} when unset; else an error naming the variable. */
  private static int number(Map<String, String> env, String name, int dflt, int max, String expected) {
    String v = blankToNull(env.get(name));
    if (v == null) {
      return dflt;
    }
    try {
      int n = Integer.parseInt(v.strip());
      if (n < 0 || n > max) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be " + expected + ", not '" + v + "'");
    }
  }

  private static String blankToNull(String v) {
    return v == null || v.isBlank() ? null : v.strip();
  }
}
