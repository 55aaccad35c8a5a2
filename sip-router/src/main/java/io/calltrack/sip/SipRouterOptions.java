package io.calltrack.sip;

import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How to run the router.
 *
 * @param host          address to listen on (UDP and TCP), also written into Via and Record-Route
 * @param port          a real port: JAIN-SIP cannot listen on port 0
 * @param trunks        addresses or CIDRs allowed to send calls (INVITEs)
 * @param spoolDir      local disk of the router: call events waiting for Redis, the last routing table
 * @param registry      where the router's meters go (null: a registry of its own)
 * @param clock         the time written into call records
 * @param answerTimeout how long the business line may ring before the call is missed (default 30 s)
 * @param limits        overload, drain and TCP limits (default {@link RouterLimits#DEFAULTS})
 */
public record SipRouterOptions(
    String host,
    int port,
    List<String> trunks,
    String redisUrl,
    Path spoolDir,
    MeterRegistry registry,
    Clock clock,
    Duration answerTimeout,
    RouterLimits limits) {

  public SipRouterOptions(String host, int port, List<String> trunks, String redisUrl, Path spoolDir,
      MeterRegistry registry, Clock clock, Duration answerTimeout) {
    this(host, port, trunks, redisUrl, spoolDir, registry, clock, answerTimeout, null);
  }

  public SipRouterOptions {
    Objects.requireNonNull(host, "host");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("SIP port must be 1-65535 (JAIN-SIP cannot listen on port 0): " + port);
    }
    trunks = trunks == null ? List.of("127.0.0.0/8") : List.copyOf(trunks);
    Objects.requireNonNull(redisUrl, "redisUrl");
    Objects.requireNonNull(spoolDir, "spoolDir");
    registry = registry == null ? new io.micrometer.core.instrument.simple.SimpleMeterRegistry() : registry;
    clock = clock == null ? Clock.systemUTC() : clock;
    answerTimeout = answerTimeout == null ? Duration.ofSeconds(30) : answerTimeout;
    if (answerTimeout.isNegative() || answerTimeout.isZero()) {
      throw new IllegalArgumentException("answerTimeout must be positive");
    }
    limits = limits == null ? RouterLimits.DEFAULTS : limits;
  }
}
