package io.calltrack.dni.health;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.calltrack.dni.http.PublicApi;
import io.calltrack.dni.http.Reply;
import io.calltrack.dni.http.Timeouts;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import io.vertx.redis.client.RedisAPI;
import java.util.List;

/**
 * {@code GET /health/live}: the process answers HTTP. {@code GET /health/ready}: and Redis answers
 * PING within a second; a load balancer should stop sending admin traffic when it is not (assigns
 * still answer with fallbacks, so the snippet never breaks a page).
 */
public final class HealthRoutes {
  private final Timeouts timeouts;
  private final RedisAPI redis;

  public HealthRoutes(RedisAPI redis, Timeouts timeouts) {
    this.timeouts = timeouts;
    this.redis = redis;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Health(String status, String redis) {}

  public void mount(PublicApi api) {
    mountLive(api);
    api.get("/health/ready", this::ready);
  }

  /** {@code /health/live} alone: what a process without Redis of its own (a sip-router's metrics port) serves. */
  public static void mountLive(PublicApi api) {
    api.get("/health/live", ctx -> Future.succeededFuture(new Health("up", null)));
  }

  private Future<Object> ready(RoutingContext ctx) {
    return timeouts.publicBound(redis.ping(List.of()))
        .<Object>map(pong -> new Health("up", "up"))
        .otherwise(err -> Reply.json(503, new Health("down", "down")));
  }
}
