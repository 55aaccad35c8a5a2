package io.calltrack.sip.callback;

import io.calltrack.core.callback.Callback;
import io.calltrack.core.callback.CallbackSettings;
import io.calltrack.core.callback.CallbackState;
import io.calltrack.core.callback.DialablePhone;
import io.calltrack.core.callback.RedisCallbackStore;
import io.calltrack.core.calls.CallAttempt;
import io.calltrack.core.calls.CallEvent;
import io.calltrack.core.calls.CallRecord;
import io.calltrack.core.calls.CallStatus;
import io.calltrack.core.calls.RedisCallStore;
import io.calltrack.core.config.ConfigStore;
import io.calltrack.core.config.PropertyConfig;
import io.calltrack.core.config.RedisConfigStore;
import io.calltrack.core.pool.PoolEngine;
import io.calltrack.core.pool.RedisPoolEngine;
import io.calltrack.core.pool.Session;
import io.calltrack.core.redis.RedisClientFactory;
import io.calltrack.sip.QuietSipListener;
import io.calltrack.sip.SipEndpoint;
import io.calltrack.sip.proxy.Answers;
import io.calltrack.sip.proxy.SipHeaders;
import io.calltrack.sip.proxy.SerialExecutor;
import io.calltrack.sip.record.CallJournal;
import io.calltrack.sip.record.CallRecorder;
import io.calltrack.sip.record.CallResolver;
import io.calltrack.sip.proxy.HopRouter;
import io.calltrack.sip.routing.CallPolicy;
import io.calltrack.sip.routing.LineLocator;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.TimeoutEvent;
import javax.sip.address.Address;
import javax.sip.address.SipURI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContentTypeHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Places callbacks: takes each property's queued callback requests from Redis (put there by
 * dni-server's {@code POST /v1/callbacks}), calls the property's business line first and, once it
 * answers, the lead through the outbound trunk, and bridges the two by third-party call control
 * (RFC 3725 flow I: an offerless INVITE to the business line, its offer to the lead, the lead's answer
 * in the ACK to the business line). A BYE from either side ends both. It never sends an INVITE
 * anywhere but to the property's {@code businessLine} and to {@code sip:<E.164>@<outbound trunk>}
 * with a number {@link DialablePhone} accepts.
 *
 * <p>It runs beside the proxy on a SIP stack of its own (its own port), so the proxy's machinery is
 * untouched. Every event (SIP, timers, Redis answers) runs on one serial executor: the state below
 * has one thread at a time. Outside the property's opening hours a callback waits for the opening,
 * a busy or unanswered leg is retried {@code attempts} times {@code retrySeconds} apart, all on the
 * injected clock (checked every tick). The call is recorded like an inbound one ({@code direction:
 * callback}, the lead as caller) and attributed to the visit that asked ({@code resolution:
 * callback}): one record for all of a callback's attempts, the callback's {@code callId}, each later
 * attempt continuing it ({@link CallAttempt}, {@link Callback#firstSeq()}).
 *
 * <p>Nothing waits in this process only: a waiting callback is due in Redis at its opening or retry
 * time, and one being placed is held under a lease this dialer renews every tick
 * ({@link RedisCallbackStore}). When a router stops, another one (or this one restarted) claims its
 * callbacks once the lease has run out: a waiting one is placed at its time; one that was ringing is
 * counted as a failed attempt and retried (or failed when none is left); one that was connected is
 * closed as completed (the router that bridged it is gone; its call record is closed by that router's
 * restart).
 */
public final class CallbackDialer implements QuietSipListener, SipEndpoint.RequestGate {
  private static final Logger LOG = LoggerFactory.getLogger(CallbackDialer.class);

  private final Vertx vertx;
  private final CallbackOptions options;
  private final ConfigStore config;
  private final PoolEngine engine;
  private final RedisCallbackStore callbacks;
  private final CallJournal journal;
  private final RedisCallStore calls;
  private final CallResolver resolver;
  private final ExecutorService pool;
  private final SerialExecutor serial;
  private final Redis redis;
  /** Where business lines named by their domain are (DNS SRV, RFC 3263), as the proxy finds them. */
  private final LineLocator lines;
  private final io.calltrack.core.config.BusinessLines lineRule;
  /** How long a claimed callback stays this dialer's without a renewal (renewed every tick). */
  static final Duration LEASE = Duration.ofSeconds(60);

  private SipEndpoint sip;
  /** This dialer's name in the callbacks' owner hash. */
  private final String router = "router-" + UUID.randomUUID();
  private long timerId = -1;
  private volatile boolean closed;
  private volatile long ticks;

  // touched on the serial executor only
  /** Written on the serial executor only; concurrent for {@link #admits}, asked on the stack's thread. */
  private final Map<String, Attempt> bySipCallId = new java.util.concurrent.ConcurrentHashMap<>();
  /** Callbacks this dialer holds (claimed, not yet let go), by id, as last written. */
  private final Map<String, Callback> held = new HashMap<>();
  /** Each callback's last write still in flight (see {@link #save}); completed ones are removed. */
  private final Map<String, Future<Boolean>> saving = new java.util.concurrent.ConcurrentHashMap<>();
  /**
   * Business-line INVITEs left for the line's next target (the target sent nothing): by Call-ID, whether
   * their CANCEL went. Should one ring after all it is cancelled, should it answer it is hung up.
   */
  private final Map<String, Boolean> leftTargets = new HashMap<>();
  private boolean polling;

  private final Counter taken;
  private final Counter completed;
  private final Counter failed;
  private final Timer response;

  /** One try at one callback: two legs, business line then lead. */
  private static final class Attempt {
    Callback callback;
    PropertyConfig property;
    CallRecorder recorder;
    String lead;
    ClientTransaction businessInvite;
    Dialog business;
    String businessCallId;
    /** The address each leg's INVITE went to: the only one its requests are taken from ({@link #admits}). */
    String businessPeer;
    ClientTransaction leadInvite;
    Dialog lead_;
    String leadCallId;
    String leadPeer;
    long businessCseq;
    long ringTimer = -1;
    boolean ringing;
    /** Where the business line's INVITE may go, in turn (its DNS targets; empty: its host as written). */
    List<LineLocator.Target> businessTargets = List.of();
    /** Which of {@link #businessTargets} the business INVITE went to. */
    int businessTarget;
    /**
     * The attempt was given up before both legs were connected (the business line hung up before the
     * lead answered, or the callback is no longer this router's): its legs are being cancelled.
     */
    boolean abandoned;
  }

  private CallbackDialer(Vertx vertx, CallbackOptions options, ConfigStore config, PoolEngine engine,
      RedisCallbackStore callbacks, Redis redis, Context context) {
    this.vertx = vertx;
    this.options = options;
    this.config = config;
    this.engine = engine;
    this.callbacks = callbacks;
    this.redis = redis;
    this.lines = new LineLocator(options.dnsServers());
    this.lineRule = io.calltrack.core.config.BusinessLines.fromEnvironment();
    this.pool = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "calltrack-callbacks");
      t.setDaemon(true);
      return t;
    });
    this.serial = new SerialExecutor(pool, nanos -> { });
    this.resolver = new CallResolver(context, engine, Duration.ofSeconds(2), options.registry());
    this.calls = new RedisCallStore(redis);
    this.journal = new CallJournal(vertx, context, calls, options.spoolDir(), pool,
        resolver, Duration.ofSeconds(3), options.clock());
    var registry = options.registry();
    taken = Counter.builder("calltrack.callbacks.requests").description("Callback requests taken to be placed")
        .register(registry);
    completed = Counter.builder("calltrack.callbacks").tag("result", "completed")
        .description("Callbacks by how they ended").register(registry);
    failed = Counter.builder("calltrack.callbacks").tag("result", "failed")
        .description("Callbacks by how they ended").register(registry);
    response = Timer.builder("calltrack.callback.response")
        .description("From the callback request to the lead answering (business line already on the call)")
        .publishPercentileHistogram().minimumExpectedValue(Duration.ofSeconds(1))
        .maximumExpectedValue(Duration.ofHours(24)).register(registry);
  }

  /** Starts the dialer: its SIP stack on {@code options.port()}, its Redis client, its queue polling. */
  public static Future<CallbackDialer> start(Vertx vertx, CallbackOptions o) {
    Redis redis = RedisClientFactory.create(vertx, o.redisUrl());
    Context context = vertx.getOrCreateContext();
    return RedisConfigStore.create(vertx, redis).compose(store -> vertx.executeBlocking(() -> {
      RedisAPI api = RedisAPI.api(redis);
      CallbackDialer d = new CallbackDialer(vertx, o, store,
          new RedisPoolEngine(vertx, redis, store, o.clock()),
          new RedisCallbackStore(api, o.clock(), RedisCallbackStore.Limits.DEFAULT), redis, context);
      d.sip = SipEndpoint.open("calltrack-callbacks", o.host(), o.port(), d);
      d.journal.start(Duration.ofMillis(500));
      context.runOnContext(v -> d.timerId = vertx.setPeriodic(o.tick().toMillis(), id -> d.serial.execute(d::tick)));
      LOG.info("callback dialer on {}:{}, leads through {}", o.host(), o.port(), o.outbound());
      return d;
    }, false).onFailure(err -> {
      store.close();
      redis.close();
    }));
  }

  public int port() {
    return options.port();
  }

  // ------------------------------------------------------------------------------------------------
  // queue and schedule

  private void tick() {
    if (closed) {
      return;
    }
    ticks++;
    if (polling) {
      return;
    }
    polling = true;
    // renew the leases of what this dialer holds first, so that it never claims back its own
    List<Future<Boolean>> renewals = new ArrayList<>();
    List<Callback> mine = new ArrayList<>(held.values());
    for (Callback cb : mine) {
      renewals.add(callbacks.hold(cb, router, LEASE, false));
    }
    Future.join(renewals).onComplete(r -> serial.execute(() -> {
      for (int i = 0; i < mine.size(); i++) {
        Future<Boolean> f = renewals.get(i);
        if (f.succeeded() && !f.result()) {
          lost(mine.get(i));
        }
      }
      poll();
    }));
  }

  /** Claims one due callback per property, if the property has fewer than it allows at once. */
  private void poll() {
    config.routingTable().compose(table -> {
      List<Future<Optional<Callback>>> claims = new ArrayList<>();
      for (PropertyConfig p : table.properties().values()) {
        claims.add(callbacks.claim(p.id(), router, LEASE, p.callbacks().concurrent()));
      }
      return Future.join(claims).map(all -> claims);
    }).onComplete(ar -> serial.execute(() -> {
      polling = false;
      if (ar.failed()) {
        return; // Redis away: the callbacks wait in Redis
      }
      for (Future<Optional<Callback>> f : ar.result()) {
        if (f.succeeded() && f.result().isPresent()) {
          resume(f.result().get());
        }
      }
    }));
  }

  /** A claimed callback: new, due (opening, retry), or left by a router that stopped. */
  private void resume(Callback cb) {
    if (held.containsKey(cb.id())) {
      return; // already this dialer's (its lease had run out on a clock that jumped)
    }
    held.put(cb.id(), cb);
    switch (cb.state()) {
      case QUEUED -> {
        taken.increment();
        begin(cb);
      }
      case WAITING_FOR_OPENING, RETRY_WAIT -> begin(cb);
      case CALLING_BUSINESS, CALLING_LEAD -> config.property(cb.property()).onComplete(ar -> serial.execute(() -> {
        if (ar.failed() || ar.result().isEmpty()) {
          held.remove(cb.id()); // try again when the lease has run out
          return;
        }
        retryOrFail(cb, ar.result().get().callbacks(), "the router placing it stopped");
      }));
      case CONNECTED -> finish(cb.ended(CallbackState.COMPLETED, now(),
          "the router that bridged the call stopped during the call"), true);
      case COMPLETED, FAILED, CANCELLED -> finish(cb, cb.state() == CallbackState.COMPLETED);
    }
  }

  /**
   * Another router holds the callback now, or it was erased: leave it alone from here on. An attempt
   * still ringing is given up (its legs cancelled or hung up): the router that took it over places it
   * again, and an erased one must not be placed at all. A connected call is left to its two parties.
   */
  private void lost(Callback cb) {
    held.remove(cb.id());
    LOG.info("callback {} is no longer this router's (taken over or erased)", cb.id());
    for (Attempt a : new java.util.LinkedHashSet<>(bySipCallId.values())) {
      if (a.callback.id().equals(cb.id()) && !a.abandoned && a.callback.state() != CallbackState.CONNECTED) {
        abandon(a);
      }
    }
  }

  /** Gives up an attempt that is not connected: cancels the ringing leg, hangs up an answered business line. */
  private void abandon(Attempt a) {
    vertx.cancelTimer(a.ringTimer);
    a.abandoned = true;
    try {
      if (a.callback.state() == CallbackState.CALLING_LEAD) {
        bySipCallId.remove(a.businessCallId);
        a.business.sendAck(a.business.createAck(a.businessCseq));
        bye(a.business);
      }
    } catch (Exception e) {
      LOG.debug("cannot hang up the business line", e);
    }
    ClientTransaction ringing = a.callback.state() == CallbackState.CALLING_LEAD ? a.leadInvite : a.businessInvite;
    cancel(ringing);
    a.recorder.ended(now(), CallStatus.MISSED, null);
  }

  /** CANCELs an INVITE that has no final answer yet. */
  private void cancel(ClientTransaction invite) {
    if (invite == null) {
      return;
    }
    try {
      var state = invite.getState();
      if (state == javax.sip.TransactionState.PROCEEDING || state == javax.sip.TransactionState.CALLING) {
        sip.provider().getNewClientTransaction(invite.createCancel()).sendRequest();
      }
    } catch (Exception e) {
      LOG.debug("CANCEL failed", e);
    }
  }

  /** Places the callback now, or schedules it for the property's opening. */
  private void begin(Callback cb) {
    config.property(cb.property()).onComplete(ar -> serial.execute(() -> {
      if (ar.failed()) {
        held.remove(cb.id()); // Redis away: claimed again when the lease has run out
        return;
      }
      Optional<PropertyConfig> p = ar.result();
      if (p.isEmpty() || p.get().businessLine() == null) {
        closeRecord(cb);
        finish(cb.ended(CallbackState.FAILED, now(), "the property has no business line"), false);
        return;
      }
      PropertyConfig property = p.get();
      Instant opening = property.nextCallbackOpening(now());
      if (opening == null) {
        closeRecord(cb);
        finish(cb.ended(CallbackState.FAILED, now(), "the property has no opening hours"), false);
      } else if (opening.isAfter(now())) {
        reschedule(cb.waitingUntil(CallbackState.WAITING_FOR_OPENING, opening));
      } else {
        attempt(cb, property);
      }
    }));
  }

  private void attempt(Callback cb, PropertyConfig property) {
    String lead;
    try {
      lead = DialablePhone.require(cb.phone()); // checked again here: nothing else is ever dialled
    } catch (RuntimeException e) {
      closeRecord(cb);
      finish(cb.ended(CallbackState.FAILED, now(), e.getMessage()), false);
      return;
    }
    String newCallId = "c" + UUID.randomUUID().toString().replace("-", "");
    boolean continues = cb.continuesRecord();
    Instant at = now();
    Attempt a = new Attempt();
    a.callback = cb.attempt(newCallId, at);
    a.property = property;
    a.lead = lead;
    save(a.callback);
    Future<Optional<Session>> visit = cb.sessionId() == null
        ? Future.succeededFuture(Optional.empty())
        : engine.session(cb.sessionId()).otherwise(Optional.empty());
    // a line named by its domain: where its SRV records say (DNS, off the serial executor)
    // (an API key's line: at a public address only, as the router's calls, see BusinessLines.publicOnly)
    boolean publicOnly = lineRule.publicOnly(property, property.businessLine());
    Future<List<LineLocator.Target>> located = vertx.executeBlocking(
        () -> lines.targets(property.businessLine(), publicOnly, options.clock().millis()), false);
    Future.join(visit, located).onComplete(done -> serial.execute(() -> {
      Optional<Session> s = visit.succeeded() ? visit.result() : Optional.empty();
      if (publicOnly && (located.failed() || located.result().isEmpty())) {
        LOG.warn("callback {}: business line {} of property {} was set by an API key and has no public address;"
            + " not called", cb.id(), property.businessLine(), property.id());
        finish(a.callback.ended(CallbackState.FAILED, now(), "the business line is not on a public address"), false);
        return;
      }
      a.businessTargets = located.succeeded() ? located.result() : List.of();
      try {
        callBusiness(a, 0);
      } catch (Exception e) {
        LOG.warn("callback {}: cannot call the business line {}", cb.id(), property.businessLine(), e);
        finish(a.callback.ended(CallbackState.FAILED, now(), "the business line cannot be called"), false);
        return;
      }
      // one record for all the callback's attempts: a later attempt rings it again from its own seqs
      // (derived from the attempt count in Redis: another router may have placed the earlier ones)
      Callback c = a.callback;
      CallRecord initial = CallRecord.callback(c.callId(), a.businessCallId, lead, property.id(), c.firstAttemptAt(),
          new CallAttempt(c.attempts(), at, null, c.requestedAt(), c.returnsCall()));
      a.recorder = new CallRecorder(journal, resolver, resolver.callback(initial, s.orElse(null), !continues),
          c.firstSeq(), continues ? CallEvent.Type.RETRY : CallEvent.Type.STARTED);
      a.ringTimer = ringTimeout(a, a.businessInvite);
    }));
  }

  /**
   * Sends the business line's INVITE to its target {@code i} (as the router's calls, RFC 3263 4.3: when
   * that target sends nothing for {@link CallPolicy#SILENT_TARGET_WAIT} or answers 503, the next one).
   */
  private void callBusiness(Attempt a, int i) throws Exception {
    a.businessTarget = i;
    LineLocator.Target target = a.businessTargets.isEmpty() ? null : a.businessTargets.get(i);
    ClientTransaction invite = invite(a.property.businessLine(), a.lead, null, target);
    a.businessInvite = invite;
    a.businessPeer = peerOf(invite);
    a.businessCallId = callIdOf(invite.getRequest());
    bySipCallId.put(a.businessCallId, a);
    if (i + 1 < a.businessTargets.size()) {
      vertx.setTimer(CallPolicy.SILENT_TARGET_WAIT.toMillis(), id -> serial.execute(() -> {
        if (a.businessInvite == invite && invite.getState() == javax.sip.TransactionState.CALLING
            && a.callback.state() == CallbackState.CALLING_BUSINESS && !a.abandoned) {
          leftTargets.put(a.businessCallId, Boolean.FALSE); // still retransmitted: a late answer is seen
          nextBusinessTarget(a, "sent nothing");
        }
      }));
    }
  }

  /** True when the business line has a target left to try: the call goes there, its ring time anew. */
  private boolean nextBusinessTarget(Attempt a, String why) {
    if (a.businessTarget + 1 >= a.businessTargets.size()) {
      return false;
    }
    LOG.debug("callback {}: the business line's target {} {}: the next one", a.callback.id(),
        a.businessTargets.get(a.businessTarget), why);
    vertx.cancelTimer(a.ringTimer);
    bySipCallId.remove(a.businessCallId);
    try {
      callBusiness(a, a.businessTarget + 1);
    } catch (Exception e) {
      LOG.warn("callback {}: cannot call the business line's next target", a.callback.id(), e);
      failed(a, CallStatus.FAILED, null, "the business line cannot be called");
      return true;
    }
    a.ringTimer = ringTimeout(a, a.businessInvite);
    return true;
  }

  /**
   * A response on a business-line INVITE left for the next target: ringing after all is cancelled,
   * an answer after all is ACKed and hung up (nobody must answer to silence); a final one ends it.
   */
  private void onLeftTarget(ResponseEvent evt, String callId, int code) throws Exception {
    if (code > 100 && code < 200 && !leftTargets.get(callId)) {
      leftTargets.put(callId, Boolean.TRUE);
      cancel(evt.getClientTransaction());
    } else if (code >= 200) {
      leftTargets.remove(callId);
      if (code < 300 && evt.getDialog() != null) {
        CSeqHeader cseq = (CSeqHeader) evt.getResponse().getHeader(CSeqHeader.NAME);
        evt.getDialog().sendAck(evt.getDialog().createAck(cseq.getSeqNumber()));
        bye(evt.getDialog());
      }
    }
  }

  // ------------------------------------------------------------------------------------------------
  // SIP

  /** An INVITE to {@code target}, sent to {@code located} when DNS located it (null: where the URI says). */
  private ClientTransaction invite(String target, String fromUser, String sdpOffer, LineLocator.Target located)
      throws Exception {
    var addresses = sip.addresses();
    var headers = sip.headers();
    javax.sip.address.URI uri = addresses.createURI(target);
    SipURI fromUri = addresses.createSipURI(fromUser, options.host());
    Address from = addresses.createAddress(fromUri);
    CallIdHeader callId = sip.provider().getNewCallId();
    Request invite = sip.messages().createRequest(uri, Request.INVITE, callId,
        headers.createCSeqHeader(1L, Request.INVITE),
        headers.createFromHeader(from, Long.toHexString(UUID.randomUUID().getMostSignificantBits())),
        headers.createToHeader(addresses.createAddress(uri), null),
        new ArrayList<>(List.of(headers.createViaHeader(options.host(), options.port(), "udp", null))),
        headers.createMaxForwardsHeader(70));
    SipURI contact = addresses.createSipURI("callback", options.host());
    contact.setPort(options.port());
    invite.addHeader(headers.createContactHeader(addresses.createAddress(contact)));
    if (sdpOffer != null) {
      invite.setContent(sdpOffer, sdp());
    }
    if (located != null && uri instanceof SipURI line) {
      HopRouter.pin(invite, new gov.nist.javax.sip.stack.HopImpl(located.address(), located.port(),
          line.getTransportParam() == null ? "udp" : line.getTransportParam().toLowerCase(java.util.Locale.ROOT)));
    }
    ClientTransaction ct = sip.provider().getNewClientTransaction(invite);
    ct.sendRequest();
    return ct;
  }

  /** The address {@code invite} was sent to (an IP): where its leg's requests must come from. */
  private static String peerOf(ClientTransaction invite) {
    return ((gov.nist.javax.sip.stack.SIPTransaction) invite).getPeerAddress();
  }

  /** The lead's address: the outbound trunk's URI with the lead's E.164 number as its user. */
  private String leadUri(String e164) throws Exception {
    SipURI trunk = (SipURI) sip.addresses().createURI(options.outbound());
    SipURI to = (SipURI) trunk.clone();
    to.setUser(e164);
    return to.toString();
  }

  private ContentTypeHeader sdp() throws java.text.ParseException {
    return sip.headers().createContentTypeHeader("application", "sdp");
  }

  private long ringTimeout(Attempt a, ClientTransaction invite) {
    long ms = a.property.callbacks().ringSeconds() * 1000L;
    return vertx.setTimer(ms, id -> serial.execute(() -> {
      if (invite.getState() == javax.sip.TransactionState.PROCEEDING
          || invite.getState() == javax.sip.TransactionState.CALLING) {
        try {
          sip.provider().getNewClientTransaction(invite.createCancel()).sendRequest();
        } catch (Exception e) {
          LOG.debug("CANCEL failed", e);
        }
      }
    }));
  }

  @Override
  public void processResponse(ResponseEvent evt) {
    serial.execute(() -> onResponse(evt));
  }

  private void onResponse(ResponseEvent evt) {
    Response r = evt.getResponse();
    Attempt a = bySipCallId.get(callIdOf(r));
    CSeqHeader cseq = (CSeqHeader) r.getHeader(CSeqHeader.NAME);
    if (a == null && leftTargets.containsKey(callIdOf(r)) && Request.INVITE.equals(cseq.getMethod())) {
      try {
        onLeftTarget(evt, callIdOf(r), r.getStatusCode());
      } catch (Exception e) {
        LOG.debug("cannot end the answer of a target left", e);
      }
      return;
    }
    if (a == null || !Request.INVITE.equals(cseq.getMethod())) {
      return;
    }
    int code = r.getStatusCode();
    boolean fromBusiness = callIdOf(r).equals(a.businessCallId);
    CallbackState state = a.callback.state();
    try {
      if (a.abandoned) {
        // a leg of an attempt given up: a 200 that crossed the CANCEL is hung up at once (nobody must
        // answer to silence); the attempt was counted already
        if (code >= 200) {
          bySipCallId.remove(callIdOf(r));
          if (code < 300 && evt.getDialog() != null) {
            evt.getDialog().sendAck(evt.getDialog().createAck(cseq.getSeqNumber()));
            bye(evt.getDialog());
          }
        }
        return;
      }
      if (fromBusiness) {
        if (code == 180 || code == 183) {
          if (!a.ringing) {
            a.ringing = true;
            a.recorder.ringing(now());
          }
        } else if (code >= 200 && code < 300 && state == CallbackState.CALLING_BUSINESS) {
          vertx.cancelTimer(a.ringTimer);
          a.business = evt.getDialog();
          a.businessCseq = cseq.getSeqNumber();
          a.callback = a.callback.businessAnswered(now());
          save(a.callback);
          String offer = r.getRawContent() == null ? null : new String(r.getRawContent(), java.nio.charset.StandardCharsets.UTF_8);
          a.leadInvite = invite(leadUri(a.lead), a.property.defaultNumber().e164(), offer, null);
          a.leadPeer = peerOf(a.leadInvite);
          a.leadCallId = callIdOf(a.leadInvite.getRequest());
          bySipCallId.put(a.leadCallId, a);
          a.ringTimer = ringTimeout(a, a.leadInvite);
        } else if (code >= 300 && state == CallbackState.CALLING_BUSINESS) {
          if (code == Response.SERVICE_UNAVAILABLE && nextBusinessTarget(a, "answered 503")) {
            return;
          }
          vertx.cancelTimer(a.ringTimer);
          failed(a, statusOf(code), code, "the business line answered " + code);
        }
      } else {
        if (code >= 200 && code < 300 && state == CallbackState.CALLING_LEAD) {
          vertx.cancelTimer(a.ringTimer);
          a.lead_ = evt.getDialog();
          a.lead_.sendAck(a.lead_.createAck(cseq.getSeqNumber()));
          Request ack = a.business.createAck(a.businessCseq);
          if (r.getRawContent() != null) {
            ack.setContent(r.getRawContent(), sdp());
          }
          a.business.sendAck(ack);
          // one instant for the answer, read before anything of it is written: whoever sees the
          // callback connected sees the call answered at the same time (a clock read again after the
          // save could be later, and a call's talk time short by the difference)
          Instant answeredAt = now();
          a.recorder.answered(answeredAt, code);
          a.callback = a.callback.connected(answeredAt);
          save(a.callback);
          response.record(Duration.between(a.callback.requestedAt(), answeredAt));
        } else if (code >= 300 && state == CallbackState.CALLING_LEAD) {
          vertx.cancelTimer(a.ringTimer);
          // the business line answered and waits for its ACK: ACK it, then hang it up
          a.business.sendAck(a.business.createAck(a.businessCseq));
          bye(a.business);
          failed(a, statusOf(code), code, "the lead's number answered " + code);
        }
      }
    } catch (Exception e) {
      LOG.warn("callback {}: SIP failure", a.callback.id(), e);
    }
  }

  /**
   * A request with a leg's Call-ID is taken only from the address that leg's INVITE went to: a BYE
   * from any other host, with the leg's tags copied, ended the call. Asked on the stack's thread, before
   * its dialog layer; other requests go to {@link #processRequest}, which refuses them.
   */
  @Override
  public boolean admits(Request request, String source) {
    javax.sip.header.CallIdHeader callId = (javax.sip.header.CallIdHeader) request.getHeader(CallIdHeader.NAME);
    Attempt a = callId == null ? null : bySipCallId.get(callId.getCallId());
    String peer = a == null ? null : callId.getCallId().equals(a.businessCallId) ? a.businessPeer : a.leadPeer;
    return peer == null || SipHeaders.sameHost(peer, source); // null: no leg, or its address not known
  }

  @Override
  public void processRequest(RequestEvent evt) {
    serial.execute(() -> onRequest(evt));
  }

  private void onRequest(RequestEvent evt) {
    Request req = evt.getRequest();
    try {
      if (Request.ACK.equals(req.getMethod())) {
        return;
      }
      Answers.pinViaToSource(evt); // answered where it came from, never where its Via says (as the router's)
      Attempt a = bySipCallId.get(callIdOf(req));
      if (!Request.BYE.equals(req.getMethod()) || a == null) {
        // the dialer takes no calls and knows no other dialogs: answered once, nothing kept
        Answers.sendBack(sip.provider(), evt, sip.messages().createResponse(
            Request.INVITE.equals(req.getMethod()) ? Response.FORBIDDEN : Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST, req));
        return;
      }
      ServerTransaction st = evt.getServerTransaction() != null ? evt.getServerTransaction()
          : sip.provider().getNewServerTransaction(req);
      st.sendResponse(sip.messages().createResponse(Response.OK, req));
      boolean fromBusiness = callIdOf(req).equals(a.businessCallId);
      if (fromBusiness && a.callback.state() == CallbackState.CALLING_LEAD) {
        businessLeftBeforeTheLead(a);
        return;
      }
      Dialog other = fromBusiness ? a.lead_ : a.business;
      if (other != null) {
        bye(other);
      }
      Instant endedAt = now(); // one instant for the record and the callback, as at the answer
      a.recorder.ended(endedAt, CallStatus.ANSWERED, null);
      forget(a);
      finish(a.callback.ended(CallbackState.COMPLETED, endedAt,
          (fromBusiness ? "the business line" : "the lead") + " hung up"), true);
    } catch (Exception e) {
      LOG.warn("callback: cannot answer {}", req.getMethod(), e);
    }
  }

  /**
   * The business line hung up while the lead's phone was ringing: the lead's INVITE is cancelled (its
   * phone stops ringing; a 200 crossing the CANCEL is ACKed and hung up) and the attempt failed, for the
   * two were never connected.
   */
  private void businessLeftBeforeTheLead(Attempt a) {
    vertx.cancelTimer(a.ringTimer);
    a.abandoned = true;
    bySipCallId.remove(a.businessCallId);
    cancel(a.leadInvite);
    attemptOver(a, CallStatus.MISSED, null, "the business line hung up before the lead answered");
  }

  private void bye(Dialog d) throws Exception {
    Request bye = d.createRequest(Request.BYE);
    d.sendRequest(sip.provider().getNewClientTransaction(bye));
  }

  @Override
  public void processTimeout(TimeoutEvent evt) {
    serial.execute(() -> {
      if (evt.isServerTransaction() || evt.getClientTransaction() == null) {
        return;
      }
      Request req = evt.getClientTransaction().getRequest();
      if (leftTargets.remove(callIdOf(req)) != null) {
        return; // a target left for the next never answered
      }
      Attempt a = bySipCallId.get(callIdOf(req));
      if (a == null || !Request.INVITE.equals(req.getMethod())) {
        return;
      }
      if (a.abandoned) {
        bySipCallId.remove(callIdOf(req)); // given up already: nothing more to do
        return;
      }
      boolean business = callIdOf(req).equals(a.businessCallId);
      if ((business && a.callback.state() == CallbackState.CALLING_BUSINESS)
          || (!business && a.callback.state() == CallbackState.CALLING_LEAD)) {
        vertx.cancelTimer(a.ringTimer);
        if (!business) {
          try {
            a.business.sendAck(a.business.createAck(a.businessCseq));
            bye(a.business);
          } catch (Exception e) {
            LOG.debug("cannot hang up the business line", e);
          }
        }
        failed(a, CallStatus.MISSED, 408, (business ? "the business line" : "the lead") + " did not answer (timeout)");
      }
    });
  }

  /** The attempt failed: its legs' SIP messages are no longer looked for, and it is over ({@link #attemptOver}). */
  private void failed(Attempt a, CallStatus status, Integer code, String why) {
    forget(a);
    attemptOver(a, status, code, why);
  }

  /**
   * The attempt's end is recorded with the next attempt's time when there is one (the record's outcome
   * is not final: no {@code call.ended} webhook yet), and the callback retried or failed.
   */
  private void attemptOver(Attempt a, CallStatus status, Integer code, String why) {
    Instant retryAt = retryAt(a.callback, a.property.callbacks());
    a.recorder.ended(now(), status, code, retryAt);
    retryOrFail(a.callback, a.property.callbacks(), why, retryAt);
  }

  /** When the callback's next attempt is due after a failed one; null when none is left. */
  private Instant retryAt(Callback cb, CallbackSettings s) {
    return cb.attempts() < s.attempts() ? now().plusSeconds(s.retrySeconds()) : null;
  }

  /** A failed attempt of a router that stopped (no record end of this dialer's own). */
  private void retryOrFail(Callback cb, CallbackSettings s, String why) {
    Instant retryAt = retryAt(cb, s);
    if (retryAt == null) {
      closeRecord(cb);
    }
    retryOrFail(cb, s, why, retryAt);
  }

  private void retryOrFail(Callback cb, CallbackSettings s, String why, Instant retryAt) {
    if (retryAt != null) {
      reschedule(cb.failedAttempt(CallbackState.RETRY_WAIT, retryAt, why));
    } else {
      finish(cb.failedAttempt(CallbackState.FAILED, now(), why + " (attempt " + cb.attempts() + " of "
          + s.attempts() + ")"), false);
    }
  }

  /**
   * A callback that fails with no attempt of this dialer's own to record it (its retry found no
   * business line or opening hours, the router placing its last attempt stopped): its record's last
   * end may still say a retry is due, or it may still ring. Its final end is written above every seq
   * of its last attempt, so an earlier router's replay of that attempt cannot undo it; a record whose
   * end is final already is left as it is (no second {@code call.ended}).
   */
  private void closeRecord(Callback cb) {
    if (!cb.continuesRecord() || cb.attempts() == 0) {
      return;
    }
    calls.get(cb.callId()).onSuccess(found -> found.ifPresent(r -> {
      boolean retryDue = r.attempt() != null && r.attempt().retryAt() != null;
      if (r.finished() && !retryDue) {
        return;
      }
      Instant at = now();
      CallRecord ended = r.finished() ? r
          : r.ended(at, CallStatus.FAILED, null).withEndReason(CallRecord.END_ROUTER_RESTART);
      if (ended.attempt() != null) {
        ended = ended.withAttempt(ended.attempt().last());
      }
      journal.write(new CallEvent(cb.callId(), cb.firstSeq() + Callback.SEQS_PER_ATTEMPT - 1, CallEvent.Type.ENDED,
          at, ended));
    })).onFailure(err -> LOG.warn("callback {}: its call record {} could not be closed: {}", cb.id(), cb.callId(),
        err.toString()));
  }

  private void forget(Attempt a) {
    if (a.businessCallId != null) {
      bySipCallId.remove(a.businessCallId);
    }
    if (a.leadCallId != null) {
      bySipCallId.remove(a.leadCallId);
    }
  }

  private void finish(Callback cb, boolean ok) {
    (ok ? completed : failed).increment();
    held.remove(cb.id());
    callbacks.finish(cb, router);
  }

  /** Writes a new state of a callback being placed (and renews the lease on it). */
  private void save(Callback cb) {
    held.put(cb.id(), cb);
    // one callback's writes go in the order they were made: two in flight at once can travel on two
    // pooled Redis connections and land swapped, leaving an older state (a connected callback read back
    // as still calling the lead)
    Future<Boolean> written = saving.compute(cb.id(), (id, previous) ->
        (previous == null ? Future.succeededFuture(true) : previous)
            .transform(done -> callbacks.hold(cb, router, LEASE, true)));
    written.onComplete(r -> {
      saving.remove(cb.id(), written);
      serial.execute(() -> {
        if (r.succeeded() && !r.result()) {
          lost(cb);
        }
      });
    });
  }

  /** Lets a callback go until its {@code notBefore}: any router places it then. */
  private void reschedule(Callback cb) {
    held.remove(cb.id());
    callbacks.reschedule(cb, router);
  }

  private static CallStatus statusOf(int code) {
    return switch (code) {
      case 486, 600 -> CallStatus.BUSY;
      case 408, 480, 487 -> CallStatus.MISSED;
      default -> CallStatus.FAILED;
    };
  }

  private static String callIdOf(javax.sip.message.Message m) {
    return ((CallIdHeader) m.getHeader(CallIdHeader.NAME)).getCallId();
  }

  private Instant now() {
    return options.clock().instant();
  }

  /** Callbacks this dialer holds now (tests). */
  public int held() {
    return java.util.concurrent.CompletableFuture.supplyAsync(held::size, serial).join();
  }

  /** Ticks run so far (tests wait for some to pass after moving the clock). */
  public long ticks() {
    return ticks;
  }

  public Future<Void> close() {
    closed = true;
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
    }
    return vertx.executeBlocking(() -> {
      if (sip != null) {
        sip.close();
      }
      journal.close();
      pool.shutdown();
      return null;
    }, false).eventually(() -> config instanceof RedisConfigStore s ? s.close() : Future.succeededFuture())
        .eventually(() -> {
          redis.close();
          var registry = options.registry();
          registry.remove(taken);
          registry.remove(completed);
          registry.remove(failed);
          registry.remove(response);
          return Future.succeededFuture();
        }).mapEmpty();
  }
}
