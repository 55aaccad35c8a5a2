package io.calltrack.dni.export;

import io.calltrack.core.CalltrackException;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.CallStore;
import io.calltrack.core.config.ConfigStore;
import io.calltrack.core.config.PropertyConfig;
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
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Locale;

/**
 * {@code GET /v1/exports/google-ads} and {@code GET /v1/exports/microsoft-ads}
 * {@code ?property&from&to&conversionName&currency&outcome} (admin): the property's converted calls
 * ({@code outcome=qualified}: its qualified calls, for a conversion of qualified leads) whose visit
 * carries the platform's click id (gclid, msclkid), started within the days {@code [from, to]} (property
 * timezone), as the CSV the platform imports as offline conversions ({@link ClickConversionLayout}).
 * The value is the outcome's (blank if none); the currency the outcome's, else {@code currency}
 * (default: the property's, from its marketing settings). conversionName defaults to "Phone call" and
 * must match the conversion's name in the platform. The calls are read page by page from Redis; the
 * rows are picked and the CSV written on a worker thread.
 */
public final class OfflineConversionExportRoutes {
  private final Vertx vertx;
  private final ConfigStore store;
  private final CallStore calls;
  private final Clock clock;
  private final SettingsStore settings;

  public OfflineConversionExportRoutes(Vertx vertx, ConfigStore store, CallStore calls, SettingsStore settings,
      Clock clock) {
    this.settings = settings;
    this.vertx = vertx;
    this.store = store;
    this.calls = calls;
    this.clock = clock;
  }

  public void mount(AdminApi admin) {
    for (ClickConversionLayout layout : ClickConversionLayout.values()) {
      admin.get("/v1/exports/" + layout.path, ctx -> export(ctx, layout)).timeout(Timeouts.SLOW_ADMIN)
          .scope(PropertyFrom.query("property"));
    }
  }

  private Future<Reply> export(RoutingContext ctx, ClickConversionLayout layout) {
    String name = ctx.request().getParam("conversionName", "Phone call").strip();
    String asked = currency(ctx.request().getParam("currency"));
    String outcome = ctx.request().getParam("outcome", "converted").strip();
    if (!outcome.equals("converted") && !outcome.equals("qualified")) {
      throw new CalltrackException.Invalid("query parameter 'outcome' must be converted or qualified, got '" + outcome + "'");
    }
    boolean qualifiedOnes = outcome.equals("qualified");
    if (name.isEmpty()) {
      throw new CalltrackException.Invalid("conversionName must not be empty");
    }
    if (name.codePoints().anyMatch(Character::isISOControl)) {
      // a line break would split the platform's row in two wherever its parser does not take quotes
      throw new CalltrackException.Invalid("conversionName must be one line of text, without control characters");
    }
    return ReportParams.property(ctx, store).compose(p -> settings.get(p.id()).compose(s -> {
      // the values are in the property's currency (an outcome in another one is refused)
      String currency = asked != null ? asked : s.currency();
      ReportParams.Days days = ReportParams.days(ctx, p, clock);
      return CallPages.read(calls, p, days).compose(pages -> vertx.executeBlocking(() -> {
        List<List<String>> rows = new ArrayList<>(layout.opening);
        for (CallRecord c : CallPages.oldestFirst(pages, p.id())) {
          add(layout, p, c, rows, name, currency, qualifiedOnes);
        }
        return Reply.csv(layout.fileName, Csv.write(rows));
      }, false));
    }));
  }

  /**
   * The {@code currency} parameter as an ISO 4217 code (blank: null, the property's currency). Checked, since it goes into every
   * row the platform imports; upper-cased in the root locale (in a Turkish one "usd" would not become USD).
   */
  static String currency(String raw) {
    if (raw == null || raw.isBlank()) {
      return null;
    }
    try {
      return Currency.getInstance(raw.strip().toUpperCase(Locale.ROOT)).getCurrencyCode();
    } catch (IllegalArgumentException e) {
      throw new CalltrackException.Invalid(
          "query parameter 'currency' must be a 3-letter ISO 4217 currency code like USD, got '" + raw + "'");
    }
  }

  private static void add(ClickConversionLayout layout, PropertyConfig p, CallRecord c, List<List<String>> rows,
      String name, String currency, boolean qualifiedOnes) {
    if (c.outcome() == null
        || !Boolean.TRUE.equals(qualifiedOnes ? c.outcome().qualified() : c.outcome().converted())) {
      return;
    }
    String clickId = layout.clickId(c.attribution());
    if (clickId == null) {
      return;
    }
    rows.add(layout.row(c, clickId, name, c.outcome().value() == null ? "" : c.outcome().value().toPlainString(),
        c.outcome().currency() != null ? c.outcome().currency() : currency, p.zone()));
  }
}
