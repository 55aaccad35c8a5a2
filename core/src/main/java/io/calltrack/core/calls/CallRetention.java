package io.calltrack.core.calls;

import io.calltrack.core.config.PropertyConfig;
import io.calltrack.core.redis.LuaScript;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;

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

  /** Writes {@code property}'s call-record retention, WAIT-backed with {@code durability}. */
  public static Future<Void> sync(Redis redis, PropertyConfig property, LuaScript.Durability durability) {
    var records = property.retention() == null ? null : property.retention().callRecords();
    String key = RedisCallStore.retention(property.id());
    Request write = records == null ? Request.cmd(Command.DEL).arg(key)
        : Request.cmd(Command.SET).arg(key).arg(Long.toString(records.toMillis()));
    return LuaScript.sendReplicated(redis, write, durability).mapEmpty();
  }
}
