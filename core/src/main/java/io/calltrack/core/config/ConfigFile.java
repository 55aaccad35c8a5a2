package io.calltrack.core.config;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.calltrack.core.CalltrackException;
import io.calltrack.core.json.JsonMapper;
import io.vertx.core.Future;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The {@code CALLTRACK_CONFIG} file: properties, pools and static numbers in one JSON document,
 * <pre>{"properties": [{"id": ..., ...}], "pools": [{"id": ..., "property": ..., ...}], "numbers": [{"number": ..., ...}]}</pre>
 * Every entry carries its own id (or number), unlike the admin API where it is in the URL.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ConfigFile(
    List<PropertyConfig> properties, List<PoolConfig> pools, List<StaticNumberConfig> numbers) {

  public ConfigFile {
    properties = properties == null ? List.of() : List.copyOf(properties);
    pools = pools == null ? List.of() : List.copyOf(pools);
    numbers = numbers == null ? List.of() : List.copyOf(numbers);
  }

  /** Reads and validates a file (blocking: call it at start-up or from a worker). */
  public static ConfigFile read(Path file) {
    String json;
    try {
      json = Files.readString(file);
    } catch (IOException e) {
      throw new CalltrackException.Invalid("cannot read config file " + file + ": " + e);
    }
    try {
      // a misspelt setting is an error naming it, not a setting left out (the records ignore unknown
      // fields for stored data's sake)
      io.calltrack.core.json.KnownFields.check(JsonMapper.tree(json), ConfigFile.class);
      return JsonMapper.read(json, ConfigFile.class);
    } catch (CalltrackException.Invalid e) {
      throw new CalltrackException.Invalid("config file " + file + ": " + e.getMessage());
    }
  }

  /**
   * Writes everything to {@code store}, in order: properties, then pools, then static numbers, one at
   * a time, stopping at the first refusal (what was written before it stays written).
   */
  public Future<Void> applyTo(ConfigStore store) {
    Future<Void> chain = Future.succeededFuture();
    for (PropertyConfig p : properties) {
      chain = chain.compose(v -> store.putProperty(p));
    }
    for (PoolConfig p : pools) {
      chain = chain.compose(v -> store.putPool(p));
    }
    for (StaticNumberConfig n : numbers) {
      chain = chain.compose(v -> store.putStaticNumber(n));
    }
    return chain;
  }
}
