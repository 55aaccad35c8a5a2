package io.calltrack.dni.privacy;

import io.calltrack.core.config.ConfigStore;
import io.calltrack.core.config.Ids;
import io.calltrack.core.privacy.RetentionSweep;
import io.calltrack.dni.http.PropertyFrom;
import io.calltrack.dni.report.ReportParams;
import java.util.LinkedHashMap;
import java.util.Map;
import io.calltrack.core.privacy.Eraser;
import io.calltrack.dni.http.AdminApi;
import io.calltrack.dni.http.Timeouts;

/**
 * Erasure of a person (admin, docs/privacy.md):
 * <ul>
 *   <li>{@code DELETE /v1/callers/{number}} → {@code {erased: "caller", calls: n, callbacks: m}}: the caller
 *       number (E.164, else 400 and nothing erased) is replaced by a random token in every call record
 *       and in the rollups' first-caller data (counts stay), the recordings of those calls are deleted,
 *       and the callback requests for that number are deleted;</li>
 *   <li>{@code DELETE /v1/visitors/{visitorId}} → {@code {erased: "visitor", sessions: n, calls: m,
 *       callbacks: k}}: the visitor's sessions in every pool are anonymised, their calls lose click ids and
 *       referrer, the callback requests made from its visits are deleted and the calls those became lose
 *       the lead's number.</li>
 * </ul>
 * Both page through every call record, so they get the slow admin timeout; both may be repeated.
 * And {@code GET /v1/privacy/compliance?property} (admin, or the property's API key): how far the
 * property keeps its caller-number retention now ({@link RetentionSweep#compliance}).
 */
public final class PrivacyRoutes {
  private final Eraser eraser;
  private final java.util.function.Supplier<io.vertx.core.Future<Integer>> sweepRecordings;
  private final ConfigStore store;
  private final RetentionSweep retention;

  /**
   * {@code sweepRecordings}: deletes the recordings no call record names any more (the erased caller's);
   * {@code retention}: the sweep whose progress the compliance figures read.
   */
  public PrivacyRoutes(Eraser eraser, java.util.function.Supplier<io.vertx.core.Future<Integer>> sweepRecordings,
      ConfigStore store, RetentionSweep retention) {
    this.eraser = eraser;
    this.sweepRecordings = sweepRecordings;
    this.store = store;
    this.retention = retention;
  }

  public record CallerErased(String erased, int calls, int callbacks) {}

  public record VisitorErased(String erased, int sessions, int calls, int callbacks) {}

  public void mount(AdminApi admin) {
    admin.delete("/v1/callers/:number", ctx -> {
      // E.164 only (400 otherwise, nothing erased): the eraser checks it for every part of the erasure
      String number = ctx.pathParam("number");
      // the caller's voice goes with the number: their recordings are deleted before the answer
      return eraser.eraseCaller(number).compose(e -> sweepRecordings.get().otherwiseEmpty()
          .map(n -> new CallerErased("caller", e.calls(), e.callbacks())));
    }).timeout(Timeouts.SLOW_ADMIN);
    admin.delete("/v1/visitors/:visitorId", ctx -> {
      String visitor = ctx.pathParam("visitorId");
      Ids.requireVisitor(visitor);
      return eraser.eraseVisitor(visitor).map(e -> new VisitorErased("visitor", e.sessions(), e.calls(), e.callbacks()));
    }).timeout(Timeouts.SLOW_ADMIN);
    admin.get("/v1/privacy/compliance", ctx -> ReportParams.property(ctx, store)
        .compose(retention::compliance)
        .map(PrivacyRoutes::json)).scope(PropertyFrom.query("property"));
  }

  static Map<String, Object> json(RetentionSweep.Compliance c) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("property", c.property());
    out.put("at", c.at().toString());
    out.put("callerNumbersDays", c.callerNumbersDays());
    out.put("callsPastCallerRetention", c.callsPastCallerRetention());
    out.put("callerNumbersOverdue", c.callerNumbersOverdue());
    out.put("oldestOverdueCallStartedAt", c.oldestOverdueCallStartedAt() == null ? null
        : c.oldestOverdueCallStartedAt().toString());
    out.put("privacyComplianceRate", c.privacyComplianceRate());
    return out;
  }
}
