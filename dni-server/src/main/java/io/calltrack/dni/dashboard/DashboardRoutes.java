package io.calltrack.dni.dashboard;

import io.calltrack.dni.http.PropertyFrom;
import io.calltrack.core.CalltrackException;
import io.calltrack.core.callback.RedisCallbackStore;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.CallStore;
import io.calltrack.core.config.ConfigStore;
import io.calltrack.core.config.PropertyConfig;
import io.calltrack.core.pool.PoolEngine;
import io.calltrack.core.pool.PoolStatus;
import io.calltrack.core.rollup.RollupStore;
import io.calltrack.dni.http.AdminApi;
import io.calltrack.dni.http.PublicApi;
import io.calltrack.dni.http.Reply;
import io.calltrack.dni.report.ReportParams;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The ops dashboard: {@code GET /dashboard} (one static page with its script and style, public: it
 * holds no data) and the admin JSON it reads besides the ROI report:
 * <ul>
 *   <li>{@code GET /v1/pools?property=P} → {@code {pools: [{poolId, property, size, leased, holding, free,
 *       utilization, exhausted, recycled}]}} (every pool with numbers when no property is given)</li>
 *   <li>{@code GET /v1/dashboard/properties} → {@code {properties: [{id, name, timezone}], admin}}: every
 *       property for the admin token, its own for an API key (a client's dashboard)</li>
 *   <li>{@code GET /v1/dashboard?property=P} → {@code {property, timezone, now, today, pools: [pool status +
 *       history: [{at, leased, holding, size, exhausted, utilizationPercent}] over the last hour],
 *       liveCalls: [call records], callsByHour: [24 counts, local hours of today], callsToday,
 *       callbacks: {pending, next: [the first callbacks the routers will place]}}}</li>
 * </ul>
 */
public final class DashboardRoutes {
  private static final Map<String, String> ASSETS = Map.of(
      "index.html", "text/html; charset=utf-8",
      "dashboard.js", "text/javascript; charset=utf-8",
      "trends.js", "text/javascript; charset=utf-8",
      "dashboard.css", "text/css; charset=utf-8");
  public static final int MAX_LIVE_CALLS = 100;
  /** Callbacks the dashboard shows of those waiting (the rest are counted and a page away: GET /v1/callbacks). */
  public static final int NEXT_CALLBACKS = 10;

  private final ConfigStore store;
  private final PoolEngine engine;
  private final CallStore calls;
  private final RollupStore rollups;
  private final UtilizationHistory history;
  private final Clock clock;
  private final io.calltrack.dni.marketing.DashboardUsage usage;
  private final RedisCallbackStore callbacks;
  private final Map<String, Buffer> assets = new LinkedHashMap<>();

  public DashboardRoutes(ConfigStore store, PoolEngine engine, CallStore calls, RollupStore rollups,
      UtilizationHistory history, Clock clock, io.calltrack.dni.marketing.DashboardUsage usage,
      RedisCallbackStore callbacks) {
    this.usage = usage;
    this.callbacks = callbacks;
    this.store = store;
    this.engine = engine;
    this.calls = calls;
    this.rollups = rollups;
    this.history = history;
    this.clock = clock;
    ASSETS.keySet().forEach(name -> assets.put(name, load("/dashboard/" + name)));
  }

  /** The page and its files are public (they hold no data); the JSON they read is admin. */
  public void mount(PublicApi api, AdminApi admin) {
    api.get("/dashboard", ctx -> asset("index.html"));
    api.get("/dashboard/:asset", ctx -> asset(ctx.pathParam("asset")));
    admin.get("/v1/pools", this::pools).scope(PropertyFrom.query("property")); // no property: admin only
    // every property for the admin token, its own for a key (a client's dashboard)
    admin.get("/v1/dashboard/properties", this::properties).scope(PropertyFrom.callersOwn());
    admin.get("/v1/dashboard", this::summary).scope(PropertyFrom.query("property"));
  }

  private Future<Reply> asset(String name) {
    Buffer body = assets.get(name);
    if (body == null) {
      throw new CalltrackException.NotFound("no dashboard file '" + name + "'");
    }
    return Future.succeededFuture(Reply.of(ASSETS.get(name), body).header("cache-control", "no-cache"));
  }

  private Future<Map<String, List<PoolStatus>>> pools(RoutingContext ctx) {
    String property = ctx.request().getParam("property");
    Future<List<String>> ids = property == null || property.isBlank()
        ? store.routingTable().map(t -> t.poolOfNumber().values().stream().distinct().sorted().toList())
        // a property that does not exist is a 404, as in the reports and the calls list, not an empty list
        : ReportParams.named(store, property.strip()).compose(named -> store.poolsOf(named.id()))
            .map(list -> list.stream().map(p -> p.id()).sorted().toList());
    return ids.compose(this::statuses).map(list -> Map.of("pools", list));
  }

  private Future<List<PoolStatus>> statuses(List<String> ids) {
    List<Future<PoolStatus>> all = new ArrayList<>();
    for (String id : ids) {
      all.add(engine.status(id));
    }
    return Future.all(all).map(cf -> {
      List<PoolStatus> out = new ArrayList<>();
      for (int i = 0; i < all.size(); i++) {
        out.add(cf.resultAt(i));
      }
      return out;
    });
  }

  private Future<Map<String, Object>> properties(RoutingContext ctx) {
    io.calltrack.dni.http.Principal caller = io.calltrack.dni.http.Principal.of(ctx);
    return store.routingTable().map(t -> {
      List<Map<String, Object>> list = t.properties().values().stream()
          .filter(p -> caller.isAdmin() || p.id().equals(caller.apiKey().property()))
          .sorted(Comparator.comparing(PropertyConfig::id))
          .map(p -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", p.id());
            m.put("name", p.name());
            m.put("timezone", p.timezone());
            return m;
          }).toList();
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("properties", list);
      out.put("admin", caller.isAdmin()); // a key's page leaves out what spans properties
      return out;
    });
  }

  private Future<Map<String, Object>> summary(RoutingContext ctx) {
    boolean client = !io.calltrack.dni.http.Principal.of(ctx).isAdmin();
    return ReportParams.property(ctx, store).compose(p -> summary(p, client));
  }

  /** {@code client}: read with one of the property's API keys (its client's dashboard), not the admin token. */
  private Future<Map<String, Object>> summary(PropertyConfig p, boolean client) {
    LocalDate today = clock.instant().atZone(p.zone()).toLocalDate();
    usage.seen(p.id(), today, client);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("property", p.id());
    out.put("timezone", p.timezone());
    out.put("now", clock.instant().toString());
    out.put("today", today.toString());
    return store.poolsOf(p.id())
        .compose(pools -> statuses(pools.stream().map(c -> c.id()).sorted().toList()))
        .compose(this::withHistory)
        .compose(pools -> {
          out.put("pools", pools);
          return liveCalls(p.id());
        })
        .compose(live -> {
          out.put("liveCalls", live);
          return rollups.callsByHour(p.id(), today);
        })
        .compose(hours -> {
          List<Long> list = new ArrayList<>();
          long total = 0;
          for (long h : hours) {
            list.add(h);
            total += h;
          }
          out.put("callsByHour", list);
          out.put("callsToday", total);
          return callbacks.pendingCount(p.id());
        })
        .compose(pending -> callbacks.pending(p.id(), NEXT_CALLBACKS, null).map(next -> {
          // the leads and missed callers waiting to be called back, next first
          out.put("callbacks", Map.of("pending", Math.max(pending, next.callbacks().size()), "next", next.callbacks()));
          return out;
        }));
  }

  private Future<List<Map<String, Object>>> withHistory(List<PoolStatus> statuses) {
    List<Future<Map<String, Object>>> all = new ArrayList<>();
    for (PoolStatus s : statuses) {
      all.add(history.record(s).compose(v -> history.history(s.poolId(), Duration.ofHours(1))).map(samples -> {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("poolId", s.poolId());
        m.put("property", s.property());
        m.put("size", s.size());
        m.put("leased", s.leased());
        m.put("holding", s.holding());
        m.put("free", s.free());
        m.put("utilization", s.utilization());
        m.put("exhausted", s.exhausted());
        m.put("recycled", s.recycled());
        m.put("shared", s.shared());
        m.put("calls", s.calls());
        m.put("history", samples.stream().map(x -> {
          Map<String, Object> h = new LinkedHashMap<>();
          h.put("at", x.at().toString());
          h.put("leased", x.leased());
          h.put("holding", x.holding());
          h.put("size", x.size());
          h.put("exhausted", x.exhausted());
          h.put("utilizationPercent", BigDecimal.valueOf(x.utilizationPermille(), 1));
          return h;
        }).toList());
        return m;
      }));
    }
    return Future.all(all).map(cf -> {
      List<Map<String, Object>> out = new ArrayList<>();
      for (int i = 0; i < all.size(); i++) {
        out.add(cf.resultAt(i));
      }
      return out;
    });
  }

  private Future<List<CallRecord>> liveCalls(String property) {
    return rollups.liveCallIds(property).compose(ids -> {
      List<Future<Optional<CallRecord>>> reads = new ArrayList<>();
      for (String id : ids.subList(0, Math.min(ids.size(), MAX_LIVE_CALLS))) {
        reads.add(calls.get(id));
      }
      return Future.all(reads).map(cf -> {
        List<CallRecord> out = new ArrayList<>();
        for (int i = 0; i < reads.size(); i++) {
          Optional<CallRecord> r = cf.resultAt(i);
          r.filter(c -> !c.finished()).ifPresent(out::add);
        }
        out.sort(Comparator.comparing(CallRecord::startedAt).reversed());
        return out;
      });
    });
  }

  private static Buffer load(String resource) {
    try (InputStream in = DashboardRoutes.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("dashboard file missing from the classpath: " + resource);
      }
      return Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
