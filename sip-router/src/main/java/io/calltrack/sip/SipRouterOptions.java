package io.calltrack.sip;

import io.calltrack.core.config.Ports;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How to run the router.
 *
 * @param host          address to listen on (UDP and TCP)
 * @param port          a real port: JAIN-SIP cannot listen on port 0
 * @param trunks        addresses or CIDRs allowed to send calls (INVITEs)
 * @param spoolDir      local disk of the router: call events waiting for Redis, the last routing table
 * @param registry      where the router's meters go (null: a registry of its own)
 * @param clock         the time written into call records
 * @param answerTimeout how long the business line may ring before the call is missed (default 30 s)
 * @param advertise     {@code host[:port]} the router writes into Record-Route and Via, for peers to
 *     reach it by (a container's or a NAT's public address); null: the bind address and port, or, when
 *     bound to every interface (0.0.0.0, ::), this machine's address
 * @param rtpengine     {@code host:port} of rtpengine's {@code ng} control socket (UDP; CALLTRACK_RTPENGINE):
 *     calls' media go through it, and properties with {@code record: true} are recorded; null: media end to end
 * @param recordingsDir where call recordings are kept ({@code <callId>.wav}); null: {@code spoolDir/recordings}
 * @param dnsServers    {@code host[:port]} of the DNS servers that locate business lines by SRV
 *     (CALLTRACK_SIP_DNS, {@link io.calltrack.sip.routing.LineLocator}); empty: the system's resolvers
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
    String advertise,
    RouterLimits limits,
    String rtpengine,
    Path recordingsDir,
    List<String> dnsServers) {

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
    advertise = advertise == null || advertise.isBlank() ? null : advertise.strip();
    rtpengine = rtpengine == null || rtpengine.isBlank() ? null : rtpengine.strip();
    recordingsDir = recordingsDir == null ? spoolDir.resolve("recordings") : recordingsDir;
    dnsServers = dnsServers == null ? List.of() : List.copyOf(dnsServers);
    if (advertise != null) {
      checkAdvertise(advertise); // refuses a bad address at start
    }
  }

  /**
   * {@code advertise} (CALLTRACK_SIP_ADVERTISE) if peers can be told it: a host name, an IPv4 address
   * or a bracketed IPv6 one, and a port from 1 to 65535 if one is given; throws otherwise, in the
   * setting's terms. The launcher checks it as it reads its settings, before the router warms up.
   */
  public static String checkAdvertise(String advertise) {
    if (advertise == null || advertise.isBlank()) {
      return null;
    }
    String a = advertise.strip();
    if (!isHostPort(a)) {
      throw new IllegalArgumentException("CALLTRACK_SIP_ADVERTISE must be host[:port] (a host name, an IPv4 address"
          + " or an IPv6 one in brackets, and a port from 1 to 65535 if one is given): '" + advertise + "'");
    }
    return a;
  }

  /** Without a media relay: calls' media go end to end. */
  public SipRouterOptions(String host, int port, List<String> trunks, String redisUrl, Path spoolDir,
      MeterRegistry registry, Clock clock, Duration answerTimeout, String advertise, RouterLimits limits) {
    this(host, port, trunks, redisUrl, spoolDir, registry, clock, answerTimeout, advertise, limits, null, null, null);
  }

  /** The same options with the media relay at {@code ngAddress} and recordings kept in {@code dir}. */
  public SipRouterOptions withMedia(String ngAddress, Path dir) {
    return new SipRouterOptions(host, port, trunks, redisUrl, spoolDir, registry, clock, answerTimeout, advertise,
        limits, ngAddress, dir, dnsServers);
  }

  /** The same options with business lines located through {@code servers} ({@code host[:port]}; empty: the system's). */
  public SipRouterOptions withDns(List<String> servers) {
    return new SipRouterOptions(host, port, trunks, redisUrl, spoolDir, registry, clock, answerTimeout, advertise,
        limits, rtpengine, recordingsDir, servers);
  }

  /**
   * CALLTRACK_SIP_DNS read: comma-separated {@code host[:port]} (an IPv4 address or a host name, an
   * IPv6 one in brackets); throws in the setting's terms for anything else. Blank: none (the system's).
   */
  public static List<String> checkDns(String servers) {
    if (servers == null || servers.isBlank()) {
      return List.of();
    }
    List<String> out = new java.util.ArrayList<>();
    for (String s : servers.split(",", -1)) {
      String a = s.strip();
      if (!isHostPort(a)) {
        throw new IllegalArgumentException("CALLTRACK_SIP_DNS must be DNS servers as host[:port], comma-separated: '"
            + servers + "'");
      }
      out.add(a);
    }
    return List.copyOf(out);
  }

  /** Without an advertised address: peers are told the bind address. */
  public SipRouterOptions(String host, int port, List<String> trunks, String redisUrl, Path spoolDir,
      MeterRegistry registry, Clock clock, Duration answerTimeout) {
    this(host, port, trunks, redisUrl, spoolDir, registry, clock, answerTimeout, null, null);
  }

  /** With the default limits. */
  public SipRouterOptions(String host, int port, List<String> trunks, String redisUrl, Path spoolDir,
      MeterRegistry registry, Clock clock, Duration answerTimeout, String advertise) {
    this(host, port, trunks, redisUrl, spoolDir, registry, clock, answerTimeout, advertise, null);
  }

  /** A host name, an IPv4 address or a bracketed IPv6 one, and a port from 1 to 65535 if one is given. */
  private static boolean isHostPort(String a) {
    String host = hostOf(a);
    boolean hostOk = host.startsWith("[")
        ? host.matches("\\[[0-9A-Fa-f:.]+]")
        : host.matches("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?");
    String port = a.substring(host.length());
    return hostOk && (port.isEmpty() || (port.startsWith(":") && Ports.isPort(port.substring(1))));
  }

  /**
   * The host part of an advertised address: {@code [IPv6]} with its brackets, else up to the first
   * colon (what follows it is the port, see {@link #checkAdvertise}).
   */
  private static String hostOf(String advertise) {
    int end = advertise.startsWith("[") && advertise.indexOf(']') > 0 ? advertise.indexOf(']') + 1
        : advertise.indexOf(':') >= 0 ? advertise.indexOf(':') : advertise.length();
    return advertise.substring(0, end);
  }

  /** The host written into Record-Route and Via. */
  public String advertisedHost() {
    if (advertise != null) {
      return hostOf(advertise);
    }
    if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
      try {
        return java.net.InetAddress.getLocalHost().getHostAddress();
      } catch (java.net.UnknownHostException e) {
        return "127.0.0.1";
      }
    }
    return host;
  }

  /** The port written into Record-Route and Via (an advertised address was checked when these were made). */
  public int advertisedPort() {
    if (advertise == null) {
      return port;
    }
    String p = advertise.substring(hostOf(advertise).length());
    return p.isEmpty() ? port : Integer.parseInt(p.substring(1));
  }
}
