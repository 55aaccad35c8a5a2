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

  /**
   * A misspelt setting is refused, not dropped: a business that sends "bussinessHours" must not go on
   * believing its hours are set (after-hours figures and the router's after-hours line read them).
   */
  @Test
  void aSettingItDoesNotKnowIsRefusedByNameAndChangesNothing() {
    Site site = site(1);
    String path = "/v1/properties/" + site.property() + "/marketing";
    assertEquals(200, api.adminPut(path, "{\"currency\": \"EUR\"}").status());
    String before = api.adminGet(path).text();
    for (String[] bad : List.of(
        new String[] {"{\"bussinessHours\": {\"monday\": [\"09:00\", \"17:00\"]}}", "bussinessHours"},
        new String[] {"{\"webhook\": {\"url\": \"https://crm.example/h\", \"secret\": \"0123456789abcdef\", \"sceret\": \"x\"}}", "webhook.sceret"},
        new String[] {"{\"targets\": [{\"revenue\": \"100.00\", \"compaign\": \"x\"}]}", "targets[1].compaign"},
        new String[] {"{\"alerts\": {\"url\": \"https://a.example\", \"secret\": \"0123456789abcdef\", \"poolUtilisationPercent\": 80}}", "alerts.poolUtilisationPercent"},
        new String[] {"{\"reports\": {\"url\": \"https://r.example\", \"secret\": \"0123456789abcdef\", \"every\": \"week\", \"groupby\": \"source\"}}", "reports.groupby"})) {
      Reply r = api.adminPut(path, bad[0]);
      assertEquals(400, r.status(), () -> bad[0] + " -> " + r);
      assertTrue(r.json().getString("detail").startsWith("unknown field '" + bad[1] + "'"), () -> bad[0] + " -> " + r);
    }
    assertEquals(before, api.adminGet(path).text(), "nothing was changed");
  }
}
