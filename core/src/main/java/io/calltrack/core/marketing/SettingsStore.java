package io.calltrack.core.marketing;

import io.calltrack.core.json.JsonMapper;
import io.calltrack.core.rollup.RollupKeys;
import io.vertx.core.Future;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import java.util.List;

/** Each property's {@link PropertySettings} as one JSON string next to its rollups ({@link RollupKeys#settings()}). */
public final class SettingsStore {
  private final RedisAPI api;

  public SettingsStore(Redis redis) {
    this.api = RedisAPI.api(redis);
  }

  /** The property's settings, {@link PropertySettings#DEFAULT} if it has none. */
  public Future<PropertySettings> get(String property) {
    return api.get(new RollupKeys(property).settings()).map(res -> res == null ? PropertySettings.DEFAULT
        : JsonMapper.readStored(res.toString(), PropertySettings.class));
  }

  public Future<PropertySettings> put(String property, PropertySettings settings) {
    return api.set(List.of(new RollupKeys(property).settings(), JsonMapper.write(settings))).map(r -> settings);
  }
}
