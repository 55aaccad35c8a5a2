package io.calltrack.sip;

import io.calltrack.core.callback.Callback;
import io.calltrack.core.callback.RedisCallbackStore;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.CallStore;
import io.calltrack.core.calls.RedisCallStore;
import io.calltrack.core.config.ConfigStore;
import io.calltrack.core.config.PropertyConfig;
import io.calltrack.core.config.RedisConfigStore;
import io.calltrack.core.pool.RedisPoolEngine;
import io.calltrack.core.redis.RedisClientFactory;
import io.calltrack.core.pool.PoolEngine;
import io.calltrack.sip.callback.MissedCallCallbacks;
import io.calltrack.sip.media.MediaAnchor;
import io.calltrack.sip.media.NgClient;
import io.calltrack.sip.media.Recordings;
import io.calltrack.sip.proxy.CallObserver;
import io.calltrack.sip.proxy.CallWorkDelay;
import io.calltrack.sip.proxy.TcpLimits;
import io.calltrack.sip.routing.CallPolicy;
import io.calltrack.sip.proxy.HopRouter;
import io.calltrack.sip.proxy.Proxy;
import io.calltrack.sip.record.CallJournal;
import io.calltrack.sip.record.SpoolAlarm;
import io.calltrack.sip.record.CallRecorder;
import io.calltrack.sip.record.CallResolver;
import io.calltrack.sip.routing.CallRouting;
import io.calltrack.sip.routing.RoutingSnapshot;
import io.calltrack.sip.routing.RoutingTableCache;
import io.calltrack.sip.routing.TrunkAllowList;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sip.ListeningPoint;
import javax.sip.SipFactory;
import javax.sip.SipProvider;
import javax.sip.SipStack;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SIP router: a JAIN-SIP stateful proxy on UDP and TCP that forwards calls to tracking numbers
 * to their property's business line and records each call in Redis (or on disk while Redis is away).
 */
public final class SipRouter {
  private static final Logger LOG = LoggerFactory.getLogger(SipRouter.class);
  private static final AtomicInteger STACKS = new AtomicInteger();
  /** rtpengine is asked again after this long without an answer, up to {@link #NG_ATTEMPTS} times in all. */
  private static final Duration NG_RETRY = Duration.ofMillis(400);
  private static final int NG_ATTEMPTS = 3;

  /** What the router reads and writes; Redis-backed in production, chosen by tests where they must. */
  record Backends(ConfigStore config, java.util.function.Consumer<Runnable> onConfigChange, PoolEngine engine,
      CallStore calls, java.util.function.Function<String, Future<io.calltrack.core.marketing.PropertySettings>> settings,
      io.calltrack.sip.callback.MissedCallStore missedCallbacks,
      Runnable close) {}

  /** How often the router compares its spool depth with each property's alert threshold. */
  static final Duration SPOOL_ALARM_PERIOD = Duration.ofSeconds(30);

  private final Vertx vertx;
  private final SipRouterOptions options;
  private final SipStack stack;
  private final RoutingTableCache table;
  private final CallJournal journal;
  private final ExecutorService pool;
  private final Backends backends;
  private final Proxy proxy;
  private final CallPolicy policy;
  private final NgClient ng;
  private final io.calltrack.core.webhooks.WebhookSender alertSender;
  private final SpoolAlarm spoolAlarm;

  private SipRouter(Vertx vertx, SipRouterOptions options, SipStack stack, RoutingTableCache table, CallJournal journal,
      ExecutorService pool, Backends backends, Proxy proxy, CallPolicy policy, NgClient ng) {
    this.policy = policy;
    this.ng = ng;
    this.alertSender = new io.calltrack.core.webhooks.WebhookSender(vertx, options.clock(), Duration.ofSeconds(1),
        Duration.ofMinutes(5), io.calltrack.core.webhooks.WebhookTargets.fromEnvironment());
    this.spoolAlarm = new SpoolAlarm(vertx, options.advertisedHost() + ":" + options.advertisedPort(), journal::depth,
        () -> table.get().properties().keySet(), backends.settings(), alertSender, options.clock());
    this.vertx = vertx;
    this.options = options;
    this.stack = stack;
    this.table = table;
    this.journal = journal;
    this.pool = pool;
    this.backends = backends;
    this.proxy = proxy;
  }

  public static Future<SipRouter> start(Vertx vertx, SipRouterOptions o) {
    return RedisBackends.create(vertx, o).compose(b -> start(vertx, o, b));
  }

  static Future<SipRouter> start(Vertx vertx, SipRouterOptions o, Backends backends) {
    Context context = vertx.getOrCreateContext();
    return vertx.<SipRouter>executeBlocking(() -> build(vertx, context, o, backends), false)
        .compose(router -> router.table.start().map(router))
        .onSuccess(router -> router.spoolAlarm.start(SPOOL_ALARM_PERIOD))
        .onSuccess(r -> LOG.info("SIP router listening on {}:{} (UDP and TCP)", o.host(), o.port()))
        .onFailure(err -> backends.close().run());
  }

  private static SipRouter build(Vertx vertx, Context context, SipRouterOptions o, Backends backends)
      throws Exception {
    AtomicInteger threads = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()),
        r -> {
          Thread t = new Thread(r, "calltrack-sip-call-" + threads.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
    CallResolver resolver = new CallResolver(context, backends.engine(), Duration.ofSeconds(2), o.registry());
    CallJournal journal = new CallJournal(vertx, context, backends.calls(), o.spoolDir(), pool,
        resolver, Duration.ofSeconds(3), o.clock(), o.limits().maxCallDuration());
    RouterMetrics metrics = new RouterMetrics(o.registry(), journal::depth);
    io.calltrack.sip.routing.LineLocator lines = new io.calltrack.sip.routing.LineLocator(o.dnsServers());
    RoutingTableCache table = new RoutingTableCache(vertx, context, backends.config(),
        new RoutingSnapshot(o.spoolDir()), Duration.ofSeconds(30), Duration.ofSeconds(3), lines, o.clock());
    backends.onConfigChange().accept(table::refresh);
    CallRouting routing = new CallRouting(TrunkAllowList.of(o.trunks()), table, lines,
        io.calltrack.core.config.BusinessLines.fromEnvironment(), o.clock());
    CallWorkDelay workDelay = new CallWorkDelay();
    CallPolicy policy = new CallPolicy(routing, o.limits(), o.answerTimeout(), workDelay, System::nanoTime);
    NgClient ng = o.rtpengine() == null ? null
        : NgClient.open(vertx, o.rtpengine(), NG_RETRY, NG_ATTEMPTS).toCompletionStage().toCompletableFuture().get();
    MediaAnchor anchor = ng == null ? MediaAnchor.OFF : new MediaAnchor(ng, o.registry());
    Recordings recordings = new Recordings(vertx, o.recordingsDir(), o.registry());
    MissedCallCallbacks missedCalls = new MissedCallCallbacks(backends.missedCallbacks(), o.clock(), o.registry());
    CallObserver.Factory observers = call -> observe(journal, resolver, call, recordings, missedCalls, o.clock());

    SipStack stack = new io.calltrack.sip.proxy.ProxyStack(stackProperties(o));
    SipFactory factory = SipFactory.getInstance();
    factory.setPathName("gov.nist");
    try {
      ListeningPoint udp = stack.createListeningPoint(o.host(), o.port(), ListeningPoint.UDP);
      ListeningPoint tcp = stack.createListeningPoint(o.host(), o.port(), ListeningPoint.TCP);
      SipProvider provider = stack.createSipProvider(udp);
      provider.addListeningPoint(tcp);
      Proxy proxy = new Proxy(provider, factory.createHeaderFactory(), factory.createMessageFactory(),
          // Record-Route and Via carry the advertised address (CALLTRACK_SIP_ADVERTISE), not the bind one
          factory.createAddressFactory(), o.advertisedHost(), o.advertisedPort(), policy, observers, metrics, pool,
          o.clock(), workDelay);
      proxy.anchorMedia(anchor);
      provider.addSipListener(proxy);
      stack.start();
      workDelay.watch(io.calltrack.sip.proxy.StackBacklog.of(stack));
      workDelay.countCalls(proxy::liveCalls);
      metrics.maxCalls(policy.maxCalls());
      LOG.info("at most {} calls in progress at once; past that new calls get 503", policy.maxCalls());
      journal.start(Duration.ofMillis(500));
      if (ng != null) {
        LOG.info("media through rtpengine at {}; recordings in {}", o.rtpengine(), o.recordingsDir());
      }
      return new SipRouter(vertx, o, stack, table, journal, pool, backends, proxy, policy, ng);
    } catch (Exception e) {
      if (ng != null) {
        ng.close();
      }
      SipStacks.stopAfter(e, stack);
      pool.shutdownNow();
      journal.close();
      throw e;
    }
  }

  private static CallObserver observe(CallJournal journal, CallResolver resolver, CallObserver.NewCall call,
      Recordings recordings, MissedCallCallbacks missedCalls, java.time.Clock clock) {
    String callId = "c" + UUID.randomUUID().toString().replace("-", "");
    CallRecord started = CallRecord.started(callId, call.sipCallId(), call.number(), call.caller(),
        call.property().id(), call.at());
    if (call.callerVerification() != null) {
      started = started.withCallerVerification(call.callerVerification());
    }
    if (call.callerSweep() > 1) {
      started = started.withCallerSweep(call.callerSweep());
    }
    CallRecorder recorder = new CallRecorder(journal, resolver, call.afterHours() ? started.withRoutedAfterHours() : started);
    return new CallObserver() {
      @Override
      public void ringing(Instant at) {
        recorder.ringing(at);
      }

      @Override
      public void answered(Instant at, int code) {
        recorder.answered(at, code);
        missedCalls.answered(call.caller(), call.property());
      }

      @Override
      public void overflowed(int line) {
        recorder.overflowed(line);
      }

      @Override
      public void transferred() {
        recorder.transferred();
      }

      @Override
      public void ended(Instant at, io.calltrack.core.calls.CallStatus status, Integer code) {
        recorder.ended(at, status, code);
        if (MissedCallCallbacks.wanted(call.property())) {
          recorder.settledRecord().onSuccess(ended -> missedCalls.offer(ended, call.property()));
        }
      }

      @Override
      public void media(MediaAnchor.Outcome outcome) {
        recordings.finish(outcome, callId).onSuccess(m -> recorder.media(clock.instant(), m));
      }

      @Override
      public void mediaDropped(MediaAnchor.Outcome outcome) {
        recordings.drop(outcome);
      }
    };
  }

  private static Properties stackProperties(SipRouterOptions o) {
    Properties p = new Properties();
    p.setProperty("javax.sip.STACK_NAME", "calltrack-router-" + o.port() + "-" + STACKS.incrementAndGet());
    p.setProperty("javax.sip.AUTOMATIC_DIALOG_SUPPORT", "off");
    p.setProperty("javax.sip.ROUTER_PATH", HopRouter.class.getName());
    p.setProperty("javax.sip.USE_ROUTER_FOR_ALL_URIS", "true");
    // one thread reads the UDP socket, so each call's messages reach its serial executor in arrival
    // order (with several, a 180 and its 200 race and the 200 can overtake)
    p.setProperty("gov.nist.javax.sip.THREAD_POOL_SIZE", "1");
    p.setProperty("gov.nist.javax.sip.REENTRANT_LISTENER", "true");
    // a finished transaction keeps its messages as bytes only (JAIN-SIP's "Normal" release strategy).
    // Not "Aggressive", though it saves the encoding (most of the stack timer thread's CPU at 1,000
    // calls/s): it drops the last response without keeping its bytes, so the stack cannot retransmit
    // a final response (a 487 until its ACK, the 200 of a BYE sent again) and its timer throws.
    p.setProperty("gov.nist.javax.sip.AGGRESSIVE_CLEANUP", "true");
    // the largest message: the UDP receive buffer's size, and the cap on a TCP message
    p.setProperty("gov.nist.javax.sip.MAX_MESSAGE_SIZE", Integer.toString(SipStacks.MAX_MESSAGE_SIZE));
    // JAIN-SIP's own UDP loop allocates that buffer for every datagram and queues it for the message
    // thread (at 65536 a backlog of a few seconds filled a 768 MB heap; at 8192 still 13 % of the
    // router's allocation), a thread wake-up per datagram: here the message thread reads the socket
    // itself, into a buffer it keeps
    p.setProperty("gov.nist.javax.sip.MESSAGE_PROCESSOR_FACTORY",
        gov.nist.javax.sip.stack.CompactUdpMessageProcessorFactory.class.getName());
    // a call's messages repeat each other's lines: parse each recent line once, hand out copies
    p.setProperty("gov.nist.javax.sip.MESSAGE_PARSER_FACTORY",
        io.calltrack.sip.proxy.LineCachingParser.Factory.class.getName());
    p.setProperty("gov.nist.javax.sip.CACHE_CLIENT_CONNECTIONS", "true");
    p.setProperty("gov.nist.javax.sip.RECEIVE_UDP_BUFFER_SIZE", Integer.toString(4 * 1024 * 1024));
    p.setProperty("gov.nist.javax.sip.SEND_UDP_BUFFER_SIZE", Integer.toString(4 * 1024 * 1024));
    p.setProperty("gov.nist.javax.sip.TRACE_LEVEL", "0");
    p.setProperty("gov.nist.javax.sip.TIMER_CLASS_NAME", io.calltrack.sip.proxy.StackTimer.class.getName());
    RouterLimits limits = o.limits();
    p.setProperty("gov.nist.javax.sip.NETWORK_LAYER", TcpLimits.class.getName());
    p.setProperty(TcpLimits.TOTAL, Integer.toString(limits.tcpConnections()));
    p.setProperty(TcpLimits.PER_SOURCE, Integer.toString(limits.tcpConnectionsPerSource()));
    p.setProperty(TcpLimits.IDLE_MILLIS, Long.toString(limits.tcpIdleTimeout().toMillis()));
    // a half-sent message on a TCP connection is given up after this long
    p.setProperty("gov.nist.javax.sip.READ_TIMEOUT", "10000");
    // an operator (or a benchmark) may override any stack setting with -Dgov.nist.javax.sip.NAME=VALUE
    System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("gov.nist.javax.sip."))
        .forEach(k -> p.setProperty(k, System.getProperty(k)));
    return p;
  }

  /** Asks for a fresh routing table now (tests; production refreshes on change messages and periodically). */
  void refreshRoutingTable() {
    table.refresh();
  }

  /** Whether the router routes calls to {@code number} now (its in-memory routing table knows it). */
  public boolean routes(io.calltrack.core.phone.PhoneNumber number) {
    return table.get().propertyOf(number).isPresent();
  }

  public int port() {
    return options.port();
  }

  /** Calls whose last event is not yet in Redis or the spool, an earlier run's left-open ones included. */
  public int openCalls() {
    return journal.openCalls();
  }

  /** Call events waiting on disk for Redis (0 when Redis has everything). */
  public int spoolDepth() {
    return journal.depth();
  }

  /** Call events on their way to Redis or the spool: neither has them yet. */
  public int callEventsInFlight() {
    return journal.inFlight();
  }

  /** Calls being set up or answered. */
  public int liveCalls() {
    return proxy.liveCalls();
  }

  /** Whether the SIP stack still has the server transaction of {@code branch} (tests: a retransmission's path). */
  boolean stackHasServerTransaction(String branch) {
    return ((io.calltrack.sip.proxy.ProxyStack) stack).hasServerTransaction(branch);
  }

  /**
   * Stops taking calls (new INVITEs get 503 + Retry-After) while established calls go on: completes
   * when none is left, or after the drain time.
   */
  public Future<Void> drain() {
    policy.startDraining();
    LOG.info("draining: new calls refused, {} calls in progress may go on for up to {}", proxy.liveCalls(),
        policy.drainTime());
    return until(() -> proxy.liveCalls() == 0, policy.drainTime(), 100);
  }

  /** Completes once {@code done} holds (asked every {@code everyMillis}), or after {@code atMost}. */
  private Future<Void> until(java.util.function.BooleanSupplier done, Duration atMost, long everyMillis) {
    if (done.getAsBoolean()) {
      return Future.succeededFuture(); // nothing to wait for
    }
    long deadline = System.nanoTime() + atMost.toNanos();
    io.vertx.core.Promise<Void> over = io.vertx.core.Promise.promise();
    vertx.setPeriodic(everyMillis, everyMillis, id -> {
      if (done.getAsBoolean() || System.nanoTime() - deadline > 0) {
        vertx.cancelTimer(id);
        over.tryComplete();
      }
    });
    return over.future();
  }

  /** How long a stopping router waits for the ends of its last calls to be written (see {@link CallJournal#callsEnding}). */
  static final Duration ENDS_WAIT = Duration.ofSeconds(5);

  public Future<Void> close() {
    spoolAlarm.close();
    alertSender.close();
    return proxy.close()
        .compose(v -> until(() -> journal.callsEnding() == 0, ENDS_WAIT, 10))
        .eventually(table::close)
        .eventually(() -> vertx.executeBlocking(() -> {
          SipStacks.stop(stack); // blocks (it joins the timer's thread): not on an event loop
          if (ng != null) {
            ng.close();
          }
          journal.close();
          pool.shutdown();
          return null;
        }, false))
        .eventually(() -> {
          backends.close().run();
          return Future.succeededFuture();
        })
        .mapEmpty();
  }

  /** The production backends: everything in the Redis at {@code redisUrl}. */
  static final class RedisBackends {
    private RedisBackends() {}

    static Future<Backends> create(Vertx vertx, SipRouterOptions o) {
      Redis redis = RedisClientFactory.create(vertx, o.redisUrl());
      // starting the config store never fails for Redis being down: the router must start without it
      return RedisConfigStore.create(vertx, redis).map(config -> {
        PoolEngine engine = new RedisPoolEngine(vertx, redis, config, o.clock());
        return new Backends(config, config::onChange, engine, new RedisCallStore(redis,
            io.calltrack.core.redis.RedisTarget.parse(o.redisUrl()).writes()),
            new io.calltrack.core.marketing.SettingsStore(redis)::get,
            missedCallbacks(redis, engine, o.clock()),
            () -> config.close().onComplete(ar -> redis.close()));
      });
    }

    /**
     * A missed call's callback, stored as a lead's request is (the property's limits and retention),
     * indexed under the visitor of its visit, if the visit is still known, for that visitor's erasure.
     */
    private static io.calltrack.sip.callback.MissedCallStore missedCallbacks(Redis redis, PoolEngine engine,
        java.time.Clock clock) {
      RedisCallbackStore store = new RedisCallbackStore(io.vertx.redis.client.RedisAPI.api(redis), clock,
          RedisCallbackStore.Limits.DEFAULT);
      return new io.calltrack.sip.callback.MissedCallStore() {
        @Override
        public Future<Callback> ask(Callback callback, PropertyConfig property) {
          return (callback.sessionId() == null
              ? Future.succeededFuture(java.util.Optional.<io.calltrack.core.pool.Session>empty())
              : engine.session(callback.sessionId()).otherwise(java.util.Optional.empty()))
              .compose(visit -> store.request(callback, visit.map(io.calltrack.core.pool.Session::visitorId)
                  .orElse(null), null, RedisCallbackStore.retention(property), property.callbacks()));
        }

        @Override
        public Future<Integer> cancel(PropertyConfig property, String phone, String why) {
          return store.cancelMissedCallbacks(property.id(), phone, why);
        }
      };
    }
  }
}
