package io.calltrack.sip.proxy;

import gov.nist.javax.sip.RequestEventExt;
import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.stack.HopImpl;
import io.calltrack.core.calls.CallStatus;
import io.calltrack.core.phone.PhoneNumber;
import io.calltrack.sip.RouterMetrics;
import io.calltrack.sip.routing.CallRouting;
import io.calltrack.sip.routing.RouteDecision;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
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
import javax.sip.TransactionAlreadyExistsException;
import javax.sip.TransactionTerminatedEvent;
import javax.sip.address.AddressFactory;
import javax.sip.address.Hop;
import javax.sip.address.SipURI;
import javax.sip.address.TelURL;
import javax.sip.address.URI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.HeaderFactory;
import javax.sip.header.MaxForwardsHeader;
import javax.sip.header.RecordRouteHeader;
import javax.sip.header.RouteHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stateful proxy (RFC 3261 section 16) on JAIN-SIP. New INVITEs are decided by {@link CallRouting}
 * (SIP-free); this class only does SIP: transactions, Via, Record-Route, Max-Forwards, loops,
 * relaying responses, CANCEL, ACK and in-dialog requests, and the answer timeout. Every message of
 * a call is handled on that call's {@link SerialExecutor}, so it leaves in the order it was handled.
 *
 * <p>Never an open relay: every request leaves to a hop the proxy chose ({@link HopRouter}) — the
 * call's business line, or the trunk side it came from — never to an address a peer wrote in a
 * header; responses only leave along our own Via.
 */
public final class Proxy implements SipListener {
  private static final Logger LOG = LoggerFactory.getLogger(Proxy.class);
  private static final String BRANCH_PREFIX = "z9hG4bKct";
  /** How long a finished call's state stays to absorb late retransmissions and stray BYEs. */
  private static final Duration LINGER = Duration.ofSeconds(8);
  private static final Object CANCEL_TX = new Object();
  /**
   * An answered call whose BYE never came (a peer crashed, a BYE was lost for good) is closed after
   * this long, so its state does not stay in memory and its record does not stay open forever.
   */
  static final Duration MAX_CALL = Duration.ofHours(6);

  private final Vertx vertx;
  private final SipProvider provider;
  private final HeaderFactory headers;
  private final MessageFactory messages;
  private final AddressFactory addresses;
  private final String host;
  private final int port;
  private final CallRouting routing;
  private final CallObserver.Factory observers;
  private final RouterMetrics metrics;
  private final Executor pool;
  private final Clock clock;
  private final Duration answerTimeout;
  private final ConcurrentHashMap<String, Call> calls = new ConcurrentHashMap<>();
  private final AtomicLong branchCounter = new AtomicLong();

  public Proxy(Vertx vertx, SipProvider provider, HeaderFactory headers, MessageFactory messages,
      AddressFactory addresses, String host, int port, CallRouting routing, CallObserver.Factory observers,
      RouterMetrics metrics, Executor pool, Clock clock, Duration answerTimeout) {
    this.vertx = vertx;
    this.provider = provider;
    this.headers = headers;
    this.messages = messages;
    this.addresses = addresses;
    this.host = host;
    this.port = port;
    this.routing = routing;
    this.observers = observers;
    this.metrics = metrics;
    this.pool = pool;
    this.clock = clock;
    this.answerTimeout = answerTimeout;
  }

  /** Calls being set up or in progress (and finished ones for a few seconds). */
  public int callCount() {
    return calls.size();
  }

  // ---------------------------------------------------------------- requests

  @Override
  public void processRequest(RequestEvent evt) {
    Request req = evt.getRequest();
    if (LOG.isDebugEnabled()) {
      LOG.debug("<- {} {} from {}:{} ({})", req.getMethod(), req.getRequestURI(), remoteIp(evt), remotePort(evt), callId(req));
    }
    try {
      String method = req.getMethod();
      if (Request.ACK.equals(method)) {
        onAck(evt);
      } else if (Request.CANCEL.equals(method)) {
        onCancel(evt);
      } else if (toTag(req) != null) {
        onInDialog(evt);
      } else if (Request.INVITE.equals(method)) {
        onInitialInvite(evt);
      } else {
        onOutOfDialog(evt);
      }
    } catch (RuntimeException | SipException | java.text.ParseException | javax.sip.InvalidArgumentException e) {
      LOG.warn("could not handle {} {}: {}", req.getMethod(), callId(req), e.toString());
    }
  }

  private void onInitialInvite(RequestEvent evt) throws SipException, java.text.ParseException,
      javax.sip.InvalidArgumentException {
    Request req = evt.getRequest();
    String source = remoteIp(evt);
    MaxForwardsHeader maxForwards = (MaxForwardsHeader) req.getHeader(MaxForwardsHeader.NAME);
    if (maxForwards != null && maxForwards.getMaxForwards() <= 0) {
      reject(evt, Response.TOO_MANY_HOPS, null);
      return;
    }
    if (looped(req)) {
      reject(evt, Response.LOOP_DETECTED, null);
      return;
    }
    RouteDecision decision = routing.route(source, dialled(req.getRequestURI()));
    if (decision instanceof RouteDecision.Reject r) {
      reject(evt, r.status(), r.reason());
      return;
    }
    RouteDecision.Forward forward = (RouteDecision.Forward) decision;
    Hop calleeHop;
    SipURI businessLine;
    try {
      businessLine = (SipURI) addresses.createURI(forward.businessLine());
      calleeHop = hopOf(businessLine, "udp");
    } catch (java.text.ParseException | ClassCastException e) {
      LOG.error("property {} has an unusable businessLine '{}'", forward.property().id(), forward.businessLine());
      reject(evt, Response.SERVICE_UNAVAILABLE, "Business line misconfigured");
      return;
    }
    ServerTransaction st = serverTransaction(evt);
    if (st == null) {
      return; // a retransmission: the transaction that exists answers it
    }
    st.sendResponse(messages.createResponse(Response.TRYING, req));

    String inTransport = transportOf(req);
    Call call = new Call(callId(req), req, st, new SerialExecutor(pool), System.nanoTime(),
        fromTag(req), inTransport, callerHop(req, source, remotePort(evt), inTransport), calleeHop,
        businessLine, contactUri(req), newBranch(req));
    if (calls.putIfAbsent(call.sipCallId, call) != null) {
      // the same Call-ID arriving again as a new transaction: a loop through another route
      respond(st, req, Response.LOOP_DETECTED, null);
      return;
    }
    CallObserver.NewCall started = new CallObserver.NewCall(call.sipCallId, forward.number(),
        forward.property(), caller(req), clock.instant());
    call.exec.execute(() -> {
      // first task of the call: everything after it (CANCEL, responses) sees the observer
      metrics.callStarted();
      call.observer = observers.started(started);
      forwardInvite(call);
    });
  }

  private void forwardInvite(Call call) {
    try {
      Request fwd = (Request) call.invite.clone();
      fwd.setRequestURI((URI) call.businessLine.clone());
      decrementMaxForwards(fwd);
      popOwnRoutes(fwd);
      addRecordRoute(fwd, call.inTransport, call.calleeHop.getTransport());
      fwd.addFirst(headers.createViaHeader(host, port, call.calleeHop.getTransport(), call.branch));
      HopRouter.pin(fwd, call.calleeHop);
      ClientTransaction ct = provider.getNewClientTransaction(fwd);
      ct.setApplicationData(call);
      call.inviteCt = ct;
      ct.sendRequest();
      LOG.debug("-> INVITE {} via {} ({})", fwd.getRequestURI(), call.calleeHop, call.sipCallId);
      call.answerTimer = vertx.setTimer(answerTimeout.toMillis(),
          id -> call.exec.execute(() -> onAnswerTimeout(call)));
    } catch (Exception e) {
      LOG.warn("could not forward call {} to {}: {}", call.sipCallId, call.calleeHop, e.toString());
      if (!call.finalSent) {
        call.finalSent = true;
        respond(call.inviteSt, call.invite, Response.SERVICE_UNAVAILABLE, "Business line unreachable");
        finish(call, CallStatus.FAILED, Response.SERVICE_UNAVAILABLE);
      }
    }
  }

  private void onAnswerTimeout(Call call) {
    if (call.answered || call.finalSent) {
      return;
    }
    call.finalSent = true;
    cancelDownstream(call);
    respond(call.inviteSt, call.invite, Response.REQUEST_TIMEOUT, "No answer");
    finish(call, CallStatus.MISSED, Response.REQUEST_TIMEOUT);
  }

  private void onCancel(RequestEvent evt) throws SipException, java.text.ParseException,
      javax.sip.InvalidArgumentException {
    Request cancel = evt.getRequest();
    ServerTransaction cst = evt.getServerTransaction();
    if (cst == null) {
      try {
        cst = provider.getNewServerTransaction(cancel);
      } catch (TransactionAlreadyExistsException retransmission) {
        return;
      }
    }
    Call call = calls.get(callId(cancel));
    if (call == null || !sameBranch(call.invite, cancel)) {
      respond(cst, cancel, Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST, null);
      return;
    }
    respond(cst, cancel, Response.OK, null);
    call.exec.execute(() -> {
      if (call.finalSent) {
        return;
      }
      call.finalSent = true;
      cancelDownstream(call);
      respond(call.inviteSt, call.invite, Response.REQUEST_TERMINATED, null);
      finish(call, CallStatus.ABANDONED, Response.REQUEST_TERMINATED);
    });
  }

  private void cancelDownstream(Call call) {
    vertx.cancelTimer(call.answerTimer);
    if (call.inviteCt == null) {
      return;
    }
    try {
      Request cancel = call.inviteCt.createCancel();
      HopRouter.pin(cancel, call.calleeHop);
      ClientTransaction ct = provider.getNewClientTransaction(cancel);
      ct.setApplicationData(CANCEL_TX);
      ct.sendRequest();
    } catch (SipException e) {
      // nothing was heard from the business line yet, so there is nothing to cancel: stop retrying
      LOG.debug("no CANCEL for {}: {}", call.sipCallId, e.toString());
      terminate(call.inviteCt);
    }
  }

  private void onAck(RequestEvent evt) throws SipException, java.text.ParseException,
      javax.sip.InvalidArgumentException {
    if (evt.getServerTransaction() != null) {
      return; // the ACK of a non-2xx final response: it ends that transaction, nothing to relay
    }
    Request ack = evt.getRequest();
    Call call = calls.get(callId(ack));
    if (call == null || !call.answered) {
      return;
    }
    Boolean fromCaller = direction(call, ack);
    if (fromCaller == null || !allowedSource(call, fromCaller, remoteIp(evt))) {
      return;
    }
    Request fwd = (Request) ack.clone();
    prepareInDialog(call, fwd, fromCaller);
    ViaHeader topVia = (ViaHeader) ack.getHeader(ViaHeader.NAME);
    // stateless: the same ACK gets the same branch every time it is relayed
    fwd.addFirst(headers.createViaHeader(host, port, hopFor(call, fromCaller).getTransport(),
        BRANCH_PREFIX + "a" + Integer.toHexString(String.valueOf(topVia.getBranch()).hashCode())));
    HopRouter.pin(fwd, hopFor(call, fromCaller));
    provider.sendRequest(fwd);
  }

  private void onInDialog(RequestEvent evt) throws SipException, java.text.ParseException,
      javax.sip.InvalidArgumentException {
    Request req = evt.getRequest();
    Call call = calls.get(callId(req));
    Boolean fromCaller = call == null ? null : direction(call, req);
    if (fromCaller == null) {
      reject(evt, Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST, null);
      return;
    }
    if (!allowedSource(call, fromCaller, remoteIp(evt))) {
      reject(evt, Response.FORBIDDEN, null);
      return;
    }
    MaxForwardsHeader maxForwards = (MaxForwardsHeader) req.getHeader(MaxForwardsHeader.NAME);
    if (maxForwards != null && maxForwards.getMaxForwards() <= 0) {
      reject(evt, Response.TOO_MANY_HOPS, null);
      return;
    }
    ServerTransaction st = serverTransaction(evt);
    if (st == null) {
      return; // a retransmission: the transaction that exists answers it
    }
    ServerTransaction serverTx = st;
    call.exec.execute(() -> relayInDialog(call, serverTx, req, fromCaller));
  }

  private void relayInDialog(Call call, ServerTransaction st, Request req, boolean fromCaller) {
    try {
      Request fwd = (Request) req.clone();
      prepareInDialog(call, fwd, fromCaller);
      Hop hop = hopFor(call, fromCaller);
      fwd.addFirst(headers.createViaHeader(host, port, hop.getTransport(), newBranch(req)));
      HopRouter.pin(fwd, hop);
      if (Request.BYE.equals(req.getMethod())) {
        finish(call, call.answered ? CallStatus.ANSWERED : CallStatus.ABANDONED, null);
      }
      ClientTransaction ct = provider.getNewClientTransaction(fwd);
      ct.setApplicationData(new Relay(call, st, req));
      ct.sendRequest();
      LOG.debug("-> {} {} via {} ({})", req.getMethod(), fwd.getRequestURI(), hop, call.sipCallId);
    } catch (Exception e) {
      LOG.warn("could not relay {} of call {}: {}", req.getMethod(), call.sipCallId, e.toString());
      respond(st, req, Response.SERVICE_UNAVAILABLE, null);
    }
  }

  private void onOutOfDialog(RequestEvent evt) throws SipException, java.text.ParseException,
      javax.sip.InvalidArgumentException {
    Request req = evt.getRequest();
    if (!routing.isTrunk(remoteIp(evt))) {
      reject(evt, Response.FORBIDDEN, null);
    } else if (Request.OPTIONS.equals(req.getMethod())) {
      reject(evt, Response.OK, null); // trunks ping with OPTIONS to see that we are up
    } else {
      reject(evt, Response.METHOD_NOT_ALLOWED, null);
    }
  }

  // ---------------------------------------------------------------- responses

  @Override
  public void processResponse(ResponseEvent evt) {
    Response resp = evt.getResponse();
    if (LOG.isDebugEnabled()) {
      LOG.debug("<- {} {} ({})", resp.getStatusCode(), ((CSeqHeader) resp.getHeader(CSeqHeader.NAME)).getMethod(), callId(resp));
    }
    ViaHeader top = (ViaHeader) resp.getHeader(ViaHeader.NAME);
    if (top == null || !isOurs(top.getHost(), top.getPort())) {
      return; // not sent by us: never relayed anywhere
    }
    ClientTransaction ct = evt.getClientTransaction();
    Object data = ct == null ? null : ct.getApplicationData();
    if (data instanceof Call call) {
      call.exec.execute(() -> onInviteResponse(call, resp));
    } else if (data instanceof Relay relay) {
      relay.call.exec.execute(() -> onRelayResponse(relay, resp));
    } else if (ct == null) {
      onStrayResponse(resp);
    }
  }

  private void onInviteResponse(Call call, Response resp) {
    int code = resp.getStatusCode();
    if (code == Response.TRYING) {
      return;
    }
    resp.removeFirst(ViaHeader.NAME);
    // the call's state and record move first: a caller that went away must not leave it ringing
    if (code < 200) {
      if (call.finalSent) {
        return; // a provisional after the final: a proxy never relays it
      }
      relayUpstream(call, resp);
      if (!call.ringing && (code == Response.RINGING || code == Response.SESSION_PROGRESS)) {
        call.ringing = true;
        metrics.postDialDelay(Duration.ofNanos(System.nanoTime() - call.arrivedNanos));
        call.observer.ringing(clock.instant());
      }
    } else if (code < 300) {
      if (call.answered) {
        if (call.lateAnswer) {
          return; // a retransmission of an answer we already hung up: never for the caller
        }
        try {
          provider.sendResponse(resp); // a retransmitted 2xx: relay it as it came
        } catch (SipException e) {
          LOG.debug("could not relay a retransmitted 2xx of {}: {}", call.sipCallId, e.toString());
        }
        return;
      }
      call.answered = true;
      vertx.cancelTimer(call.answerTimer);
      call.calleeTag = toTag(resp);
      call.calleeContact = contactUri(resp);
      if (call.finalSent) {
        call.lateAnswer = true;
        hangUpLateAnswer(call, resp);
        return;
      }
      call.finalSent = true;
      call.observer.answered(clock.instant(), code);
      relayUpstream(call, resp);
      call.maxTimer = vertx.setTimer(MAX_CALL.toMillis(), id -> call.exec.execute(() -> {
        if (!call.ended) {
          LOG.warn("call {} had no BYE after {}: closing it", call.sipCallId, MAX_CALL);
          finish(call, CallStatus.ANSWERED, null);
        }
      }));
    } else {
      if (call.finalSent) {
        return; // the 487 to our own CANCEL, or a late failure after we gave up
      }
      call.finalSent = true;
      vertx.cancelTimer(call.answerTimer);
      finish(call, statusOf(code), code);
      relayUpstream(call, resp);
    }
  }

  /**
   * The business line answered after the caller was already told the call failed (answer timeout or
   * the caller's CANCEL crossing the 200): complete its dialog with an ACK and end it with a BYE, so
   * the line does not stay off-hook waiting for a caller that is gone.
   */
  private void hangUpLateAnswer(Call call, Response ok) {
    LOG.info("call {} answered after it was given up upstream: hanging up the business line", call.sipCallId);
    try {
      URI target = call.calleeContact != null ? call.calleeContact : call.businessLine;
      long cseq = ((CSeqHeader) ok.getHeader(CSeqHeader.NAME)).getSeqNumber();
      Request ack = towardsCallee(call, ok, target, Request.ACK, cseq);
      provider.sendRequest(ack);
      Request bye = towardsCallee(call, ok, target, Request.BYE, cseq + 1);
      ClientTransaction ct = provider.getNewClientTransaction(bye);
      ct.setApplicationData(CANCEL_TX);
      ct.sendRequest();
    } catch (Exception e) {
      LOG.warn("could not hang up the late answer of {}: {}", call.sipCallId, e.toString());
    }
  }

  private Request towardsCallee(Call call, Response ok, URI target, String method, long cseq) throws Exception {
    Request r = messages.createRequest((URI) target.clone(), method, (CallIdHeader) ok.getHeader(CallIdHeader.NAME),
        headers.createCSeqHeader(cseq, method), (FromHeader) ok.getHeader(FromHeader.NAME).clone(),
        (ToHeader) ok.getHeader(ToHeader.NAME).clone(),
        new java.util.ArrayList<>(List.of(headers.createViaHeader(host, port, call.calleeHop.getTransport(),
            newBranch(call.invite)))),
        headers.createMaxForwardsHeader(70));
    HopRouter.pin(r, call.calleeHop);
    return r;
  }

  private void relayUpstream(Call call, Response resp) {
    try {
      call.inviteSt.sendResponse(resp);
    } catch (SipException | javax.sip.InvalidArgumentException | RuntimeException e) {
      LOG.warn("could not relay {} of call {} to the caller: {}", resp.getStatusCode(), call.sipCallId, e.toString());
    }
  }

  private void onRelayResponse(Relay relay, Response resp) {
    if (resp.getStatusCode() == Response.TRYING) {
      return;
    }
    resp.removeFirst(ViaHeader.NAME);
    try {
      relay.st.sendResponse(resp);
    } catch (SipException | javax.sip.InvalidArgumentException | RuntimeException e) {
      LOG.debug("could not relay {} to {}: {}", resp.getStatusCode(), relay.request.getMethod(), e.toString());
    }
  }

  private void onStrayResponse(Response resp) {
    CSeqHeader cseq = (CSeqHeader) resp.getHeader(CSeqHeader.NAME);
    Call call = calls.get(callId(resp));
    if (call != null && call.answered && cseq != null && Request.INVITE.equals(cseq.getMethod())
        && resp.getStatusCode() / 100 == 2) {
      call.exec.execute(() -> {
        try {
          resp.removeFirst(ViaHeader.NAME);
          provider.sendResponse(resp);
        } catch (SipException | RuntimeException e) {
          LOG.debug("could not relay a retransmitted 2xx: {}", e.toString());
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
    if (data instanceof Call call) {
      call.exec.execute(() -> {
        if (!call.finalSent) {
          call.finalSent = true;
          vertx.cancelTimer(call.answerTimer);
          respond(call.inviteSt, call.invite, Response.REQUEST_TIMEOUT, "Business line did not respond");
          finish(call, CallStatus.MISSED, Response.REQUEST_TIMEOUT);
        }
      });
    } else if (data instanceof Relay relay) {
      relay.call.exec.execute(() -> respond(relay.st, relay.request, Response.REQUEST_TIMEOUT, null));
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

  // ---------------------------------------------------------------- call end

  private void finish(Call call, CallStatus status, Integer code) {
    if (call.ended) {
      return;
    }
    call.ended = true;
    vertx.cancelTimer(call.answerTimer);
    vertx.cancelTimer(call.maxTimer);
    call.observer.ended(clock.instant(), status, code);
    metrics.callEnded(status);
    vertx.setTimer(LINGER.toMillis(), id -> call.exec.execute(() -> {
      calls.remove(call.sipCallId, call);
      terminate(call.inviteCt);
      terminate(call.inviteSt);
    }));
  }

  private static CallStatus statusOf(int code) {
    return switch (code) {
      case Response.BUSY_HERE, Response.BUSY_EVERYWHERE, Response.DECLINE -> CallStatus.BUSY;
      case Response.REQUEST_TIMEOUT, Response.TEMPORARILY_UNAVAILABLE -> CallStatus.MISSED;
      default -> CallStatus.FAILED;
    };
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

  // ---------------------------------------------------------------- helpers

  private void reject(RequestEvent evt, int code, String reason) throws SipException,
      java.text.ParseException, javax.sip.InvalidArgumentException {
    Request req = evt.getRequest();
    if (code >= 300) {
      metrics.rejected();
    }
    ServerTransaction st = serverTransaction(evt);
    if (st == null) {
      return; // a retransmission: the transaction that exists answers it
    }
    respond(st, req, code, reason);
  }

  /**
   * The request's server transaction, made now if the stack has none yet; null when the request is a
   * retransmission of one already being handled (JAIN-SIP then answers it from that transaction).
   */
  private ServerTransaction serverTransaction(RequestEvent evt) throws SipException {
    ServerTransaction st = evt.getServerTransaction();
    if (st != null) {
      return st;
    }
    try {
      return provider.getNewServerTransaction(evt.getRequest());
    } catch (TransactionAlreadyExistsException retransmission) {
      return null;
    }
  }

  private void respond(ServerTransaction st, Request req, int code, String reason) {
    try {
      Response r = messages.createResponse(code, req);
      if (reason != null) {
        r.setReasonPhrase(reason);
      }
      ToHeader to = (ToHeader) r.getHeader(ToHeader.NAME);
      if (code >= 200 && to != null && to.getTag() == null) {
        to.setTag(Long.toHexString(ThreadLocalRandom.current().nextLong()));
      }
      st.sendResponse(r);
    } catch (Exception e) {
      LOG.debug("could not send {} for {}: {}", code, req.getMethod(), e.toString());
    }
  }

  /** Strips our Route entries, fixes a Request-URI that points at us, and counts the hop. */
  private void prepareInDialog(Call call, Request fwd, boolean fromCaller) throws java.text.ParseException,
      javax.sip.InvalidArgumentException {
    popOwnRoutes(fwd);
    // a UA that ignored the route set (SIPp's built-in uac does) addresses in-dialog requests to us
    if (fwd.getRequestURI() instanceof SipURI u && isOurs(u.getHost(), u.getPort())) {
      URI target = fromCaller ? call.calleeContact : call.callerContact;
      if (target != null) {
        fwd.setRequestURI((URI) target.clone());
      }
    }
    decrementMaxForwards(fwd);
  }

  /** TRUE from the caller, FALSE from the business line, null if the request is not of this call. */
  private static Boolean direction(Call call, Request req) {
    String from = fromTag(req);
    if (from != null && from.equals(call.callerTag)) {
      return Boolean.TRUE;
    }
    if (from != null && from.equals(call.calleeTag)) {
      return Boolean.FALSE;
    }
    return null;
  }

  /** Caller-side requests come from trunks; callee-side ones from the business line's host. */
  private boolean allowedSource(Call call, boolean fromCaller, String source) {
    return fromCaller ? routing.isTrunk(source) : call.calleeHop.getHost().equals(source) || routing.isTrunk(source);
  }

  private static Hop hopFor(Call call, boolean fromCaller) {
    return fromCaller ? call.calleeHop : call.callerHop;
  }

  private void decrementMaxForwards(Request fwd) throws javax.sip.InvalidArgumentException {
    MaxForwardsHeader mf = (MaxForwardsHeader) fwd.getHeader(MaxForwardsHeader.NAME);
    if (mf == null) {
      fwd.setHeader(headers.createMaxForwardsHeader(70));
    } else {
      mf.setMaxForwards(Math.max(0, mf.getMaxForwards() - 1));
    }
  }

  private void popOwnRoutes(Request req) {
    while (true) {
      RouteHeader route = (RouteHeader) req.getHeader(RouteHeader.NAME);
      if (route != null && route.getAddress().getURI() instanceof SipURI u && isOurs(u.getHost(), u.getPort())) {
        req.removeFirst(RouteHeader.NAME);
      } else {
        return;
      }
    }
  }

  /**
   * Record-Route so that the end of the call passes through us. When the two sides use different
   * transports, two entries (RFC 5658 double record-routing): each side reaches us its own way.
   */
  private void addRecordRoute(Request fwd, String inTransport, String outTransport) throws java.text.ParseException,
      SipException {
    if (!inTransport.equalsIgnoreCase(outTransport)) {
      fwd.addFirst(recordRoute(inTransport));
    }
    fwd.addFirst(recordRoute(outTransport));
  }

  private RecordRouteHeader recordRoute(String transport) throws java.text.ParseException {
    SipURI uri = addresses.createSipURI(null, host);
    uri.setPort(port);
    uri.setLrParam();
    if (!"udp".equalsIgnoreCase(transport)) {
      uri.setTransportParam(transport.toLowerCase(Locale.ROOT));
    }
    return headers.createRecordRouteHeader(addresses.createAddress(uri));
  }

  private boolean isOurs(String h, int p) {
    return host.equalsIgnoreCase(h) && (p <= 0 ? 5060 : p) == port;
  }

  /**
   * A branch that both identifies our transaction and lets us detect loops (RFC 3261 16.3 step 4):
   * it embeds a hash of what makes a request the same request arriving again.
   */
  private String newBranch(Request req) {
    return BRANCH_PREFIX + loopKey(req) + "." + Long.toHexString(branchCounter.incrementAndGet())
        + Integer.toHexString(ThreadLocalRandom.current().nextInt());
  }

  private boolean looped(Request req) {
    String mine = BRANCH_PREFIX + loopKey(req) + ".";
    Iterator<?> vias = req.getHeaders(ViaHeader.NAME);
    while (vias.hasNext()) {
      ViaHeader via = (ViaHeader) vias.next();
      if (isOurs(via.getHost(), via.getPort()) && via.getBranch() != null && via.getBranch().startsWith(mine)) {
        return true;
      }
    }
    return false;
  }

  private static String loopKey(Request req) {
    CSeqHeader cseq = (CSeqHeader) req.getHeader(CSeqHeader.NAME);
    String key = req.getRequestURI() + "|" + fromTag(req) + "|" + callId(req) + "|"
        + (cseq == null ? "" : cseq.getSeqNumber());
    return Integer.toHexString(key.hashCode());
  }

  private static boolean sameBranch(Request invite, Request cancel) {
    ViaHeader a = (ViaHeader) invite.getHeader(ViaHeader.NAME);
    ViaHeader b = (ViaHeader) cancel.getHeader(ViaHeader.NAME);
    return a != null && b != null && String.valueOf(a.getBranch()).equals(b.getBranch());
  }

  private Hop hopOf(SipURI uri, String defaultTransport) {
    String transport = uri.getTransportParam() != null ? uri.getTransportParam() : defaultTransport;
    return new HopImpl(uri.getHost(), uri.getPort() > 0 ? uri.getPort() : 5060, transport.toLowerCase(Locale.ROOT));
  }

  /** Where requests to the caller go: its Contact if that is a trunk address, else back where the INVITE came from. */
  private Hop callerHop(Request invite, String source, int sourcePort, String inTransport) {
    URI contact = contactUri(invite);
    if (contact instanceof SipURI u && routing.isTrunk(u.getHost())) {
      return hopOf(u, inTransport);
    }
    return new HopImpl(source, sourcePort, inTransport);
  }

  /** The number dialled: a SIP URI's user part or a tel: URI's number. */
  static String dialled(URI uri) {
    if (uri instanceof SipURI s) {
      return s.getUser();
    }
    if (uri instanceof TelURL t) {
      return (t.isGlobal() ? "+" : "") + t.getPhoneNumber();
    }
    return null;
  }

  /** The caller's number: P-Asserted-Identity where the trunk gives one, else From; E.164 where it parses. */
  private static String caller(Request req) {
    URI uri = null;
    javax.sip.header.Header pai = req.getHeader("P-Asserted-Identity");
    if (pai instanceof javax.sip.header.HeaderAddress ha) {
      uri = ha.getAddress().getURI();
    }
    if (uri == null) {
      FromHeader from = (FromHeader) req.getHeader(FromHeader.NAME);
      uri = from == null ? null : from.getAddress().getURI();
    }
    String user = uri == null ? null : dialled(uri);
    if (user == null || user.isBlank()) {
      return "anonymous";
    }
    try {
      return PhoneNumber.fromDialled(user, PhoneNumber.DEFAULT_REGION).e164();
    } catch (RuntimeException e) {
      return user.length() > 64 ? user.substring(0, 64) : user;
    }
  }

  private static URI contactUri(javax.sip.message.Message m) {
    ContactHeader c = (ContactHeader) m.getHeader(ContactHeader.NAME);
    return c == null || c.getAddress() == null ? null : c.getAddress().getURI();
  }

  private static String transportOf(Request req) {
    ViaHeader via = (ViaHeader) req.getHeader(ViaHeader.NAME);
    return via == null || via.getTransport() == null ? "udp" : via.getTransport().toLowerCase(Locale.ROOT);
  }

  private static String callId(javax.sip.message.Message m) {
    CallIdHeader h = (CallIdHeader) m.getHeader(CallIdHeader.NAME);
    return h == null ? "" : h.getCallId();
  }

  private static String fromTag(javax.sip.message.Message m) {
    FromHeader h = (FromHeader) m.getHeader(FromHeader.NAME);
    return h == null ? null : h.getTag();
  }

  private static String toTag(javax.sip.message.Message m) {
    ToHeader h = (ToHeader) m.getHeader(ToHeader.NAME);
    return h == null ? null : h.getTag();
  }

  private static String remoteIp(RequestEvent evt) {
    if (evt instanceof RequestEventExt ext && ext.getRemoteIpAddress() != null) {
      return ext.getRemoteIpAddress();
    }
    var addr = ((SIPMessage) evt.getRequest()).getRemoteAddress();
    return addr == null ? "" : addr.getHostAddress();
  }

  private static int remotePort(RequestEvent evt) {
    if (evt instanceof RequestEventExt ext && ext.getRemotePort() > 0) {
      return ext.getRemotePort();
    }
    return ((SIPMessage) evt.getRequest()).getRemotePort();
  }

  /** One proxied call's state; touched only on its serial executor (after construction). */
  private static final class Call {
    final String sipCallId;
    final Request invite;
    final ServerTransaction inviteSt;
    final SerialExecutor exec;
    final long arrivedNanos;
    final String callerTag;
    final String inTransport;
    final Hop callerHop;
    final Hop calleeHop;
    final SipURI businessLine;
    final URI callerContact;
    final String branch;
    volatile CallObserver observer;
    ClientTransaction inviteCt;
    long answerTimer = -1;
    long maxTimer = -1;
    boolean ringing;
    boolean answered;
    boolean lateAnswer;
    boolean finalSent;
    boolean ended;
    volatile String calleeTag;
    volatile URI calleeContact;

    Call(String sipCallId, Request invite, ServerTransaction inviteSt, SerialExecutor exec, long arrivedNanos,
        String callerTag, String inTransport, Hop callerHop, Hop calleeHop, SipURI businessLine,
        URI callerContact, String branch) {
      this.sipCallId = sipCallId;
      this.invite = invite;
      this.inviteSt = inviteSt;
      this.exec = exec;
      this.arrivedNanos = arrivedNanos;
      this.callerTag = callerTag;
      this.inTransport = inTransport;
      this.callerHop = callerHop;
      this.calleeHop = calleeHop;
      this.businessLine = businessLine;
      this.callerContact = callerContact;
      this.branch = branch;
    }
  }

  /** An in-dialog request being relayed: where its responses go back to. */
  private record Relay(Call call, ServerTransaction st, Request request) {}
}
