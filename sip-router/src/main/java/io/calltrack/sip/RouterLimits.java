package io.calltrack.sip;

import java.time.Duration;

/**
 * The router's protective limits. Zero for a rate means no limit.
 *
 * @param invitesPerSecond          new INVITEs admitted per second in total; past it, 503 + Retry-After
 * @param invitesPerSecondPerSource new INVITEs per second from one address (like Kamailio's pike); past it, 503
 * @param maxQueueDelay             when a call's work waits longer than this for a thread, new INVITEs get 503
 * @param retryAfterSeconds         the Retry-After of every 503 the router answers for load or drain
 * @param drainTime                 after SIGTERM, how long established calls keep their in-dialog requests relayed
 * @param tcpConnections            SIP over TCP: accepted connections open at once, in total
 * @param tcpConnectionsPerSource   ... from one address
 * @param tcpIdleTimeout            an accepted TCP connection that sends nothing for this long is closed
 * @param maxCallDuration           an answered call whose BYE never came is closed after this long
 */
public record RouterLimits(
    double invitesPerSecond,
    double invitesPerSecondPerSource,
    Duration maxQueueDelay,
    int retryAfterSeconds,
    Duration drainTime,
    int tcpConnections,
    int tcpConnectionsPerSource,
    Duration tcpIdleTimeout,
    Duration maxCallDuration) {

  public static final RouterLimits DEFAULTS = new RouterLimits(0, 2000, Duration.ofMillis(500), 5,
      Duration.ofSeconds(30), 2000, 64, Duration.ofMinutes(3), Duration.ofHours(6));

  public RouterLimits {
    if (invitesPerSecond < 0 || invitesPerSecondPerSource < 0 || retryAfterSeconds < 0 || tcpConnections < 1
        || tcpConnectionsPerSource < 1) {
      throw new IllegalArgumentException("router limits must be positive (0 for no rate limit)");
    }
    positive(maxQueueDelay, "maxQueueDelay");
    positive(drainTime, "drainTime");
    positive(tcpIdleTimeout, "tcpIdleTimeout");
    positive(maxCallDuration, "maxCallDuration");
  }

  private static void positive(Duration d, String name) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive");
    }
  }

  public RouterLimits withInviteRates(double total, double perSource) {
    return new RouterLimits(total, perSource, maxQueueDelay, retryAfterSeconds, drainTime, tcpConnections,
        tcpConnectionsPerSource, tcpIdleTimeout, maxCallDuration);
  }

  public RouterLimits withDrainTime(Duration d) {
    return new RouterLimits(invitesPerSecond, invitesPerSecondPerSource, maxQueueDelay, retryAfterSeconds, d,
        tcpConnections, tcpConnectionsPerSource, tcpIdleTimeout, maxCallDuration);
  }

  public RouterLimits withTcp(int total, int perSource, Duration idle) {
    return new RouterLimits(invitesPerSecond, invitesPerSecondPerSource, maxQueueDelay, retryAfterSeconds, drainTime,
        total, perSource, idle, maxCallDuration);
  }

  public RouterLimits withMaxQueueDelay(Duration d) {
    return new RouterLimits(invitesPerSecond, invitesPerSecondPerSource, d, retryAfterSeconds, drainTime,
        tcpConnections, tcpConnectionsPerSource, tcpIdleTimeout, maxCallDuration);
  }
}
