package io.calltrack.dni.marketing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.dni.testing.DniClient.Reply;
import io.calltrack.dni.testing.DniTestBase;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code PUT /v1/properties/{id}/marketing} with values no alert or target can mean: 400, nothing stored. */
class MarketingSettingsTest extends DniTestBase {

  @Test
  void aRateOrTargetOutOfItsRangeIsRefusedAndChangesNothing() {
    Site site = site(1);
    String path = "/v1/properties/" + site.property() + "/marketing";
    String alerts = "{\"alerts\": {\"url\": \"https://alerts.example\", \"secret\": \"0123456789abcdef\", \"failedCallRate\": ";
    Reply good = api.adminPut(path, alerts + "0.25}, \"targets\": [{\"roiPercent\": 150}]}");
    assertEquals(200, good.status(), good::toString);
    String before = api.adminGet(path).text();

    for (String[] bad : List.of(
        new String[] {alerts + "-1}}", "alerts.failedCallRate"},
        new String[] {alerts + "2}}", "alerts.failedCallRate"},
        new String[] {alerts + "1.0000001}}", "alerts.failedCallRate"},
        new String[] {"{\"targets\": [{\"roiPercent\": -101}]}", "targets[1].roiPercent"},
        new String[] {"{\"targets\": [{\"roiPercent\": 1e999999}]}", "targets[1].roiPercent"})) {
      Reply r = api.adminPut(path, bad[0]);
      assertEquals(400, r.status(), () -> bad[0] + " -> " + r);
      assertEquals("invalid_request", r.error());
      assertTrue(r.json().getString("detail").startsWith(bad[1]), () -> bad[0] + " -> " + r);
    }
    assertEquals(before, api.adminGet(path).text(), "nothing was changed");

    assertEquals(200, api.adminPut(path, alerts + "0}, \"targets\": [{\"roiPercent\": -100}]}").status());
    assertEquals(200, api.adminPut(path, alerts + "1}, \"targets\": [{\"roiPercent\": 1000000}]}").status());
  }
}
