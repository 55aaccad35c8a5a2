package io.calltrack.sip.proxy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import javax.sip.address.Hop;

/**
 * The business-line targets that failed a call lately (unreachable, silent, 503), as Kamailio's
 * dispatcher marks a destination inactive: for {@link #SUSPECT_NANOS} after a failure the next calls try
 * a line's other targets first, so a server that is down costs one call its wait ({@code
 * CallPolicy#silentTargetWait}), not every call. Passive: no probing; after the time is up the target
 * is tried first again, and a failure marks it again. Only lines with more than one target ask.
 */
final class SuspectTargets {
  static final long SUSPECT_NANOS = 30_000_000_000L;

  private final ConcurrentHashMap<String, Long> until = new ConcurrentHashMap<>();
  private final LongSupplier nanoTime;

  SuspectTargets(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
  }

  /** {@code hop} failed a call now. */
  void failed(Hop hop) {
    long now = nanoTime.getAsLong();
    until.put(key(hop), now + SUSPECT_NANOS);
    if (until.size() > 1_000) { // targets are configured, so few: only a churn of lines could grow it
      until.values().removeIf(t -> t - now <= 0);
    }
  }

  /** {@code hops} in the order to try them: those that did not fail lately first, each group in its order. */
  List<Hop> order(List<Hop> hops) {
    if (until.isEmpty()) {
      return hops;
    }
    long now = nanoTime.getAsLong();
    List<Hop> healthy = new ArrayList<>(hops.size());
    List<Hop> suspect = new ArrayList<>(1);
    for (Hop h : hops) {
      Long t = until.get(key(h));
      (t != null && t - now > 0 ? suspect : healthy).add(h);
    }
    if (suspect.isEmpty()) {
      return hops;
    }
    healthy.addAll(suspect);
    return healthy;
  }

  private static String key(Hop hop) {
    return hop.getHost() + ':' + hop.getPort() + '/' + hop.getTransport();
  }
}
