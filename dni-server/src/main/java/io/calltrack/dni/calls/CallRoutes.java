package io.calltrack.dni.calls;

import io.calltrack.dni.http.PageParams;
import io.calltrack.dni.http.PropertyFrom;
import io.calltrack.core.CalltrackException;
import io.calltrack.core.calls.CallPage;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.CallStore;
import io.calltrack.core.config.ConfigStore;
import io.calltrack.dni.report.ReportParams;
import io.calltrack.dni.http.AdminApi;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Call records written by the SIP router (admin API):
 * <ul>
 *   <li>{@code GET /v1/calls?property&from&to&limit&cursor} → {@code {calls: [...], next}}: calls that
 *       started in {@code [from, to)} (ISO-8601 instants; both optional), newest first, {@code limit} per
 *       page (default 50, at most 500); {@code next} is the {@code cursor} of the next page, null on the
 *       last. With {@code property}, that property's calls only (an API key of the property may ask);
 *       without, every property's (the admin token only).</li>
 *   <li>{@code GET /v1/calls/{callId}} → the call record, 404 if unknown.</li>
 * </ul>
 */
public final class CallRoutes {
  public static final int DEFAULT_LIMIT = 50;

  private final CallStore calls;
  private final ConfigStore store;

  public CallRoutes(CallStore calls, ConfigStore store) {
    this.calls = calls;
    this.store = store;
  }

  public void mount(AdminApi admin) {
    // every property's calls for the admin token; one property's for its API keys too
    admin.get("/v1/calls", this::list).scope(PropertyFrom.query("property"));
    admin.get("/v1/calls/:callId", this::get)
        .scope(PropertyFrom.owner("callId", id -> calls.get(id).map(c -> c.map(CallRecord::property))));
  }

  private Future<CallPage> list(RoutingContext ctx) {
    Instant from = instant(ctx, "from");
    Instant to = instant(ctx, "to");
    int limit = PageParams.limit(ctx, DEFAULT_LIMIT);
    String after = PageParams.cursor(ctx);
    String property = ctx.request().getParam("property");
    if (property == null || property.isBlank()) { // an empty property= names none, as in the reports
      return calls.page(null, from, to, limit, after);
    }
    // a property that does not exist is a 404, as in the reports, not an empty list
    return ReportParams.named(store, property.strip()).compose(p -> calls.page(p.id(), from, to, limit, after));
  }

  private Future<CallRecord> get(RoutingContext ctx) {
    return named(ctx, calls);
  }

  /** The call the path names ({@code :callId}): 400 when the id is missing or too long, 404 when unknown. */
  public static Future<CallRecord> named(RoutingContext ctx, CallStore calls) {
    String callId = ctx.pathParam("callId");
    if (callId == null || callId.isBlank() || callId.length() > 256) {
      throw new CalltrackException.Invalid("callId is missing or too long");
    }
    return calls.get(callId).map(found -> found.orElseThrow(
        () -> new CalltrackException.NotFound("no call '" + callId + "'")));
  }

  private static Instant instant(RoutingContext ctx, String name) {
    String v = ctx.request().getParam(name);
    if (v == null || v.isBlank()) {
      return null;
    }
    Instant at;
    try {
      at = Instant.parse(v.strip());
    } catch (DateTimeParseException e) {
      throw new CalltrackException.Invalid(name + " must be an ISO-8601 instant like 2026-01-31T00:00:00Z: '" + v + "'");
    }
    // the store keys calls by epoch milliseconds: an instant past what they hold is not a day to ask for
    if (at.isBefore(Instant.EPOCH) || at.isAfter(LAST)) {
      throw new CalltrackException.Invalid(name + " must be an instant from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z: '" + v + "'");
    }
    return at;
  }

  private static final Instant LAST = Instant.parse("9999-12-31T23:59:59.999Z");
}
