package io.calltrack.sip.proxy;

import io.calltrack.sip.routing.LineLocator;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.ConcurrentHashMap;
import javax.sip.address.Hop;

/**
 * The business-line hosts the proxy's calls go to, each with how many calls go there: what
 * {@link Proxy#mayConnectTo} asks on every outbound TCP connection, answered without walking the
 * calls. A host given as an IP address is kept as {@link InetAddress#getHostAddress()} prints it, so an
 * address is looked up directly; a host given by name is resolved when asked, as before (business
 * lines are configured, so there are few distinct names however many calls there are). Calls are
 * added and removed on their own executors; the counts are per host and atomic.
 */
final class CalleeHosts {
  private final ConcurrentHashMap<String, Integer> calls = new ConcurrentHashMap<>();

  void add(Hop hop) {
    calls.merge(key(hop), 1, Integer::sum);
  }

  void remove(Hop hop) {
    calls.computeIfPresent(key(hop), (host, n) -> n == 1 ? null : n - 1);
  }

  /** Whether a call goes to {@code address}. */
  boolean contains(InetAddress address) {
    if (calls.containsKey(address.getHostAddress())) {
      return true;
    }
    for (String host : calls.keySet()) {
      if (!LineLocator.isAddress(host) && resolvesTo(host, address)) {
        return true;
      }
    }
    return false;
  }

  private static String key(Hop hop) {
    String host = hop.getHost();
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    if (LineLocator.isAddress(host)) {
      try {
        return InetAddress.getByName(host).getHostAddress(); // a literal: parsed, never looked up
      } catch (UnknownHostException e) {
        return host;
      }
    }
    return host;
  }

  private static boolean resolvesTo(String name, InetAddress address) {
    try {
      for (InetAddress a : InetAddress.getAllByName(name)) {
        if (a.equals(address)) {
          return true;
        }
      }
    } catch (UnknownHostException e) {
      return false;
    }
    return false;
  }
}
