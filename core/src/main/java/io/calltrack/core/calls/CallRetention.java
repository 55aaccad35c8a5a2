package io.calltrack.core.calls;

import io.calltrack.core.config.PropertyConfig;
import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import java.util.List;

/**
 * The call store's copy of each property's call-record retention, in the {@code {calls}} slot so the
 * apply-event script can set a record's TTL in the same step that writes it:
 * <pre>
 * {calls}:retention   hash  property id -> call-record retention in ms (absent: kept until erased)
 * </pre>
 * Written by {@link io.calltrack.core.config.RedisConfigStore#putProperty} after the property itself.
 */
public final class CallRetention {
  public static final String KEY = "{calls}:retention";

  private CallRetention() {}

  public static Future<Void> sync(RedisAPI redis, PropertyConfig property) {
    var records = property.retention() == null ? null : property.retention().callRecords();
    Future<?> write = records == null
        ? redis.hdel(List.of(KEY, property.id()))
        : redis.hset(List.of(KEY, property.id(), Long.toString(records.toMillis())));
    return write.mapEmpty();
  }
}
