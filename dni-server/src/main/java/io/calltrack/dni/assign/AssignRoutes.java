package io.calltrack.dni.assign;

import io.calltrack.core.CalltrackException;
import io.calltrack.core.config.PropertyConfig;
import io.calltrack.core.pool.PoolEngine;
import io.calltrack.dni.config.PropertyDirectory;
import io.calltrack.dni.cors.PublicCors;
import io.calltrack.dni.http.Bodies;
import io.calltrack.dni.http.PublicApi;
import io.calltrack.dni.http.Reply;
import io.calltrack.dni.http.Timeouts;
import io.calltrack.dni.metrics.AssignMetrics;
import io.calltrack.dni.metrics.AssignMetrics.Outcome;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.security.SecureRandom;
import java.util.Base64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/assign} and its CORS preflight. For a known property a visitor's browser never
 * gets a 5xx: if Redis is down or does not answer within a second, the answer is the property's
 * default number from the last-known configuration, with {@code fallback: true}.
 */
public final class AssignRoutes {
  private final Timeouts timeouts;
  private static final Logger LOG = LoggerFactory.getLogger(AssignRoutes.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final PoolEngine engine;
  private final PropertyDirectory properties;
  private final AssignMetrics metrics;
  private volatile long lastWarning;
  private final AbuseGuard guard;

  public AssignRoutes(PoolEngine engine, PropertyDirectory properties, AssignMetrics metrics, Timeouts timeouts) {
    this(engine, properties, metrics, timeouts, null);
  }

  /**
   * @param guard who may take a number (null: anyone, as many as they like). The engine's assign puts
   *     the session under the property's retention and into its visitor's index itself.
   */
  public AssignRoutes(PoolEngine engine, PropertyDirectory properties, AssignMetrics metrics, Timeouts timeouts,
      AbuseGuard guard) {
    this.guard = guard;
    this.timeouts = timeouts;
    this.engine = engine;
    this.properties = properties;
    this.metrics = metrics;
  }

  private record Answer(AssignResponse body, Outcome outcome, io.calltrack.core.pool.Assignment assignment) {
    Answer(AssignResponse body, Outcome outcome) {
      this(body, outcome, null);
    }
  }

  public void mount(PublicApi api) {
    api.post("/v1/assign", this::assign);
    api.options("/v1/assign", this::preflight);
  }

  private Future<AssignResponse> assign(RoutingContext ctx) {
    long start = System.nanoTime();
    AssignRequest request;
    try {
      request = Bodies.read(ctx, AssignRequest.class);
    } catch (RuntimeException e) {
      metrics.record(Outcome.ERROR, start);
      throw e;
    }
    return properties.get(request.property())
        .compose(property -> {
          PublicCors.admit(ctx, property);
          return guarded(ctx, property, request, start);
        })
        .onComplete(
            answer -> metrics.record(answer.outcome(), start),
            err -> metrics.record(Outcome.ERROR, start))
        .map(Answer::body);
  }

  /** The abuse guard's verdict first: the default number, a 429, or the engine's answer. */
  private Future<Answer> guarded(RoutingContext ctx, PropertyConfig property, AssignRequest request, long start) {
    if (guard == null) {
      return answer(property, request, start);
    }
    return timeouts.publicRemaining(() -> guard.admit(ctx, property), start).recover(err ->
            err instanceof CalltrackException ? Future.failedFuture(err)
                : Future.succeededFuture(new AbuseGuard.Verdict("unknown", null, null)))
        .compose(verdict -> {
          if (!verdict.leases()) {
            String visitorId = request.visitorId() != null ? request.visitorId() : newVisitorId();
            return Future.succeededFuture(new Answer(
                AssignResponse.refused(property, visitorId, verdict.fallbackReason()), Outcome.FALLBACK));
          }
          // the settle is sent, not awaited: the answer does not depend on it, and an unsettled
          // reservation frees itself (AssignLimiter) exactly as if this server died before it
          return answer(property, request, start).andThen(ar ->
              guard.settle(property, verdict, ar.succeeded() ? ar.result().assignment() : null));
        });
  }

  /** Asks the engine within what is left of the request's time (the property lookup took some). */
  private Future<Answer> answer(PropertyConfig property, AssignRequest request, long start) {
    return timeouts.publicRemaining(
            () -> engine.assign(property.id(), request.visitorId(), request.visitAttribution(property.timeZoneRegions()),
                request.timeZone(), request.sessionId()), start)
        .map(a -> new Answer(AssignResponse.of(a), a.fallback() ? Outcome.FALLBACK : Outcome.LEASED, a))
        .recover(err -> {
          if (err instanceof CalltrackException) {
            return Future.failedFuture(err);
          }
          warn(err);
          String visitorId = request.visitorId() != null ? request.visitorId() : newVisitorId();
          return Future.succeededFuture(
              new Answer(AssignResponse.unavailable(property, visitorId), Outcome.UNAVAILABLE));
        });
  }

  /**
   * The preflight carries no body, so it cannot name the property unless the snippet adds
   * {@code ?property=}. Without it the origin must be allowed by some known property; the POST that
   * follows is still checked against its own property.
   */
  private Future<Reply> preflight(RoutingContext ctx) {
    String origin = ctx.request().getHeader("origin");
    String propertyId = ctx.request().getParam("property");
    Future<Boolean> allowed;
    if (propertyId != null) {
      allowed = properties.get(propertyId).map(p -> origin != null && PublicCors.allows(p, origin));
    } else if (PublicCors.anyAllows(properties.known(), origin)) {
      allowed = Future.succeededFuture(true);
    } else {
      allowed = properties.refreshAll().otherwiseEmpty()
          .map(v -> PublicCors.anyAllows(properties.known(), origin));
    }
    return allowed.map(ok -> PublicCors.preflight(ctx, ok));
  }

  /** Like the engine's: 128 random bits, base64url, so the snippet can keep it for the next visit. */
  private static String newVisitorId() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private void warn(Throwable err) {
    long now = System.nanoTime();
    // during an outage every assign lands here: one line a minute says enough
    if (lastWarning == 0 || now - lastWarning > 60_000_000_000L) {
      lastWarning = now;
      LOG.warn("assign answered with the default number: the store did not answer ({})", Timeouts.describe(err));
    }
  }
}
