package io.calltrack.core.json;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link IsoInstant} writes every instant exactly as {@link Instant#toString()} does. */
class IsoInstantTest {
  private static final long MIN = Instant.parse("0000-01-01T00:00:00Z").getEpochSecond();
  private static final long MAX = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();

  @Test
  void writesEdgesAsTheJdkDoes() {
    List<Instant> edges = new ArrayList<>(List.of(Instant.EPOCH, Instant.MIN, Instant.MAX,
        Instant.parse("1969-12-31T23:59:59.999999999Z"), Instant.parse("2024-02-29T12:00:00Z"),
        Instant.parse("2100-03-01T00:00:00.001Z"), Instant.parse("2000-02-29T23:59:59.000001Z"),
        Instant.parse("1900-01-01T00:00:00.1Z"), Instant.parse("2026-12-31T23:59:59.123456789Z")));
    for (long s : new long[] {MIN - 1, MIN, MIN + 1, MAX - 1, MAX, MAX + 1, -1, 0, 1, 86_399, 86_400}) {
      for (int nano : new int[] {0, 1, 999, 1_000, 999_999, 1_000_000, 10_000_000, 100_000_000, 999_999_999}) {
        edges.add(Instant.ofEpochSecond(s, nano));
      }
    }
    for (Instant i : edges) {
      assertEquals(i.toString(), IsoInstant.format(i), "epoch second " + i.getEpochSecond());
    }
  }

  @Test
  void writesRandomInstantsOfEveryPrecisionAsTheJdkDoes() {
    SplittableRandom random = new SplittableRandom(20261202);
    for (int n = 0; n < 200_000; n++) {
      long s = random.nextLong(MIN - 1_000_000L, MAX + 1_000_000L);
      int nano = switch (n % 4) {
        case 0 -> 0;
        case 1 -> random.nextInt(1_000) * 1_000_000;
        case 2 -> random.nextInt(1_000_000) * 1_000;
        default -> random.nextInt(1_000_000_000);
      };
      Instant i = Instant.ofEpochSecond(s, nano);
      assertEquals(i.toString(), IsoInstant.format(i), "epoch second " + s + ", nano " + nano);
    }
  }

  @Test
  void theJsonMapperWritesInstantsWithIt() throws Exception {
    assertEquals(IsoInstant.Serializer.class,
        JsonMapper.mapper().getSerializerProviderInstance().findValueSerializer(Instant.class).getClass());
    Instant i = Instant.parse("2026-12-02T16:40:00.120Z");
    assertEquals("\"2026-12-02T16:40:00.120Z\"", JsonMapper.write(i));
    assertEquals("{\"at\":\"2026-12-02T16:40:00.120Z\"}", JsonMapper.write(new At(i)));
    assertEquals(i, JsonMapper.read("{\"at\":\"2026-12-02T16:40:00.120Z\"}", At.class).at());
  }

  record At(Instant at) {}
}
