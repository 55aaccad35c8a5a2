package io.calltrack.dni.export;

import io.calltrack.core.attribution.Attribution;
import io.calltrack.core.calls.CallOutcome;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.CallStore;
import io.calltrack.core.config.ConfigStore;
import io.calltrack.core.marketing.SettingsStore;
import io.calltrack.dni.http.AdminApi;
import io.calltrack.dni.http.PropertyFrom;
import io.calltrack.dni.http.Reply;
import io.calltrack.dni.http.Timeouts;
import io.calltrack.dni.report.Csv;
import io.calltrack.dni.report.ReportParams;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code GET /v1/exports/calls?property&from&to} (admin, or a key of the property): the call log a
 * marketer opens in a spreadsheet, one row per call that started within the days {@code [from, to]}
 * (property timezone), oldest first: when (local time with its offset), the numbers, how it went, where
 * it came from and its outcome ({@link #HEADER}). Made from the records, so it follows retention and
 * erasure; cells a spreadsheet would run as formulas are neutralised ({@link Csv}). The calls are read
 * page by page from Redis ({@link CallPages}); the CSV is written on a worker thread.
 */
public final class CallLogExportRoutes {
  public static final List<String> HEADER = List.of("callId", "startedAt", "number", "caller", "direction", "status",
      "ringSeconds", "durationSeconds", "source", "medium", "campaign", "keyword", "content", "adGroup", "ad",
      "landingPage", "referrer", "region", "confidence", "qualified", "converted", "value", "currency",
      "spamSignals");
  /** Local time with its offset: unambiguous across a daylight-saving change, read by spreadsheets. */
  static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssxxx");

  private final Vertx vertx;
  private final ConfigStore store;
  private final CallStore calls;
  private final Clock clock;
  private final SettingsStore settings;

  public CallLogExportRoutes(Vertx vertx, ConfigStore store, CallStore calls, SettingsStore settings, Clock clock) {
    this.settings = settings;
    this.vertx = vertx;
    this.store = store;
    this.calls = calls;
    this.clock = clock;
  }

  public void mount(AdminApi admin) {
    admin.get("/v1/exports/calls", this::export).timeout(Timeouts.SLOW_ADMIN).scope(PropertyFrom.query("property"));
  }

  private Future<Reply> export(RoutingContext ctx) {
    return ReportParams.property(ctx, store).compose(p -> settings.get(p.id()).compose(s -> {
      ReportParams.Days days = ReportParams.days(ctx, p, clock);
      return CallPages.read(calls, p, days).compose(pages -> vertx.executeBlocking(() -> {
        List<List<String>> rows = new ArrayList<>();
        rows.add(HEADER);
        for (CallRecord c : CallPages.oldestFirst(pages, p.id())) {
          rows.add(row(c, p.zone(), s.currency()));
        }
        return Reply.csv("calls-" + p.id() + "-" + days.from() + "-" + days.to() + ".csv", Csv.write(rows));
      }, false));
    }));
  }

  /** One call's row; a value without its own currency is in the property's ({@code currency}). */
  static List<String> row(CallRecord c, ZoneId zone, String currency) {
    Attribution a = c.attribution() == null ? Attribution.UNKNOWN : c.attribution();
    CallOutcome o = c.outcome();
    Instant answered = c.answeredAt();
    String ring = answered != null && c.startedAt() != null
        ? Long.toString(ChronoUnit.SECONDS.between(c.startedAt(), answered)) : "";
    return Arrays.asList(c.callId(), c.startedAt() == null ? "" : TIME.format(c.startedAt().atZone(zone)),
        c.number() == null ? "" : c.number().e164(), text(c.caller()), text(c.direction()),
        c.status() == null ? "" : c.status().json(), ring,
        c.durationSeconds() == null ? "" : c.durationSeconds().toString(),
        text(a.source()), text(a.medium()), text(a.campaign()), text(a.keyword()), text(a.content()),
        text(a.adGroup()), text(a.ad()), text(a.landingPage()), text(a.referrer()), text(a.region()),
        text(c.confidence()),
        o == null || o.qualified() == null ? "" : o.qualified().toString(),
        o == null || o.converted() == null ? "" : o.converted().toString(),
        o == null || o.value() == null ? "" : o.value().toPlainString(),
        o == null || o.value() == null ? "" : o.currency() != null ? o.currency() : currency,
        String.join(" ", c.spamSignals()));
  }

  private static String text(String s) {
    return s == null ? "" : s;
  }
}
