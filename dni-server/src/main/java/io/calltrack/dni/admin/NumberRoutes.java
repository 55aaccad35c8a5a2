package io.calltrack.dni.admin;

import io.calltrack.core.CalltrackException;
import io.calltrack.core.config.ConfigStore;
import io.calltrack.core.config.StaticNumberConfig;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.dni.http.AdminAuth;
import io.calltrack.dni.http.Bodies;
import io.calltrack.dni.http.Responses;
import io.calltrack.dni.http.Timeouts;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code PUT /v1/numbers/{number}}: a static (offline) tracking number and the attribution every
 * call to it gets; {@code GET} reads it back. The number in the URL may be written as E.164
 * ({@code +1555...}, {@code %2B1555...}) or any form {@link PhoneNumber#parse(String)} reads.
 */
public final class NumberRoutes {
  private final Timeouts timeouts;
  private final ConfigStore store;
  private final AdminAuth auth;

  public NumberRoutes(ConfigStore store, AdminAuth auth, Timeouts timeouts) {
    this.timeouts = timeouts;
    this.store = store;
    this.auth = auth;
  }

  public void mount(Router router) {
    router.put("/v1/numbers/:number").handler(auth).handler(this::put);
    router.get("/v1/numbers/:number").handler(auth).handler(this::get);
  }

  private void put(RoutingContext ctx) {
    PhoneNumber number = PhoneNumber.parse(ctx.pathParam("number"));
    StaticNumberConfig config = Bodies.readWithId(ctx, "number", number.e164(), StaticNumberConfig.class);
    Responses.respond(ctx, timeouts.admin(store.putStaticNumber(config)).map(v -> config));
  }

  private void get(RoutingContext ctx) {
    PhoneNumber number = PhoneNumber.parse(ctx.pathParam("number"));
    Responses.respond(ctx, timeouts.admin(store.staticNumber(number))
        .map(found -> found.orElseThrow(
            () -> new CalltrackException.NotFound("unknown static number " + number))));
  }
}
