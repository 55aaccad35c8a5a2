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
 * @param maxCalls                  calls in progress (ringing or answered) at once; past it new INVITEs get 503 +
 *                                  Retry-After. 0: as many as the heap holds ({@link #maxCallsInProgress})
 * @param retryWait                 how long the record of a call the line refused asking for the INVITE again (a
 *                                  challenge) waits for the caller's retry before it is closed as refused; at most
 *                                  the 8 s a finished call lingers (the retry is matched to the call then)
 * @param ackWait                   how long an answered call waits for its caller's ACK before the router ends it
 *                                  ({@link #ACK_WAIT})
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
    Duration maxCallDuration,
    int maxCalls,
    Duration retryWait,
    Duration ackWait) {

  /** Trunks send the INVITE again within milliseconds of a challenge; a user typing a password may take seconds. */
  public static final Duration RETRY_WAIT = Duration.ofSeconds(8);

  /**
   * 64*T1 (RFC 3261 13.3.1.4): how long the line sends its answer again waiting for the ACK; the line
   * should end the session then, and a caller that has not ACKed by then never will.
   */
  public static final Duration ACK_WAIT = Duration.ofSeconds(32);

  public static final RouterLimits DEFAULTS = new RouterLimits(0, 2000, Duration.ofMillis(500), 5,
      Duration.ofSeconds(30), 2000, 64, Duration.ofMinutes(3), Duration.ofHours(6), 0);

  /** With the default {@link #RETRY_WAIT} and {@link #ACK_WAIT}. */
  public RouterLimits(double invitesPerSecond, double invitesPerSecondPerSource, Duration maxQueueDelay,
      int retryAfterSeconds, Duration drainTime, int tcpConnections, int tcpConnectionsPerSource,
      Duration tcpIdleTimeout, Duration maxCallDuration, int maxCalls) {
    this(invitesPerSecond, invitesPerSecondPerSource, maxQueueDelay, retryAfterSeconds, drainTime, tcpConnections,
        tcpConnectionsPerSource, tcpIdleTimeout, maxCallDuration, maxCalls, RETRY_WAIT, ACK_WAIT);
  }

  /**
   * The heap a call in progress is given when the cap is derived from the heap. An established call
   * keeps ~3.5 KB (load-tests/bin/router-call-memory); the rest is for what the busy hour's call
   * setups hold at once (~150 MB at 1,000 calls/s) and the collector's room to work, so a router that
   * reaches the cap still has a heap that is not full. 512 MB of heap: 32,768 calls.
   */
  public static final long HEAP_PER_CALL = 16 * 1024;

  public RouterLimits {
    if (invitesPerSecond < 0 || invitesPerSecondPerSource < 0 || retryAfterSeconds < 0 || tcpConnections < 1
        || tcpConnectionsPerSource < 1 || maxCalls < 0) {
      throw new IllegalArgumentException("router limits must be positive (0 for no rate limit)");
    }
    positive(maxQueueDelay, "maxQueueDelay");
    positive(drainTime, "drainTime");
    positive(tcpIdleTimeout, "tcpIdleTimeout");
    positive(maxCallDuration, "maxCallDuration");
    positive(retryWait, "retryWait");
    positive(ackWait, "ackWait");
    if (retryWait.compareTo(RETRY_WAIT) > 0) {
      throw new IllegalArgumentException("retryWait must be at most " + RETRY_WAIT.toSeconds() + " s");
    }
  }

  /**
   * Calls in progress the router takes at most: {@link #maxCalls}, or when that is 0, as many as
   * {@code maxHeapBytes} holds at {@link #HEAP_PER_CALL} each. Past it a new call would be refused
   * rather than take the heap every call in progress needs (a full heap ends in a stop that drops them all).
   */
  public int maxCallsInProgress(long maxHeapBytes) {
    return maxCalls > 0 ? maxCalls : (int) Math.max(1, Math.min(Integer.MAX_VALUE, maxHeapBytes / HEAP_PER_CALL));
  }

  public RouterLimits withMaxCalls(int n) {
    return new RouterLimits(invitesPerSecond, invitesPerSecondPerSource, maxQueueDelay, retryAfterSeconds, drainTime,
        tcpConnections, tcpConnectionsPerSource, tcpIdleTimeout, maxCallDuration, n, retryWait, ackWait);
  }

  private static void positive(Duration d, String name) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive");
    }
  }

  public RouterLimits withInviteRates(double total, double perSource) {
    return new RouterLimits(total, perSource, maxQueueDelay, retryAfterSeconds, drainTime, tcpConnections,
        tcpConnectionsPerSource, tcpIdleTimeout, maxCallDuration, maxCalls, retryWait, ackWait);
  }

  public RouterLimits withDrainTime(Duration d) {
    return new RouterLimits(invitesPerSecond, invitesPerSecondPerSource, maxQueueDelay, retryAfterSeconds, d,
        tcpConnections, tcpConnectionsPerSource, tcpIdleTimeout, maxCallDuration, maxCalls, retryWait, ackWait);
  }

  public RouterLimits withTcp(int total, int perSource, Duration idle) {
    return new RouterLimits(invitesPerSecond, invitesPerSecondPerSource, maxQueueDelay, retryAfterSeconds, drainTime,
        total, perSource, idle, maxCallDuration, maxCalls, retryWait, ackWait);
  }

  public RouterLimits withRetryWait(Duration d) {
    return new RouterLimits(invitesPerSecond, invitesPerSecondPerSource, maxQueueDelay, retryAfterSeconds, drainTime,
        tcpConnections, tcpConnectionsPerSource, tcpIdleTimeout, maxCallDuration, maxCalls, d, ackWait);
  }

  public RouterLimits withMaxQueueDelay(Duration d) {
    return new RouterLimits(invitesPerSecond, invitesPerSecondPerSource, d, retryAfterSeconds, drainTime,
        tcpConnections, tcpConnectionsPerSource, tcpIdleTimeout, maxCallDuration, maxCalls, retryWait, ackWait);
  }

  public RouterLimits withAckWait(Duration d) {
    return new RouterLimits(invitesPerSecond, invitesPerSecondPerSource, maxQueueDelay, retryAfterSeconds, drainTime,
        tcpConnections, tcpConnectionsPerSource, tcpIdleTimeout, maxCallDuration, maxCalls, retryWait, d);
  }
}
