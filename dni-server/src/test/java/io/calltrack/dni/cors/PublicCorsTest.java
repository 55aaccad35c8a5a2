package io.calltrack.dni.cors;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.config.PropertyConfig;
import io.calltrack.core.phone.PhoneNumber;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Pure logic: which origins a property's allowedOrigins let in. */
class PublicCorsTest {
  private static PropertyConfig property(String... origins) {
    return new PropertyConfig("p", null, List.of(origins), List.of(PhoneNumber.parse("+15551230000")),
        null, null, null);
  }

  @Test
  void exactOriginsOnly() {
    PropertyConfig p = property("https://www.shop.example", "http://localhost:3000");
    assertTrue(PublicCors.allows(p, "https://www.shop.example"));
    assertTrue(PublicCors.allows(p, "HTTPS://WWW.SHOP.EXAMPLE"));
    assertTrue(PublicCors.allows(p, "http://localhost:3000"));
    assertFalse(PublicCors.allows(p, "http://www.shop.example"), "scheme matters");
    assertFalse(PublicCors.allows(p, "https://shop.example"), "host matters");
    assertFalse(PublicCors.allows(p, "https://www.shop.example.evil.example"));
    assertFalse(PublicCors.allows(p, "http://localhost:3001"), "port matters");
    assertFalse(PublicCors.allows(p, "null"), "sandboxed frames send the origin 'null'");
    assertTrue(PublicCors.allows(p, null), "no Origin header: not a CORS request");
  }

  @Test
  void wildcardAndEmpty() {
    assertTrue(PublicCors.allows(property("*"), "https://anything.example"));
    assertFalse(PublicCors.allows(property(), "https://www.shop.example"));
    assertFalse(PublicCors.anyAllows(List.of(property()), null));
  }
}
