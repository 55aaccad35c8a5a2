package io.calltrack.dni.auth;

import io.calltrack.core.CalltrackException;
import io.calltrack.core.auth.ApiKey;
import io.calltrack.core.auth.ApiKeys;
import io.calltrack.core.config.ConfigStore;
import io.calltrack.dni.http.AdminApi;
import io.calltrack.dni.http.Bodies;
import io.calltrack.dni.http.Reply;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * API keys, managed with the admin token only (no {@code scope} on these routes):
 * <ul>
 *   <li>{@code POST /v1/api-keys {property, scope: read|write, name?, expiresInDays?}} → 201 {@code {id, key,
 *       property, scope, name, createdAt, expiresAt}}: the key is shown this once; Redis keeps its SHA-256;</li>
 *   <li>{@code GET /v1/api-keys[?property=P]} → {@code {apiKeys: [{id, property, scope, name, createdAt,
 *       expiresAt, lastUsedAt}], live, usedLast30Days, adoptionRate}}: which keys are idle, which expire, and
 *       the share of the live ones in use;</li>
 *   <li>{@code DELETE /v1/api-keys/{id}} → 204: the key stops working at once.</li>
 * </ul>
 */
public final class ApiKeyRoutes {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9]{1,32}");

  private final ApiKeys keys;
  private final ConfigStore store;
  private final java.time.Clock clock;

  public ApiKeyRoutes(ApiKeys keys, ConfigStore store, java.time.Clock clock) {
    this.keys = keys;
    this.store = store;
    this.clock = clock;
  }

  /** The body of {@code POST /v1/api-keys}. */
  public record NewKey(String property, ApiKey.Scope scope, String name, Integer expiresInDays) {}

  /** The longest a key may be given to live, in days (ten years); without {@code expiresInDays} it lives until revoked. */
  static final int MAX_DAYS = 3650;

  public void mount(AdminApi admin) {
    admin.post("/v1/api-keys", this::create);
    admin.get("/v1/api-keys", this::list);
    admin.delete("/v1/api-keys/:id", this::revoke);
  }

  private Future<Reply> create(RoutingContext ctx) {
    NewKey req = Bodies.read(ctx, NewKey.class);
    if (req.property() == null || req.property().isBlank()) {
      throw new CalltrackException.Invalid("property is required: the one property the key opens");
    }
    if (req.scope() == null) {
      throw new CalltrackException.Invalid("scope is required: 'read' or 'write'");
    }
    if (req.name() != null && req.name().length() > 200) {
      throw new CalltrackException.Invalid("name is longer than 200 characters");
    }
    if (req.expiresInDays() != null && (req.expiresInDays() < 1 || req.expiresInDays() > MAX_DAYS)) {
      throw new CalltrackException.Invalid("expiresInDays must be a whole number of days from 1 to " + MAX_DAYS
          + " (left out: the key lives until revoked), not " + req.expiresInDays());
    }
    java.time.Instant expiresAt = req.expiresInDays() == null ? null
        : clock.instant().plus(java.time.Duration.ofDays(req.expiresInDays())).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    String property = req.property().strip();
    return store.property(property).compose(found -> {
      if (found.isEmpty()) {
        throw new CalltrackException.NotFound("unknown property '" + property + "'");
      }
      return keys.create(property, req.scope(), req.name(), expiresAt);
    }).map(issued -> {
      ApiKey k = issued.record();
      java.util.LinkedHashMap<String, Object> out = new java.util.LinkedHashMap<>();
      out.put("id", k.id());
      out.put("key", issued.key());
      out.put("property", k.property());
      out.put("scope", k.scope());
      if (k.name() != null) {
        out.put("name", k.name());
      }
      out.put("createdAt", k.createdAt());
      if (k.expiresAt() != null) {
        out.put("expiresAt", k.expiresAt());
      }
      return Reply.json(201, out);
    });
  }

  /** Days a key must have been used within to count as in use ({@code usedLast30Days}). */
  static final int IN_USE_DAYS = 30;

  /**
   * The keys, and how many of the live ones (not expired) opened a request in the last
   * {@value #IN_USE_DAYS} days: the access handed out that is taken up ({@code adoptionRate}).
   */
  private Future<Map<String, Object>> list(RoutingContext ctx) {
    String property = ctx.request().getParam("property");
    java.time.Instant now = clock.instant();
    java.time.Instant since = now.minus(java.time.Duration.ofDays(IN_USE_DAYS));
    return keys.list(property == null || property.isBlank() ? null : property.strip()).map(all -> {
      List<ApiKey> live = all.stream().filter(k -> !k.expired(now)).toList();
      long used = live.stream().filter(k -> k.lastUsedAt() != null && !k.lastUsedAt().isBefore(since)).count();
      Map<String, Object> out = new java.util.LinkedHashMap<>();
      out.put("apiKeys", all);
      out.put("live", live.size());
      out.put("usedLast30Days", used);
      out.put("adoptionRate", io.calltrack.core.report.RoiRow.rate(used, live.size()));
      return out;
    });
  }

  private Future<Reply> revoke(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    if (id == null || !ID.matcher(id).matches()) {
      throw new CalltrackException.Invalid("id must be an API key id (letters and digits)");
    }
    return keys.revoke(id).map(existed -> {
      if (!existed) {
        throw new CalltrackException.NotFound("no API key '" + id + "'");
      }
      return Reply.noContent();
    });
  }
}
