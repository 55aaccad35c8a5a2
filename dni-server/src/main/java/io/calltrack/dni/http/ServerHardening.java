package io.calltrack.dni.http;

import io.calltrack.core.config.AssignLimits;
import java.time.Duration;
import java.util.List;

/**
 * The HTTP server's defences that are not per property (those are in the property's
 * {@code assignLimits}).
 *
 * @param headerTimeout how long a new connection may take to send its first request's complete
 *     headers (nothing sent, or headers trickled: closed). Default 10 s.
 * @param idleTimeout a connection with no traffic for this long is closed, and a kept-alive connection
 *     must start its next request within it. Default 60 s.
 * @param requestTimeout how long a request may take from its headers to the end of its answer (a body
 *     trickled in, an export); past it the connection is closed. Default 120 s.
 * @param metricsToken when set, {@code /metrics} needs {@code Authorization: Bearer <metricsToken>}
 *     (its own token, so a Prometheus scraper never holds the admin token). Null: open.
 * @param metricsPort -1: {@code /metrics} is served on the main address; 0 or more: only on a second
 *     listener on {@code metricsHost:metricsPort} (0 = any free port), and the main address answers 404
 * @param metricsHost the second listener's address (null: 127.0.0.1)
 * @param trustedProxies addresses of reverse proxies whose {@code X-Forwarded-For} is believed when
 *     telling visitors apart for the assign limits; from anyone else the header is ignored
 * @param assignLimits the assign limits of a property that sets none of its own (null: {@link AssignLimits#DEFAULT})
 */
public record ServerHardening(
    Duration headerTimeout,
    Duration idleTimeout,
    Duration requestTimeout,
    String metricsToken,
    int metricsPort,
    String metricsHost,
    List<String> trustedProxies,
    AssignLimits assignLimits) {

  public static final Duration DEFAULT_HEADER_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(120);

  public static final ServerHardening DEFAULTS = new ServerHardening(null, null, null, null, -1, null, null, null);

  public ServerHardening {
    headerTimeout = positive(headerTimeout, DEFAULT_HEADER_TIMEOUT, "headerTimeout");
    idleTimeout = positive(idleTimeout, DEFAULT_IDLE_TIMEOUT, "idleTimeout");
    requestTimeout = positive(requestTimeout, DEFAULT_REQUEST_TIMEOUT, "requestTimeout");
    metricsToken = metricsToken == null || metricsToken.isBlank() ? null : metricsToken;
    if (metricsPort < -1 || metricsPort > 65_535) {
      throw new IllegalArgumentException("metricsPort must be -1 (main address) or 0..65535: " + metricsPort);
    }
    metricsHost = metricsHost == null || metricsHost.isBlank() ? "127.0.0.1" : metricsHost;
    trustedProxies = trustedProxies == null ? List.of() : List.copyOf(trustedProxies);
    assignLimits = assignLimits == null ? AssignLimits.DEFAULT : assignLimits.over(AssignLimits.DEFAULT);
  }

  public ServerHardening withAssignLimits(AssignLimits limits) {
    return new ServerHardening(headerTimeout, idleTimeout, requestTimeout, metricsToken, metricsPort, metricsHost,
        trustedProxies, limits);
  }

  public ServerHardening withTimeouts(Duration header, Duration idle, Duration request) {
    return new ServerHardening(header, idle, request, metricsToken, metricsPort, metricsHost, trustedProxies, assignLimits);
  }

  public ServerHardening withMetrics(String token, int port, String host) {
    return new ServerHardening(headerTimeout, idleTimeout, requestTimeout, token, port, host, trustedProxies, assignLimits);
  }

  public ServerHardening withTrustedProxies(List<String> proxies) {
    return new ServerHardening(headerTimeout, idleTimeout, requestTimeout, metricsToken, metricsPort, metricsHost,
        proxies, assignLimits);
  }

  public boolean separateMetrics() {
    return metricsPort >= 0;
  }

  /** Keeps the metrics token out of logs. */
  @Override
  public String toString() {
    return "ServerHardening[headerTimeout=" + headerTimeout + ", idleTimeout=" + idleTimeout + ", requestTimeout="
        + requestTimeout + ", metricsToken=" + (metricsToken == null ? "<none>" : "<set>") + ", metricsPort="
        + metricsPort + ", metricsHost=" + metricsHost + ", trustedProxies=" + trustedProxies + "]";
  }

  private static Duration positive(Duration d, Duration dflt, String name) {
    if (d == null) {
      return dflt;
    }
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive: " + d);
    }
    return d;
  }
}
