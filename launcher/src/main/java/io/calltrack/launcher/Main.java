package io.calltrack.launcher;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/**
 * {@code calltrack.jar}, run by {@code ./calltrack}: one entry point, one subcommand per way of
 * running the engine. Everything configurable comes from the environment ({@link Settings}).
 */
public final class Main {
  private static final String USAGE = """
      usage: calltrack <command> [options]

        demo                 everything in one process with a demo site, a demo business line,
                             and a sample SIPp command that places a call
        run [--config FILE]  dni-server + sip-router in one process
        dni-server [--config FILE]
                             the DNI server alone (several can share one Redis)
        sip-router           the SIP router alone (several can share one Redis)
        size-pool [options]  how many tracking numbers a site needs for exact attribution:
                             simulates a day of its traffic on the real pool engine
                             (`calltrack size-pool --help` lists the traffic options)
        health URL           exits 0 if URL answers 2xx within 4 s, else 1 (the image's health check)
        migrate-calls        moves call records of the old single {calls} keys into their property's
                             shard (also done at every start; idempotent)
        recount-rollups [--property ID] [--from YYYY-MM-DD] [--to YYYY-MM-DD]
                             rolls calls up again from their records (every property and day unless
                             named; days in the property's time zone), so calls rolled up before an
                             upgrade count in what the reports count now (the multi-touch models, the
                             direction dimension); safe beside live traffic, and to run again
        help                 this text

      environment: CALLTRACK_HTTP_PORT (8080), CALLTRACK_SIP_PORT (5060), CALLTRACK_SIP_HOST (127.0.0.1),
        CALLTRACK_SIP_TRUNKS (127.0.0.0/8), CALLTRACK_SIP_ADVERTISE (host[:port] for Record-Route and Via;
        unset: the bind address), CALLTRACK_REDIS_URL (unset: embedded redis-server; a comma list of
        redis://host:port for cluster seeds or sentinels), CALLTRACK_REDIS_MODE (standalone|cluster|sentinel),
        CALLTRACK_REDIS_MASTER (sentinel's master name), CALLTRACK_HTTP_INSTANCES (one per core),
        CALLTRACK_ADMIN_TOKEN (unset: a random one, printed), CALLTRACK_CONFIG (JSON file),
        CALLTRACK_DATA_DIR (.calltrack), CALLTRACK_METRICS_PORT (sip-router alone: 9090; dni-server: unset
        serves /metrics on the HTTP port, set moves it to CALLTRACK_METRICS_HOST (127.0.0.1):PORT),
        CALLTRACK_METRICS_TOKEN (unset: /metrics open), CALLTRACK_TRUSTED_PROXIES (addresses or CIDR
        ranges whose X-Forwarded-For is believed), CALLTRACK_HTTP_HEADER_TIMEOUT_SECONDS (10),
        CALLTRACK_HTTP_IDLE_TIMEOUT_SECONDS (60),
        CALLTRACK_HTTP_REQUEST_TIMEOUT_SECONDS (120), CALLTRACK_ASSIGN_LIVE_LEASES (10),
        CALLTRACK_ASSIGN_LIVE_LEASES_HARD (40), CALLTRACK_ASSIGN_PER_MINUTE (30),
        CALLTRACK_ASSIGN_PER_MINUTE_HARD (120) (per client address, for properties without assignLimits),
        CALLTRACK_RTPENGINE (host:port of rtpengine's ng socket: media relayed, properties with record: true
        recorded; unset: media end to end), CALLTRACK_RECORDINGS_DIR (DATA_DIR/recordings),
        CALLTRACK_SIP_WARMUP_CALLS (2000: calls through a router of its own before the router listens;
        0: none), CALLTRACK_WEBHOOKS_PRIVATE (deny: webhooks and alerts go to public addresses only;
        allow: to loopback and private networks too), CALLTRACK_SIP_LINES_PRIVATE (deny: an API key sets a
        businessLine only at a public host; allow: at private ones too; the admin token sets any),
        CALLTRACK_SIP_DNS (host[:port],...: DNS servers that find business lines by SRV; unset: the system's)
      """;

  /** The commands {@link #run} knows (the image's CMD and compose's commands are checked against it). */
  static final List<String> COMMANDS = List.of("demo", "run", "dni-server", "sip-router", "size-pool", "health",
      "migrate-calls", "recount-rollups", "help");

  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs a command; blocks until a long-running command is stopped. Returns the exit code. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0 || List.of("help", "-h", "--help").contains(args[0])) {
      out.print(USAGE);
      return args.length == 0 ? 2 : 0;
    }
    List<String> rest = Arrays.asList(args).subList(1, args.length);
    if (args[0].equals("health")) {
      return health(rest, out, err);
    }
    if (args[0].equals("size-pool")) {
      // its own flags, its own (embedded or given) Redis: nothing of the servers' settings applies
      return io.calltrack.advisor.SizePool.run(rest.toArray(String[]::new), out);
    }
    if (args[0].equals("recount-rollups")) {
      return recountRollups(Settings.fromEnv(System.getenv()), rest, out, err);
    }
    try {
      Settings settings = withConfigFlag(Settings.fromEnv(System.getenv()), rest);
      return switch (args[0]) {
        case "demo" -> Engine.runUntilStopped(Engine.Mode.DEMO, settings, out);
        case "run" -> Engine.runUntilStopped(Engine.Mode.ALL, settings, out);
        case "dni-server" -> Engine.runUntilStopped(Engine.Mode.DNI_SERVER, settings, out);
        case "sip-router" -> Engine.runUntilStopped(Engine.Mode.SIP_ROUTER, settings, out);
        case "migrate-calls" -> migrateCalls(settings, out, err);
        default -> {
          err.println("unknown command '" + args[0] + "'");
          err.print(USAGE);
          yield 2;
        }
      };
    } catch (IllegalArgumentException e) {
      err.println("calltrack: " + e.getMessage());
      return 2;
    }
  }

  /** Runs the calls migration once against CALLTRACK_REDIS_URL (required: an embedded Redis has nothing old). */
  static int migrateCalls(Settings s, PrintStream out, PrintStream err) {
    if (s.redisUrl() == null) {
      err.println("calltrack migrate-calls: set CALLTRACK_REDIS_URL (and CALLTRACK_REDIS_MODE) to the Redis to migrate");
      return 2;
    }
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    io.vertx.redis.client.Redis client = io.calltrack.core.redis.RedisClientFactory.create(vertx, s.redisUrl());
    try {
      var result = new io.calltrack.core.calls.CallsMigration(io.vertx.redis.client.RedisAPI.api(client)).run()
          .toCompletionStage().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.MINUTES);
      out.println("migrated " + Engine.describe(result));
      return 0;
    } catch (Exception e) {
      err.println("calltrack migrate-calls: " + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()));
      return 1;
    } finally {
      client.close();
      vertx.close();
    }
  }

  /**
   * Rolls calls up again ({@link io.calltrack.core.rollup.RollupRecount}) against CALLTRACK_REDIS_URL:
   * the property named, or every property with calls; the days from and to (inclusive) in the
   * property's time zone, or all. Prints each property's count. Exit 2 on bad options, 1 on failure.
   */
  static int recountRollups(Settings s, List<String> rest, PrintStream out, PrintStream err) {
    String property = null;
    java.time.LocalDate from = null;
    java.time.LocalDate to = null;
    try {
      for (int i = 0; i < rest.size(); i++) {
        String flag = rest.get(i);
        if (i + 1 >= rest.size() || !List.of("--property", "--from", "--to").contains(flag)) {
          throw new IllegalArgumentException("unknown option '" + flag + "'");
        }
        String value = rest.get(++i);
        switch (flag) {
          case "--property" -> property = value;
          case "--from" -> from = java.time.LocalDate.parse(value);
          default -> to = java.time.LocalDate.parse(value);
        }
      }
      if (from != null && to != null && to.isBefore(from)) {
        throw new IllegalArgumentException("--to " + to + " is before --from " + from);
      }
    } catch (IllegalArgumentException | java.time.format.DateTimeParseException e) {
      err.println("calltrack recount-rollups: " + (e instanceof java.time.format.DateTimeParseException
          ? "a day is YYYY-MM-DD: " + ((java.time.format.DateTimeParseException) e).getParsedString() : e.getMessage()));
      err.println("usage: calltrack recount-rollups [--property ID] [--from YYYY-MM-DD] [--to YYYY-MM-DD]");
      return 2;
    }
    if (s.redisUrl() == null) {
      err.println("calltrack recount-rollups: set CALLTRACK_REDIS_URL (and CALLTRACK_REDIS_MODE) to the Redis of the calls");
      return 2;
    }
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    io.vertx.redis.client.Redis client = io.calltrack.core.redis.RedisClientFactory.create(vertx, s.redisUrl());
    io.vertx.redis.client.RedisAPI api = io.vertx.redis.client.RedisAPI.api(client);
    io.calltrack.core.config.RedisConfigStore config = null;
    try {
      config = await(io.calltrack.core.config.RedisConfigStore.create(vertx, client));
      var recount = new io.calltrack.core.rollup.RollupRecount(api,
          new io.calltrack.core.rollup.RollupStore(client, config));
      List<String> properties = property != null ? List.of(property)
          : await(new io.calltrack.core.calls.RedisCallStore(api).shards()).stream()
              .filter(p -> !p.equals(io.calltrack.core.calls.RedisCallStore.NO_PROPERTY)).toList();
      int failed = 0;
      for (String p : properties) {
        var found = await(config.property(p));
        if (found.isEmpty()) {
          err.println("  " + p + ": no such property");
          failed++;
          continue;
        }
        java.time.ZoneId zone = found.get().zone();
        var result = await(recount.run(p, from == null ? null : from.atStartOfDay(zone).toInstant(),
            to == null ? null : to.plusDays(1).atStartOfDay(zone).toInstant()));
        out.println("  " + p + ": " + result.calls() + " calls rolled up again");
      }
      return failed == 0 ? 0 : 1;
    } catch (Exception e) {
      err.println("calltrack recount-rollups: " + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()));
      return 1;
    } finally {
      if (config != null) {
        config.close();
      }
      client.close();
      vertx.close();
    }
  }

  private static <T> T await(io.vertx.core.Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, java.util.concurrent.TimeUnit.MINUTES);
  }

  /** GET the one URL given; 0 on a 2xx answer, 1 otherwise (a container health check: no curl needed). */
  static int health(List<String> rest, PrintStream out, PrintStream err) {
    if (rest.size() != 1 || !rest.get(0).startsWith("http://")) {
      err.println("usage: calltrack health http://host:port/path");
      return 2;
    }
    try {
      java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
          .connectTimeout(java.time.Duration.ofSeconds(2)).build();
      java.net.http.HttpResponse<String> r = http.send(
          java.net.http.HttpRequest.newBuilder(java.net.URI.create(rest.get(0)))
              .timeout(java.time.Duration.ofSeconds(4)).GET().build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      out.println(r.statusCode() + " " + r.body());
      return r.statusCode() / 100 == 2 ? 0 : 1;
    } catch (java.io.IOException | IllegalArgumentException e) {
      err.println("unhealthy: " + e);
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
  }

  private static Settings withConfigFlag(Settings s, List<String> rest) {
    for (int i = 0; i < rest.size(); i++) {
      String a = rest.get(i);
      if (a.equals("--config") && i + 1 < rest.size()) {
        return s.withConfigFile(java.nio.file.Path.of(rest.get(i + 1)));
      } else if (a.startsWith("--config=")) {
        return withConfigFlag(s, List.of("--config", a.substring("--config=".length())));
      } else {
        throw new IllegalArgumentException("unknown option '" + a + "'");
      }
    }
    return s;
  }
}
