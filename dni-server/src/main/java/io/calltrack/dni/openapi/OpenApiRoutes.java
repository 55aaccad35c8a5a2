package io.calltrack.dni.openapi;

import io.calltrack.dni.http.PublicApi;
import io.calltrack.dni.http.Reply;
import io.vertx.core.Future;

/** {@code GET /openapi.json}: the API's contract, as the requests are checked against it. */
public final class OpenApiRoutes {
  private final ApiContract contract;

  public OpenApiRoutes(ApiContract contract) {
    this.contract = contract;
  }

  public void mount(PublicApi api) {
    api.get("/openapi.json", ctx -> Future.succeededFuture(
        Reply.of(Reply.JSON, contract.document()).header("cache-control", "no-cache")));
  }
}
