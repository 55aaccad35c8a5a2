package io.calltrack.dni.assign;

import io.calltrack.core.CalltrackException;
import io.calltrack.core.config.ConfigStore;
import io.calltrack.core.config.Ids;
import io.calltrack.core.config.PoolConfig;
import io.calltrack.core.config.PropertyConfig;
import io.calltrack.core.json.JsonMapper;
import io.calltrack.core.pool.PoolEngine;
import io.calltrack.core.pool.Session;
import io.calltrack.dni.config.PropertyDirectory;
import io.calltrack.dni.cors.PublicCors;
import io.calltrack.dni.http.PublicApi;
import io.calltrack.dni.http.Reply;
import io.calltrack.dni.http.Timeouts;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;

/**
 * {@code POST /v1/sessions/{sessionId}/heartbeat} → {@code {leaseExpiresAt}} (410 once the lease is
 * gone) and {@code POST /v1/sessions/{sessionId}/release} → 204, with their preflights. A session id
 * is {@code <poolId>.<random>}: the pool names the property, whose {@code allowedOrigins} decide CORS,
 * found from the (cached) configuration without reading the session. Release takes no body, or a JSON
 * object of any content type ({@code navigator.sendBeacon} sends {@code text/plain}) whose optional
 * {@code leaseExpiresAt} names the lease it ends, as the page last heard it from assign or heartbeat:
 * a lease renewed since is left alone (the release was sent at pagehide and arrives after the page,
 * back from the back/forward cache, renewed it).
 *
 * <p>{@code POST /v1/sessions/{sessionId}/evidence} with {@code {"kind": "tap"|"copy"|"hidden"|"shown"}}
 * → 204: what the page saw, for attributing calls (a tap on the number minutes before a call all but
 * names the caller); text/plain accepted too. An unknown session answers 404; one whose hold is over,
 * or that already sent its share of beacons, answers 204 and changes nothing; a bad kind is a 400.
 * {@code {"kind": "ids", "gaClientId", "gaSessionId", "fbp"}}: the site's analytics ids the page could
 * read only after its assign (GA writes its cookies after the snippet asked for a number, on a
 * visitor's first page), kept with the session where its attribution has none (400 without one that
 * is valid).
 */
public final class SessionRoutes {
  private final Timeouts timeouts;
  private static final int MAX_SESSION_ID = 200;

  private final ConfigStore store;
  private final PoolEngine engine;
  private final PropertyDirectory properties;

  public SessionRoutes(ConfigStore store, PoolEngine engine, PropertyDirectory properties, Timeouts timeouts) {
    this(store, engine, properties, timeouts, null);
  }

  /**
   * @param guard the assign limits' guard: a lease kept alive by heartbeats counts among its client
   *     address's leases for as long as it lives and its number's hold after it (null: not followed)
   */
  public SessionRoutes(ConfigStore store, PoolEngine engine, PropertyDirectory properties, Timeouts timeouts,
      AbuseGuard guard) {
    this.guard = guard;
    this.timeouts = timeouts;
    this.store = store;
    this.engine = engine;
    this.properties = properties;
  }

  private final AbuseGuard guard;

  public record Heartbeat(Instant leaseExpiresAt) {}

  /** The release beacon's body; unknown fields ignored. */
  @com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
  public record Release(Instant leaseExpiresAt) {
    static final Release ANY = new Release(null);

    static Release of(RoutingContext ctx) {
      boolean none = ctx.body() == null || ctx.body().buffer() == null || ctx.body().buffer().toString().isBlank();
      return none ? ANY : JsonMapper.read(ctx.body().buffer(), Release.class);
    }
  }

  /** The evidence beacon's body; unknown fields ignored. */
  @com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
  public record Beacon(String kind, String gaClientId, String gaSessionId, String fbp) {
    static final String IDS = "ids";

    /** The ids of an {@code ids} beacon, as an attribution checks them (what is not GA's or Meta's: dropped). */
    io.calltrack.core.attribution.Attribution ids() {
      io.calltrack.core.attribution.Attribution a = new io.calltrack.core.attribution.Attribution(null, null, null,
          null, null, null, null, null, null, null, null, null, null, null, null, null, null, gaClientId,
          gaSessionId, fbp);
      if (a.gaClientId() == null && a.gaSessionId() == null && a.fbp() == null) {
        throw new CalltrackException.Invalid("an ids beacon needs gaClientId (digits.digits), gaSessionId (digits) "
            + "or fbp (fb.1.<ms>.<digits>)");
      }
      return a;
    }

    public Session.Evidence.Kind parsed() {
      Session.Evidence.Kind k = Session.Evidence.Kind.of(kind);
      if (k == null) {
        throw new CalltrackException.Invalid("kind must be one of tap, copy, hidden, shown, ids");
      }
      return k;
    }
  }

  public void mount(PublicApi api) {
    api.post("/v1/sessions/:sessionId/heartbeat", this::heartbeat);
    api.post("/v1/sessions/:sessionId/release", this::release);
    api.options("/v1/sessions/:sessionId/heartbeat", this::preflight);
    api.options("/v1/sessions/:sessionId/release", this::preflight);
    api.post("/v1/sessions/:sessionId/evidence", this::evidence);
    api.options("/v1/sessions/:sessionId/evidence", this::preflight);
  }

  private Future<Reply> evidence(RoutingContext ctx) {
    String sessionId = sessionId(ctx);
    Beacon beacon = JsonMapper.read(ctx.body() == null ? null : ctx.body().buffer(), Beacon.class);
    boolean ids = Beacon.IDS.equals(beacon.kind());
    io.calltrack.core.attribution.Attribution analytics = ids ? beacon.ids() : null;
    Session.Evidence.Kind kind = ids ? null : beacon.parsed();
    return propertyOf(sessionId)
        .compose(property -> {
          PublicCors.admitBeacon(ctx, property);
          return timeouts.publicStore(ids ? engine.identify(sessionId, analytics) : engine.evidence(sessionId, kind));
        })
        .map(recorded -> Reply.noContent());
  }

  private Future<Heartbeat> heartbeat(RoutingContext ctx) {
    String sessionId = sessionId(ctx);
    return poolOf(sessionId).compose(pool -> properties.get(pool.property())
        .compose(property -> {
          PublicCors.admit(ctx, property);
          return timeouts.publicStore(engine.heartbeat(sessionId))
              .compose(ends -> guard == null ? Future.succeededFuture(ends)
                  : guard.renewed(ctx, property, pool, sessionId, ends).map(v -> ends));
        }))
        .map(Heartbeat::new);
  }

  private Future<Reply> release(RoutingContext ctx) {
    String sessionId = sessionId(ctx);
    Release release = Release.of(ctx);
    return propertyOf(sessionId)
        .compose(property -> {
          PublicCors.admitBeacon(ctx, property);
          // the abuse guard keeps counting it: its number is on hold, kept from everyone else
          return timeouts.publicStore(engine.release(sessionId, release.leaseExpiresAt()));
        })
        .map(v -> Reply.noContent());
  }

  private Future<Reply> preflight(RoutingContext ctx) {
    String origin = ctx.request().getHeader("origin");
    return propertyOf(sessionId(ctx))
        .map(property -> PublicCors.preflight(ctx, origin != null && PublicCors.allows(property, origin)));
  }

  private Future<PropertyConfig> propertyOf(String sessionId) {
    return poolOf(sessionId).compose(pool -> properties.get(pool.property()));
  }

  private Future<PoolConfig> poolOf(String sessionId) {
    String poolId = sessionId.substring(0, sessionId.lastIndexOf('.'));
    return timeouts.publicStore(store.pool(poolId))
        .compose(found -> found.map(Future::succeededFuture)
            .orElseGet(() -> Future.failedFuture(
                new CalltrackException.NotFound("unknown session '" + sessionId + "'"))));
  }

  private static String sessionId(RoutingContext ctx) {
    String id = ctx.pathParam("sessionId");
    int dot = id == null ? -1 : id.lastIndexOf('.');
    if (id == null || id.length() > MAX_SESSION_ID || dot <= 0 || dot == id.length() - 1) {
      throw new CalltrackException.Invalid("malformed session id");
    }
    try {
      Ids.require("pool", id.substring(0, dot));
    } catch (CalltrackException.Invalid e) {
      throw new CalltrackException.Invalid("malformed session id");
    }
    return id;
  }
}
