package io.calltrack.core.config;

import io.calltrack.core.phone.PhoneNumber;
import java.util.Map;
import java.util.Optional;

/**
 * A snapshot of which numbers are routable and where they go: every pool number and static number,
 * mapped to its property. Immutable; the router swaps in a new one when configuration changes.
 */
public record RoutingTable(
    Map<String, PropertyConfig> properties,
    Map<PhoneNumber, String> poolOfNumber,
    Map<PhoneNumber, StaticNumberConfig> staticNumbers,
    Map<PhoneNumber, String> propertyOfNumber) {

  public static final RoutingTable EMPTY = new RoutingTable(Map.of(), Map.of(), Map.of(), Map.of());

  public RoutingTable {
    properties = Map.copyOf(properties);
    poolOfNumber = Map.copyOf(poolOfNumber);
    staticNumbers = Map.copyOf(staticNumbers);
    propertyOfNumber = Map.copyOf(propertyOfNumber);
  }

  /** The property that owns a tracking or static number, if the number is known. */
  public Optional<PropertyConfig> propertyOf(PhoneNumber number) {
    return Optional.ofNullable(propertyOfNumber.get(number)).map(properties::get);
  }
}
