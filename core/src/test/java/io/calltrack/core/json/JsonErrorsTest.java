package io.calltrack.core.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.calltrack.core.CalltrackException;
import io.calltrack.core.config.PoolConfig;
import org.junit.jupiter.api.Test;

/** Where a mapping error is, named as the request check names it: dotted, lists numbered from 1. */
class JsonErrorsTest {
  static String detail(String json) {
    return assertThrows(CalltrackException.Invalid.class, () -> JsonMapper.read(json, PoolConfig.class)).getMessage();
  }

  @Test
  void placesAreNamedAsTheApiReferenceNamesThem() {
    assertEquals("wrong type at numbers[2]: expected a phone number string, like \"+15551234567\"",
        detail("{\"id\": \"p\", \"property\": \"s\", \"numbers\": [\"+14155550100\", {}]}"));
    assertEquals("wrong type at leaseSeconds: expected a whole number",
        detail("{\"id\": \"p\", \"property\": \"s\", \"numbers\": [\"+14155550100\"], \"leaseSeconds\": [1]}"));
    assertEquals("wrong type at the body: expected an object", detail("[]"));
  }
}
