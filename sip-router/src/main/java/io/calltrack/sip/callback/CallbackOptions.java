package io.calltrack.sip.callback;

import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * How the callback dialer runs beside the proxy.
 *
 * @param host     address of the dialer's own SIP stack (UDP and TCP)
 * @param port     its port (a real one: JAIN-SIP refuses 0); not the proxy's
 * @param outbound {@code CALLTRACK_SIP_OUTBOUND}: the SIP URI of the trunk that carries calls to the
 *                 public network, e.g. {@code sip:trunk.example.net:5060}; every call to a lead goes
 *                 there and nowhere else
 * @param spoolDir the dialer's own spool of call events waiting for Redis
 * @param clock    the time of records, opening hours and retries (tests give their own)
 * @param tick     how often queues are polled and due callbacks started
 */
public record CallbackOptions(String host, int port, String outbound, String redisUrl, Path spoolDir,
    MeterRegistry registry, Clock clock, Duration tick, java.util.List<String> dnsServers) {

  /** With the system's DNS resolvers for business lines named by their domain. */
  public CallbackOptions(String host, int port, String outbound, String redisUrl, Path spoolDir,
      MeterRegistry registry, Clock clock, Duration tick) {
    this(host, port, outbound, redisUrl, spoolDir, registry, clock, tick, null);
  }

  public CallbackOptions {
    Objects.requireNonNull(host, "host");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("callback SIP port must be 1-65535: " + port);
    }
    Objects.requireNonNull(outbound, "outbound");
    if (!outbound.matches("(?i)sips?:[^@\\s;]+(;[^\\s]*)?")) {
      throw new IllegalArgumentException(
          "CALLTRACK_SIP_OUTBOUND must be the trunk's SIP URI without a user, like sip:trunk.example.net:5060: "
              + outbound);
    }
    Objects.requireNonNull(redisUrl, "redisUrl");
    Objects.requireNonNull(spoolDir, "spoolDir");
    registry = registry == null ? new io.micrometer.core.instrument.simple.SimpleMeterRegistry() : registry;
    clock = clock == null ? Clock.systemUTC() : clock;
    tick = tick == null ? Duration.ofMillis(500) : tick;
    dnsServers = dnsServers == null ? java.util.List.of() : java.util.List.copyOf(dnsServers);
  }
}
