package io.calltrack.advisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParamsReaderTest {
  @Test
  void defaultsThenFileThenFlags(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("site.json");
    Files.writeString(file, "{\"visitorsPerDay\": 5000, \"holdSeconds\": 900, \"hourlyCurve\": "
        + "[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,2]}");
    TrafficParams p = new ParamsReader().file(file).set(ParamsReader.camel("hold-seconds"), "600").build();
    assertEquals(5000, p.visitorsPerDay());
    assertEquals(600, p.holdSeconds());
    assertEquals(2.0, p.hourlyCurve().get(23));
    assertEquals(TrafficParams.defaults().callShare(), p.callShare());
    assertEquals(TrafficParams.defaults(), new ParamsReader().build());
  }

  @Test
  void typosAndBadValuesAreRefused(@TempDir Path dir) throws Exception {
    assertThrows(IllegalArgumentException.class, () -> new ParamsReader().set("visitorsPerDya", "1"));
    assertThrows(IllegalArgumentException.class, () -> new ParamsReader().set("callShare", "1.5").build());
    assertThrows(IllegalArgumentException.class, () -> new ParamsReader().set("hourlyCurve", "1,2,3").build());
    assertThrows(IllegalArgumentException.class, () -> new ParamsReader().set("visitorsPerDay", "lots").build());
    Path file = dir.resolve("bad.json");
    Files.writeString(file, "{\"visitors\": 5000}");
    assertThrows(IllegalArgumentException.class, () -> new ParamsReader().file(file));
  }

  @Test
  void kebabFlagsBecomeCamelSettings() {
    assertEquals("visitorsPerDay", ParamsReader.camel("visitors-per-day"));
    assertEquals("seed", ParamsReader.camel("seed"));
  }
}
