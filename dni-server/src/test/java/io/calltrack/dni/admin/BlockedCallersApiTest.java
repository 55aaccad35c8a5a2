package io.calltrack.dni.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.dni.testing.DniClient;
import io.calltrack.dni.testing.DniClient.Reply;
import io.calltrack.dni.testing.DniTestBase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A property's blocked callers over real HTTP and real Redis: each entry read as the client wrote it
 * (E.164, a national number of the property's country, {@code anonymous}), stored once each in E.164,
 * a bad entry named in the client's terms and nothing changed; erasing a caller takes the number off
 * every property's list.
 */
class BlockedCallersApiTest extends DniTestBase {

  private Reply put(String property, String defaultNumber, List<String> blocked) {
    return api.request(HttpMethod.PUT, "/v1/properties/" + property, DniClient.body(
        propertyBody(defaultNumber, ORIGIN).put("blockedCallers", new JsonArray(new ArrayList<>(blocked)))), api.admin());
  }

  private List<Object> blocked(String property) {
    JsonArray list = api.adminGet("/v1/properties/" + property).json().getJsonArray("blockedCallers");
    return list == null ? List.of() : list.getList();
  }

  @Test
  void blockedCallersAreStoredInE164OnceEachAndABadEntryIsRefusedByItsPlace() {
    Site a = site(1);
    for (List<String> bad : List.of(List.of("+13125550123", "not a number"), List.of("anonymous", "+1312555"),
        List.of(""))) {
      Reply r = put(a.property(), a.defaultNumber(), bad);
      assertEquals(400, r.status(), () -> bad + " -> " + r);
      assertEquals("invalid_request", r.error());
      String at = "blockedCallers[" + (bad.size() - 1) + "] must be a phone number";
      assertTrue(r.json().getString("detail").contains(at), () -> bad + " -> " + r);
    }
    List<String> tooMany = new ArrayList<>();
    for (int i = 0; i < 1001; i++) {
      tooMany.add("+1312555" + String.format("%04d", i));
    }
    Reply many = put(a.property(), a.defaultNumber(), tooMany);
    assertEquals(400, many.status(), many::toString);
    assertTrue(many.json().getString("detail").contains("blockedCallers"), many::toString);
    assertEquals(List.of(), blocked(a.property()), "nothing was changed");

    Reply ok = put(a.property(), a.defaultNumber(), List.of("(312) 555-0123", "+13125550100", "ANONYMOUS",
        "+1 312 555 0100"));
    assertEquals(200, ok.status(), ok::toString);
    assertEquals(List.of("+13125550100", "+13125550123", "anonymous"), blocked(a.property()));
  }

  @Test
  void erasingACallerTakesTheNumberOffEveryPropertysList() {
    Site a = site(1);
    Site b = site(1);
    assertEquals(200, put(a.property(), a.defaultNumber(), List.of("+13125550123", "+13125550100")).status());
    assertEquals(200, put(b.property(), b.defaultNumber(), List.of("+13125550123", "anonymous")).status());
    Reply erased = api.request(HttpMethod.DELETE, "/v1/callers/+13125550123", null, api.admin());
    assertEquals(200, erased.status(), erased::toString);
    assertEquals(List.of("+13125550100"), blocked(a.property()));
    assertEquals(List.of("anonymous"), blocked(b.property()));
  }
}
