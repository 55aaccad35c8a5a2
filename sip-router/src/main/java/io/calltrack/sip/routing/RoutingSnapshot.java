package io.calltrack.sip.routing;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.calltrack.core.config.PropertyConfig;
import io.calltrack.core.config.RoutingTable;
import io.calltrack.core.config.StaticNumberConfig;
import io.calltrack.core.json.JsonMapper;
import io.calltrack.core.phone.PhoneNumber;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The last routing table the router got from Redis, kept on local disk, so a router that starts
 * while Redis is down still routes the numbers it routed before. Blocking file IO: call it off the
 * event loop.
 */
public final class RoutingSnapshot {
  private final Path file;

  public RoutingSnapshot(Path dir) {
    this.file = dir.resolve("routing-table.json");
  }

  /** The file's form: numbers as E.164 strings, so any JSON reader can take it. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  record Stored(List<PropertyConfig> properties, Map<String, String> poolOfNumber, List<StaticNumberConfig> statics,
      Map<String, String> propertyOfNumber) {}

  public void save(RoutingTable table) throws IOException {
    Stored stored = new Stored(List.copyOf(table.properties().values()), byE164(table.poolOfNumber()),
        List.copyOf(table.staticNumbers().values()), byE164(table.propertyOfNumber()));
    Files.createDirectories(file.getParent());
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, JsonMapper.write(stored));
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  public Optional<RoutingTable> load() throws IOException {
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    Stored s = JsonMapper.read(Files.readString(file), Stored.class);
    return Optional.of(new RoutingTable(
        s.properties().stream().collect(Collectors.toMap(PropertyConfig::id, Function.identity())),
        parsed(s.poolOfNumber()),
        s.statics().stream().collect(Collectors.toMap(StaticNumberConfig::number, Function.identity())),
        parsed(s.propertyOfNumber())));
  }

  private static Map<String, String> byE164(Map<PhoneNumber, String> m) {
    Map<String, String> out = new HashMap<>();
    m.forEach((k, v) -> out.put(k.e164(), v));
    return out;
  }

  private static Map<PhoneNumber, String> parsed(Map<String, String> m) {
    Map<PhoneNumber, String> out = new HashMap<>();
    m.forEach((k, v) -> out.put(PhoneNumber.parse(k), v));
    return out;
  }
}
