package io.calltrack.core.config;

import static io.calltrack.core.testing.Await.failure;
import static io.calltrack.core.testing.Await.result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.calltrack.core.CalltrackException;
import io.calltrack.core.json.JsonMapper;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.core.redis.RedisClientFactory;
import io.calltrack.core.testing.TestNumbers;
import io.calltrack.core.testing.TestRedis;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFileTest {
  @TempDir
  Path dir;

  private static ConfigFile sample() {
    String prop = TestRedis.uniqueId("prop");
    List<PhoneNumber> numbers = TestNumbers.fresh(4);
    PropertyConfig property = new PropertyConfig(prop, "Acme Plumbing", List.of("https://acme.example"),
        List.of(numbers.get(0)), numbers.get(0), "sip:+15559990000@127.0.0.1:5070", "Europe/London");
    PoolConfig pool = new PoolConfig(TestRedis.uniqueId("pool"), prop, numbers.subList(1, 3), 90, 600,
        PoolConfig.OnExhausted.RECYCLE_OLDEST, new PoolConfig.Match("google", null));
    StaticNumberConfig billboard = new StaticNumberConfig(numbers.get(3), prop, "billboard", "offline", "spring");
    return new ConfigFile(List.of(property), List.of(pool), List.of(billboard));
  }

  @Test
  void roundTripsThroughAFileAndIntoAStore() throws Exception {
    ConfigFile config = sample();
    Path file = dir.resolve("calltrack.json");
    Files.writeString(file, JsonMapper.write(config));
    ConfigFile read = ConfigFile.read(file);
    assertEquals(config, read);

    Vertx vertx = Vertx.vertx();
    try {
      RedisConfigStore store = result(RedisConfigStore.create(vertx, RedisClientFactory.create(vertx, TestRedis.url())));
      result(read.applyTo(store));
      PropertyConfig p = config.properties().get(0);
      PoolConfig pool = config.pools().get(0);
      StaticNumberConfig s = config.numbers().get(0);
      assertEquals(Optional.of(p), result(store.property(p.id())));
      assertEquals(List.of(pool), result(store.poolsOf(p.id())));
      assertEquals(Optional.of(s), result(store.staticNumber(s.number())));
      result(store.close());
    } finally {
      result(vertx.close());
    }
  }

  @Test
  void readsAHandWrittenFile() throws Exception {
    Path file = dir.resolve("hand.json");
    Files.writeString(file, """
        {"properties": [{"id": "acme", "defaultNumber": "(555) 010-0000"}],
         "pools": [{"id": "acme-main", "property": "acme", "numbers": ["+1 555 010 0001", "555-010-0002"],
                    "onExhausted": "fallback"}]}
        """);
    ConfigFile config = ConfigFile.read(file);
    assertEquals("+15550100000", config.properties().get(0).defaultNumber().e164());
    assertEquals(List.of(PhoneNumber.parse("+15550100001"), PhoneNumber.parse("+15550100002")),
        config.pools().get(0).numbers());
    assertEquals(PoolConfig.DEFAULT_LEASE_SECONDS, config.pools().get(0).leaseSeconds());
    assertEquals(List.of(), config.numbers());
  }

  @Test
  void badFilesAreClearErrors() throws Exception {
    Path file = dir.resolve("bad.json");
    Files.writeString(file, "{\"pools\": [{\"id\": \"p\", \"property\": \"acme\", \"numbers\": [\"call us\"]}]}");
    CalltrackException.Invalid e = assertThrows(CalltrackException.Invalid.class, () -> ConfigFile.read(file));
    assertTrue(e.getMessage().contains("bad.json"), e.getMessage());
    assertThrows(CalltrackException.Invalid.class, () -> ConfigFile.read(dir.resolve("missing.json")));
    Files.writeString(file, "{\"properties\": [ {\"id\": ");
    assertThrows(CalltrackException.Invalid.class, () -> ConfigFile.read(file));
  }

  /** A misspelt setting anywhere in the file is an error naming it, not a setting left out. */
  @Test
  void aFieldTheFileCannotHaveIsNamedNotIgnored() throws Exception {
    Path file = dir.resolve("typo.json");
    for (String[] typo : List.of(
        new String[] {"{\"pool\": []}", "pool"},
        new String[] {"{\"properties\": [{\"id\": \"acme\", \"defaultNumber\": \"+15550100000\", \"timeZone\": \"UTC\"}]}",
            "properties[0].timeZone"},
        new String[] {"{\"properties\": [{\"id\": \"acme\", \"defaultNumber\": \"+15550100000\", "
            + "\"retention\": {\"callRecordDays\": 30}}]}", "properties[0].retention.callRecordDays"},
        new String[] {"{\"properties\": [{\"id\": \"acme\", \"defaultNumber\": \"+15550100000\", "
            + "\"afterHours\": {\"hours\": {}, \"line\": \"sip:n@example.com\", \"lines\": []}}]}",
            "properties[0].afterHours.lines"},
        new String[] {"{\"pools\": [{\"id\": \"p\", \"property\": \"acme\", \"numbers\": [\"+15550100001\"], "
            + "\"match\": {\"sorce\": \"google\"}}]}", "pools[0].match.sorce"})) {
      Files.writeString(file, typo[0]);
      CalltrackException.Invalid e = assertThrows(CalltrackException.Invalid.class, () -> ConfigFile.read(file), typo[0]);
      assertTrue(e.getMessage().endsWith("unknown field '" + typo[1] + "'"), e.getMessage());
    }
  }

  @Test
  void applyStopsAtTheFirstRefusal() {
    Vertx vertx = Vertx.vertx();
    try {
      RedisConfigStore store = result(RedisConfigStore.create(vertx, RedisClientFactory.create(vertx, TestRedis.url())));
      PoolConfig orphan = new PoolConfig(TestRedis.uniqueId("pool"), TestRedis.uniqueId("ghost"),
          TestNumbers.fresh(1), null, null, null, null);
      Throwable e = failure(new ConfigFile(null, List.of(orphan), null).applyTo(store));
      assertInstanceOf(CalltrackException.NotFound.class, e);
      result(store.close());
    } finally {
      result(vertx.close());
    }
  }
}
