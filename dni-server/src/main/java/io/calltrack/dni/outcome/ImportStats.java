package io.calltrack.dni.outcome;

import io.calltrack.core.CalltrackException;
import io.calltrack.core.rollup.Hashes;
import io.vertx.core.Future;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Counts of offline outcome imports ({@code POST /v1/outcomes}) in the hash {@value #KEY}: uploads
 * applied, uploads refused for bad input (400: an upload is all or nothing), rows applied. The success
 * rate is applied / (applied + refused) uploads. Failures that are not the client's (Redis down) are
 * not counted.
 */
public final class ImportStats {
  public static final String KEY = "{imports}:outcomes";

  private final RedisAPI api;

  public ImportStats(Redis redis) {
    this.api = RedisAPI.api(redis);
  }

  /** Counts {@code upload} when it completes: applied with its rows, or refused as bad input. */
  Future<Map<String, Object>> count(Future<Map<String, Object>> upload) {
    return upload.compose(res -> api.hincrby(KEY, "applied", "1")
            .compose(x -> api.hincrby(KEY, "rowsApplied", String.valueOf(res.get("applied"))))
            .map(x -> res).otherwise(res),
        err -> (err instanceof CalltrackException.Invalid
            ? api.hincrby(KEY, "refused", "1").<Void>mapEmpty().otherwiseEmpty() : Future.<Void>succeededFuture())
            .compose(x -> Future.failedFuture(err)));
  }

  public Future<Map<String, Object>> report() {
    return api.hgetall(KEY).map(res -> {
      Map<String, String> h = Hashes.toMap(res);
      long applied = Long.parseLong(h.getOrDefault("applied", "0"));
      long refused = Long.parseLong(h.getOrDefault("refused", "0"));
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("outcomeUploads", applied + refused);
      out.put("applied", applied);
      out.put("refused", refused);
      out.put("rowsApplied", Long.parseLong(h.getOrDefault("rowsApplied", "0")));
      out.put("successRate", applied + refused == 0 ? null
          : BigDecimal.valueOf(applied).divide(BigDecimal.valueOf(applied + refused), 4, RoundingMode.HALF_UP));
      return out;
    });
  }
}
