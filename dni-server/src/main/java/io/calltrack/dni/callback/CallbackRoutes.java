package io.calltrack.dni.callback;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.calltrack.core.CalltrackException;
import io.calltrack.core.callback.Callback;
import io.calltrack.core.callback.CallbackPage;
import io.calltrack.core.callback.DialablePhone;
import io.calltrack.core.callback.RedisCallbackStore;
import io.calltrack.core.config.Ids;
import io.calltrack.core.config.PropertyConfig;
import io.calltrack.core.pool.PoolEngine;
import io.calltrack.core.pool.Session;
import io.calltrack.dni.config.PropertyDirectory;
import io.calltrack.dni.cors.PublicCors;
import io.calltrack.dni.http.AdminApi;
import io.calltrack.dni.http.AdminAuth;
import io.calltrack.dni.http.Bodies;
import io.calltrack.dni.http.ClientAddress;
import io.calltrack.dni.http.HttpStatusException;
import io.calltrack.dni.http.PageParams;
import io.calltrack.dni.http.PropertyFrom;
import io.calltrack.dni.http.PublicApi;
import io.calltrack.dni.http.Reply;
import io.calltrack.dni.http.Timeouts;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

/**
 * {@code POST /v1/callbacks}: a visitor's lead form asks to be called back. Public like assign (the
 * property's allowed origins, limited per phone and per client, {@link ClientAddress}) or, with the admin token,
 * from the business's own systems (limited per phone only), and per property ({@code callbacks.requestsPerHour}).
 * Answers 202 {@code {id}} once the request is queued in Redis for a router ({@link RedisCallbackStore});
 * the router places the call. A phone whose callback is still to be placed or in progress gets that
 * callback's id: a form sent twice is one callback.
 * {@code GET /v1/callbacks/{id}} (admin) shows how far it got; {@code GET /v1/callbacks?property=P} lists
 * the property's callbacks not finished, in the order the routers will take them. Nothing is queued, so nothing is
 * dialled, for a phone that is not a dialable number (malformed, emergency, premium-rate), a
 * property without a business line, or a phone over its limit.
 */
public final class CallbackRoutes {
  /** Longest note kept with a callback (the form's free text). */
  public static final int MAX_NOTE = 1000;

  /** Callbacks per page of {@code GET /v1/callbacks} when the request does not say. */
  public static final int DEFAULT_LIMIT = 50;

  private final RedisCallbackStore callbacks;
  private final PropertyDirectory properties;
  private final PoolEngine engine;
  private final AdminAuth auth;
  private final Timeouts timeouts;
  private final Clock clock;
  private final ClientAddress clients;
  private final MeterRegistry registry;

  public CallbackRoutes(RedisCallbackStore callbacks, PropertyDirectory properties, PoolEngine engine,
      AdminAuth auth, Timeouts timeouts, Clock clock, ClientAddress clients, MeterRegistry registry) {
    this.registry = registry;
    this.clients = clients;
    this.callbacks = callbacks;
    this.properties = properties;
    this.engine = engine;
    this.auth = auth;
    this.timeouts = timeouts;
    this.clock = clock;
  }

  /** The body of {@code POST /v1/callbacks}. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record CallbackRequest(String property, String phone, String sessionId, String note) {
    public CallbackRequest {
      Ids.require("property", property);
      // read into E.164 once the property, whose country a national number is of, is known
      phone = DialablePhone.present(phone);
      sessionId = sessionId == null || sessionId.isBlank() ? null : sessionId.strip();
      if (sessionId != null && sessionId.length() > 200) {
        throw new CalltrackException.Invalid("sessionId is the sessionId of POST /v1/assign's answer");
      }
      note = note == null || note.isBlank() ? null : note.strip();
      if (note != null && note.length() > MAX_NOTE) {
        throw new CalltrackException.Invalid("note is at most " + MAX_NOTE + " characters");
      }
    }
  }

  public void mount(PublicApi api, AdminApi admin) {
    api.post("/v1/callbacks", this::request);
    api.options("/v1/callbacks", this::preflight);
    // one property's callbacks: its API keys may read them as the admin token does
    admin.get("/v1/callbacks", this::list).scope(PropertyFrom.query("property"));
    admin.get("/v1/callbacks/:id", this::get)
        .scope(PropertyFrom.owner("id", id -> Future.succeededFuture(Optional.ofNullable(Ids.scopeOf(id)))));
  }

  /**
   * {@code calltrack_callback_form_requests_total{result}}: requests queued, answered with the phone's
   * pending callback (a form sent again), or refused by a limit (the phone's, the address's, the
   * site's hourly ceiling): a flood of forms shows as refusals before the business line hears of it.
   */
  private void counted(String result) {
    Counter.builder("calltrack.callback.form.requests")
        .description("Callback requests (POST /v1/callbacks) by what became of them")
        .tag("result", result)
        .register(registry)
        .increment();
  }

  private Future<Reply> request(RoutingContext ctx) {
    boolean asAdmin = ctx.request().getHeader("authorization") != null;
    if (asAdmin && !auth.accepts(ctx.request())) {
      ctx.response().putHeader("www-authenticate", "Bearer error=\"invalid_token\"");
      throw new HttpStatusException.Unauthorized("wrong admin token (send none for a public request)");
    }
    CallbackRequest body = Bodies.read(ctx, CallbackRequest.class);
    String address = asAdmin ? null : clients.of(ctx);
    return properties.get(body.property()).compose(property -> {
      if (!asAdmin) {
        PublicCors.admit(ctx, property);
      }
      if (property.businessLine() == null) {
        throw new CalltrackException.Conflict("property " + property.id()
            + " has no businessLine: a callback has nothing to connect the lead to");
      }
      String phone = DialablePhone.require(body.phone(), property.defaultNumber().region());
      if (property.blocks(phone)) { // a caller the business refuses is not one it calls back
        counted("refused_blocked");
        throw new HttpStatusException.Forbidden("the property takes no callbacks to this number");
      }
      String id = RedisCallbackStore.newId(property.id());
      return visitOf(property, body.sessionId())
          .compose(visit -> timeouts.publicStore(callbacks.request(Callback.requested(id, property.id(), phone,
              visit.map(Session::sessionId).orElse(null), body.note(), clock.instant()),
              visit.map(Session::visitorId).orElse(null), address, RedisCallbackStore.retention(property),
              property.callbacks())))
          .onSuccess(cb -> counted(cb.id().equals(id) ? "queued" : "pending"))
          .onFailure(err -> {
            if (err instanceof CalltrackException.TooMany t && t.limit() != null) {
              counted("refused_" + t.limit());
            }
          })
          .map(cb -> Reply.json(202, Map.of("id", cb.id())));
    });
  }

  /**
   * The visit the callback is attributed to, like a call: {@code sessionId} when it is one of this
   * property's visits; none when the store no longer knows it (its visit aged out of the retention, or
   * a Redis failover lost it), for a lead is not refused for what the store forgot. A malformed id, or
   * another property's visit, is refused. Its visitor indexes the callback for that visitor's erasure.
   */
  private Future<Optional<Session>> visitOf(PropertyConfig property, String sessionId) {
    if (sessionId == null) {
      return Future.succeededFuture(Optional.empty());
    }
    return timeouts.publicStore(engine.session(sessionId)).compose(s -> {
      if (s.isPresent() ? property.id().equals(s.get().property()) : Ids.scopeOf(sessionId) != null) {
        return Future.succeededFuture(s);
      }
      return Future.failedFuture(new CalltrackException.Invalid(
          "sessionId is not a visit of property " + property.id() + " (use the sessionId POST /v1/assign answered)"));
    });
  }

  private Future<Reply> preflight(RoutingContext ctx) {
    String origin = ctx.request().getHeader("origin");
    String propertyId = ctx.request().getParam("property");
    Future<Boolean> allowed = propertyId != null
        ? properties.get(propertyId).map(p -> origin != null && PublicCors.allows(p, origin))
        : Future.succeededFuture(PublicCors.anyAllows(properties.known(), origin));
    return allowed.map(ok -> PublicCors.preflight(ctx, ok));
  }

  /** {@code GET /v1/callbacks?property&limit&cursor}: the property's callbacks not finished, next due first. */
  private Future<CallbackPage> list(RoutingContext ctx) {
    String property = ctx.request().getParam("property"); // required by the API's schema: checked before this
    int limit = PageParams.limit(ctx, DEFAULT_LIMIT);
    String cursor = PageParams.cursor(ctx);
    return properties.get(property.strip()).compose(p -> callbacks.pending(p.id(), limit, cursor));
  }

  private Future<Callback> get(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    return callbacks.get(id).map(c -> c.orElseThrow(() -> new CalltrackException.NotFound("no callback " + id)));
  }
}
