package io.calltrack.core.calls;

import io.calltrack.core.config.PropertyConfig;
import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import java.util.List;

/**
 * The call store's copy of each property's call-record retention, in the property's calls shard so
 * the apply-event script can set a record's TTL in the same step that writes it:
 * <pre>
 * {calls:P}:retention   string  call-record retention in ms (absent: kept until erased)
 * </pre>
 * Written by {@link io.calltrack.core.config.RedisConfigStore#putProperty} after the property itself.
 */
public final class CallRetention {
  private CallRetention() {}

  public static Future<Void> sync(RedisAPI redis, PropertyConfig property) {
    var records = property.retention() == null ? null : property.retention().callRecords();
    Future<?> write = records == null
        ? redis.del(List.of(RedisCallStore.retention(property.id())))
        : redis.set(List.of(RedisCallStore.retention(property.id()), Long.toString(records.toMillis())));
    return write.mapEmpty();
  }
}
