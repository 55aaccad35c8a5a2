package io.calltrack.dni.export;

import io.calltrack.core.attribution.Attribution;
import io.calltrack.core.calls.CallRecord;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * How an ad platform imports phone calls as conversions of its clicks: the file's opening rows, which
 * click id of a call's attribution it takes, and the row it wants for one converted call.
 */
enum ClickConversionLayout {
  /**
   * Google Ads' offline click-conversion import: the call's start in the property's time zone with its
   * UTC offset ({@code 2026-03-08 10:15:00-0400}), so Google needs no time-zone parameter.
   */
  GOOGLE_ADS("google-ads", "google-ads-conversions.csv", Attribution::gclid,
      List.of(List.of("Google Click ID", "Conversion Name", "Conversion Time", "Conversion Value",
          "Conversion Currency"))) {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ssxx");

    @Override
    List<String> row(CallRecord call, String clickId, String name, String value, String currency, ZoneId zone) {
      return List.of(clickId, name, TIME.format(call.startedAt().atZone(zone)), value, currency);
    }
  },
  /**
   * Microsoft Advertising's bulk file (format version 6.0), "Offline Conversion" records: Conversion
   * Time in UTC as the bulk format writes it ({@code 3/8/2026 3:15:00 PM}); the Client Id column carries
   * the call's id, so the upload's results name the call each one is about.
   */
  MICROSOFT_ADS("microsoft-ads", "microsoft-ads-conversions.csv", Attribution::msclkid,
      List.of(List.of("Type", "Status", "Id", "Parent Id", "Client Id", "Name", "Conversion Currency Code",
              "Conversion Name", "Conversion Time", "Conversion Value", "Microsoft Click Id"),
          List.of("Format Version", "", "", "", "", "6.0", "", "", "", "", ""))) {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("M/d/yyyy h:mm:ss a", Locale.US);

    @Override
    List<String> row(CallRecord call, String clickId, String name, String value, String currency, ZoneId zone) {
      return List.of("Offline Conversion", "", "", "", call.callId(), "", currency, name,
          TIME.format(call.startedAt().atZone(ZoneOffset.UTC)), value, clickId);
    }
  };

  /** The last part of the export's path, {@code /v1/exports/<path>}. */
  final String path;
  final String fileName;
  /** The opening rows: the header, and for some platforms a format line. */
  final List<List<String>> opening;
  private final Function<Attribution, String> clickId;

  ClickConversionLayout(String path, String fileName, Function<Attribution, String> clickId,
      List<List<String>> opening) {
    this.path = path;
    this.fileName = fileName;
    this.clickId = clickId;
    this.opening = opening;
  }

  /**
   * The platform's click id of the call's visit: its last touch's, else its first touch's (a visitor
   * who clicked an ad and came back by typing the address still called because of that click; the
   * platform decides by its own window whether to count it). Null: the platform cannot take the call.
   */
  String clickId(Attribution a) {
    if (a == null) {
      return null;
    }
    String last = clickId.apply(a);
    return last != null ? last : clickId.apply(a.first());
  }

  /** One converted call's row; {@code value} is blank when its outcome has none. */
  abstract List<String> row(CallRecord call, String clickId, String name, String value, String currency,
      ZoneId zone);
}
