package io.calltrack.dni;

import io.calltrack.dni.http.ServerHardening;
import io.calltrack.dni.http.Timeouts;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link DniServer} starts.
 *
 * @param host address to listen on (null: 127.0.0.1)
 * @param port port to listen on, 0 for any free one ({@link DniServer#port()} tells which)
 * @param redisUrl {@code redis://host:port[/db]} of the one store
 * @param adminToken bearer token of the admin API; null or blank disables the admin API (every
 *     admin request gets 401) rather than leaving it open
 * @param configFile a JSON file of properties, pools and static numbers applied at start (nullable)
 * @param registry where metrics go (nullable: the server makes its own)
 * @param clock the time of leases and holds (null: the system clock in UTC)
 * @param storeTimeout how long a snippet request waits for Redis (null: 1 s); past it an assign
 *     answers with the property's default number ({@code fallback: true}), heartbeat and release
 *     with 503. Admin requests wait at least 5 s.
 * @param instances how many HTTP verticles serve the port (CALLTRACK_HTTP_INSTANCES; 0 or less: 1):
 *     each has its own event loop, Redis client, stores and router, sharing nothing but the metrics
 *     registry; Vert.x spreads connections over them
 * @param hardening connection timeouts, the metrics token and address, trusted proxies, default assign
 *     limits (null: defaults)
 * @param recordingsDir the SIP router's call recordings ({@code CALLTRACK_RECORDINGS_DIR}), served by
 *     {@code GET /v1/calls/{callId}/recording} and swept by retention and erasure (null: none kept)
 */
public record DniServerOptions(
    String host,
    int port,
    String redisUrl,
    String adminToken,
    Path configFile,
    PrometheusMeterRegistry registry,
    Clock clock,
    Duration storeTimeout,
    int instances,
    ServerHardening hardening,
    Path recordingsDir) {

  public DniServerOptions {
    host = host == null || host.isBlank() ? "127.0.0.1" : host;
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port must be 0..65535: " + port);
    }
    Objects.requireNonNull(redisUrl, "redisUrl");
    clock = clock == null ? Clock.systemUTC() : clock;
    storeTimeout = storeTimeout == null ? Timeouts.DEFAULT_PUBLIC : storeTimeout;
    if (storeTimeout.isNegative() || storeTimeout.isZero()) {
      throw new IllegalArgumentException("storeTimeout must be positive: " + storeTimeout);
    }
    instances = Math.max(1, instances);
    hardening = hardening == null ? ServerHardening.DEFAULTS : hardening;
  }

  public DniServerOptions(String host, int port, String redisUrl, String adminToken, Path configFile,
      PrometheusMeterRegistry registry, Clock clock, Duration storeTimeout, int instances, ServerHardening hardening) {
    this(host, port, redisUrl, adminToken, configFile, registry, clock, storeTimeout, instances, hardening, null);
  }

  public DniServerOptions(String host, int port, String redisUrl, String adminToken, Path configFile,
      PrometheusMeterRegistry registry, Clock clock, Duration storeTimeout, int instances) {
    this(host, port, redisUrl, adminToken, configFile, registry, clock, storeTimeout, instances, null, null);
  }

  /** One HTTP verticle. */
  public DniServerOptions(String host, int port, String redisUrl, String adminToken, Path configFile,
      PrometheusMeterRegistry registry, Clock clock, Duration storeTimeout) {
    this(host, port, redisUrl, adminToken, configFile, registry, clock, storeTimeout, 1);
  }

  /** The briefing's seven components; the store timeout is the default second. */
  public DniServerOptions(String host, int port, String redisUrl, String adminToken, Path configFile,
      PrometheusMeterRegistry registry, Clock clock) {
    this(host, port, redisUrl, adminToken, configFile, registry, clock, null, 1);
  }

  /** Loopback, any free port, own registry, system clock: what tests and the demo start from. */
  public static DniServerOptions of(String redisUrl, String adminToken) {
    return new DniServerOptions("127.0.0.1", 0, redisUrl, adminToken, null, null, null, null, 1);
  }

  public DniServerOptions withClock(Clock newClock) {
    return new DniServerOptions(host, port, redisUrl, adminToken, configFile, registry, newClock, storeTimeout, instances, hardening, recordingsDir);
  }

  public DniServerOptions withConfigFile(Path file) {
    return new DniServerOptions(host, port, redisUrl, adminToken, file, registry, clock, storeTimeout, instances, hardening, recordingsDir);
  }

  public DniServerOptions withRegistry(PrometheusMeterRegistry newRegistry) {
    return new DniServerOptions(host, port, redisUrl, adminToken, configFile, newRegistry, clock, storeTimeout, instances, hardening, recordingsDir);
  }

  public DniServerOptions withStoreTimeout(Duration timeout) {
    return new DniServerOptions(host, port, redisUrl, adminToken, configFile, registry, clock, timeout, instances, hardening, recordingsDir);
  }

  public DniServerOptions withInstances(int n) {
    return new DniServerOptions(host, port, redisUrl, adminToken, configFile, registry, clock, storeTimeout, n, hardening, recordingsDir);
  }

  public DniServerOptions withPort(int newPort) {
    return new DniServerOptions(host, newPort, redisUrl, adminToken, configFile, registry, clock, storeTimeout, instances, hardening, recordingsDir);
  }

  public DniServerOptions withHardening(ServerHardening h) {
    return new DniServerOptions(host, port, redisUrl, adminToken, configFile, registry, clock, storeTimeout,
        instances, h, recordingsDir);
  }

  public DniServerOptions withRecordingsDir(Path dir) {
    return new DniServerOptions(host, port, redisUrl, adminToken, configFile, registry, clock, storeTimeout,
        instances, hardening, dir);
  }

  /** Keeps the token out of logs. */
  @Override
  public String toString() {
    return "DniServerOptions[host=" + host + ", port=" + port + ", redisUrl=" + redisUrl
        + ", adminToken=" + (adminToken == null || adminToken.isBlank() ? "<none>" : "<set>")
        + ", configFile=" + configFile + ", registry=" + (registry == null ? "<own>" : "<given>")
        + ", clock=" + clock + ", storeTimeout=" + storeTimeout + ", instances=" + instances + ", hardening=" + hardening + "]";
  }
}
