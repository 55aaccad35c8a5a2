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
import io.calltrack.core.net.PublicAddresses;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a business line's calls go, as RFC 3263 4.2 finds a SIP server, and at which address: a line
 * named by a host name without a port ({@code sip:+13125550100@pbx.example.com}, as hosted PBXs are
 * usually given) is looked up as SRV {@code _sip._udp.<host>} ({@code _sip._tcp} with
 * {@code ;transport=tcp}); its records give the targets and ports, lowest priority first. A name
 * without SRV records, or with a port, is the host itself (port 5060, or the one given). The target's addresses are looked up with the same DNS servers (A and AAAA; a name they do
 * not know, by the system's resolver, {@code /etc/hosts} included), and a call is sent to an address,
 * never to a name: the address a call goes to is the one {@link #locate(String, boolean)} checked.
 *
 * <p>Lookups are blocking and run off the calls' threads, when the routing table changes and at most
 * every {@link #REFRESH_MS} per line ({@link #refresh}); a call only reads the last answer
 * ({@link #locate}). A lookup that fails (a DNS server down) keeps the last answer and is tried again
 * after {@link #REFRESH_MS} too; a line never located goes to its host name, resolved by the SIP stack
 * when the call is sent, unless it must go to public addresses only.
 * Every SRV target's every address is kept, in the order to try ({@link #targets}, at most
 * {@link #MAX_TARGETS}): the proxy moves a call to the next when one is unreachable, silent or answers
 * 503 (RFC 3263 4.3); among records of one priority each call draws its order by weight (RFC 2782),
 * so calls spread as the records say. Not done: NAPTR (the transport is the line's).
 */
public final class LineLocator {
  private static final Logger LOG = LoggerFactory.getLogger(LineLocator.class);
  /** How long an answer is used before the name is looked up again. */
  static final long REFRESH_MS = 60_000;
  /** At most this many places per line: each one a call tries costs the caller a wait when it fails. */
  static final int MAX_TARGETS = 5;
  /** {@code sip:} or {@code sips:}, an optional user part, the host, an optional port, the parameters. */
  private static final Pattern LINE = Pattern.compile(
      "(?i)^sips?:(?:[^@;]*@)?([A-Za-z0-9.-]+|\\[[0-9A-Fa-f:.]+])(?::(\\d+))?(;[^?]*)?(\\?.*)?$");
  private static final Pattern TRANSPORT = Pattern.compile("(?i);transport=([a-z]+)");

  /**
   * Where a line's requests go: an address (IPv6 in brackets) and port, and whether the address is on
   * the public internet ({@link PublicAddresses}). An address of a name no DNS server knew is the name
   * itself, left to the SIP stack's resolver, and not public.
   */
  public record Target(String address, int port, boolean isPublic) {
    /** {@code address} as written: public when it is a public IP literal. */
    public Target(String address, int port) {
      this(address, port, publicLiteral(address));
    }
  }

  /**
   * A lookup's addresses, in the order to try (empty: never located), and when it was had. When SRV
   * records of one priority share the load ({@code shared}, else null), each call draws their order by
   * weight instead ({@link #targets}).
   */
  private record Located(List<Target> targets, long at, List<SrvTarget> shared) {
    Located(List<Target> targets, long at) {
      this(targets, at, null);
    }
  }

  /** One SRV record's target: its priority, weight and addresses. */
  private record SrvTarget(int priority, int weight, List<Target> addresses) {}

  /** One SRV record as DNS gave it: its target name and port, priority and weight. */
  private record SrvRecord(String name, int port, int priority, int weight) {}

  private final String providerUrl;
  private final Map<String, Located> byLine = new ConcurrentHashMap<>();
  /** A uniform random int in [0, bound): RFC 2782's draw among records of one priority. */
  private final java.util.function.IntUnaryOperator draw;

  /**
   * @param dnsServers {@code host[:port]} of the DNS servers to ask (CALLTRACK_SIP_DNS); empty: the
   *     system's resolvers
   */
  public LineLocator(List<String> dnsServers) {
    this(dnsServers, bound -> java.util.concurrent.ThreadLocalRandom.current().nextInt(bound));
  }

  /** As {@link #LineLocator(List)}, drawing with {@code draw} (a uniform int in [0, bound)). */
  LineLocator(List<String> dnsServers, java.util.function.IntUnaryOperator draw) {
    this.draw = draw;
    this.providerUrl = dnsServers == null || dnsServers.isEmpty() ? "dns:"
        : String.join(" ", dnsServers.stream().map(s -> "dns://" + s.strip()).toList());
  }

  /** The line's first address as last looked up; null: its host as written (not looked up yet, or a literal). */
  public Target locate(String line) {
    return locate(line, false);
  }

  /**
   * Where a call to {@code line} may go, as last looked up. {@code publicOnly} (the line an API key set,
   * {@link io.calltrack.core.config.BusinessLines#publicOnly}): its first public address, or null when
   * it has none (not looked up yet, or every address private: the call is not sent). Otherwise its
   * first address, null: its host as written.
   */
  public Target locate(String line, boolean publicOnly) {
    List<Target> all = targets(line, publicOnly);
    return all.isEmpty() ? null : all.get(0);
  }

  /**
   * Every place a call to {@code line} may go, in the order to try them (RFC 3263 4.3: the next when one
   * fails), as {@link #locate(String, boolean)} chooses the first: empty where it gives null.
   */
  public List<Target> targets(String line, boolean publicOnly) {
    Located l = line == null ? null : byLine.get(line);
    if (l == null || l.targets().isEmpty()) {
      Target literal = publicOnly ? publicLiteralTarget(line) : null;
      return literal == null ? List.of() : List.of(literal);
    }
    List<Target> all = l.shared() == null ? l.targets() : drawn(l.shared());
    if (!publicOnly) {
      return all;
    }
    List<Target> open = new ArrayList<>(all.size());
    for (Target t : all) {
      if (t.isPublic()) {
        open.add(t);
      }
    }
    return open;
  }

  /**
   * The SRV targets' addresses in an order drawn for one call (RFC 2782): by priority, and within one
   * priority each next target drawn with a chance in proportion to its weight (weight 0: after the
   * others), so calls spread over a PBX's servers as its records say.
   */
  private List<Target> drawn(List<SrvTarget> records) {
    List<Target> order = new ArrayList<>();
    int i = 0;
    while (i < records.size()) {
      int j = i;
      while (j < records.size() && records.get(j).priority() == records.get(i).priority()) {
        j++;
      }
      List<SrvTarget> group = new ArrayList<>(records.subList(i, j));
      while (!group.isEmpty()) {
        int sum = 0;
        for (SrvTarget r : group) {
          sum += r.weight();
        }
        int k = 0;
        if (sum > 0) {
          int pick = draw.applyAsInt(sum) + 1; // 1..sum
          for (int running = group.get(0).weight(); running < pick; running += group.get(++k).weight()) {
            // the first record whose running sum of weights reaches the pick
          }
        }
        addNew(order, group.remove(k).addresses());
      }
      i = j;
    }
    return order;
  }

  /** Adds to {@code order} those of {@code addresses} it lacks, up to {@link #MAX_TARGETS} in all. */
  private static void addNew(List<Target> order, List<Target> addresses) {
    for (Target t : addresses) {
      if (!order.contains(t) && order.size() < MAX_TARGETS) {
        order.add(t);
      }
    }
  }

  /**
   * Looks up the lines that need it: named hosts not looked up within {@link #REFRESH_MS}. Blocking
   * (DNS): call it from a worker, one at a time.
   */
  public void refresh(Collection<String> lines, long nowMs) {
    for (String line : lines) {
      targets(line, false, nowMs);
    }
    byLine.keySet().retainAll(new java.util.HashSet<>(lines)); // lines no property has any more
  }

  /**
   * {@code line}'s targets, looked up first if it was not within {@link #REFRESH_MS} (blocking: DNS);
   * as {@link #targets(String, boolean)}. For a dialer that calls lines one at a time.
   */
  public List<Target> targets(String line, boolean publicOnly, long nowMs) {
    if (line == null) {
      return List.of();
    }
    Located last = byLine.get(line);
    if (last == null || nowMs - last.at() >= REFRESH_MS) {
      lookUpLine(line, last, nowMs);
    }
    return targets(line, publicOnly);
  }

  private void lookUpLine(String line, Located last, long nowMs) {
    Matcher m = LINE.matcher(line.strip());
    if (!m.matches() || isAddress(m.group(1))) {
      return; // an address: where the line says, no lookup
    }
    String host = m.group(1);
    boolean sips = line.regionMatches(true, 0, "sips:", 0, 5);
    Matcher t = TRANSPORT.matcher(m.group(3) == null ? "" : m.group(3));
    String transport = t.find() ? t.group(1).toLowerCase(Locale.ROOT) : "udp";
    String service = (sips ? "_sips._tcp." : "_sip._" + transport + ".") + host;
    try {
      DirContext dns = context();
      try {
        // a port given: the host itself (RFC 3263 4.2); else its SRV targets, or the host on the default port
        List<SrvRecord> srv = m.group(2) != null ? List.of() : lookUpSrv(dns, service);
        List<Target> targets = new ArrayList<>();
        if (srv.isEmpty()) {
          int port = m.group(2) != null ? Integer.parseInt(m.group(2)) : sips ? 5061 : 5060;
          targets.addAll(addresses(dns, host, port));
        }
        List<SrvTarget> records = new ArrayList<>(srv.size());
        boolean sharing = false;
        for (SrvRecord record : srv) {
          List<Target> at = addresses(dns, record.name(), record.port());
          sharing |= !records.isEmpty() && records.get(records.size() - 1).priority() == record.priority();
          records.add(new SrvTarget(record.priority(), record.weight(), at));
          addNew(targets, at);
        }
        byLine.put(line, new Located(List.copyOf(targets), nowMs, sharing ? List.copyOf(records) : null));
      } finally {
        dns.close();
      }
    } catch (NamingException e) {
      LOG.warn("could not look up business line {} ({}); {}", line, e.toString(),
          last == null || last.targets().isEmpty() ? "calls go to its host name" : "keeping " + last.targets());
      // asked again in a minute, not at every round: a DNS server that is down costs its timeouts per
      // line, and rounds would follow each other without a pause
      byLine.put(line, last == null ? new Located(List.of(), nowMs) : new Located(last.targets(), nowMs, last.shared()));
    }
  }

  /**
   * {@code service}'s SRV targets, ports, priorities and weights: lowest priority first, the heaviest
   * first among equals (each call draws its own order among equals, {@link #drawn}); empty when it has
   * none, or says "decidedly not available" (RFC 2782: a target of ".").
   */
  private static List<SrvRecord> lookUpSrv(DirContext dns, String service) throws NamingException {
    List<SrvRecord> records = new ArrayList<>();
    try {
      Attribute srv = dns.getAttributes(service, new String[] {"SRV"}).get("SRV");
      if (srv != null) {
        NamingEnumeration<?> all = srv.getAll();
        while (all.hasMore()) {
          String[] r = all.next().toString().strip().split("\\s+"); // priority weight port target
          if (r.length == 4 && !r[3].equals(".")) {
            String name = r[3].endsWith(".") ? r[3].substring(0, r[3].length() - 1) : r[3];
            records.add(new SrvRecord(name, Integer.parseInt(r[2]), Integer.parseInt(r[0]), Integer.parseInt(r[1])));
          }
        }
      }
    } catch (NameNotFoundException e) {
      // no SRV records: the host itself
    }
    records.sort(java.util.Comparator.comparingInt(SrvRecord::priority).thenComparing(r -> -r.weight()));
    return records;
  }

  /**
   * {@code name}'s addresses by these DNS servers (A, then AAAA), else by the system's resolver; when
   * neither knows it, the name itself (the SIP stack resolves it when the call is sent, as it always
   * did; never public). Throws when the DNS servers did not answer and the system's resolver does not
   * know the name either, so that the last answer is kept.
   */
  private static List<Target> addresses(DirContext dns, String name, int port) throws NamingException {
    List<Target> found = new ArrayList<>();
    NamingException unanswered = null;
    for (String type : new String[] {"A", "AAAA"}) {
      try {
        Attribute records = dns.getAttributes(name, new String[] {type}).get(type);
        if (records != null) {
          for (int i = 0; i < records.size(); i++) {
            found.add(target(literal(records.get(i).toString()), port));
          }
        }
      } catch (NameNotFoundException e) {
        break; // no such name there: the system's resolver may know it (/etc/hosts)
      } catch (NamingException e) {
        unanswered = e; // refused (not theirs), or no answer: the system's resolver may know it
        break;
      }
    }
    if (found.isEmpty()) {
      try {
        for (java.net.InetAddress a : java.net.InetAddress.getAllByName(name)) {
          found.add(target(a, port));
        }
      } catch (java.net.UnknownHostException e) {
        if (unanswered instanceof javax.naming.CommunicationException) {
          throw unanswered; // the DNS servers are away: not a new answer
        }
        found.add(new Target(name, port, false));
      }
    }
    return List.copyOf(found);
  }

  /** An address record's text as an address (never looked up: it is a literal). */
  private static java.net.InetAddress literal(String text) throws NamingException {
    try {
      return java.net.InetAddress.getByName(text);
    } catch (java.net.UnknownHostException e) {
      throw new NamingException("not an address: " + text);
    }
  }

  private static Target target(java.net.InetAddress a, int port) {
    String text = a.getHostAddress();
    return new Target(a instanceof java.net.Inet6Address ? "[" + text + "]" : text, port, PublicAddresses.isPublic(a));
  }

  /** For a line written with an IP address: that address, when public; else null. */
  private static Target publicLiteralTarget(String line) {
    Matcher m = line == null ? null : LINE.matcher(line.strip());
    if (m == null || !m.matches() || !isAddress(m.group(1))) {
      return null;
    }
    Target t = new Target(m.group(1), m.group(2) == null ? 5060 : Integer.parseInt(m.group(2)));
    return t.isPublic() ? t : null;
  }

  /** Whether {@code address} is an IP literal (IPv6 with or without brackets) on the public internet. */
  private static boolean publicLiteral(String address) {
    String a = address.startsWith("[") && address.endsWith("]") ? address.substring(1, address.length() - 1) : address;
    if (!isAddress(a)) {
      return false; // a name: never looked up here
    }
    try {
      return PublicAddresses.isPublic(java.net.InetAddress.getByName(a));
    } catch (java.net.UnknownHostException e) {
      return false;
    }
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
