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
 * @param spoolDir      where call events wait on disk while Redis is unreachable
 * @param answerTimeout how long the business line may ring before the call is missed
 */
public record SipRouterOptions(
    String host,
    int port,
    List<String> trunks,
    String redisUrl,
    Path spoolDir,
    io.micrometer.core.instrument.MeterRegistry registry,
    Clock clock,
    Duration answerTimeout) {

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
  }

  /** The registry, typed for callers that only know Micrometer's interface. */
  public MeterRegistry meterRegistry() {
    return registry;
  }
}
