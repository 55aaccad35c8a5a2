package io.calltrack.launcher;

import io.calltrack.dni.DniServer;
import io.calltrack.dni.DniServerOptions;
import io.calltrack.sip.RouterWarmUp;
import io.calltrack.sip.SipRouter;
import io.calltrack.sip.callback.CallbackDialer;
import io.calltrack.sip.callback.CallbackOptions;
import io.calltrack.sip.SipRouterOptions;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Composes what a command runs: Redis (given or embedded), the DNI server, the SIP router, and for
 * the demo its site and business line. It is the only class that knows both servers; they share one
 * Vert.x instance and one Prometheus registry, and meet in Redis. Stops everything on SIGINT/SIGTERM
 * (the router draining its calls first), the embedded redis-server last.
 */
final class Engine {
  enum Mode { DEMO, ALL, DNI_SERVER, SIP_ROUTER }

  private final List<AutoCloseable> toClose = Collections.synchronizedList(new ArrayList<>());

  private Engine() {}

  static int runUntilStopped(Mode mode, Settings settings, PrintStream out) {
    Engine engine = new Engine();
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      engine.stop();
      stopped.countDown();
    }, "calltrack-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      engine.start(mode, settings, out);
    } catch (Exception e) {
      out.flush();
      System.err.println("calltrack: failed to start: " + reason(e));
      engine.stop();
      return 1;
    }
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  private void start(Mode mode, Settings s, PrintStream out) throws Exception {
    RedisSupervisor redis = RedisSupervisor.start(s);
    toClose.add(redis);
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    toClose.add(() -> await(vertx.close()));
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Clock clock = Clock.systemUTC();

    out.println("calltrack " + mode.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
    out.println("  transport    " + transport(vertx));
    out.println("  redis        " + io.calltrack.core.redis.RedisTarget.redacted(redis.url()) + (redis.embedded() ? " (embedded, data in "
        + s.dataDir().resolve("redis").toAbsolutePath() + ")" : ""));

    migrateOldCalls(vertx, redis.url(), out);

    DniServer dni = null;
    if (mode != Mode.SIP_ROUTER) {
      dni = starting("dni-server", s.httpHost() + ":" + s.httpPort(), "CALLTRACK_HTTP_HOST, CALLTRACK_HTTP_PORT",
          DniServer.start(vertx, new DniServerOptions(
          s.httpHost(), s.httpPort(), redis.url(), s.adminToken(), s.configFile(), registry, clock, null,
          s.httpInstances()).withHardening(s.http()).withRecordingsDir(s.recordingsDir())));
      DniServer started = dni;
      toClose.add(() -> await(started.close()));
      String base = "http://127.0.0.1:" + dni.port();
      out.println("  dni-server   " + base + "   (snippet " + base + "/dni.js), " + dni.instances()
          + " HTTP instance" + (dni.instances() == 1 ? "" : "s"));
      out.println("  dashboard    " + base + "/dashboard");
      out.println("  metrics      " + (dni.metricsPort() >= 0
          ? "http://" + s.http().metricsHost() + ":" + dni.metricsPort() : base) + "/metrics"
          + (s.http().metricsToken() != null ? "   (Bearer CALLTRACK_METRICS_TOKEN)" : ""));
      out.println("  admin token  " + s.adminToken() + (s.adminTokenGenerated()
          ? "   (made up for this run; set CALLTRACK_ADMIN_TOKEN to choose one)" : ""));
    }
    SipRouter router = null;
    if (mode != Mode.DNI_SERVER) {
      warmUpRouter(vertx, s, clock, out);
      router = starting("sip-router", s.sipHost() + ":" + s.sipPort(), "CALLTRACK_SIP_HOST, CALLTRACK_SIP_PORT",
          SipRouter.start(vertx, new SipRouterOptions(
          s.sipHost(), s.sipPort(), s.sipTrunks(), redis.url(), s.dataDir().resolve("spool"),
          registry, clock, s.answerTimeout(), s.sipAdvertise(), s.sipLimits())
          .withMedia(s.rtpengine(), s.recordingsDir()).withDns(s.sipDns())));
      SipRouter started = router;
      toClose.add(() -> await(started.close()));
      out.println("  sip-router   sip:" + s.sipHost() + ":" + router.port() + " (UDP and TCP), trunks "
          + String.join(", ", s.sipTrunks()));
      if (s.sipOutbound() != null) {
        // callbacks only where an outbound trunk is configured: without one no call may leave
        CallbackDialer dialer = starting("callbacks", s.sipHost() + ":" + s.sipCallbackPort(),
            "CALLTRACK_SIP_HOST, CALLTRACK_SIP_CALLBACK_PORT",
            CallbackDialer.start(vertx, new CallbackOptions(s.sipHost(), s.sipCallbackPort(), s.sipOutbound(),
                redis.url(), s.dataDir().resolve("spool-callbacks"), registry, clock, null, s.sipDns())));
        toClose.add(() -> await(dialer.close()));
        out.println("  callbacks    sip:" + s.sipHost() + ":" + dialer.port() + ", leads through " + s.sipOutbound());
      }
      if (mode == Mode.SIP_ROUTER) {
        HttpServer metrics = starting("metrics", s.httpHost() + ":" + s.metricsPort(),
            "CALLTRACK_HTTP_HOST, CALLTRACK_METRICS_PORT",
            MetricsEndpoint.start(vertx, s.httpHost(), s.metricsPort(), registry, s.http()));
        toClose.add(() -> await(metrics.close()));
        out.println("  metrics      http://127.0.0.1:" + metrics.actualPort() + "/metrics"
            + (s.http().metricsToken() != null ? "   (Bearer CALLTRACK_METRICS_TOKEN)" : ""));
      }
    }
    if (mode == Mode.DEMO) {
      Demo.start(vertx, s, redis.url(), dni, clock, toClose, out);
    }
    if (router != null) {
      // added last, so it runs first on SIGTERM: new calls get 503 while calls in progress end, up to
      // the drain time; then the router and the rest close
      SipRouter draining = router;
      toClose.add(() -> draining.drain().toCompletionStage().toCompletableFuture().get(10, TimeUnit.MINUTES));
    }
    out.println("ready. Ctrl-C stops.");
    out.flush();
  }

  /**
   * Calls through a router of its own before the real one listens (see {@link RouterWarmUp}); a
   * warm-up that fails or falls short is said and the router starts anyway.
   */
  private static void warmUpRouter(Vertx vertx, Settings s, Clock clock, PrintStream out) {
    if (s.sipWarmupCalls() == 0) {
      return;
    }
    try {
      RouterWarmUp.Outcome w = RouterWarmUp.run(vertx, s.sipWarmupCalls(), 8, Duration.ofSeconds(10), clock,
          s.dataDir().resolve("warm-up"), warmUpPort(s));
      out.println("  warm-up      " + w.completed() + " of " + w.calls() + " calls (" + w.attributed()
          + " attributed) through a router of its own in " + w.took().toMillis() + " ms (CALLTRACK_SIP_WARMUP_CALLS)");
      w.closed().onFailure(e -> out.println("  warm-up      its router did not close cleanly: " + e));
    } catch (Exception e) {
      out.println("  warm-up      failed, the router starts cold: " + e);
    }
  }

  /**
   * Netty's native epoll transport where its library loads (Linux on x86-64 and arm64), else Java's
   * NIO, which works everywhere. The event loops then wait in epoll_wait without NIO's selector,
   * its selected-key set and its wake-up, and write with fewer system calls: at 200 calls/s the
   * router's event loop (its Redis traffic) cost 82 µs of CPU a call against 128-135 with NIO, and
   * dni-server's young GCs halved under the same assigns (load-tests README, 5 Dec 2026).
   * {@code -Dio.netty.transport.noNative=true} in CALLTRACK_JAVA_OPTS turns it off.
   */
  static String transport(Vertx vertx) {
    if (vertx.isNativeTransportEnabled()) {
      return "epoll (native)";
    }
    Throwable why = vertx.unavailableNativeTransportCause();
    return "NIO (the native epoll transport is unavailable" + (why == null ? "" : ": " + why.getMessage()) + ")";
  }

  /**
   * A port for the warm-up's router: free for UDP and TCP below the kernel's ephemeral range (where no
   * connection of this process can take it meanwhile), and none of the ports this process is set to
   * listen on, which are not bound yet and which the warm-up's router holds until it has closed.
   */
  private static int warmUpPort(Settings s) {
    List<Integer> configured = List.of(s.sipPort(), s.sipCallbackPort(), s.httpPort(), s.metricsPort());
    int port;
    do {
      port = io.calltrack.localredis.EmbeddedRedis.freePort();
    } while (configured.contains(port));
    return port;
  }

  /**
   * Calls stored under the old single {@code {calls}} tag move into their property's shards, in the
   * background (the servers start meanwhile; a call not yet moved is briefly not found by the API).
   * Idempotent: with nothing to move it costs one read; several processes may run it at once.
   */
  static void migrateOldCalls(Vertx vertx, String redisUrl, PrintStream out) {
    io.vertx.redis.client.Redis client = io.calltrack.core.redis.RedisClientFactory.create(vertx, redisUrl);
    new io.calltrack.core.calls.CallsMigration(io.vertx.redis.client.RedisAPI.api(client)).run()
        .onComplete(ar -> {
          if (ar.failed()) {
            out.println("calltrack: old call records not migrated (runs again at the next start, or run "
                + "`calltrack migrate-calls`): " + ar.cause().getMessage());
          } else if (ar.result().total() > 0) {
            out.println("  migrated     " + describe(ar.result()));
          }
          out.flush();
          client.close();
        });
  }

  static String describe(io.calltrack.core.calls.CallsMigration.Result r) {
    return r.copied() + " call record(s) from the old {calls} keys into their property's shard"
        + (r.alreadyThere() > 0 ? ", " + r.alreadyThere() + " already there" : "")
        + (r.unreadable() > 0 ? ", " + r.unreadable() + " index entries without a readable record" : "");
  }

  /** Closes in reverse order of start: servers first, Vert.x, then the embedded redis-server. */
  private void stop() {
    List<AutoCloseable> reversed;
    synchronized (toClose) {
      reversed = new ArrayList<>(toClose);
      toClose.clear();
    }
    Collections.reverse(reversed);
    for (AutoCloseable c : reversed) {
      try {
        c.close();
      } catch (Exception e) {
        System.err.println("calltrack: while stopping: " + e.getMessage());
      }
    }
  }

  /**
   * {@link #await}, a failure named by what was starting; one to listen where it was told
   * ({@code address}) also names that address and the {@code settings} it came from.
   */
  private static <T> T starting(String what, String address, String settings, Future<T> future) throws Exception {
    try {
      return await(future);
    } catch (IllegalArgumentException e) {
      throw e; // a setting refused: its message names it
    } catch (Exception e) {
      String why = reason(e);
      boolean listening = e instanceof java.net.SocketException || LISTEN_FAILURE.matcher(why).find();
      String where = listening ? " on " + address + " (" + settings + ")" : "";
      throw new IllegalStateException(what + where + ": " + why, e);
    }
  }

  /** What the JDK, Netty and the resolver say when a server cannot listen where it was told. */
  private static final java.util.regex.Pattern LISTEN_FAILURE = java.util.regex.Pattern.compile(
      "(?i)address already in use|cannot assign requested address|bind\\(|permission denied|failed to resolve|"
          + "name or service not known|unresolved address");

  /**
   * What went wrong, in the words of the exception that says it: the message of the innermost one
   * that has its own (a wrapper's message is its cause's class name and message), never a class name
   * where a message exists.
   */
  static String reason(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t
        && (t.getMessage() == null || t.getMessage().equals(t.getCause().toString()))) {
      t = t.getCause();
    }
    // a library that copied its cause's toString() into its own message (JAIN-SIP) keeps the class name
    return t.getMessage() != null ? CLASS_PREFIX.matcher(t.getMessage()).replaceFirst("")
        : t.getClass().getSimpleName();
  }

  private static final java.util.regex.Pattern CLASS_PREFIX =
      java.util.regex.Pattern.compile("^([a-z][\\w]*\\.)+[A-Z][\\w$]*(Exception|Error): ");

  static <T> T await(Future<T> future) throws Exception {
    try {
      // generous: on a loaded host a cold JVM took over 30 s to start two HTTP instances (bench-assign)
      return future.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    }
  }
}
