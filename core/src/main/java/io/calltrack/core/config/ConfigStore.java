package io.calltrack.core.config;

import io.calltrack.core.phone.PhoneNumber;
import io.vertx.core.Future;
import java.util.List;
import java.util.Optional;

/**
 * Properties, pools and static numbers, kept in Redis. Every write is validated first and then
 * applied whole (one Lua script), so a bad request changes nothing. Writes publish on
 * {@link #CHANGES_CHANNEL} so other processes (more dni-servers, the router's routing table) refresh.
 */
public interface ConfigStore {
  /** Redis pub/sub channel on which every configuration change is announced (message: what changed). */
  String CHANGES_CHANNEL = "calltrack:config-changed";

  Future<Void> putProperty(PropertyConfig property);

  Future<Optional<PropertyConfig>> property(String propertyId);

  /**
   * Changes one stored property as one step: {@code change} is applied to the property as stored now
   * (not a cached copy) and its answer written only if no other write came in between; if one did, it
   * is applied again to that write's result. {@code change} answers the same instance for "leave it
   * as it is" (nothing is written). Empty if there is no such property; fails with Conflict if other
   * writes kept coming in between.
   */
  Future<Optional<PropertyConfig>> updateProperty(String propertyId, java.util.function.UnaryOperator<PropertyConfig> change);

  /**
   * Creates or replaces a pool. Fails with NotFound if its property does not exist and with Conflict
   * if one of its numbers belongs to another pool or is a static number. Numbers dropped from a pool
   * that are leased or held stay with their session until it ends, then leave the pool.
   */
  Future<Void> putPool(PoolConfig pool);

  Future<Optional<PoolConfig>> pool(String poolId);

  /** The property's pools (empty if none). */
  Future<List<PoolConfig>> poolsOf(String propertyId);

  /** Fails with NotFound if the property does not exist, Conflict if the number is in a pool. */
  Future<Void> putStaticNumber(StaticNumberConfig number);

  Future<Optional<StaticNumberConfig>> staticNumber(PhoneNumber number);

  /** Everything the SIP router needs to route without Redis: every known number and its property. */
  Future<RoutingTable> routingTable();
}
