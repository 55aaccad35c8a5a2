package io.calltrack.sip.proxy;

import static io.calltrack.sip.proxy.SipHeaders.callId;
import static io.calltrack.sip.proxy.SipHeaders.fromTag;
import static io.calltrack.sip.proxy.SipHeaders.remoteIp;
import static io.calltrack.sip.proxy.SipHeaders.toTag;

import io.calltrack.core.calls.CallStatus;
import io.calltrack.sip.RouterMetrics;
import io.calltrack.sip.media.MediaAnchor;
import io.calltrack.sip.routing.CallPolicy;
import io.calltrack.sip.routing.CallPolicy.GiveUp;
import io.calltrack.sip.routing.CallPolicy.Side;
import io.calltrack.sip.routing.RouteDecision;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sip.ClientTransaction;
import javax.sip.DialogTerminatedEvent;
import javax.sip.IOExceptionEvent;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipException;
import javax.sip.SipListener;
import javax.sip.SipProvider;
import javax.sip.TimeoutEvent;
import javax.sip.TransactionTerminatedEvent;
import javax.sip.address.AddressFactory;
import javax.sip.address.Hop;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.CallIdHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.Header;
import javax.sip.header.HeaderFactory;
import javax.sip.header.MaxForwardsHeader;
import javax.sip.header.ProxyRequireHeader;
import javax.sip.header.RouteHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stateful proxy (RFC 3261 section 16) on JAIN-SIP: SIP machinery only — transactions, Via,
 * Record-Route, Max-Forwards, loops, relaying requests and responses. What to do with a call is
 * {@link CallPolicy}'s to say; each call's state is its {@link ProxiedCall}, and every event of a
 * call (requests, responses, ACKs, stray 2xx, timers) runs on that call's {@link SerialExecutor}.
 * The headers it writes into what it sends on are {@link Forwarding}'s, the answers it gives itself
 * {@link Answers}'.
 *
 * <p>Never an open relay or a reflector: requests leave only to a hop the proxy chose
 * ({@link HopRouter}) — the call's business line or the trunk side it came from; responses are
 * taken only from the hop their request went to and for a transaction or dialog we know, and leave
 * only along the Via headers of the request we received.
 */
public final class Proxy implements SipListener {
  private static final Logger LOG = LoggerFactory.getLogger(Proxy.class);

  private final SipProvider provider;
  private final HeaderFactory headers;
  private final MessageFactory messages;
  private final AddressFactory addresses;
  private final CallPolicy policy;
  private final CallObserver.Factory observers;
  private final RouterMetrics metrics;
  private final Executor pool;
  private final Clock clock;
  /** The tracking numbers each caller dialled lately (a spam signal: robodialers walk blocks of them). */
  private final io.calltrack.sip.routing.CallerSweeps sweeps = new io.calltrack.sip.routing.CallerSweeps();
  private final CallWorkDelay workDelay;
  private final CallTimers timers = new CallTimers();
  private final ConcurrentHashMap<String, ProxiedCall> calls = new ConcurrentHashMap<>();
  /** The business-line hosts of the calls in {@link #calls}: added and removed with them. */
  private final CalleeHosts calleeHosts = new CalleeHosts();
  private final RefusedInvites refused = new RefusedInvites(8192, System::nanoTime);
  private final Answers answers;
  private final Forwarding forwarding;
  private final io.calltrack.core.ParseCache<BusinessLine> businessLines = new io.calltrack.core.ParseCache<>(10_000);
  /**
   * Where the callers' requests go, shared by the calls from the same place: a hop per call was ~100
   * bytes of heap for the call's whole length. Emptied when it outgrows its bound.
   */
  private final io.calltrack.core.ParseCache<Hop> callerHops = new io.calltrack.core.ParseCache<>(10_000);
  /** Business lines' hops where DNS located them (few: one per line). */
  private final io.calltrack.core.ParseCache<Hop> lineHops = new io.calltrack.core.ParseCache<>(10_000);
  /** The line targets that failed a call lately: tried last for a while. */
  private final SuspectTargets suspects = new SuspectTargets(System::nanoTime);
  private final AtomicInteger liveCalls = new AtomicInteger();
  private volatile boolean closed;
  private volatile MediaAnchor media = MediaAnchor.OFF;

  public Proxy(SipProvider provider, HeaderFactory headers, MessageFactory messages,
      AddressFactory addresses, String host, int port, CallPolicy policy, CallObserver.Factory observers,
      RouterMetrics metrics, Executor pool, Clock clock, CallWorkDelay workDelay) {
    this.provider = provider;
    this.headers = headers;
    this.messages = messages;
    this.addresses = addresses;
    this.policy = policy;
    this.observers = observers;
    this.metrics = metrics;
    this.pool = pool;
    this.clock = clock;
    this.workDelay = workDelay;
    this.answers = new Answers(provider, messages, headers, metrics, refused);
    this.forwarding = new Forwarding(headers, addresses, host, port);
  }

  /** Offers and answers calls' SDP through a media relay (rtpengine) from now on; before start. */
  public void anchorMedia(MediaAnchor anchor) {
    this.media = anchor;
  }

  /** Calls being set up or in progress (and finished ones for a few seconds). */
  public int callCount() {
    return calls.size();
  }

  /** Calls being set up or answered: not yet over for their caller. */
  public int liveCalls() {
    return liveCalls.get();
  }

  /**
   * The router is stopping: no call timer fires from now on, and no call work runs. Completes once
   * every call has heard it (the records that waited for a retry are closed by then).
   */
  public io.vertx.core.Future<Void> close() {
    if (closed) {
      return io.vertx.core.Future.succeededFuture(); // closed before: the calls' executors may be gone
    }
    closed = true;
    List<io.vertx.core.Future<Void>> heard = new ArrayList<>(calls.size());
    for (ProxiedCall call : calls.values()) {
      io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
      heard.add(done.future());
      call.exec.execute(() -> {
        try {
          call.cancelTimers();
          call.closeAwaitedRecord(); // no retry can come any more
        } finally {
          done.complete();
        }
      });
    }
    timers.close();
    return io.vertx.core.Future.join(heard).mapEmpty();
  }

  // ---------------------------------------------------------------- requests

  @Override
  public void processRequest(RequestEvent evt) {
    Request req = evt.getRequest();
    if (LOG.isDebugEnabled()) {
      LOG.debug("<- {} {} from {} ({})", req.getMethod(), req.getRequestURI(), remoteIp(evt), callId(req));
    }
    try {
      Answers.pinViaToSource(evt);
      String method = req.getMethod();
      if (req.getHeader(MaxForwardsHeader.NAME) == null) {
        // RFC 3261 16.6 step 3: the proxy adds one (the stack's transactions want it from the start)
        req.setHeader(headers.createMaxForwardsHeader(70));
      }
      String bad = Request.ACK.equals(method) ? null : badNumericHeader(req);
      if (bad != null) {
        answers.reject(evt, Response.BAD_REQUEST, bad, null);
      } else if (!Request.ACK.equals(method) && !Request.CANCEL.equals(method)
          && req.getHeader(ProxyRequireHeader.NAME) != null) {
        // RFC 3261 16.3 step 5: the router supports no extension a request may demand of a proxy
        answers.reject(evt, Response.BAD_EXTENSION, null, null);
      } else if (Request.ACK.equals(method)) {
        onAck(evt);
      } else if (Request.CANCEL.equals(method)) {
        onCancel(evt);
      } else if (toTag(req) != null) {
        onInDialog(evt);
      } else if (Request.INVITE.equals(method)) {
        onInitialInvite(evt);
      } else {
        answers.reject(evt, policy.answerOutOfDialog(remoteIp(evt), method), null, null);
      }
    } catch (RuntimeException | SipException | java.text.ParseException | javax.sip.InvalidArgumentException e) {
      LOG.warn("could not handle {} {}: {}", req.getMethod(), callId(req), e.toString());
    }
  }

  /**
   * A numeric header the stack could not parse (it drops such headers and goes on), as the reason
   * phrase of a 400; null when the request is sound. Answering 400 tells the sender at once, instead of
   * dropping every retransmission with a log line. A missing Max-Forwards is no error: the router adds
   * one (RFC 3261 16.6 step 3).
   */
  private static String badNumericHeader(Request req) {
    Iterator<String> unparsed = ((gov.nist.javax.sip.message.SIPMessage) req).getUnrecognizedHeaders();
    while (unparsed != null && unparsed.hasNext()) {
      String header = unparsed.next();
      int colon = header.indexOf(':');
      String name = (colon < 0 ? header : header.substring(0, colon)).strip();
      if (NUMERIC_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
        return "Bad header: " + name;
      }
    }
    return null;
  }

  private static final java.util.Set<String> NUMERIC_HEADERS = java.util.Set.of("max-forwards", "expires",
      "content-length", "l", "cseq", "rseq", "rack", "min-expires", "retry-after", "session-expires", "x",
      "min-se", "timestamp");

  private void onInitialInvite(RequestEvent evt) throws SipException {
    Request req = evt.getRequest();
    String callId = callId(req);
    if (fromTag(req) == null) {
      // RFC 3261 8.1.1.3: without it no later request of the call could be told from a stranger's
      answers.reject(evt, Response.BAD_REQUEST, "Missing From tag", null);
      return;
    }
    if ("sips".equalsIgnoreCase(req.getRequestURI().getScheme())) {
      // RFC 3261 26.2.2: sips asks for TLS on every hop, and the router does not speak it to the line
      answers.reject(evt, Response.UNSUPPORTED_URI_SCHEME, null, null);
      return;
    }
    if (sentAgain(req, callId)) {
      return;
    }
    RefusedInvites.Refusal before = refused.answerOf(callId, () -> SipHeaders.topBranch(req));
    if (before != null) { // sent again after its refusal: the same answer, not judged again
      answers.answer(evt, before.code(), before.reason(), before.retryAfterSeconds());
      return;
    }
    String source = remoteIp(evt);
    RouteDecision decision = policy.admitInvite(source, SipHeaders.dialled(req.getRequestURI()),
        SipHeaders.maxForwards(req));
    if (decision instanceof RouteDecision.Reject r) {
      answers.refuse(evt, callId, r.status(), r.reason(), r.retryAfterSeconds());
      return;
    }
    String loopKey = SipHeaders.loopKey(req);
    if (forwarding.looped(req, loopKey)) {
      answers.refuse(evt, callId, Response.LOOP_DETECTED, null, null);
      return;
    }
    RouteDecision.Forward forward = (RouteDecision.Forward) decision;
    String caller = SipHeaders.caller(req, forward.number().region());
    if (!policy.admitsCaller(forward.property(), caller)) {
      metrics.blockedCall();
      answers.refuse(evt, callId, Response.DECLINE, null, null);
      return;
    }
    BusinessLine line;
    try {
      line = businessLine(forward.businessLine());
    } catch (java.text.ParseException | ClassCastException e) {
      LOG.error("property {} has an unusable businessLine '{}'", forward.property().id(), forward.businessLine());
      answers.refuse(evt, callId, Response.SERVICE_UNAVAILABLE, "Business line misconfigured", null);
      return;
    }
    ServerTransaction st = answers.serverTransaction(evt);
    if (st == null) {
      return; // a retransmission: the transaction that exists answers it
    }
    answers.respond(st, req, Response.TRYING, null);

    String inTransport = SipHeaders.transportOf(req);
    // a line with more than one target: those that failed a call lately last (SuspectTargets)
    List<Hop> hops = forward.targets().size() > 1 ? suspects.order(hopsOf(line, forward.targets())) : null;
    ProxiedCall call = new ProxiedCall(this, callId, req, st, new SerialExecutor(pool, workDelay::observe),
        System.nanoTime(), fromTag(req), inTransport, callerHop(req, source, SipHeaders.remotePort(evt), inTransport),
        hops != null ? hops.get(0) : lineHop(line, forward.target()), line.uri(), SipHeaders.contact(req), loopKey);
    call.dialled = forward.number(); // before the map publishes the call
    call.lineIndex = forward.lines().get(0).index();
    if (hops != null) {
      call.alternates(hops.subList(1, hops.size()));
    }
    if (forward.lines().size() > 1) {
      call.nextLines(nextLines(forward), forward.property().overflow().ring());
    }
    ProxiedCall known = calls.putIfAbsent(call.sipCallId, call);
    CallObserver continued = null;
    ProxiedCall triedAgain = null;
    if (known != null && known.triedAgainBy(req) && calls.replace(call.sipCallId, known, call)) {
      calleeHosts.remove(known.calleeHop); // its own forget no longer finds it in the map
      continued = known.takeOverRecord(call.dialled);
      triedAgain = known;
      known = null;
    }
    if (known != null) {
      // the same Call-ID arriving again as a new transaction: a loop through another route
      answers.respond(st, req, Response.LOOP_DETECTED, null);
      return;
    }
    calleeHosts.add(call.calleeHop);
    call.media = media.leg(call.sipCallId, call.callerTag, forward.property().records(), call.exec);
    if (triedAgain != null) {
      call.media.after(triedAgain.media); // one call to rtpengine: the first attempt's delete goes first
    }
    Instant now = clock.instant();
    CallObserver.NewCall started = new CallObserver.NewCall(call.sipCallId, forward.number(),
        forward.property(), caller, now, forward.afterHours(), SipHeaders.callerVerification(req),
        sweeps.dial(caller, forward.number().e164(), now));
    CallObserver record = continued;
    onCallThread(call, () -> {
      // first task of the call: everything after it (CANCEL, responses) sees the observer
      liveCalls.incrementAndGet();
      metrics.callStarted();
      if (forward.afterHours()) {
        metrics.afterHoursCall();
      }
      call.observer = record != null ? record : observers.started(started);
      if (call.lineIndex > 0) { // the business line was left out (an API key's, without a public address now)
        call.observer.overflowed(call.lineIndex);
      }
      forwardInvite(call);
    });
  }

  /**
   * An INVITE the caller sent again after the stack ended its transaction ({@link StackTimer}: 50 ms
   * after the answer; after a failure, once its ACK's Timer I is over): the same Call-ID and top-Via
   * branch as a call the router still has (live, or lingering after its end). It is absorbed, as RFC
   * 6026's Accepted state absorbs it: the line's 2xx, which the caller may still wait for, reaches it
   * through the line's own retransmissions. Taken for a new call, it was a loop (482), which ended the
   * caller's call.
   */
  private boolean sentAgain(Request req, String callId) {
    ProxiedCall known = calls.get(callId);
    if (known == null || known.inviteBranch == null
        || !known.inviteBranch.equalsIgnoreCase(SipHeaders.topBranch(req))) {
      return false;
    }
    LOG.debug("absorbed a retransmitted INVITE of call {}", known.sipCallId);
    return true;
  }

  /** The INVITE goes to the business line once its SDP went through the media relay (when there is one). */
  private void forwardInvite(ProxiedCall call) {
    Request fwd = (Request) call.invite.clone();
    call.media.offer(fwd).onComplete(ar -> {
      if (call.settingUp()) { // not given up while the relay was asked
        forwardInvite(call, fwd);
      }
    });
  }

  private void forwardInvite(ProxiedCall call, Request fwd) {
    // the next target, or the next line, gets a copy
    call.unsent = call.mayMoveOn() ? (Request) fwd.clone() : null;
    try {
      fwd.setRequestURI((URI) call.businessLine.clone());
      if (SipHeaders.identityWithheld(fwd)) {
        // a withheld caller ID stays withheld: the line is outside the trunk's trust domain (RFC 3325 5)
        fwd.removeHeader("P-Asserted-Identity");
        fwd.removeHeader("P-Preferred-Identity");
      }
      forwarding.decrementMaxForwards(fwd);
      // the route set of a new call ends here: the router chose the line, and a Route pre-loaded past
      // us would lead a line behind a proxy to a host nobody configured
      fwd.removeHeader(RouteHeader.NAME);
      forwarding.addRecordRoute(fwd, call.inTransport, call.calleeHop.getTransport());
      fwd.addFirst(forwarding.via(call.calleeHop.getTransport(), forwarding.newBranch(call.loopKey)));
      HopRouter.pin(fwd, call.calleeHop);
      ClientTransaction ct = provider.getNewClientTransaction(fwd);
      ct.setApplicationData(call);
      call.inviteCt = ct;
      ct.sendRequest();
      call.forwarded(policy.answerTimeout(), policy.silentTargetWait(), () -> moveOn(call, "sent nothing"),
          () -> {
            if (!overflow(call, "rang unanswered")) {
              call.giveUpUpstream(GiveUp.NO_ANSWER);
            }
          });
    } catch (Exception e) {
      LOG.warn("could not forward call {} to {}: {}", call.sipCallId, call.calleeHop, e.toString());
      if (!moveOn(call, "could not be reached")) {
        call.giveUpUpstream(GiveUp.LINE_UNREACHABLE);
      }
    }
  }

  /**
   * The call's target failed (unreachable, silent): marked so ({@link SuspectTargets}), then its line's
   * next target, else the property's next line.
   */
  private boolean moveOn(ProxiedCall call, String why) {
    suspects.failed(call.calleeHop);
    return failOver(call, why) || overflow(call, why);
  }

  /**
   * The line did not take the call while it is set up (busy, unavailable, unanswered for the
   * overflow's ring time, or none of its targets answered), so the INVITE goes to the property's next
   * overflow line ({@link #sendElsewhere}); the record notes the line. False when no line remains: the
   * call fails as it would have.
   */
  private boolean overflow(ProxiedCall call, String why) {
    return sendElsewhere(call, why, true);
  }

  /**
   * RFC 3263 4.3: the line's target failed while the call is set up (unreachable, silent, or it
   * answered 503), so the INVITE goes to the line's next target ({@link #sendElsewhere}). False when no
   * target remains.
   */
  private boolean failOver(ProxiedCall call, String why) {
    return sendElsewhere(call, why, false);
  }

  /**
   * Sends the call's INVITE, as a new transaction, to the property's next line ({@code nextLine}) or
   * to its line's next target; the one it leaves is abandoned ({@link #abandon}: a late provisional of
   * it is CANCELled, a late answer hung up). False when there is none to go to.
   */
  private boolean sendElsewhere(ProxiedCall call, String why, boolean nextLine) {
    ClientTransaction left = call.inviteCt;
    Hop from = call.calleeHop;
    URI fromLine = call.businessLine;
    Request copy = call.unsent;
    if (copy == null || (nextLine ? call.nextLine() == null : call.nextTarget() == null)) {
      return false;
    }
    abandon(call, left, from);
    calleeHosts.remove(from);
    calleeHosts.add(call.calleeHop);
    if (nextLine) {
      metrics.overflow();
      call.observer.overflowed(call.lineIndex);
    } else {
      metrics.lineFailover();
    }
    LOG.debug("call {}: {} at {} {}; now {} at {}", call.sipCallId, fromLine, from, why, call.businessLine,
        call.calleeHop);
    forwardInvite(call, copy);
    return true;
  }

  /**
   * The call's INVITE {@code left}, sent to {@code hop}, is no longer the call's: its responses go to
   * {@link #onAbandonedResponse}, and if it rings it is CANCELled now (else at its first provisional).
   */
  private void abandon(ProxiedCall call, ClientTransaction left, Hop hop) {
    if (left == null) {
      return;
    }
    AbandonedInvite gone = new AbandonedInvite(call, hop);
    left.setApplicationData(gone);
    if (left.getState() == javax.sip.TransactionState.PROCEEDING) {
      gone.cancelled = true;
      sendCancel(call, left);
    }
  }

  private void onCancel(RequestEvent evt) throws SipException {
    Request cancel = evt.getRequest();
    if (!policy.admitCancel(remoteIp(evt))) {
      onCancelFromOutsideTheTrunks(evt);
      return;
    }
    ServerTransaction cst = answers.serverTransaction(evt);
    if (cst == null) {
      return;
    }
    ProxiedCall call = calls.get(callId(cancel));
    if (call == null) {
      answers.respond(cst, cancel, Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST, null);
    } else if (cancels(cancel, call)) {
      answers.respond(cst, cancel, Response.OK, null);
      onCallThread(call, () -> call.giveUpUpstream(GiveUp.CALLER_CANCELLED));
    } else {
      // a re-INVITE's relay is the call's: looked for on its thread
      onCallThread(call, () -> cancelReInvite(cst, cancel, call));
    }
  }

  /**
   * A CANCEL from outside the trunks: the business line's, of a re-INVITE it sent inside one of its
   * calls (RFC 3261 9.1: any INVITE may be CANCELled), admitted as any request of that side is; anything
   * else is refused (403), as a CANCEL of a new call comes only from a trunk.
   */
  private void onCancelFromOutsideTheTrunks(RequestEvent evt) throws SipException {
    Request cancel = evt.getRequest();
    ProxiedCall call = calls.get(callId(cancel));
    if (call == null) {
      answers.reject(evt, Response.FORBIDDEN, null, null);
      return;
    }
    String source = remoteIp(evt);
    onCallThread(call, () -> {
      try {
        Side from = sideOf(call, cancel);
        if (from != Side.BUSINESS_LINE || !admitted(call, from, source)) {
          answers.reject(evt, Response.FORBIDDEN, null, null);
          return;
        }
        ServerTransaction cst = answers.serverTransaction(evt);
        if (cst != null) { // else a retransmission: the transaction that exists answers it
          cancelReInvite(cst, cancel, call);
        }
      } catch (SipException | RuntimeException e) {
        LOG.warn("could not handle the CANCEL of call {}: {}", call.sipCallId, e.toString());
      }
    });
  }

  /**
   * On the call's thread: {@code cancel} of a re-INVITE of {@code call} (either side's). RFC 3261 16.10:
   * the relayed re-INVITE is CANCELled, and its 487 goes back as any answer; 481 if none is pending.
   */
  private void cancelReInvite(ServerTransaction cst, Request cancel, ProxiedCall call) {
    RelayedInvite reInvite = pendingReInvite(cancel, call);
    if (reInvite == null) {
      answers.respond(cst, cancel, Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST, null);
    } else {
      answers.respond(cst, cancel, Response.OK, null);
      cancelWhenItMay(call, reInvite.ct());
    }
  }

  /**
   * The re-INVITE of {@code call} that {@code cancel} cancels, relayed and not yet answered with a final
   * response; null if none. Matched as RFC 3261 9.2 says: the stack finds the INVITE's server
   * transaction by branch, and its request must have the CANCEL's Call-ID, From tag, CSeq and Request-URI.
   */
  private RelayedInvite pendingReInvite(Request cancel, ProxiedCall call) {
    if (!(provider.getSipStack() instanceof gov.nist.javax.sip.stack.SIPTransactionStack stack)
        || !(stack.findCancelTransaction((gov.nist.javax.sip.message.SIPRequest) cancel, true)
            instanceof ServerTransaction st)
        || !(st.getApplicationData() instanceof RelayedInvite relayed) || relayed.call() != call
        || st.getState() != javax.sip.TransactionState.PROCEEDING) {
      return null;
    }
    Request invite = st.getRequest();
    return invite != null && callId(invite).equals(callId(cancel))
        && java.util.Objects.equals(fromTag(invite), fromTag(cancel))
        && SipHeaders.cseq(invite) == SipHeaders.cseq(cancel)
        && invite.getRequestURI().toString().equals(cancel.getRequestURI().toString()) ? relayed : null;
  }

  /** A CANCEL matches a call's INVITE by everything RFC 3261 9.2 names, not by the branch alone. */
  private static boolean cancels(Request cancel, ProxiedCall call) {
    return java.util.Objects.equals(SipHeaders.topBranch(cancel), call.inviteBranch)
        && java.util.Objects.equals(fromTag(cancel), call.callerTag)
        && SipHeaders.cseq(cancel) == call.inviteCseq
        && cancel.getRequestURI().toString().equals(call.inviteUri);
  }

  /** Stops the business line ringing ({@link #cancelWhenItMay}). */
  void cancelDownstream(ProxiedCall call) {
    if (call.inviteCt != null) {
      cancelWhenItMay(call, call.inviteCt);
    }
  }

  /**
   * CANCELs an INVITE the router sent on (the call's own, or a relayed re-INVITE): now if the other side
   * has answered it provisionally, else at its first provisional response (RFC 3261 9.1: sent sooner, the
   * CANCEL can overtake the INVITE and get a 481), the INVITE retransmitted meanwhile; not at all once
   * it has its final response (that goes back as any answer).
   */
  private void cancelWhenItMay(ProxiedCall call, ClientTransaction invite) {
    if (invite.getState() == javax.sip.TransactionState.PROCEEDING) {
      sendCancel(call, invite);
    } else if (invite.getState() == javax.sip.TransactionState.CALLING) {
      call.cancelAtProvisional(invite);
    }
  }

  /**
   * A CANCEL of {@code invite}, to the hop the INVITE went to. One of the call's own INVITE is followed
   * ({@link OwnCancel}: a 481 to it arms another); a re-INVITE's responses end with us.
   */
  private void sendCancel(ProxiedCall call, ClientTransaction invite) {
    Object data = invite.getApplicationData();
    boolean callsOwn = data == call;
    Hop hop = data instanceof Relay relay ? relay.hop() : data instanceof AbandonedInvite gone ? gone.hop() : call.calleeHop;
    try {
      Request cancel = invite.createCancel();
      HopRouter.pin(cancel, hop);
      ClientTransaction ct = provider.getNewClientTransaction(cancel);
      ct.setApplicationData(callsOwn ? new OwnCancel(call, invite) : new OwnRequest(hop));
      ct.sendRequest();
    } catch (SipException e) {
      LOG.debug("no CANCEL for {}: {}", call.sipCallId, e.toString());
      if (callsOwn) {
        terminate(invite); // at least stop retransmitting it
      }
    }
  }

  /** The ACK of a 2xx (non-2xx ACKs end their transaction inside the stack): relayed statelessly. */
  private void onAck(RequestEvent evt) {
    if (evt.getServerTransaction() != null) {
      return;
    }
    Request ack = evt.getRequest();
    ProxiedCall call = calls.get(callId(ack));
    if (call == null) {
      return;
    }
    String source = remoteIp(evt);
    onCallThread(call, () -> {
      if (call.phase() != ProxiedCall.Phase.ANSWERED && call.phase() != ProxiedCall.Phase.ENDED) {
        return;
      }
      Side from = sideOf(call, ack);
      if (from == null || !admitted(call, from, source)) {
        return;
      }
      if (from == Side.CALLER && SipHeaders.cseq(ack) == call.inviteCseq) {
        call.acknowledged(); // the caller has its answer: the call is not ended for want of this ACK
      }
      if (ack.getHeader(MaxForwardsHeader.NAME) instanceof MaxForwardsHeader mf && mf.getMaxForwards() <= 0) {
        return; // no hops left (RFC 3261 16.3): an ACK has no 483 to get, it goes no further
      }
      try {
        Request fwd = (Request) ack.clone();
        forwarding.prepareInDialog(call, fwd, from);
        Hop hop = hopTowards(call, from);
        // stateless: the same ACK gets the same branch every time it is relayed
        fwd.addFirst(forwarding.via(hop.getTransport(), Forwarding.ackBranch(ack)));
        HopRouter.pin(fwd, hop);
        provider.sendRequest(fwd);
      } catch (Exception e) {
        LOG.debug("could not relay an ACK of {}: {}", call.sipCallId, e.toString());
      }
    });
  }

  private void onInDialog(RequestEvent evt) throws SipException {
    Request req = evt.getRequest();
    ProxiedCall call = calls.get(callId(req));
    if (call == null) {
      answers.reject(evt, Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST, null, null);
      return;
    }
    String source = remoteIp(evt);
    onCallThread(call, () -> {
      try {
        Side from = sideOf(call, req);
        if (from == null) {
          answers.reject(evt, Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST, null, null);
        } else if (!admitted(call, from, source)) {
          answers.reject(evt, Response.FORBIDDEN, null, null);
        } else if (SipHeaders.maxForwards(req) <= 0) {
          answers.reject(evt, Response.TOO_MANY_HOPS, null, null);
        } else if (call.phase() == ProxiedCall.Phase.ENDED && !Request.BYE.equals(req.getMethod())) {
          // the call lingers for retransmissions and a BYE crossing the other side's; a new request
          // in its dialog (a re-INVITE) would set up media past the relay, which let the call go
          answers.reject(evt, Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST, null, null);
        } else if (!policy.admitsInDialogRequest(call.budgetOf(from, policy), req.getMethod())) {
          answers.reject(evt, Response.SERVICE_UNAVAILABLE, "Too many requests in this call",
              CallPolicy.IN_DIALOG_RETRY_AFTER_SECONDS);
        } else {
          ServerTransaction st = answers.serverTransaction(evt);
          if (st != null) { // else a retransmission: the transaction that exists answers it
            relayInDialog(call, st, req, from);
          }
        }
      } catch (SipException | RuntimeException e) {
        LOG.warn("could not handle {} of call {}: {}", req.getMethod(), call.sipCallId, e.toString());
      }
    });
  }

  private void relayInDialog(ProxiedCall call, ServerTransaction st, Request req, Side from) {
    try {
      Request fwd = (Request) req.clone();
      forwarding.prepareInDialog(call, fwd, from);
      Hop hop = hopTowards(call, from);
      fwd.addFirst(forwarding.via(hop.getTransport(), forwarding.relayBranch(req, from)));
      HopRouter.pin(fwd, hop);
      // a BYE before the answer (the caller may send one in the early dialog) changes nothing here:
      // the line's answer to the INVITE ends the call, a 487 or an answer crossing the BYE, relayed
      call.requestRelayed(from, SipHeaders.cseq(req));
      if (Request.BYE.equals(req.getMethod()) && call.phase() == ProxiedCall.Phase.ANSWERED) {
        call.end(CallStatus.ANSWERED, null);
      }
      if (Request.INVITE.equals(req.getMethod())) { // a re-INVITE: its SDP through the media relay first
        call.reInviteRelayed(from, new ProxiedCall.RelayedReInvite(SipHeaders.cseq(req), SipHeaders.viaValues(req)));
        call.media.reoffer(fwd, fromTag(req), toTag(req)).onComplete(ar -> sendRelayed(call, st, req, fwd, hop, from));
      } else {
        sendRelayed(call, st, req, fwd, hop, from);
      }
    } catch (Exception e) {
      LOG.warn("could not relay {} of call {}: {}", req.getMethod(), call.sipCallId, e.toString());
      answers.respond(st, req, Response.SERVICE_UNAVAILABLE, null);
    }
  }

  private void sendRelayed(ProxiedCall call, ServerTransaction st, Request req, Request fwd, Hop hop, Side from) {
    try {
      ClientTransaction ct = provider.getNewClientTransaction(fwd);
      ct.setApplicationData(new Relay(call, st, req, hop, from));
      if (Request.INVITE.equals(req.getMethod())) {
        st.setApplicationData(new RelayedInvite(call, ct)); // what a CANCEL of it finds (see onCancel)
      }
      ct.sendRequest();
    } catch (Exception e) {
      LOG.warn("could not relay {} of call {}: {}", req.getMethod(), call.sipCallId, e.toString());
      answers.respond(st, req, Response.SERVICE_UNAVAILABLE, null);
    }
  }

  /**
   * Which side of the call sent {@code req}, by both tags: From is that side's tag and To the other
   * side's (while the line has given no tag yet, any To; before the answer, the line's tag may be any
   * of its early dialogs'). Null: not a request of this dialog.
   */
  private static Side sideOf(ProxiedCall call, Request req) {
    String from = fromTag(req);
    String to = toTag(req);
    if (from == null) {
      return null;
    }
    if (from.equals(call.callerTag) && (call.calleeTag == null || call.isLineTag(to))) {
      return Side.CALLER;
    }
    if (call.isLineTag(from) && java.util.Objects.equals(call.callerTag, to)) {
      return Side.BUSINESS_LINE;
    }
    return null;
  }

  private boolean admitted(ProxiedCall call, Side from, String source) {
    return policy.admitInDialog(from, source, SipHeaders.sameHost(call.calleeHop.getHost(), source));
  }

  private static Hop hopTowards(ProxiedCall call, Side from) {
    return from == Side.CALLER ? call.calleeHop : call.callerHop;
  }

  // ---------------------------------------------------------------- responses

  @Override
  public void processResponse(ResponseEvent evt) {
    Response resp = evt.getResponse();
    ViaHeader top = (ViaHeader) resp.getHeader(ViaHeader.NAME);
    if (!forwarding.isOurVia(top)) {
      return; // not sent by us: never relayed anywhere
    }
    String source = remoteIp(resp);
    ClientTransaction ct = evt.getClientTransaction();
    Object data = ct == null ? null : ct.getApplicationData();
    if (data instanceof ProxiedCall call) {
      onCallThread(call, () -> {
        if (fromHop(call.calleeHop, source, resp)) {
          call.heardFromTarget = true;
          onInviteResponse(call, ct, resp);
        }
      });
    } else if (data instanceof AbandonedInvite gone) {
      onCallThread(gone.call(), () -> {
        if (fromHop(gone.hop(), source, resp)) {
          onAbandonedResponse(gone, ct, resp);
        }
      });
    } else if (data instanceof Relay relay) {
      if (resp.getStatusCode() >= 200) {
        // relayed below; the stack absorbs its retransmissions, and the transaction (kept for Timer K)
        // need not keep the relayed request, its caller's transaction and the call on the heap
        ct.setApplicationData(new OwnRequest(relay.hop));
      }
      onCallThread(relay.call, () -> {
        if (fromHop(relay.hop, source, resp) && sameDialog(relay.request, resp)) {
          if (relay.call.cancelDue(ct, resp.getStatusCode())) {
            sendCancel(relay.call, ct); // its CANCEL came before this first provisional (RFC 3261 9.1)
          }
          onRelayResponse(relay, resp);
        }
      });
    } else if (data instanceof OwnCancel cancel) {
      if (resp.getStatusCode() == Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST) {
        // the CANCEL overtook the INVITE, or the line lost it: the line's next provisional gets another,
        // whose transaction id (the INVITE's branch) the stack refuses while this one is in its table
        forgetTransaction(ct);
        onCallThread(cancel.call, () -> {
          if (fromHop(cancel.call.calleeHop, source, resp)) {
            cancel.call.cancelAtProvisional(cancel.invite);
          }
        });
      }
    } else if ((ct == null || data instanceof OwnRequest) && resp.getStatusCode() / 100 == 2
        && Request.INVITE.equals(SipHeaders.cseqMethod(resp))) {
      // no transaction, or one whose final response went on: only a copy of a 2xx to an INVITE goes on
      ProxiedCall call = calls.get(callId(resp));
      if (call != null) {
        onCallThread(call, () -> onStrayResponse(call, resp, source));
      }
    }
  }

  /**
   * Before the stack matches a response to a transaction ({@link ResponseGate}): whether it may be
   * taken. One for a transaction of ours must come from the hop its request went to, and be of that
   * request: the stack matches by branch and method alone, and a response with our branch but another
   * Call-ID or CSeq number is no answer to it (RFC 3261 8.1.3.3), were it relayed as the caller's answer.
   * Responses to no transaction of ours are left to the listener, which relays only a known call's 2xx
   * and checks its source itself.
   */
  boolean admitsResponse(Response resp, String source, gov.nist.javax.sip.stack.SIPTransactionStack stack) {
    var tx = stack.findTransaction((gov.nist.javax.sip.message.SIPMessage) resp, false);
    Object data = tx == null ? null : tx.getApplicationData();
    Hop hop = data instanceof ProxiedCall call ? call.calleeHop
        : data instanceof AbandonedInvite gone ? gone.hop()
        : data instanceof Relay relay ? relay.hop
        : data instanceof OwnRequest own ? own.hop
        : data instanceof OwnCancel cancel ? cancel.call.calleeHop
        : null;
    if (hop == null) {
      return tx == null;
    }
    return fromHop(hop, source, resp) && ofRequest(tx, data, resp);
  }

  /** Whether {@code resp} has the Call-ID and CSeq number of its transaction's request. */
  private static boolean ofRequest(gov.nist.javax.sip.stack.SIPTransaction tx, Object data, Response resp) {
    // the call's Call-ID where the transaction has a call: a transaction over may keep its request as bytes only
    Request request = tx.getOriginalRequest();
    String callId = data instanceof ProxiedCall call ? call.sipCallId
        : data instanceof AbandonedInvite gone ? gone.call().sipCallId
        : data instanceof Relay relay ? relay.call.sipCallId
        : data instanceof OwnCancel cancel ? cancel.call.sipCallId
        : request != null ? callId(request) : null;
    if ((callId != null && !callId.equals(callId(resp))) || tx.getCSeq() != SipHeaders.cseq(resp)) {
      LOG.debug("dropped a {} with another Call-ID or CSeq than its transaction's request", resp.getStatusCode());
      return false;
    }
    return true;
  }

  /** Responses are taken only from where their request went: anything else is a forgery. */
  private static boolean fromHop(Hop hop, String source, Response resp) {
    if (SipHeaders.sameHost(hop.getHost(), source)) {
      return true;
    }
    LOG.debug("dropped a {} from {}: its request went to {}", resp.getStatusCode(), source, hop);
    return false;
  }

  private static boolean sameDialog(Request req, Response resp) {
    String reqTo = toTag(req);
    return java.util.Objects.equals(fromTag(req), fromTag(resp)) && (reqTo == null || reqTo.equals(toTag(resp)));
  }

  private void onInviteResponse(ProxiedCall call, ClientTransaction invite, Response resp) {
    if (call.cancelDue(invite, resp.getStatusCode())) { // given up before the line could be CANCELled: now it can
      sendCancel(call, invite);
    }
    boolean mayReachTheCaller = call.settingUp()
        || (call.phase() == ProxiedCall.Phase.ANSWERED && call.isTheAnswer(toTag(resp)));
    if (resp.getStatusCode() > Response.TRYING && mayReachTheCaller && call.media.mustWait(resp)) {
      // its SDP goes through the media relay first (or an earlier response's does): relayed after, in order
      call.media.answer(resp, toTag(resp)).onComplete(ar -> relayInviteResponse(call, resp));
      return;
    }
    relayInviteResponse(call, resp);
  }

  /**
   * A response to an INVITE the call left for the line's next target: never the caller's. A target that
   * rings after all is CANCELled (once: at its first provisional), one that answers is hung up; a
   * failure ends its transaction inside the stack.
   */
  private void onAbandonedResponse(AbandonedInvite gone, ClientTransaction invite, Response resp) {
    int code = resp.getStatusCode();
    if (code > Response.TRYING && code < 200 && invite.getState() == javax.sip.TransactionState.PROCEEDING
        && !gone.cancelled) {
      gone.cancelled = true;
      sendCancel(gone.call(), invite);
    } else if (code / 100 == 2) {
      hangUpUnheardAnswer(gone.call(), resp, gone.hop());
    }
  }

  private void relayInviteResponse(ProxiedCall call, Response resp) {
    int code = resp.getStatusCode();
    if (code == Response.TRYING) {
      return;
    }
    if (!java.util.Objects.equals(call.callerTag, fromTag(resp))) {
      return; // not our INVITE's response
    }
    if (code < 200) {
      if (!call.settingUp()) {
        return; // a provisional after the final: a proxy never relays it
      }
      if (toTag(resp) != null) {
        call.earlyDialog(toTag(resp), forwarding.routeSetBeyondUs(resp), SipHeaders.contact(resp));
      }
      relayUpstream(call, resp);
      if ((code == Response.RINGING || code == Response.SESSION_PROGRESS) && call.ringing()) {
        metrics.postDialDelay(Duration.ofNanos(System.nanoTime() - call.arrivedNanos));
      }
    } else if (code < 300) {
      switch (call.phase()) {
        case SETUP, RINGING -> {
          call.answeredWith(toTag(resp), forwarding.routeSetBeyondUs(resp), SipHeaders.contact(resp));
          call.dialogMade(new ProxiedCall.AnsweredDialog(SipHeaders.headerValue(resp, FromHeader.NAME),
              SipHeaders.headerValue(resp, ToHeader.NAME)));
          call.answered(code, policy.maxCallDuration(), policy.ackWait());
          relayUpstream(call, resp);
          call.answerRelayed();
        }
        case ANSWERED -> {
          if (call.isTheAnswer(toTag(resp))) {
            relayRetransmitted2xx(call, resp);
          } else {
            hangUpUnheardAnswer(call, resp); // another branch of a forking line answered too
          }
        }
        case GIVEN_UP -> {
          call.calleeTag = toTag(resp);
          call.calleeContact = SipHeaders.contact(resp);
          hangUpUnheardAnswer(call, resp);
          call.end(CallStatus.MISSED, null); // the record was closed when the call was given up
        }
        case ENDED -> {
          if (call.answerHungUp(toTag(resp)) || !call.isTheAnswer(toTag(resp))) {
            hangUpUnheardAnswer(call, resp); // a copy of one we hung up (our ACK was lost), or another branch's
          } // else the caller's answer sent again after the call ended: the caller's own ACK ends that
        }
      }
    } else if (call.settingUp()) {
      // out of service: the line's next target, else the next line; busy and the like: the next line
      String why = "answered " + code;
      if (policy.triesNextTarget(code) ? moveOn(call, why) : policy.overflowsOn(code) && overflow(call, why)) {
        return;
      }
      call.end(policy.statusOf(code), code, policy.invitesRetry(code));
      toUpstreamCode(resp);
      relayUpstream(call, resp);
    } // else the 487 to our own CANCEL, or a late failure after we gave up
  }

  /** A final failure as it goes upstream ({@link CallPolicy#upstreamCode}: a line's 503 is a 500). */
  private void toUpstreamCode(Response resp) {
    int code = resp.getStatusCode();
    int upstream = policy.upstreamCode(code);
    if (upstream != code) {
      try {
        resp.setStatusCode(upstream);
        resp.setReasonPhrase("Next hop failed (" + code + ")");
      } catch (java.text.ParseException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /**
   * A copy of the caller's answer the line sends again (our ACK was lost): relayed only towards where
   * the INVITE came from (the Via headers we received, not the ones it carries).
   */
  private void relayRetransmitted2xx(ProxiedCall call, Response resp) {
    if (!call.media.rewriteRetransmission(resp)) {
      return;
    }
    try {
      setVias(resp, call.inviteVias());
      provider.sendResponse(resp);
    } catch (SipException | java.text.ParseException | RuntimeException e) {
      LOG.debug("could not relay a retransmitted 2xx of {}: {}", call.sipCallId, e.toString());
    }
  }

  /**
   * A 2xx from the business line that the caller will never get: the call was already given up towards
   * the caller, or the line forked and this branch answered after another one had. A proxy would pass it
   * on for the caller to end (RFC 3261 16.7), but the caller's trunk already has its dialog (or its
   * failure), so the router completes this one with an ACK and ends it with a BYE, through the line's
   * hop as any request to the line: no phone stays off-hook for nobody. A copy of the same 2xx (our
   * ACK was lost) gets the ACK again and no second BYE.
   */
  private void hangUpUnheardAnswer(ProxiedCall call, Response ok) {
    hangUpUnheardAnswer(call, ok, call.calleeHop);
  }

  /** As {@link #hangUpUnheardAnswer(ProxiedCall, Response)}, of a target {@code hop} the call left. */
  private void hangUpUnheardAnswer(ProxiedCall call, Response ok, Hop hop) {
    if (!policy.hangUpUnheardAnswer()) {
      return;
    }
    boolean first = call.hangingUp(toTag(ok));
    boolean leftTarget = hop != call.calleeHop;
    if (first) {
      if (leftTarget) {
        metrics.unheardAnswerOfLeftTarget();
      } else {
        metrics.unheardAnswer(call.phase() == ProxiedCall.Phase.GIVEN_UP);
      }
      LOG.info("call {}: the business line answered where the caller cannot hear it ({}): hanging it up",
          call.sipCallId, leftTarget ? "a target the call left for the next" : switch (call.phase()) {
            case ANSWERED -> "another branch answered first";
            case GIVEN_UP -> "the call was given up";
            default -> "the call is over";
          });
    }
    try {
      URI contact = SipHeaders.contactUri(ok);
      URI target = contact != null ? contact : call.businessLine;
      long cseq = SipHeaders.cseq(ok);
      provider.sendRequest(towardsCallee(call, ok, target, Request.ACK, cseq, hop));
      if (first) {
        ClientTransaction ct = provider.getNewClientTransaction(towardsCallee(call, ok, target, Request.BYE, cseq + 1, hop));
        ct.setApplicationData(new OwnRequest(hop));
        ct.sendRequest();
      }
    } catch (Exception e) {
      LOG.warn("could not hang up an unheard answer of {}: {}", call.sipCallId, e.toString());
    }
  }

  /**
   * The longest call is over and neither side sent a BYE: the router ends the dialog on both sides
   * itself, a BYE to the line in the caller's name and one to the caller in the line's, each to that
   * side's Contact through its hop and route set, as that side's peer would.
   */
  void hangUpBothSides(ProxiedCall call) {
    ProxiedCall.AnsweredDialog dialog = call.dialog();
    if (dialog == null) {
      return;
    }
    for (Side to : Side.values()) {
      try {
        Hop hop = to == Side.BUSINESS_LINE ? call.calleeHop : call.callerHop;
        ClientTransaction ct = provider.getNewClientTransaction(byeTo(call, dialog, to, hop));
        ct.setApplicationData(new OwnRequest(hop));
        ct.sendRequest();
      } catch (Exception e) {
        LOG.warn("could not hang up the {} side of call {}: {}", to, call.sipCallId, e.toString());
      }
    }
  }

  private Request byeTo(ProxiedCall call, ProxiedCall.AnsweredDialog dialog, Side to, Hop hop) throws Exception {
    boolean toLine = to == Side.BUSINESS_LINE;
    String contact = toLine ? call.calleeContact : call.callerContact;
    FromHeader from = (FromHeader) headers.createHeader(FromHeader.NAME, toLine ? dialog.callerFrom() : dialog.lineTo());
    ToHeader toHeader = (ToHeader) headers.createHeader(ToHeader.NAME, toLine ? dialog.lineTo() : dialog.callerFrom());
    URI target = contact != null ? addresses.createURI(contact)
        : toLine ? (URI) call.businessLine.clone() : (URI) toHeader.getAddress().getURI().clone();
    long cseq = call.nextCseqOf(toLine ? Side.CALLER : Side.BUSINESS_LINE);
    Request bye = messages.createRequest(target, Request.BYE, headers.createCallIdHeader(call.sipCallId),
        headers.createCSeqHeader(cseq, Request.BYE), from, toHeader,
        new ArrayList<>(List.of(forwarding.via(hop.getTransport(), forwarding.newBranch(call.loopKey)))),
        headers.createMaxForwardsHeader(70));
    forwarding.setRoutes(bye, call.routesTowards(to));
    HopRouter.pin(bye, hop);
    return bye;
  }

  private Request towardsCallee(ProxiedCall call, Response ok, URI target, String method, long cseq, Hop hop)
      throws Exception {
    Request r = messages.createRequest((URI) target.clone(), method, (CallIdHeader) ok.getHeader(CallIdHeader.NAME),
        headers.createCSeqHeader(cseq, method), (FromHeader) ok.getHeader(FromHeader.NAME).clone(),
        (ToHeader) ok.getHeader(ToHeader.NAME).clone(),
        new ArrayList<>(List.of(forwarding.via(hop.getTransport(),
            forwarding.newBranch(call.loopKey)))),
        headers.createMaxForwardsHeader(70));
    forwarding.setRoutes(r, forwarding.routeSetBeyondUs(ok)); // the request still goes to the line's hop, as any does
    HopRouter.pin(r, hop);
    return r;
  }

  private void relayUpstream(ProxiedCall call, Response resp) {
    try {
      setViasOf(resp, call.invite);
      call.inviteSt.sendResponse(resp);
    } catch (SipException | javax.sip.InvalidArgumentException | RuntimeException e) {
      LOG.warn("could not relay {} of call {} to the caller: {}", resp.getStatusCode(), call.sipCallId, e.toString());
    }
  }

  private void onRelayResponse(Relay relay, Response resp) {
    if (resp.getStatusCode() == Response.TRYING) {
      return;
    }
    String method = relay.request.getMethod();
    if (resp.getStatusCode() / 100 == 2 && Request.REFER.equals(method)) {
      relay.call.observer.transferred(); // the party referred will call the transfer target: counted, not followed
    }
    if (resp.getStatusCode() / 100 == 2 && (Request.INVITE.equals(method) || Request.UPDATE.equals(method))) {
      // a target refresh that succeeded: both sides' Contacts in it are their targets from now on
      String lineTag = relay.from == Side.CALLER ? toTag(relay.request) : fromTag(relay.request);
      relay.call.targetRefreshed(relay.from, lineTag, SipHeaders.contact(relay.request));
      relay.call.targetRefreshed(relay.from == Side.CALLER ? Side.BUSINESS_LINE : Side.CALLER, lineTag,
          SipHeaders.contact(resp));
    }
    if (Request.INVITE.equals(method) && resp.getStatusCode() / 100 == 2) {
      // the answer to a re-INVITE: through the media relay, then relayed
      relay.call.media.reanswer(resp, fromTag(relay.request), toTag(relay.request))
          .onComplete(ar -> relayResponse(relay, resp));
      return;
    }
    relayResponse(relay, resp);
  }

  private void relayResponse(Relay relay, Response resp) {
    try {
      toUpstreamCode(resp);
      setViasOf(resp, relay.request);
      relay.st.sendResponse(resp);
    } catch (SipException | javax.sip.InvalidArgumentException | RuntimeException e) {
      LOG.debug("could not relay {} to {}: {}", resp.getStatusCode(), relay.request.getMethod(), e.toString());
    }
  }

  /**
   * A response with no client transaction (or none left to relay it): only a 2xx to an INVITE of the
   * call counts. To the call's INVITE, from its line: a copy of the caller's answer is relayed; any other
   * answer (a forking line's second branch, or a copy of one hung up) is hung up. To the last re-INVITE
   * a side sent, from the other side: a copy its sender may still wait for (RFC 3261 13.3.1.4: the 2xx
   * is sent again until the ACK), relayed along that re-INVITE's Vias as a proxy relays every 2xx.
   */
  private void onStrayResponse(ProxiedCall call, Response resp, String source) {
    if (resp.getStatusCode() / 100 != 2 || !Request.INVITE.equals(SipHeaders.cseqMethod(resp))) {
      return;
    }
    long cseq = SipHeaders.cseq(resp);
    String from = fromTag(resp);
    if (!call.settingUp() && cseq == call.inviteCseq && java.util.Objects.equals(call.callerTag, from)
        && fromHop(call.calleeHop, source, resp)) {
      relayInviteResponse(call, resp);
      return;
    }
    if (call.phase() != ProxiedCall.Phase.ANSWERED) {
      return;
    }
    Side sender = from == null ? null : from.equals(call.callerTag) ? Side.CALLER
        : from.equals(call.calleeTag) ? Side.BUSINESS_LINE : null;
    ProxiedCall.RelayedReInvite reInvite = sender == null ? null : call.reInviteOf(sender);
    String answererTag = sender == Side.CALLER ? call.calleeTag : call.callerTag;
    if (reInvite != null && reInvite.cseq() == cseq && java.util.Objects.equals(answererTag, toTag(resp))
        && fromHop(hopTowards(call, sender), source, resp)) {
      call.media.reanswer(resp, from, toTag(resp)).onComplete(ar -> {
        try {
          setVias(resp, reInvite.vias());
          provider.sendResponse(resp);
        } catch (SipException | java.text.ParseException | RuntimeException e) {
          LOG.debug("could not relay a re-INVITE's 2xx sent again in {}: {}", call.sipCallId, e.toString());
        }
      });
    }
  }

  @Override
  public void processTimeout(TimeoutEvent evt) {
    if (evt.isServerTransaction()) {
      return;
    }
    Object data = evt.getClientTransaction().getApplicationData();
    if (data instanceof ProxiedCall call) {
      call.exec.execute(() -> {
        if (!moveOn(call, "never answered")) {
          call.giveUpUpstream(GiveUp.LINE_SILENT);
        }
      });
    } else if (data instanceof Relay relay) {
      relay.call.exec.execute(() -> answers.respond(relay.st, relay.request, Response.REQUEST_TIMEOUT, null));
    }
  }

  @Override
  public void processIOException(IOExceptionEvent evt) {
    LOG.debug("SIP I/O error towards {}:{}/{}", evt.getHost(), evt.getPort(), evt.getTransport());
  }

  @Override
  public void processTransactionTerminated(TransactionTerminatedEvent evt) {
    // nothing kept per transaction beyond the call, which is cleaned up on its own
  }

  @Override
  public void processDialogTerminated(DialogTerminatedEvent evt) {
    // the proxy keeps no dialogs (AUTOMATIC_DIALOG_SUPPORT is off)
  }

  /**
   * Whether the router may open a connection to {@code address}: only towards a trunk (the callers'
   * side) or the business line of a live call, the only hops it sends requests to. Every other
   * address was named by a message (a Via, Contact, Route), and the router is no reflector.
   */
  public boolean mayConnectTo(java.net.InetAddress address) {
    return policy.isTrunk(address.getHostAddress()) || calleeHosts.contains(address);
  }

  // ---------------------------------------------------------------- what calls ask of the proxy

  /**
   * A message's work for its call, given on the stack's thread: run there while the stack keeps up
   * (no hand-off, no thread wake-up), on the pool once datagrams queue up behind it.
   */
  private void onCallThread(ProxiedCall call, Runnable work) {
    if (workDelay.stackBehind()) {
      call.exec.execute(work);
    } else {
      call.exec.executeHere(work);
    }
  }

  Instant now() {
    return clock.instant();
  }

  /** Runs {@code task} on the call's executor after {@code delay}; nothing once the router stops. */
  io.netty.util.Timeout timer(Duration delay, ProxiedCall call, Runnable task) {
    if (closed) {
      return null;
    }
    return timers.after(delay, () -> {
      if (!closed) {
        call.exec.executeHere(task); // the wheel's thread, never an event loop
      }
    });
  }

  void cancelTimer(io.netty.util.Timeout timer) {
    CallTimers.cancel(timer);
  }

  void ended(ProxiedCall call, CallStatus status) {
    liveCalls.decrementAndGet();
    metrics.callEnded(status);
  }

  /** {@code call} is over for the caller; its record and count wait for a retry ({@link ProxiedCall#end(CallStatus, Integer, boolean)}). */
  void endedAwaitingRetry(ProxiedCall call) {
    liveCalls.decrementAndGet();
    metrics.callAwaitingRetry();
  }

  /** How long a refused call's record waits for the caller's retry. */
  java.time.Duration retryWait() {
    return policy.retryWait();
  }

  /** No retry came for a refused call: it is counted as it ended. */
  void notRetried(CallStatus status) {
    metrics.count(status);
  }

  void forget(ProxiedCall call) {
    if (calls.remove(call.sipCallId, call)) {
      calleeHosts.remove(call.calleeHop);
    }
  }

  private static void terminate(javax.sip.Transaction tx) {
    if (tx == null || tx.getState() == javax.sip.TransactionState.TERMINATED) {
      return;
    }
    try {
      tx.terminate();
    } catch (javax.sip.ObjectInUseException | RuntimeException e) {
      LOG.debug("terminating a transaction: {}", e.toString());
    }
  }

  /** Ends {@code tx} and takes it out of the stack's table at once, not at its next timer tick. */
  private void forgetTransaction(javax.sip.Transaction tx) {
    terminate(tx);
    if (provider.getSipStack() instanceof gov.nist.javax.sip.stack.SIPTransactionStack stack
        && tx instanceof gov.nist.javax.sip.stack.SIPTransaction t) {
      stack.removeTransaction(t);
    }
  }

  // ---------------------------------------------------------------- SIP machinery

  /** A call's answer to its caller, in the INVITE's server transaction. */
  void respond(ServerTransaction st, Request req, int code, String reason) {
    answers.respond(st, req, code, reason);
  }

  /** The response's Via headers become those of the request we received: it goes only where that came from. */
  private static void setViasOf(Response resp, Request received) throws SipException {
    resp.removeHeader(ViaHeader.NAME);
    Iterator<?> vias = received.getHeaders(ViaHeader.NAME);
    while (vias.hasNext()) {
      resp.addLast((Header) ((ViaHeader) vias.next()).clone());
    }
  }

  /** The response's Via headers become {@code vias} (encoded, top first). */
  private void setVias(Response resp, List<String> vias) throws java.text.ParseException, SipException {
    resp.removeHeader(ViaHeader.NAME);
    for (String via : vias) {
      resp.addLast(headers.createHeader(ViaHeader.NAME, via));
    }
  }

  /**
   * A business line's URI and hop, parsed once per configured value and shared by its calls (each
   * clones the URI before it goes into a message): parsing it was per INVITE, and a copy per call was
   * ~500 bytes of heap for the call's whole length. Properties are few; the cache is emptied when it
   * outgrows them.
   */
  private BusinessLine businessLine(String line) throws java.text.ParseException {
    return businessLines.get(line, text -> {
      SipURI uri = (SipURI) addresses.createURI(text);
      return new BusinessLine(uri, SipHeaders.hopOf(uri, "udp"));
    });
  }

  private record BusinessLine(SipURI uri, Hop hop) {}

  /** Where a line's requests go, in turn: its targets where DNS located it, else its host as written. */
  private List<Hop> hopsOf(BusinessLine line, List<io.calltrack.sip.routing.LineLocator.Target> targets) {
    if (targets.isEmpty()) {
      return List.of(line.hop());
    }
    List<Hop> hops = new ArrayList<>(targets.size());
    for (var target : targets) {
      hops.add(lineHop(line, target));
    }
    return hops;
  }

  /** The lines after the first a call may go on to (overflow lines); one that is no SIP URI is left out. */
  private List<ProxiedCall.NextLine> nextLines(RouteDecision.Forward forward) {
    List<ProxiedCall.NextLine> next = new ArrayList<>(forward.lines().size() - 1);
    for (var l : forward.lines().subList(1, forward.lines().size())) {
      try {
        BusinessLine line = businessLine(l.uri());
        next.add(new ProxiedCall.NextLine(l.index(), line.uri(), suspects.order(hopsOf(line, l.targets()))));
      } catch (java.text.ParseException | ClassCastException e) {
        LOG.error("property {} has an unusable overflow line '{}'", forward.property().id(), l.uri());
      }
    }
    return next;
  }

  /** Where the line's requests go: where DNS located it (SRV, {@code target}), else its host as written. */
  private Hop lineHop(BusinessLine line, io.calltrack.sip.routing.LineLocator.Target target) {
    if (target == null) {
      return line.hop();
    }
    String transport = line.hop().getTransport();
    return lineHops.get(target.address() + ':' + target.port() + '/' + transport,
        k -> new gov.nist.javax.sip.stack.HopImpl(target.address(), target.port(), transport));
  }

  /** Where requests to the caller go: its Contact if that is a trunk address, else back where the INVITE came from. */
  private Hop callerHop(Request invite, String source, int sourcePort, String inTransport) {
    URI contact = SipHeaders.contactUri(invite);
    if (contact instanceof SipURI u && policy.isTrunk(u.getHost())) {
      Hop hop = SipHeaders.hopOf(u, inTransport);
      return callerHops.get(hop.toString(), k -> hop);
    }
    return callerHops.get(source + ':' + sourcePort + '/' + inTransport,
        k -> new gov.nist.javax.sip.stack.HopImpl(source, sourcePort, inTransport));
  }

  /**
   * A request whose responses end with us: our own (the BYE of a late answer), or a relayed
   * one whose final response went on already.
   */
  private record OwnRequest(Hop hop) {}

  /**
   * The call's INVITE to a target of the line it left for the next ({@link #failOver}), sent to
   * {@code hop}; whether it was CANCELled yet (on the call's executor only).
   */
  private static final class AbandonedInvite {
    private final ProxiedCall call;
    private final Hop hop;
    private boolean cancelled;

    AbandonedInvite(ProxiedCall call, Hop hop) {
      this.call = call;
      this.hop = hop;
    }

    ProxiedCall call() {
      return call;
    }

    Hop hop() {
      return hop;
    }
  }

  /** The router's CANCEL of the call's INVITE towards the line: a 481 to it means another CANCEL later. */
  private record OwnCancel(ProxiedCall call, ClientTransaction invite) {}

  /** A re-INVITE relayed as {@code ct}: its server transaction's data, for a CANCEL of it. */
  private record RelayedInvite(ProxiedCall call, ClientTransaction ct) {}

  /** An in-dialog request being relayed: where it went, and where its responses go back to; {@code from}, its sender's side. */
  private record Relay(ProxiedCall call, ServerTransaction st, Request request, Hop hop, Side from) {}
}
