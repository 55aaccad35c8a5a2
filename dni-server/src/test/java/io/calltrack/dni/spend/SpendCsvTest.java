package io.calltrack.dni.spend;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.calltrack.core.spend.SpendRow;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** The spend CSV as pure parsing: what a header may look like. */
class SpendCsvTest {
  /**
   * A header in capitals is read whatever the server's locale: in a Turkish one, "CAMPAIGN" lower-cased
   * by the JVM's own rules is "campaıgn" (a dotless i), and the upload was refused for its header.
   */
  @Test
  void aHeaderInCapitalsIsReadInAnyLocale() {
    Locale before = Locale.getDefault();
    Locale.setDefault(Locale.forLanguageTag("tr-TR"));
    try {
      List<SpendRow> rows = SpendRoutes.fromCsv("DATE,SOURCE,MEDIUM,CAMPAIGN,AMOUNT\n2026-03-02,google,cpc,spring,12.50\n");
      assertEquals(1, rows.size());
      assertEquals("spring", rows.get(0).campaign());
      assertEquals(1250, rows.get(0).amountMinor());
    } finally {
      Locale.setDefault(before);
    }
  }
}
