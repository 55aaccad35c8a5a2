package io.calltrack.sip.routing;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Hashtable;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.naming.NameNotFoundException;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.directory.DirContext;
import javax.naming.directory.InitialDirContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a business line's calls go, as RFC 3263 4.2 finds a SIP server: a line named by a host name
 * without a port ({@code sip:+13125550100@pbx.example.com}, as hosted PBXs are usually given) is looked
 * up as SRV {@code _sip._udp.<host>} ({@code _sip._tcp} with {@code ;transport=tcp}); the record of
 * lowest priority (the heaviest among equals) gives the target and port, and the target's address is
 * looked up with the same DNS servers (A, else AAAA; a target they do not know is left to the SIP
 * stack's resolver, {@code /etc/hosts} included). A name without SRV records is the host itself on
 * port 5060, resolved by the SIP stack as before.
 *
 * <p>Lookups are blocking and run off the calls' threads, when the routing table changes and at most
 * every {@link #REFRESH_MS} per name ({@link #refresh}); a call only reads the last answer
 * ({@link #locate}). A lookup that fails (a DNS server down) keeps the last answer and is tried again
 * after {@link #REFRESH_MS} too; a line never located goes to its host name, resolved by the SIP stack
 * (port 5060), as before this class.
 * Not done: NAPTR (the transport is the line's), failing over to the next SRV target when the first
 * does not answer, and weighted spreading over equal-priority targets (one target per lookup).
 */
public final class LineLocator {
  private static final Logger LOG = LoggerFactory.getLogger(LineLocator.class);
  /** How long an answer is used before the name is looked up again. */
  static final long REFRESH_MS = 60_000;
  /** {@code sip:} or {@code sips:}, an optional user part, the host, an optional port, the parameters. */
  private static final Pattern LINE = Pattern.compile(
      "(?i)^sips?:(?:[^@;]*@)?([A-Za-z0-9.-]+)(:\\d+)?(;[^?]*)?(\\?.*)?$");
  private static final Pattern TRANSPORT = Pattern.compile("(?i);transport=([a-z]+)");

  /** Where a line's requests go: an address and port. */
  public record Target(String address, int port) {}

  /** A lookup's answer (a null target: no SRV records) and when it was had. */
  private record Located(Target target, long at) {}

  private final String providerUrl;
  private final Map<String, Located> byLine = new ConcurrentHashMap<>();

  /**
   * @param dnsServers {@code host[:port]} of the DNS servers to ask (CALLTRACK_SIP_DNS); empty: the
   *     system's resolvers
   */
  public LineLocator(List<String> dnsServers) {
    this.providerUrl = dnsServers == null || dnsServers.isEmpty() ? "dns:"
        : String.join(" ", dnsServers.stream().map(s -> "dns://" + s.strip()).toList());
  }

  /** The line's SRV target as last looked up; null: its host as written (an address, a port given, no SRV, not looked up). */
  public Target locate(String line) {
    Located l = byLine.get(line);
    return l == null ? null : l.target();
  }

  /**
   * Looks up the lines that need it: named hosts without a port, not looked up within
   * {@link #REFRESH_MS}. Blocking (DNS): call it from a worker, one at a time.
   */
  public void refresh(Collection<String> lines, long nowMs) {
    for (String line : lines) {
      locate(line, nowMs);
    }
    byLine.keySet().retainAll(new java.util.HashSet<>(lines)); // lines no property has any more
  }

  /**
   * {@code line}'s target, looked up first if it was not within {@link #REFRESH_MS} (blocking: DNS);
   * null as {@link #locate(String)}. For a dialer that calls lines one at a time.
   */
  public Target locate(String line, long nowMs) {
    if (line == null) {
      return null;
    }
    Located last = byLine.get(line);
    if (last == null || nowMs - last.at() >= REFRESH_MS) {
      lookUpLine(line, last, nowMs);
    }
    return locate(line);
  }

  private void lookUpLine(String line, Located last, long nowMs) {
    Matcher m = LINE.matcher(line.strip());
    if (!m.matches() || m.group(2) != null || isAddress(m.group(1))) {
      return; // an address or a port: where the line says, no lookup (RFC 3263 4.2)
    }
    String host = m.group(1);
    Matcher t = TRANSPORT.matcher(m.group(3) == null ? "" : m.group(3));
    String transport = t.find() ? t.group(1).toLowerCase(Locale.ROOT) : "udp";
    String service = (line.regionMatches(true, 0, "sips:", 0, 5) ? "_sips._tcp." : "_sip._" + transport + ".") + host;
    try {
      byLine.put(line, new Located(lookUp(service), nowMs)); // a line without SRV too: not asked again at once
    } catch (NamingException e) {
      LOG.warn("could not look up business line {} ({}); {}", line, e.toString(),
          last == null || last.target() == null ? "calls go to its host name" : "keeping " + last.target());
      // asked again in a minute, not at every round: a DNS server that is down costs its timeouts per
      // line, and rounds would follow each other without a pause
      byLine.put(line, new Located(last == null ? null : last.target(), nowMs));
    }
  }

  /** The SRV target of {@code service}; null when it has none. */
  private Target lookUp(String service) throws NamingException {
    DirContext dns = context();
    try {
      List<String[]> records = new ArrayList<>();
      try {
        Attribute srv = dns.getAttributes(service, new String[] {"SRV"}).get("SRV");
        if (srv != null) {
          NamingEnumeration<?> all = srv.getAll();
          while (all.hasMore()) {
            records.add(all.next().toString().strip().split("\\s+")); // priority weight port target
          }
        }
      } catch (NameNotFoundException e) {
        // no SRV records: the host itself
      }
      String[] best = null;
      for (String[] r : records) {
        if (r.length == 4 && (best == null || Integer.parseInt(r[0]) < Integer.parseInt(best[0])
            || (r[0].equals(best[0]) && Integer.parseInt(r[1]) > Integer.parseInt(best[1])))) {
          best = r;
        }
      }
      if (best == null || best[3].equals(".")) {
        return null; // none, or "service decidedly not available" (RFC 2782): the host name, as written
      }
      String name = best[3].endsWith(".") ? best[3].substring(0, best[3].length() - 1) : best[3];
      String address = address(dns, name);
      return new Target(address == null ? name : address, Integer.parseInt(best[2]));
    } finally {
      dns.close();
    }
  }

  /** The target's address by these DNS servers; null when they do not give one (the SIP stack resolves the name). */
  private static String address(DirContext dns, String name) {
    for (String type : new String[] {"A", "AAAA"}) {
      try {
        Attribute found = dns.getAttributes(name, new String[] {type}).get(type);
        if (found != null && found.size() > 0) {
          String address = found.get(0).toString();
          return type.equals("AAAA") ? "[" + address + "]" : address;
        }
      } catch (NamingException e) {
        return null;
      }
    }
    return null;
  }

  private DirContext context() throws NamingException {
    Hashtable<String, String> env = new Hashtable<>();
    env.put(javax.naming.Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.dns.DnsContextFactory");
    env.put(javax.naming.Context.PROVIDER_URL, providerUrl);
    env.put("com.sun.jndi.dns.timeout.initial", "1000");
    env.put("com.sun.jndi.dns.timeout.retries", "2");
    return new InitialDirContext(env);
  }

  /** An IPv4 or IPv6 literal, not a name (names have letters and no colon): never looked up. */
  public static boolean isAddress(String host) {
    return host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
  }
}
