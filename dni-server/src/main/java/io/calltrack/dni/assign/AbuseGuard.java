package io.calltrack.dni.assign;

import io.calltrack.core.abuse.AssignLimiter;
import io.calltrack.core.abuse.AssignLimiter.Admission;
import io.calltrack.core.abuse.AssignLimiter.Decision;
import io.calltrack.core.config.AssignLimits;
import io.calltrack.core.config.ConfigStore;
import io.calltrack.core.config.PoolConfig;
import io.calltrack.core.config.PropertyConfig;
import io.calltrack.core.pool.Assignment;
import io.calltrack.dni.http.ClientAddress;
import io.calltrack.dni.http.HttpStatusException;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.regex.Pattern;

/**
 * Who may take a tracking number (issue 11: one client must not drain a pool). Before an assign asks
 * the pool engine:
 * <ul>
 *   <li>known crawlers and headless automation get the default number, no lease
 *       ({@code reason: "automated_client"}), unless the property's {@code assignLimits} allow them;</li>
 *   <li>one client ({@link ClientAddress}: the TCP peer, or the last untrusted {@code X-Forwarded-For}
 *       hop when the peer is a configured trusted proxy; an IPv6 client is its /64) may hold {@code liveLeases} leases and make {@code perMinute}
 *       assigns a minute; past either it gets the default number ({@code reason: "too_many_leases"} or
 *       {@code "too_many_assigns"}), and past the hard limits a 429.</li>
 * </ul>
 * A lease counts for its address until its number's hold ends, released or not: the hold keeps the
 * number from everyone else as surely as the lease did.
 * The counting is {@link AssignLimiter}'s (Redis, shared by all servers). If Redis cannot be asked the
 * assign goes on unguarded: it will most likely fall back for the same reason.
 */
public final class AbuseGuard {
  /**
   * User agents that are not a person's browser: search and social crawlers, headless browsers and
   * automation, command-line and library HTTP clients. A blank user agent is let through (some privacy
   * tools send none); the address limits still apply to it.
   */
  static final Pattern AUTOMATED = Pattern.compile("(?i)(bot\\b|bot/|crawl|spider|slurp|mediapartners|"
      + "headlesschrome|phantomjs|puppeteer|playwright|selenium|webdriver|lighthouse|pagespeed|"
      + "facebookexternalhit|whatsapp|^curl/|^wget/|python-requests|python-urllib|aiohttp|httpx|"
      + "go-http-client|okhttp|^java/|apache-httpclient|libwww-perl|scrapy|node-fetch|undici|axios/)");

  /** What to do with one assign. */
  public record Verdict(String address, Admission admission, String fallbackReason) {
    boolean leases() {
      return fallbackReason == null;
    }
  }

  private final AssignLimiter limiter;
  private final ConfigStore pools;
  private final ClientAddress clients;
  private final AssignLimits defaults;

  /** @param pools where a lease's pool, and so its hold, is read (cached) */
  public AbuseGuard(AssignLimiter limiter, ConfigStore pools, ClientAddress clients, AssignLimits defaults) {
    this.limiter = limiter;
    this.pools = pools;
    this.clients = clients;
    this.defaults = defaults;
  }

  public Future<Verdict> admit(RoutingContext ctx, PropertyConfig property) {
    AssignLimits limits = limitsOf(property);
    // every user-agent header the client sent: a second one must not hide the first
    boolean automated = ctx.request().headers().getAll("user-agent").stream()
        .anyMatch(ua -> AUTOMATED.matcher(ua.strip()).find());
    String address = clients.of(ctx);
    if (!Boolean.TRUE.equals(limits.leaseToAutomatedClients()) && automated) {
      return Future.succeededFuture(new Verdict(address, null, "automated_client"));
    }
    if (limits.equals(AssignLimits.NONE)) {
      // nothing to count: spare the assign the limiter's round trips
      return Future.succeededFuture(new Verdict(address, null, null));
    }
    return limiter.admit(property.id(), address, limits).compose(a -> switch (a.decision()) {
      case ALLOW -> Future.succeededFuture(new Verdict(address, a, null));
      case FALLBACK_LIVE -> Future.succeededFuture(new Verdict(address, a, "too_many_leases"));
      case FALLBACK_RATE -> Future.succeededFuture(new Verdict(address, a, "too_many_assigns"));
      case BLOCK -> Future.failedFuture(new HttpStatusException.TooManyAssigns(
          "too many tracking numbers asked for from one address; try again in a minute"));
    }, err -> Future.succeededFuture(new Verdict(address, null, null)));
  }

  /** Turns the verdict's reservation into the lease the engine gave (or frees it). Never fails. */
  public Future<Void> settle(PropertyConfig property, Verdict v, Assignment a) {
    if (v.admission() == null || v.admission().decision() != Decision.ALLOW) {
      return Future.succeededFuture();
    }
    String reservation = v.admission().reservation();
    if (a == null || a.fallback() || a.sessionId() == null || a.poolId() == null) {
      return limiter.settle(property.id(), v.address(), reservation, null, null).otherwiseEmpty();
    }
    return pools.pool(a.poolId())
        .compose(pool -> limiter.settle(property.id(), v.address(), reservation, a.sessionId(),
            holdEnds(pool.orElse(null), a.leaseExpiresAt())))
        .otherwiseEmpty();
  }

  /**
   * A heartbeat kept {@code sessionId} of {@code pool} leased until {@code leaseEnds}: it counts for
   * the address the heartbeat came from until the hold after that, so leases kept alive past their
   * first period still meet {@code liveLeases}. Never fails, and costs nothing for a property without
   * limits.
   */
  public Future<Void> renewed(RoutingContext ctx, PropertyConfig property, PoolConfig pool, String sessionId,
      Instant leaseEnds) {
    if (leaseEnds == null || limitsOf(property).equals(AssignLimits.NONE)) {
      return Future.succeededFuture();
    }
    return limiter.renewed(property.id(), clients.of(ctx), sessionId, holdEnds(pool, leaseEnds)).otherwiseEmpty();
  }

  /** When a lease ending at {@code leaseEnds} stops keeping its number from others. */
  private static Instant holdEnds(PoolConfig pool, Instant leaseEnds) {
    int hold = pool == null ? PoolConfig.DEFAULT_HOLD_SECONDS : pool.holdSeconds();
    return leaseEnds.plusSeconds(hold);
  }

  private AssignLimits limitsOf(PropertyConfig property) {
    return property.assignLimits() == null ? defaults : property.assignLimits().over(defaults);
  }

}
