package io.calltrack.dni.admin;

import io.calltrack.dni.http.PropertyFrom;
import io.calltrack.core.CalltrackException;
import io.calltrack.core.config.ConfigStore;
import io.calltrack.core.config.StaticNumberConfig;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.dni.http.AdminApi;
import io.calltrack.dni.http.Bodies;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code PUT /v1/numbers/{number}}: a static (offline) tracking number and the attribution every
 * call to it gets; {@code GET} reads it back. The number in the URL may be written as E.164
 * ({@code +1555...}, {@code %2B1555...}) or any form {@link PhoneNumber#parse(String)} reads.
 */
public final class NumberRoutes {
  private final ConfigStore store;

  public NumberRoutes(ConfigStore store) {
    this.store = store;
  }

  public void mount(AdminApi admin) {
    PropertyFrom owner = PropertyFrom.owner("number",
        n -> store.staticNumber(PhoneNumber.parse(n)).map(s -> s.map(StaticNumberConfig::property)));
    admin.put("/v1/numbers/:number", this::put).scope(owner.and(PropertyFrom.body("property")));
    admin.get("/v1/numbers/:number", this::get).scope(owner);
  }

  private Future<StaticNumberConfig> put(RoutingContext ctx) {
    PhoneNumber number = PhoneNumber.parse(ctx.pathParam("number"));
    StaticNumberConfig config = Bodies.readWithId(ctx, "number", number.e164(), StaticNumberConfig.class);
    return store.putStaticNumber(config).map(v -> config)
        .recover(err -> TakenNumbers.asTheCallerMaySee(ctx, store, config.property(), err));
  }

  private Future<StaticNumberConfig> get(RoutingContext ctx) {
    PhoneNumber number = PhoneNumber.parse(ctx.pathParam("number"));
    return store.staticNumber(number)
        .map(found -> found.orElseThrow(
            () -> new CalltrackException.NotFound("unknown static number " + number)));
  }
}
