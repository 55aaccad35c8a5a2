package io.calltrack.dni.health;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.calltrack.dni.http.Responses;
import io.calltrack.dni.http.Timeouts;
import io.vertx.ext.web.Router;
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

  public void mount(Router router) {
    router.get("/health/live").handler(ctx -> Responses.ok(ctx, new Health("up", null)));
    router.get("/health/ready").handler(this::ready);
  }

  private void ready(RoutingContext ctx) {
    timeouts.publicBound(redis.ping(List.of())).onComplete(ar -> {
      if (ar.succeeded()) {
        Responses.ok(ctx, new Health("up", "up"));
      } else {
        Responses.json(ctx, 503, new Health("down", "down"));
      }
    });
  }
}
